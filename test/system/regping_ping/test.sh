#!/bin/bash
# regping against real UAs: IPv6 and IPv4 UAs that answer get pings every
# interval from the socket of their family, at the address they registered
# from (not the one their Contact names); the replies are consumed before
# onreply_route; a UA that does not answer is declared dead, the event
# route runs and the contact is removed; regping.list shows it all.
. "$(dirname "$0")/../../lib/harness.sh" regping

PORT=$(free_port)
render "$TOP/test/lib/cfg/regping.cfg.in" "$OUT/regping.cfg" TOP PORT OUT
T0=$(date +%s)
start_kamailio registrar "$OUT/regping.cfg" "$PORT"

# the top Via of the pings sipp $1 saw
ping_via()
{
	msg_header "$(sipp_received_msg "$OUT/$1.msg" "OPTIONS ")" Via
}

start=$(date +%s)
ua ua6 ::1 alice "[::1]" 5999
p6=$UA_PORT_USED
pid6=$UA_PID
ua ua4 127.0.0.1 bob 127.0.0.1 5999
p4=$UA_PORT_USED
pid4=$UA_PID
# registers from one port, names another in its Contact: pinged at the
# source; a second UA listens on the named port and must get nothing
UA_PORT=$(free_port) ua decoy 127.0.0.1 nobody 127.0.0.1 1
decoy_port=$UA_PORT_USED
ua carol 127.0.0.1 carol 127.0.0.1 "$decoy_port"
pidc=$UA_PID
# one AoR, an IPv6 and an IPv4 device: each pinged in its own family
ua dave6 ::1 dave "[::1]" 5998
pidd6=$UA_PID
ua dave4 127.0.0.1 dave 127.0.0.1 5998
pidd4=$UA_PID
# registers and never answers
ua mute ::1 mute "[::1]" 5999 0
pm=$UA_PORT_USED

# while the UAs are up: the mute one dies, the others get 3 pings (4+ s)
enough()
{
	[ "$(pings ua6)" -ge 3 ] && [ "$(pings ua4)" -ge 3 ] && [ "$(pings carol)" -ge 3 ] &&
		[ "$(pings dave6)" -ge 3 ] && [ "$(pings dave4)" -ge 3 ] &&
		grep -q "contact dead: aor mute" "$OUT/registrar.log"
}
wait_for 15 enough || fail "after 15 s: pings IPv6 $(pings ua6), IPv4 $(pings ua4), carol $(pings carol); mute dead: $(grep -c 'contact dead: aor mute' "$OUT/registrar.log")"
elapsed=$(($(date +%s) - start))
n6=$(pings ua6)
n4=$(pings ua4)
nc=$(pings carol)
nd=$(pings decoy)
note "pings in ${elapsed}s at a 2 s interval: IPv6 UA $n6, IPv4 UA $n4, carol $nc, decoy $nd"
# one ping per interval, never a burst
for n in "$n6" "$n4" "$nc" "$nd"; do
	[ "$n" -le $((elapsed / 2 + 2)) ] || fail "a UA got $n pings in ${elapsed}s at a 2 s interval"
done
# carol's pings went to where she registered from: her Contact names the
# decoy's port, the decoy got only the pings of its own registration
# (a ping's Call-ID is regping-<seq>-<ruid>)
ruid_of() { awk '/^Call-ID: regping-/ { sub(/^Call-ID: regping-[0-9a-f]*-/, ""); print }'; }
carol_ruid=$(sipp_received_msg "$OUT/carol.msg" "OPTIONS " | ruid_of)
[ -n "$carol_ruid" ] || fail "carol's ping has no regping Call-ID"
sipp_received "$OUT/decoy.msg" | ruid_of | grep -qxF "$carol_ruid" &&
	fail "carol's pings reached the address her Contact names"
case "$(ping_via ua6)" in "SIP/2.0/UDP [::1]:$PORT;"*) ;; *) fail "IPv6 ping Via: $(ping_via ua6)" ;; esac
case "$(ping_via ua4)" in "SIP/2.0/UDP 127.0.0.1:$PORT;"*) ;; *) fail "IPv4 ping Via: $(ping_via ua4)" ;; esac
case "$(ping_via dave6)" in "SIP/2.0/UDP [::1]:$PORT;"*) ;; *) fail "dave's IPv6 ping Via: $(ping_via dave6)" ;; esac
case "$(ping_via dave4)" in "SIP/2.0/UDP 127.0.0.1:$PORT;"*) ;; *) fail "dave's IPv4 ping Via: $(ping_via dave4)" ;; esac

# replies were consumed by regping, not shown to the script
if grep -q "onreply_route saw .*regping-" "$OUT/registrar.log"; then
	fail "ping replies reached onreply_route"
fi

# the mute UA: dead after 2 unanswered pings, event route, removed
# the event route runs on Kamailio's faked request (an OPTIONS),
# as other modules' event routes do
grep -q "contact dead: aor mute contact sip:mute@\[::1\]:5999 at \[::1\]:$pm af 6 after 2 on OPTIONS$" "$OUT/registrar.log" ||
	fail "no contact-dead event for the mute UA: $(grep -m1 'contact dead' "$OUT/registrar.log")"
rpc regping.list >"$OUT/list.txt"
grep -q "mute" "$OUT/list.txt" && fail "the dead contact is still pinged"
rpc ul.lookup location mute 2>&1 | grep -q "AOR not found" ||
	fail "the dead contact is still in usrloc: $(rpc ul.lookup location mute 2>&1 | head -n 3)"

# regping.list shows what the IPv6 UA saw
rpc regping.list alice >"$OUT/alice.txt"
grep -q "address: \[::1\]:$p6" "$OUT/alice.txt" || fail "regping.list alice: $(cat "$OUT/alice.txt")"
grep -q "af: 6" "$OUT/alice.txt" || fail "regping.list alice shows no family 6"
grep -q "failures: 0" "$OUT/alice.txt" || fail "regping.list alice shows failures"
# its last ping and reply as unix times, of this run
now=$(date +%s)
for f in last_ping last_reply; do
	v=$(sed -n "s/.*$f: \([0-9]*\).*/\1/p" "$OUT/alice.txt" | head -n 1)
	[ -n "$v" ] && [ "$v" -le "$now" ] && [ "$v" -ge "$T0" ] ||
		fail "regping.list alice: $f ${v:-missing} is not a time of this run ($T0..$now)"
done
rpc regping.status >"$OUT/status.txt"
note "status: $(tr '\n' ' ' <"$OUT/status.txt")"
grep -q "dead: 1" "$OUT/status.txt" || fail "regping.status does not count the dead contact"

# counters are 64-bit: past 2^32 pings (days at 3000/s) regping.status
# shows the sum, not a negative or wrapped int
before=$(sed -n 's/^[[:space:]]*sent_v4: \([0-9]*\).*/\1/p' "$OUT/status.txt")
python3 "$TOP/test/lib/sipraw.py" 127.0.0.1 "$PORT" >"$OUT/addcount.out" <<TPL
MESSAGE sip:addcount@127.0.0.1:$PORT SIP/2.0
Via: SIP/2.0/UDP @LIP@:@LPORT@;branch=@BRANCH@
From: <sip:test@example.net>;tag=a1
To: <sip:addcount@127.0.0.1>
Call-ID: @CALLID@
CSeq: 1 MESSAGE
Max-Forwards: 70
Content-Length: 0

TPL
grep -q "codes=200x1" "$OUT/addcount.out" || fail "the counter was not raised: $(cat "$OUT/addcount.out")"
rpc regping.status >"$OUT/status2.txt"
after=$(sed -n 's/^[[:space:]]*sent_v4: //p' "$OUT/status2.txt")
case "$after" in
[0-9]*) [ "${after%%.*}" -ge $((before + 4000000000)) ] || fail "sent_v4 $before + 4e9 shows as $after" ;;
*) fail "sent_v4 after 4e9 more: [$after]" ;;
esac
note "sent_v4 past 2^32: $after"
