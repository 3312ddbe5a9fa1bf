#!/bin/bash
# The dualstack story on loopback (make demo): rtpengine, the IPv4-only core
# (cfg/core.cfg) and the dual-stack LB (cfg/kamailio.cfg) as shipped; an
# IPv6 phone and an IPv4 phone register, the IPv6 one gets keepalives, they
# call each other both ways with RTP through the relay, and hang up.
#
#   cfg/demo.sh          play the story, stop everything, keep the logs
#   KEEP=1 cfg/demo.sh   then keep the system running for a softphone
#                        (Ctrl-C stops it)
#
# Every process is started here and stopped by its PID, also on Ctrl-C.

set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
export TOP
OUT="$TOP/build/demo/$(date +%Y%m%d-%H%M%S)"
TEST_NAME=demo
mkdir -p "$OUT"
. "$TOP/test/lib/harness.sh" system

steps=()
step()
{
	printf '\n== %s\n' "$*"
}
done_step()
{
	steps+=("$1|$2")
	printf '   -> %s\n' "$2"
}
on_exit()
{
	stop_all
	printf '\nlogs: %s\n' "$OUT"
}
trap on_exit EXIT

# a failed check ends the story with the reason (and the logs)
fail()
{
	printf '\nDEMO FAILED: %s\n' "$*" >&2
	exit 1
}

make -s -C "$TOP/test/tools" >/dev/null || fail "cannot build the test tools"

step "Starting the relay, the IPv4 core and the dual-stack LB on loopback"
PING_INTERVAL=2
start_system
done_step "system" "rtpengine (ng protocol on 127.0.0.1:$NG_PORT, one interface with media on 127.0.0.1 and ::1), core 127.0.0.1:$CORE_PORT (IPv4 only), LB 127.0.0.1:$KPORT and [::1]:$KPORT"

step "alice and carol register from IPv6 [::1], bob from IPv4 127.0.0.1, through the LB (the core asks for their passwords: cfg/db/subscriber)"
register_ua reg-alice ::1 alice
ALICE=$REG_PORT
register_ua reg-bob 127.0.0.1 bob
BOB=$REG_PORT
register_ua reg-carol ::1 carol
CAROL=$REG_PORT
path=$(rpc @core ul.lookup location alice | sed -n 's/.*Path: //p')
done_step "register" "alice [::1]:$ALICE, carol [::1]:$CAROL, bob 127.0.0.1:$BOB; the core reaches alice via Path $path"

step "The LB keeps alice's IPv6 firewall pinhole open: keepalives every ${PING_INTERVAL}s"
bg_sipp keepalive -sf "$SCN/ua_register.xml" -m 1 -d 5000 -i ::1 -p "$ALICE" $(sipp_auth alice) \
	-key user alice -key contact_host "[::1]" -key contact_port "$ALICE" \
	-oocsf "$SCN/uas_options.xml" "[::1]:$KPORT"
wait_sipp keepalive "$SIPP_PID" || fail "alice's phone failed while being pinged"
n=$(sipp_received "$OUT/keepalive.msg" | awk -v RS= '/^OPTIONS / { n++ } END { print n + 0 }')
[ "$n" -ge 1 ] || fail "alice got no keepalive in 5 s"
via=$(msg_header "$(sipp_received_msg "$OUT/keepalive.msg" "OPTIONS ")" Via)
case "$via" in "SIP/2.0/UDP [::1]:$KPORT;"*) ;; *) fail "a keepalive left on the wrong socket: Via $via" ;; esac
done_step "keepalives" "alice's phone got $n OPTIONS pings in 5 s from the LB's socket [::1]:$KPORT and answered them"

step "alice (IPv6) calls bob (IPv4): the relay bridges the media"
AFB_UAS_PORT=$BOB AFB_RURI="sip:bob@127.0.0.1" afb_call alice-calls-bob call ::1 127.0.0.1 1
done_step "call 6->4" "bob got c=IN IP4, alice got c=IN IP6 (relay ports), RTP both ways, relay empty after BYE"

step "bob (IPv4) calls alice (IPv6)"
AFB_UAS_PORT=$ALICE AFB_RURI="sip:alice@127.0.0.1" afb_call bob-calls-alice call 127.0.0.1 ::1 1
done_step "call 4->6" "alice got c=IN IP6, bob got c=IN IP4, RTP both ways, relay empty after BYE"

step "alice (IPv6) calls carol (IPv6): the call passes the IPv4 core, the relay anchors both IPv6 legs"
AFB_UAS_PORT=$CAROL AFB_RURI="sip:carol@127.0.0.1" afb_call alice-calls-carol call ::1 ::1 1
done_step "call 6->6" "carol and alice got c=IN IP6 (relay ports), RTP both ways, relay empty after BYE"

step "Counters on the LB"
done_step "afbridge" "v6_to_v4 $(rpc cnt.get afbridge v6_to_v4), v4_to_v6 $(rpc cnt.get afbridge v4_to_v6), deletes $(rpc cnt.get afbridge deletes), relay errors $(rpc cnt.get afbridge relay_errors)"
done_step "regping" "sent v6 $(rpc cnt.get regping sent_v6) / v4 $(rpc cnt.get regping sent_v4), answered v6 $(rpc cnt.get regping replied_v6) / v4 $(rpc cnt.get regping replied_v4)"

printf '\n%-12s | %s\n' "step" "result"
printf '%s\n' "-------------+---------------------------------------------------------------"
for s in "${steps[@]}"; do
	printf '%-12s | %s\n' "${s%%|*}" "${s#*|}"
done

if [ "${KEEP:-0}" = 1 ]; then
	printf '\nThe system keeps running: point a softphone at the LB, register any user\n'
	printf 'at sip:<user>@127.0.0.1 via 127.0.0.1:%s or [::1]:%s (UDP or TCP), call\n' "$KPORT" "$KPORT"
	printf 'alice or bob, watch the logs in %s. Ctrl-C stops everything.\n' "$OUT"
	while kill -0 "$LB_PID" 2>/dev/null; do
		sleep 1
	done
fi
