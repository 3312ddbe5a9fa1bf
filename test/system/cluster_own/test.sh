#!/bin/bash
# Keepalive ownership in a cluster of three LBs (cfg/kamailio.cfg -A
# CLUSTER) on the anycast rig (test/lib/anycast.sh): exactly one live LB
# pings each contact. 1000 contacts register through the anycast addresses
# (IPv6 and IPv4) from 20 regload instances in 10 phone namespaces, one
# socket each, so that the router's hash spreads them over the LBs; the
# core (cfg/core.cfg -A NO_AUTH) takes them without digest. regload logs
# every ping with its user and time (REGLOAD_LOG=users) and answers it;
# test/lib/pingcount.py counts the pings per contact per interval.
#   a. steady state, 5 intervals: no contact pinged twice in an interval
#      (a duplicate), none not at all (a miss); every LB took some
#      REGISTERs (usrloc's Server-Id, the saver) and every LB names the
#      saver as the owner (regping.list)
#   b. the LB that saved most (of lb2, lb3) crashes (KILL by PID), its routes withdrawn
#      just before (the routes go over the two others): the longest time a contact of the crashed LB waits
#      for a ping is at most the interval plus the time to notice the
#      loss (regping's cluster_timeout), the others' contacts wait no
#      longer than an interval; afterwards no misses, no contact declared
#      dead (unanswered pings are counted: the replies the crashed LB held
#      to relay are lost with it) (a reply that the router hands to another
#      LB than the pinger still counts)
#   c. the LB starts again (same arguments) while DMQ on the LB it
#      announces itself to still holds it disabled (dmq's own ping found
#      it gone), the routes go over all three
#      once it has joined (regping.nodes: state self); it syncs its usrloc and every LB's regping.nodes lists three live
#      nodes; from its start on: no duplicates while its contacts go back
#      to it, no misses, and it pings its own contacts again (its pings
#      per interval, regping.list's owner)
# The figures go out in one block at the end (notes); a failed check fails
# the test after all phases ran. About 80 s, and up to 50 s more waiting
# for dmq's ping. Needs root (ip netns);
# skipped without.
. "$(dirname "$0")/../../lib/harness.sh" system anycast

PINGCOUNT=$TOP/test/lib/pingcount.py
REGLOAD=$TOP/build/tools/regload

# pingcount on a hand-made log first: a contact pinged late across a
# boundary is neither a miss nor a duplicate, one pinged twice in an
# interval is a duplicate, a skipped ping a miss
selfcheck()
{
	local d=$OUT/selfcheck got
	mkdir -p "$d"
	printf '%s\n' a1 a2 a3 >"$d/users"
	# interval 3 s from t=10 s on, 3 intervals (windows around each
	# contact's own pings: a1 at phase 1 s, a2 at 0 s jittered across
	# the boundaries, a3 at 2 s pinged twice in the 2nd, not in the 3rd)
	{
		printf '%d a1\n' 8000000 11000000 14020000 16980000 20000000
		printf '%d a2\n' 9990000 13010000 15990000 19000000
		printf '%d a3\n' 9000000 12000000 15000000 15100000 21000000
		printf '%d -\n' 12000000
	} >"$d/log"
	got=$(python3 "$PINGCOUNT" intervals "$d/users" 10000000 3 3 "$d/log" 2>"$d/err" | tail -n 1)
	[ "$got" = "dups 1 misses 1" ] ||
		fail "pingcount on the hand-made log: '$got', want 'dups 1 misses 1' ($(cat "$d/err"))"
	grep -q '^  a3 interval 2: 2 pings' "$d/err" && grep -q '^  a3 interval 3: 0 pings' "$d/err" ||
		fail "pingcount does not name a3's duplicate and miss: $(cat "$d/err")"
	# a1, a2 and a3 from 13 s to 21 s: a3 waits 5.9 s from 15.1 s on
	got=$(python3 "$PINGCOUNT" gap "$d/users" 13000000 21000000 "$d/log")
	[ "$got" = "gap_us 5900000 user a3 at_us 15100000" ] ||
		fail "pingcount's longest gap on the hand-made log: '$got'"
	# a contact no longer pinged: its gap lasts until the end
	got=$(python3 "$PINGCOUNT" gap "$d/users" 13000000 30000000 "$d/log")
	[ "$got" = "gap_us 11000000 user a2 at_us 19000000" ] ||
		fail "pingcount's longest gap with a contact no longer pinged: '$got'"
	# regload logs when a ping arrived, not when it read it: five pings
	# 100 ms apart while the sink is stopped keep their spacing
	local port pid
	port=$(free_port)
	REGLOAD_LOG=users "$REGLOAD" 127.0.0.1 "$port" 127.0.0.1 9 0 1 30 "$d/sink.users" >"$d/sink.out" 2>&1 &
	pid=$!
	wait_udp_port "$port" "$pid" || fail "regload did not start as a sink"
	kill -STOP "$pid"
	python3 - "$port" <<'PY' || fail "cannot send the self-check pings"
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(5):
    m = ("OPTIONS sip:u%d@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bK%d\r\n"
         "From: <sip:p@127.0.0.1>;tag=1\r\nTo: <sip:u%d@127.0.0.1>\r\nCall-ID: sc%d\r\n"
         "CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n") % (i, i, i, i)
    s.sendto(m.encode(), ("127.0.0.1", int(sys.argv[1])))
    time.sleep(0.1)
PY
	sleep 0.3
	kill -CONT "$pid"
	sleep 0.3
	kill -TERM "$pid"
	wait "$pid"
	got=$(awk 'NR > 1 { d = ($1 - t) / 1000; if(d < 80 || d > 150) bad++ } { t = $1; n++ } END { print n + 0, bad + 0 }' "$d/sink.users")
	[ "$got" = "5 0" ] ||
		fail "regload's arrival times of five pings 100 ms apart while it was stopped (count, spacings off): '$got': $(tr '\n' ' ' <"$d/sink.users")"
}
[ -x "$REGLOAD" ] || fail "no $REGLOAD (make -C test/tools)"
selfcheck

why=$(ac_unavailable)
[ -z "$why" ] || skip "$why"

PI=3                # PING_INTERVAL (s)
CT=3000             # regping's cluster_timeout (ms), its default
HB=1000             # regping's cluster_heartbeat (ms), its default
NPH=10              # phone namespaces, each with an IPv6 and an IPv4 regload
PER=50              # users per regload
NUSERS=$((2 * NPH * PER))
SLACK_MS=200        # timer ticks (regping's 20 ms) and scheduling, for the gap

now_us() { date +%s%6N; }
# sleep $1 intervals and $2 seconds more
sleep_iv() { sleep "$(awk -v n="$1" -v s="${2:-0}" -v i=$PI 'BEGIN { print n * i + s }')"; }
# the intervals of pingcount from $1 (us) that end by $2 (us): each
# contact's last window reaches half an interval past its boundary
n_iv() { echo $(((($2 - $1) - PI * 500000) / (PI * 1000000))); }
checks=()   # failed checks: the test fails with them after all phases
check() { checks+=("$*"); note "CHECK FAILED: $*"; }
figures=()  # the block printed at the end
figure() { figures+=("$*"); }

ac_rig_up 3 "$NPH"
ac_start_core -A NO_AUTH
declare -A LB_PID
# LB $1 (again with the same arguments after it stopped): it joins the
# cluster through another LB's DMQ address, so that any one of them can
# come back while the others run. A phone network shares one address
# among its 50 users: REG_RATE lets their REGISTERs through.
start_lb()
{
	ac_start_lb "$1" "${2:-lb$1}" -A "PING_INTERVAL=$PI" -A "REG_RATE=200"
	LB_PID[$1]=$KAM_PID
}
for h in 1 2 3; do
	start_lb $h
done
dmq_active()
{
	local h
	for h in "$@"; do
		rpc @lb$h dmq.list_nodes 2>/dev/null | grep -c 'status: active' | grep -qx 3 || return 1
	done
}
wait_for 20 dmq_active 1 2 3 ||
	fail "the LBs do not see three active DMQ nodes: $(rpc @lb1 dmq.list_nodes | tr '\n' ' ')"

# contacts regping on LB $1 pings (regping.status)
rp_contacts() { rpc @lb$1 regping.status 2>/dev/null | awk '$1 == "contacts:" { print $2 }'; }
# regping counter $2 (sent_v4, takeovers, ...) of LB $1, 0 when it has none
rp_stat()
{
	rpc @lb$1 stats.get_statistics regping: 2>/dev/null |
		awk -F' = ' -v n="regping:$2" '$1 == n { v = $2 } END { print v + 0 }'
}
rp_sent() { echo $(($(rp_stat "$1" sent_v4) + $(rp_stat "$1" sent_v6))); }
rp_unanswered() { echo $(($(rp_stat "$1" timeouts_v4) + $(rp_stat "$1" timeouts_v6))); }
# the live nodes LB $1's regping.nodes lists, itself among them
rp_nodes() { rpc @lb$1 regping.nodes 2>/dev/null | grep -cE '^\s*state: (self|live)$'; }
all_live()
{
	local h
	for h in 1 2 3; do
		[ "$(rp_nodes $h)" = 3 ] || return 1
	done
}
# regping's cluster: each LB pings (self) and hears the two others
wait_for 20 all_live ||
	fail "regping's nodes are not all live: $(for h in 1 2 3; do echo "lb$h:"; rpc @lb$h regping.nodes | tr -s '\n\t' '  '; done)"

# the users: regload instance per phone and family, prefix p<j>v<af>u
RL_PID=()
PFXS=()
: >"$OUT/users.all"
for j in $(seq "$NPH"); do
	for af in 6 4; do
		if [ $af = 6 ]; then ip=$(ac_phone6 "$j") any=$ANY6; else ip=$(ac_phone4 "$j") any=$ANY4; fi
		pfx="p${j}v${af}u"
		PFXS+=("$pfx")
		ip netns exec "$(ac_phone_ns "$j")" env REGLOAD_LOG=users "$REGLOAD" "$ip" "$(free_port)" \
			"$any" $KPORT $PER 100 600 "$OUT/pings-$pfx.log" "$pfx" >"$OUT/regload-$pfx.out" 2>&1 &
		RL_PID+=($!)
		track $!
		for i in $(seq 0 $((PER - 1))); do echo "$pfx$i"; done >>"$OUT/users.all"
	done
done
all_known()
{
	local h
	for h in "$@"; do
		[ "$(rp_contacts "$h")" = "$NUSERS" ] || return 1
	done
}
wait_for 30 all_known 1 2 3 ||
	fail "not every LB pings the $NUSERS contacts: lb1 $(rp_contacts 1), lb2 $(rp_contacts 2), lb3 $(rp_contacts 3)"
note "$NUSERS contacts registered through $ANY6 and $ANY4, in regping on every LB"

# who saved each contact: usrloc's Server-Id (on lb1, replicated with the
# contact). The users of one regload share its socket, one flow the router
# hands to one LB: its first and last user tell (a dump of all is larger
# than an RPC reply may be)
: >"$OUT/savers"
for pfx in "${PFXS[@]}"; do
	s0=$(rpc @lb1 ul.lookup location "${pfx}0" | awk '$1 == "Server-Id:" { print $2 }')
	s1=$(rpc @lb1 ul.lookup location "$pfx$((PER - 1))" | awk '$1 == "Server-Id:" { print $2 }')
	[ -n "$s0" ] && [ "$s0" = "$s1" ] ||
		fail "users ${pfx}0 and $pfx$((PER - 1)) (one socket) saved by '$s0' and '$s1'"
	for i in $(seq 0 $((PER - 1))); do echo "$pfx$i $s0"; done >>"$OUT/savers"
done
for h in 1 2 3; do
	awk -v h=$h '$2 == h { print $1 }' "$OUT/savers" >"$OUT/users.saved$h"
	SAVED[$h]=$(wc -l <"$OUT/users.saved$h")
done
[ "$(wc -l <"$OUT/savers")" = "$NUSERS" ] ||
	fail "usrloc on lb1 names a saver for $(wc -l <"$OUT/savers") contacts, want $NUSERS"
figure "saved (REGISTER taken, Server-Id): lb1 ${SAVED[1]}, lb2 ${SAVED[2]}, lb3 ${SAVED[3]}"
for h in 1 2 3; do
	[ "${SAVED[$h]}" -gt 0 ] || check "lb$h saved no contact: the router's hash sent it no phone"
done
# every LB names the saver as the owner (each regload's first user)
bad=0
for h in 1 2 3; do
	for pfx in "${PFXS[@]}"; do
		rpc @lb$h regping.list "${pfx}0" 2>&1
	done >"$OUT/list-a-lb$h.txt"
	bad=$((bad + $(awk -v f="$OUT/savers" 'BEGIN { while ((getline l < f) > 0) { split(l, a, " "); s[a[1]] = a[2] } }
		$1 == "{" { u = sv = ow = "" } $1 == "aor:" { u = $2 } $1 == "saver:" { sv = $2 } $1 == "owner:" { ow = $2 }
		$1 == "}" { if (sv != s[u] || ow != s[u]) n++; t++ }
		END { print (t == '${#PFXS[@]}' ? n + 0 : 999) }' "$OUT/list-a-lb$h.txt")))
done
figure "   regping.list on each LB, each regload's first user: owner and saver other than usrloc's Server-Id $bad times"
[ "$bad" = 0 ] || check "regping.list on the LBs names another saver or owner than usrloc's Server-Id ($bad, see list-a-lb*.txt)"

# --- a. steady state ---
# every contact pinged once before the first boundary (its phase)
sleep $((PI + 1))
A0=$(now_us)
sleep_iv 5.5 0.2

# --- b. the LB that saved most crashes ---
# (of lb2 and lb3: lb2 and lb3 announce themselves to lb1, lb1 to lb2,
# and dmq never disables the node it announces itself to (c. below))
DEAD=2
[ "${SAVED[3]}" -gt "${SAVED[2]}" ] && DEAD=3
LIVE=()
for h in 1 2 3; do [ $h = $DEAD ] || LIVE+=($h); done
for h in 1 2 3; do
	PRE_TO[$h]=$(rp_unanswered $h) PRE_DEAD[$h]=$(rp_stat $h dead)
done
K=$(now_us)
# a crash: KILL to the LB's processes by their PIDs (no goodbye over DMQ;
# the others notice by its silence), then off the harness's list
# (its routes withdrawn first: a real crash leaves the route until the
# router notices, and replies the router brings to the dead node then
# are lost, the same as with one LB)
kids=$(pgrep -P "${LB_PID[$DEAD]}")
ac_route "${LIVE[@]}"
kill -KILL "${LB_PID[$DEAD]}" $kids
wait "${LB_PID[$DEAD]}" 2>/dev/null
stop_pid "${LB_PID[$DEAD]}"
note "lb$DEAD (saved ${SAVED[$DEAD]}) killed at $K"
# taken over within cluster_timeout after the last heartbeat heard; the
# misses counted from an interval after that on
B0=$((K + (CT + HB) * 1000 + PI * 1000000))
sleep_iv 4.5 $(((CT + HB) / 1000)).2
B1=$(now_us)
for h in "${LIVE[@]}"; do
	DEAD_B[$h]=$(rp_stat $h dead)
	TIMEOUT_B[$h]=$(rp_unanswered $h)
	TAKE_B[$h]=$(rp_stat $h takeovers)
	[ "$(rp_contacts $h)" = "$NUSERS" ] ||
		check "after lb$DEAD crashed, lb$h pings $(rp_contacts $h) contacts, not $NUSERS"
done

# --- c. back ---
# dmq disables a node on the first of its own pings (every 60 s, dmq's
# ping_interval) that goes unanswered, and then sends it nothing until
# the next one is answered, even when the node announces itself again
# (only the node a node announces itself to, its DMQ_NOTIFY, goes
# "pending" instead): the LB comes back while another holds it disabled.
# regping must not depend on that: its heartbeats' replies carry the
# answering node's own
# the dead LB's status in LB $1's dmq.list_nodes
dmq_status()
{
	rpc @lb$1 dmq.list_nodes 2>/dev/null |
		awk -v h="$(ac_lb_bb4 "$DEAD")" '$1 == "host:" { on = $2 == h } on && $1 == "status:" { print $2; exit }'
}
disabled()
{
	local h
	for h in "${LIVE[@]}"; do
		[ "$(dmq_status $h)" = disabled ] && return 0
	done
	return 1
}
# at worst a whole ping_interval after the crash, plus the ping's own
# fr_timer (10 s) and the timers' steps: 75 s left about 5 s of margin
wait_for 100 disabled ||
	check "dmq on no LB holds lb$DEAD disabled after its ping: $(for h in "${LIVE[@]}"; do echo "lb$h $(dmq_status $h)"; done | xargs)"
note "dmq holds lb$DEAD disabled: $(for h in "${LIVE[@]}"; do echo "lb$h $(dmq_status $h)"; done | xargs), $((($(now_us) - K) / 1000)) ms after the crash"
HAND0=$(for h in "${LIVE[@]}"; do rp_stat $h handovers; done | awk '{ n += $1 } END { print n + 0 }')
S=$(now_us)
start_lb "$DEAD" "lb$DEAD-again"
# its routes announced once it has joined (regping.nodes: state self),
# as a node's health check would: before that it could not relay the
# replies to the others' pings that the router brings it
joined() { rpc @lb$DEAD regping.nodes 2>/dev/null | grep -qE '^\s*state: self$'; }
wait_for 20 joined || check "lb$DEAD did not join: $(rpc @lb$DEAD regping.nodes 2>&1 | tr -s '\n\t' '  ')"
ac_route 1 2 3
synced()
{
	[ "$(rp_contacts "$DEAD")" = "$NUSERS" ] || return 1
	[ "$NODES_RPC" = 0 ] || all_live
}
NODES_RPC=1
rpc @lb$DEAD regping.nodes >"$OUT/nodes-lb$DEAD.txt" 2>&1
grep -q 'not found' "$OUT/nodes-lb$DEAD.txt" && {
	NODES_RPC=0
	check "lb$DEAD has no RPC regping.nodes: $(head -c 200 "$OUT/nodes-lb$DEAD.txt")"
}
SYNCED="synced, 3 live nodes everywhere"
wait_for 20 synced || {
	SYNCED="NOT synced"
	check "lb$DEAD back: regping has $(rp_contacts "$DEAD") of $NUSERS contacts; live nodes lb1 $(rp_nodes 1), lb2 $(rp_nodes 2), lb3 $(rp_nodes 3)"
}
R=$(now_us)
for h in 1 2 3; do rpc @lb$h regping.nodes >"$OUT/nodes-lb$h.txt" 2>&1; done
note "lb$DEAD back at $S, synced and seen by all at $R"
# pings each LB sends over two intervals, now that it is back
for h in 1 2 3; do SENT0[$h]=$(rp_sent $h); done
sleep $((2 * PI))
for h in 1 2 3; do SENT_C[$h]=$((($(rp_sent $h) - SENT0[$h]) / 2)); done
HAND=$(for h in 1 2 3; do rp_stat $h handovers; done | awk '{ n += $1 } END { print n + 0 }')
sleep_iv 1.5 0.2
C1=$(now_us)
# regping.list of every regload's first user on the LB that is back
for pfx in "${PFXS[@]}"; do
	rpc @lb$DEAD regping.list "${pfx}0" 2>&1
done >"$OUT/list-lb$DEAD.txt"
for h in 1 2 3; do
	STATS[$h]=$(rpc @lb$h stats.get_statistics regping: 2>/dev/null | tr -s ' \n' ' ')
	END_TO[$h]=$(rp_unanswered $h) END_DEAD[$h]=$(rp_stat $h dead)
done
# the stopped LB's counters until it stopped, its second run's after
all_tout=$((PRE_TO[DEAD])) all_dead=$((PRE_DEAD[DEAD]))
for h in 1 2 3; do all_tout=$((all_tout + END_TO[h])) all_dead=$((all_dead + END_DEAD[h])); done

# the logs are written when regload ends
for p in "${RL_PID[@]}"; do
	stop_pid "$p"
done
n_reg=0
for f in "$OUT"/regload-*.out; do
	r=$(sed -n 's/^registered \([0-9]*\) of.*/\1/p' "$f")
	n_reg=$((n_reg + ${r:-0}))
done
[ "$n_reg" = "$NUSERS" ] || check "regload registered $n_reg of $NUSERS users"
LOGS=("$OUT"/pings-*.log)

# a.
python3 "$PINGCOUNT" intervals "$OUT/users.all" "$A0" $PI 5 "${LOGS[@]}" >"$OUT/count-a.txt" 2>"$OUT/count-a.err"
read -r _ dups _ miss < <(tail -n 1 "$OUT/count-a.txt")
tout=0 dead=0
for h in 1 2 3; do tout=$((tout + PRE_TO[h])) dead=$((dead + PRE_DEAD[h])); done
figure "a. steady state, 5 intervals of $PI s, $NUSERS contacts: duplicates $dups, misses $miss; since the start: pings unanswered $tout, contacts declared dead $dead"
[ "$dups" = 0 ] || check "steady state: $dups duplicate pings ($(head -n 3 "$OUT/count-a.err" | xargs))"
[ "$miss" = 0 ] || check "steady state: $miss misses ($(head -n 3 "$OUT/count-a.err" | xargs))"
[ "$tout" = 0 ] || check "steady state: $tout pings unanswered (regping timeouts)"

# b.
read -r _ gap _ guser _ gat < <(python3 "$PINGCOUNT" gap "$OUT/users.saved$DEAD" "$K" "$B1" "${LOGS[@]}")
bound=$((PI * 1000 + CT))
figure "b. lb$DEAD (saved ${SAVED[$DEAD]}) crashed (KILL): longest wait for a ping of its contacts $(awk -v g="$gap" 'BEGIN { printf "%.2f", g / 1e6 }') s ($guser), bound interval $PI s + cluster_timeout $((CT / 1000)) s = $((bound / 1000)) s"
[ "$gap" -le $(((bound + SLACK_MS) * 1000)) ] ||
	check "lb$DEAD's contact $guser waited $gap us for a ping from $gat on, more than $bound ms (+$SLACK_MS)"
cat "$OUT/users.saved${LIVE[0]}" "$OUT/users.saved${LIVE[1]}" >"$OUT/users.live"
read -r _ lgap _ lguser _ lgat < <(python3 "$PINGCOUNT" gap "$OUT/users.live" "$K" "$B1" "${LOGS[@]}")
figure "   the other LBs' contacts meanwhile: longest wait $(awk -v g="$lgap" 'BEGIN { printf "%.2f", g / 1e6 }') s ($lguser), bound the interval"
[ "$lgap" -le $(((PI * 1000 + SLACK_MS) * 1000)) ] ||
	check "while lb$DEAD's contacts moved, $lguser of a live LB waited $lgap us for a ping from $lgat on"
nb=$(n_iv "$B0" "$B1")
python3 "$PINGCOUNT" intervals "$OUT/users.all" "$B0" $PI $nb "${LOGS[@]}" >"$OUT/count-b.txt" 2>"$OUT/count-b.err"
read -r _ dups _ miss < <(tail -n 1 "$OUT/count-b.txt")
dead=0 take=0 tout=0
for h in "${LIVE[@]}"; do
	dead=$((dead + DEAD_B[$h] - PRE_DEAD[$h])) take=$((take + TAKE_B[$h]))
	tout=$((tout + TIMEOUT_B[$h] - PRE_TO[$h]))
done
figure "   then $nb intervals over lb${LIVE[0]}, lb${LIVE[1]}: duplicates $dups, misses $miss; takeovers $take; since the stop: pings unanswered $tout, contacts declared dead $dead"
[ "$miss" = 0 ] || check "after lb$DEAD crashed: $miss misses ($(head -n 3 "$OUT/count-b.err" | xargs))"
[ "$dups" = 0 ] || check "after lb$DEAD crashed: $dups duplicate pings ($(head -n 3 "$OUT/count-b.err" | xargs))"
# (replies to the others' pings that had reached the crashed LB, to be
# relayed, are lost with it: unanswered pings here are counted, not
# failed; a contact declared dead is)
[ "$dead" = 0 ] || check "after lb$DEAD crashed: $dead contacts declared dead"

# c.
nc=$(n_iv "$S" "$C1")
python3 "$PINGCOUNT" intervals "$OUT/users.all" "$S" $PI $nc "${LOGS[@]}" >"$OUT/count-c.txt" 2>"$OUT/count-c.err"
read -r _ dups _ miss < <(tail -n 1 "$OUT/count-c.txt")
read -r _ cgap _ cguser _ _ < <(python3 "$PINGCOUNT" gap "$OUT/users.all" "$S" "$C1" "${LOGS[@]}")
figure "c. lb$DEAD back ($SYNCED after $(awk -v d=$((R - S)) 'BEGIN { printf "%.1f", d / 1e6 }') s): $nc intervals from its start: duplicates $dups, misses $miss, longest wait $(awk -v g="$cgap" 'BEGIN { printf "%.2f", g / 1e6 }') s ($cguser), handovers $((HAND - HAND0))"
[ "$dups" = 0 ] || check "handback: $dups duplicate pings ($(head -n 3 "$OUT/count-c.err" | xargs))"
[ "$miss" = 0 ] || check "handback: $miss misses ($(head -n 3 "$OUT/count-c.err" | xargs))"
figure "   pings sent per interval: lb1 ${SENT_C[1]}, lb2 ${SENT_C[2]}, lb3 ${SENT_C[3]} (saved ${SAVED[1]}, ${SAVED[2]}, ${SAVED[3]})"
# each LB pings what it saved: within a tenth (a ping may fall on either
# side of a sample)
for h in 1 2 3; do
	d=$((SENT_C[$h] - SAVED[$h]))
	[ $((d < 0 ? -d : d)) -le $((SAVED[$h] / 10 + 2)) ] ||
		check "lb$h sends ${SENT_C[$h]} pings per interval, it saved ${SAVED[$h]}"
done
# (a regload's first user stands for its 50)
own=$(awk -v h="$DEAD" -v n=$PER '$1 == "owner:" && $2 == h { c += n } END { print c + 0 }' "$OUT/list-lb$DEAD.txt")
figure "   regping.list on lb$DEAD: owner $DEAD of $own contacts (it saved ${SAVED[$DEAD]})"
[ "$own" = "${SAVED[$DEAD]}" ] || check "lb$DEAD owns $own contacts in regping.list, it saved ${SAVED[$DEAD]}"
tout=$((END_TO[DEAD])) dead=$((END_DEAD[DEAD]))
for h in "${LIVE[@]}"; do
	tout=$((tout + END_TO[h] - TIMEOUT_B[h])) dead=$((dead + END_DEAD[h] - DEAD_B[h]))
done
figure "   since lb$DEAD started again: pings unanswered $tout, contacts declared dead $dead"
[ "$tout" = 0 ] || check "since lb$DEAD started again: $tout pings unanswered (regping timeouts)"
figure "all the run, all LBs: pings unanswered $all_tout, contacts declared dead $all_dead"
[ "$all_dead" = 0 ] || check "$all_dead contacts declared dead"
for h in 1 2 3; do
	figure "   lb$h counters: ${STATS[$h]}"
done

note "---- figures ----"
for f in "${figures[@]}"; do
	note "$f"
done
note "-----------------"
[ ${#checks[@]} = 0 ] || fail "${#checks[@]} checks failed: $(printf '%s; ' "${checks[@]}")"
exit 0
