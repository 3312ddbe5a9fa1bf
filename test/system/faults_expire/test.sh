#!/bin/bash
# Contacts leave usrloc while regping pings them (registrar of
# regping.cfg.in: pings every 2 s, expiry checked every second): two
# register for 3 s, two de-register (expires=0) after 3 s, one of each
# pair answering every ping 5 s late, i.e. after its contact is gone. All
# four leave regping's table, none is declared dead, the late replies are
# swallowed without an error (and never reach the script); the two UAs
# that stay registered are pinged on without a failure.
. "$(dirname "$0")/../../lib/harness.sh"

PORT=$(free_port)
render "$TOP/test/lib/cfg/regping.cfg.in" "$OUT/regping.cfg" TOP PORT OUT
# no contact can die within the test: what leaves, leaves by usrloc
start_kamailio registrar "$OUT/regping.cfg" "$PORT" -A MAX_FAILURES=10

# usage: ua name ip expires dereg_after_ms late(0/1)
ua()
{
	local name=$1 ip=$2 expires=$3 dereg=$4 late=$5 port oocsf=$SCN/uas_options.xml
	port=$(free_port)
	[ "$late" = 1 ] && oocsf=$HERE/uas_options_late.xml
	start_sipp "$name" "$ip" "$port" -sf "$HERE/ua_register_dereg.xml" -m 1 -d "$dereg" \
		-key user "$name" -key contact_host "$(uri_host "$ip")" -key contact_port "$port" \
		-key expires "$expires" \
		-oocsf "$oocsf" \
		"$(uri_host "$ip"):$PORT"
	wait_received "$OUT/$name.msg" "SIP/2.0 200" "CSeq: 1 REGISTER" >/dev/null ||
		fail "$name could not register"
}
pings()
{
	sipp_received "$OUT/$1.msg" | awk -v RS= '/^OPTIONS / { n++ } END { print n + 0 }'
}
# 200s a UA sent to pings
answered()
{
	awk '/ message sent / { s = 1; next } s && /^SIP\/2.0 200/ { n++ } /^SIP|^[A-Z]+ sip/ { s = 0 }
		END { print n + 0 }' "$OUT/$1.msg"
}
in_table()
{
	rpc regping.list "$1" 2>/dev/null | grep -q "address:"
}

t0=$(date +%s)
ua stay6 ::1 300 60000 0
ua stay4 127.0.0.1 300 60000 0
ua exp6 ::1 3 60000 1
ua exp4 127.0.0.1 3 60000 0
ua dereg6 ::1 300 3000 1
ua dereg4 127.0.0.1 300 3000 0
rpc regping.status >"$OUT/status-start.txt"
grep -q "contacts: 6" "$OUT/status-start.txt" ||
	fail "not all six contacts are pinged: $(tr '\n\t' '  ' <"$OUT/status-start.txt")"

# the four leave regping's table when usrloc drops them
gone()
{
	local u
	for u in exp6 exp4 dereg6 dereg4; do
		in_table "$u" && return 1
	done
	return 0
}
wait_for 10 gone || fail "still pinged after $(($(date +%s) - t0)) s: $(rpc regping.list | grep -o 'aor: [a-z0-9]*' | tr '\n' ' ')"
t_gone=$(($(date +%s) - t0))
# the late UAs had not answered yet: every answer comes for a gone contact
early=$(($(answered exp6) + $(answered dereg6)))
[ "$early" = 0 ] || fail "$early late answers were sent before the contacts left: nothing tested"
grep -q "SIP/2.0 200" "$OUT/dereg6.msg" && sipp_received_msg "$OUT/dereg6.msg" "SIP/2.0 200" "CSeq: 2 REGISTER" >/dev/null ||
	fail "dereg6's de-registration got no 200"
for u in exp6 exp4 dereg6 dereg4; do
	[ "$(pings $u)" -ge 1 ] || fail "$u was never pinged before it left"
done
note "expired and de-registered contacts left regping's table ${t_gone}s after the first REGISTER"

# the late UAs answer every ping they got, after their contact is gone
all_answered()
{
	[ "$(answered exp6)" -ge "$(pings exp6)" ] && [ "$(answered dereg6)" -ge "$(pings dereg6)" ]
}
wait_for 10 all_answered || fail "late answers: exp6 $(answered exp6)/$(pings exp6), dereg6 $(answered dereg6)/$(pings dereg6)"
late=$(($(answered exp6) + $(answered dereg6)))
# let the last of them arrive and be judged, then look again
n6=$(pings stay6)
n4=$(pings stay4)
more()
{
	[ "$(pings stay6)" -ge $((n6 + 2)) ] && [ "$(pings stay4)" -ge $((n4 + 2)) ]
}
wait_for 6 more || fail "the staying UAs were not pinged on: stay6 $n6 -> $(pings stay6), stay4 $n4 -> $(pings stay4)"

# the late answers were not credited to anyone: the IPv6 replies counted
# are those stay6 sent at most
r6=$(rpc cnt.get regping replied_v6)
[ "$r6" -le "$(answered stay6)" ] || fail "replied_v6 is $r6, stay6 answered only $(answered stay6)"
rpc regping.status >"$OUT/status.txt"
st=$(tr '\n\t' '  ' <"$OUT/status.txt")
case "$st" in *"contacts: 2 "*"dead: 0 "*) ;; *) fail "regping.status: $st" ;; esac
# the four entries' memory went back to the pool; no block was added
pool() { awk -v k="$1:" '$1 == k { print $2 }' "$2"; }
u0=$(pool pool_used "$OUT/status-start.txt")
u1=$(pool pool_used "$OUT/status.txt")
b0=$(pool pool_bytes "$OUT/status-start.txt")
b1=$(pool pool_bytes "$OUT/status.txt")
[ -n "$u0" ] && [ "$u1" -gt 0 ] && [ "$u1" -lt "$u0" ] && [ "$b1" = "$b0" ] ||
	fail "entries' memory: pool_used $u0 -> $u1 (6 -> 2 contacts), pool_bytes $b0 -> $b1"
[ $((u1 * 2)) -le "$u0" ] || fail "pool_used $u0 -> $u1: the four gone contacts' entries were not given back"
rpc regping.list >"$OUT/list.txt"
for u in exp6 exp4 dereg6 dereg4; do
	grep -q "$u" "$OUT/list.txt" && fail "$u is back in regping's table"
	rpc ul.lookup location "$u" 2>&1 | grep -q "AOR not found" || fail "$u is still in usrloc"
done
for u in stay6 stay4; do
	rpc regping.list "$u" >"$OUT/list-$u.txt"
	grep -q "failures: 0" "$OUT/list-$u.txt" || fail "$u has failures: $(tr '\n\t' '  ' <"$OUT/list-$u.txt")"
done
grep -q "contact dead" "$OUT/registrar.log" && fail "a contact that left usrloc was declared dead: $(grep 'contact dead' "$OUT/registrar.log")"
grep -q "onreply_route saw" "$OUT/registrar.log" && fail "a ping reply reached onreply_route"
grep -E "ERROR|CRITICAL|BUG" "$OUT/registrar.log" && fail "the registrar logged errors"
kill -0 "$KAM_PID" 2>/dev/null || fail "the registrar died"
note "$late late replies to gone contacts ignored; stay6 $(pings stay6), stay4 $(pings stay4) pings, no failure"
note "status: $st"
