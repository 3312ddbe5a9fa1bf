#!/bin/bash
# UAs vanish mid-ping-round at the shipped LB (cfg/kamailio.cfg, pings
# every 2 s, dead after 3 unanswered, removed): four UAs (two IPv6, two
# IPv4) register through the LB and answer pings; one of each family is
# stopped by PID right after a ping. Each is declared dead after 3
# unanswered pings (event route's log line), leaves the LB's usrloc and
# regping's table; the others keep being pinged and answering (replied_v4
# and replied_v6 grow, no failures), the core keeps every registration.
. "$(dirname "$0")/../../lib/harness.sh" system

start_system

# usage: ua name ip  (registers user <name> from ip, contact at its own
# port, answers pings for 60 s) -> sets P_<name>, PID_<name>
ua()
{
	local name=$1 ip=$2 port
	port=$(free_port)
	start_sipp "$name" "$ip" "$port" -sf "$SCN/ua_register.xml" -m 1 -d 60000 $(sipp_auth "$name") \
		-key user "$name" -key contact_host "$(uri_host "$ip")" -key contact_port "$port" \
		-oocsf "$SCN/uas_options.xml" "$(uri_host "$ip"):$KPORT"
	wait_received "$OUT/$name.msg" "SIP/2.0 200" "CSeq: 2 REGISTER" >/dev/null ||
		fail "$name could not register through the LB"
	printf -v "P_$name" %s "$port"
	printf -v "PID_$name" %s "$SIPP_PID"
}
pings()
{
	sipp_received "$OUT/$1.msg" | awk -v RS= '/^OPTIONS / { n++ } END { print n + 0 }'
}

ua a6 ::1
ua b6 ::1
ua a4 127.0.0.1
ua b4 127.0.0.1

# all four are pinged and answer
all_pinged()
{
	local u
	for u in a6 b6 a4 b4; do
		[ "$(pings $u)" -ge 1 ] || return 1
	done
}
wait_for 10 all_pinged || fail "not every UA got a ping: a6 $(pings a6) b6 $(pings b6) a4 $(pings a4) b4 $(pings b4)"

# b6 and b4 vanish, each right after its next ping: the others are
# pinged at other moments of the round
vanish()
{
	local name=$1 pid=$2 n
	n=$(pings "$name")
	wait_for 5 test_more "$name" "$n" || fail "$name got no further ping"
	stop_pid "$pid"
	note "$name stopped (pid $pid) after its ping $((n + 1))"
}
test_more()
{
	[ "$(pings "$1")" -gt "$2" ]
}
r6=$(rpc cnt.get regping replied_v6)
r4=$(rpc cnt.get regping replied_v4)
a6=$(pings a6)
a4=$(pings a4)
vanish b6 "$PID_b6"
t_kill=$(date +%s)
vanish b4 "$PID_b4"

dead_line()
{
	grep -q "device sip:$1@$2:$3 of $1 at $2:$3 stopped answering keepalives: removed" "$OUT/lb.log"
}
both_dead()
{
	dead_line b6 "\[::1\]" "$P_b6" && dead_line b4 127.0.0.1 "$P_b4"
}
wait_for 15 both_dead || fail "no contact-dead event for b6 and b4: $(grep 'stopped answering' "$OUT/lb.log")"
secs=$(($(date +%s) - t_kill))
note "b6 and b4 declared dead ${secs}s after b6 vanished (3 unanswered pings at 2 s)"
grep -q "stopped answering keepalives" "$OUT/lb.log" &&
	[ "$(grep -c 'stopped answering keepalives' "$OUT/lb.log")" = 2 ] ||
	fail "other contacts declared dead: $(grep 'stopped answering' "$OUT/lb.log")"

# gone from the LB's usrloc and regping's table
rpc ul.dump >"$OUT/ul.txt"
grep -Eq "sip:b[46]@" "$OUT/ul.txt" && fail "a dead contact is still in the LB's usrloc"
grep -q "sip:a6@" "$OUT/ul.txt" && grep -q "sip:a4@" "$OUT/ul.txt" ||
	fail "a live contact left the LB's usrloc"
rpc regping.list >"$OUT/list.txt"
grep -Eq "aor: b[46]$" "$OUT/list.txt" && fail "a dead contact is still pinged: $(cat "$OUT/list.txt")"
rpc regping.status >"$OUT/status.txt"
grep -q "dead: 2" "$OUT/status.txt" && grep -q "contacts: 2" "$OUT/status.txt" || fail "regping.status: $(tr '\n\t' '  ' <"$OUT/status.txt")"

# the others were pinged all along and answered every ping
more_pings()
{
	[ "$(pings a6)" -ge $((a6 + 4)) ] && [ "$(pings a4)" -ge $((a4 + 4)) ]
}
wait_for 10 more_pings || fail "the live UAs were not pinged on: a6 $a6 -> $(pings a6), a4 $a4 -> $(pings a4)"
r6n=$(rpc cnt.get regping replied_v6)
r4n=$(rpc cnt.get regping replied_v4)
[ "$r6n" -ge $((r6 + 4)) ] && [ "$r4n" -ge $((r4 + 4)) ] ||
	fail "replies counted: replied_v6 $r6 -> $r6n, replied_v4 $r4 -> $r4n"
for u in a6 a4; do
	rpc regping.list "$u" >"$OUT/list-$u.txt"
	grep -q "failures: 0" "$OUT/list-$u.txt" || fail "$u has failures: $(tr '\n\t' '  ' <"$OUT/list-$u.txt")"
done
note "live UAs: a6 $a6 -> $(pings a6) pings, a4 $a4 -> $(pings a4); replied_v6 $r6 -> $r6n, replied_v4 $r4 -> $r4n"

# the LB removed its own copy only: the core still has every device
rpc @core ul.dump >"$OUT/core-ul.txt"
for u in a6 b6 a4 b4; do
	grep -q "sip:$u@" "$OUT/core-ul.txt" || fail "the core lost $u"
done
kill -0 "$LB_PID" 2>/dev/null || fail "the LB died"
grep -E "CRITICAL|BUG" "$OUT/lb.log" && fail "the LB logged a crash"
note "status: $(tr '\n\t' '  ' <"$OUT/status.txt")"
