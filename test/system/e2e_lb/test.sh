#!/bin/bash
# The shipped configs end to end: UA -> LB (cfg/kamailio.cfg) -> IPv4 core
# (cfg/core.cfg) -> LB -> UA, with rtpengine. An IPv6 and an IPv4 UA
# register through the LB (the core stores them with the LB's Path, the
# LB pings them); calls both ways, a re-INVITE, a CANCEL and a 486: each
# UA gets SDP of its own family, RTP flows, the relay ends empty.
. "$(dirname "$0")/../../lib/harness.sh" system

start_system

register_ua reg-alice ::1 alice
ALICE=$REG_PORT
register_ua reg-bob 127.0.0.1 bob
BOB=$REG_PORT
rpc @core ul.lookup location alice >"$OUT/core-alice.txt"
grep -q "Path: <sip:127.0.0.1:$KPORT;lr;received=sip:\[::1\]:$ALICE>" "$OUT/core-alice.txt" ||
	fail "the core did not store alice with the LB's Path: $(grep -i path "$OUT/core-alice.txt")"
rpc regping.list >"$OUT/lb-pinged.txt"
grep -q "address: \[::1\]:$ALICE" "$OUT/lb-pinged.txt" && grep -q "address: 127.0.0.1:$BOB" "$OUT/lb-pinged.txt" ||
	fail "the LB does not ping both devices: $(cat "$OUT/lb-pinged.txt")"
note "registered: alice [::1]:$ALICE, bob 127.0.0.1:$BOB (core has the Path, LB pings both)"

AFB_UAS_PORT=$BOB AFB_RURI="sip:bob@127.0.0.1" afb_call alice-bob call ::1 127.0.0.1 1
AFB_UAS_PORT=$ALICE AFB_RURI="sip:alice@127.0.0.1" afb_call bob-alice call 127.0.0.1 ::1 1
AFB_UAS_PORT=$BOB AFB_RURI="sip:bob@127.0.0.1" afb_call reinvite reinvite ::1 127.0.0.1 1
AFB_UAS_PORT=$BOB AFB_RURI="sip:bob@127.0.0.1" afb_call cancel cancel ::1 127.0.0.1 1
AFB_UAS_PORT=$ALICE AFB_RURI="sip:alice@127.0.0.1" afb_call busy busy 127.0.0.1 ::1 1

# an unknown user: the core's 404 reaches the caller, nothing relayed
run_sipp unknown -sf "$SCN/uac_fail.xml" -m 1 -i ::1 -p "$(free_port)" \
	-key ruri "sip:nobody@127.0.0.1" -key rtp_port "$(free_port)" "[::1]:$KPORT" &&
	fail "a call to an unknown user got a 503"
grep -q "SIP/2.0 404" "$OUT/unknown.msg" || fail "no 404 for a call to an unknown user"
[ "$(relay_sessions)" = 0 ] || fail "the relay holds sessions after a 404"

[ "$(rpc cnt.get regping sent_v6)" -gt 0 ] || fail "the LB sent no keepalive to the IPv6 device"
[ "$(rpc cnt.get afbridge relay_errors)" = 0 ] || fail "relay errors on the LB"
note "keepalives: $(rpc cnt.get regping sent_v6) to IPv6, $(rpc cnt.get regping replied_v6) answered"
