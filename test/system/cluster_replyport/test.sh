#!/bin/bash
# regping's reply_port in a cluster of three LBs (cfg/kamailio.cfg
# -A CLUSTER -A REPLY_PORT=N) on the anycast rig (test/lib/anycast.sh).
# 240 contacts register through the anycast addresses (IPv6 and IPv4)
# from 12 regload instances in 6 phone namespaces, which answer every ping
# as RFC 3261 18.2.2 says (REGLOAD_REPLY_TO=via): at the source address,
# the anycast one, and the Via's port, N. The router hashes on the
# 5-tuple, so a reply to N may reach another LB than the one that pinged.
#   a. over 3 intervals: every ping answered (no timeouts, no contact
#      dead), every LB that pings counts its replies at N
#      (reply_port_replies grows by as much as replied_v4 + replied_v6:
#      none came through the SIP workers), replies that reached another
#      LB relayed to the pinger (relayed > 0 in all), none dropped
#   b. forgeries at lb1's N: a reply to lb2's ping with a wrong sequence
#      number is relayed to lb2, which drops it (reply_port_dropped); one
#      whose Via names a host that is no node, and one naming lb2 at a
#      port that is neither its SIP port nor N, are not relayed: lb1
#      drops them; no contact changes
# Needs root (ip netns); skipped without.
. "$(dirname "$0")/../../lib/harness.sh" system anycast

REGLOAD=$TOP/build/tools/regload
[ -x "$REGLOAD" ] || fail "no $REGLOAD (make -C test/tools)"
why=$(ac_unavailable)
[ -z "$why" ] || skip "$why"

PI=2   # PING_INTERVAL (s)
NPH=6  # phone namespaces, each with an IPv6 and an IPv4 regload
PER=20 # users per regload
NUSERS=$((2 * NPH * PER))
RPORT=5062

ac_rig_up 3 "$NPH"
ac_start_core -A NO_AUTH
for h in 1 2 3; do
	ac_start_lb $h "lb$h" -A "PING_INTERVAL=$PI" -A "REG_RATE=200" -A "REPLY_PORT=$RPORT"
done
ac_cluster_up 1 2 3
for h in 1 2 3; do
	rpc @lb$h regping.status | grep -q "reply_port: $RPORT\$" ||
		fail "regping.status on lb$h does not show reply_port $RPORT: $(rpc @lb$h regping.status | tr '\n\t' '  ')"
done

# "lb counter value" lines of every LB's regping counters into $1, each
# LB's read by one RPC (one moment)
sample()
{
	local h
	for h in 1 2 3; do
		rpc @lb$h stats.get_statistics regping: |
			awk -F' = ' -v h=$h '$1 ~ /^regping:/ { sub(/^regping:/, "", $1); print h, $1, $2 }' ||
			fail "stats.get_statistics on lb$h"
	done >"$1"
}
# the growth of counter $2 on LB $1 from sample $3 to sample $4
grew()
{
	echo $(($(awk -v h="$1" -v c="$2" '$1 == h && $2 == c { v = $3 } END { print v + 0 }' "$4") -
		$(awk -v h="$1" -v c="$2" '$1 == h && $2 == c { v = $3 } END { print v + 0 }' "$3")))
}
rp_contacts() { rpc @lb$1 regping.status 2>/dev/null | awk '$1 == "contacts:" { print $2 }'; }

for j in $(seq "$NPH"); do
	for af in 6 4; do
		if [ $af = 6 ]; then ip=$(ac_phone6 "$j") any=$ANY6; else ip=$(ac_phone4 "$j") any=$ANY4; fi
		pfx="p${j}v${af}u"
		ip netns exec "$(ac_phone_ns "$j")" env REGLOAD_REPLY_TO=via "$REGLOAD" "$ip" "$(free_port)" \
			"$any" $KPORT $PER 100 600 "$OUT/pings-$pfx.log" "$pfx" >"$OUT/regload-$pfx.out" 2>&1 &
		track $!
	done
done
all_known()
{
	local h
	for h in 1 2 3; do
		[ "$(rp_contacts "$h")" = "$NUSERS" ] || return 1
	done
}
wait_for 30 all_known ||
	fail "not every LB pings the $NUSERS contacts: lb1 $(rp_contacts 1), lb2 $(rp_contacts 2), lb3 $(rp_contacts 3)"
note "$NUSERS contacts registered through $ANY6 and $ANY4, in regping on every LB"

# a. an interval for every contact to be pinged once, then 3 measured
sleep $((PI + 1))
sample "$OUT/s0"
sleep $((3 * PI))
sample "$OUT/s1"
total_sent=0 total_relayed=0 pingers=0
for h in 1 2 3; do
	sent=$(($(grew $h sent_v4 "$OUT/s0" "$OUT/s1") + $(grew $h sent_v6 "$OUT/s0" "$OUT/s1")))
	replied=$(($(grew $h replied_v4 "$OUT/s0" "$OUT/s1") + $(grew $h replied_v6 "$OUT/s0" "$OUT/s1")))
	rpr=$(grew $h reply_port_replies "$OUT/s0" "$OUT/s1")
	rpd=$(grew $h reply_port_dropped "$OUT/s0" "$OUT/s1")
	rel=$(grew $h relayed "$OUT/s0" "$OUT/s1")
	tout=$(($(grew $h timeouts_v4 "$OUT/s0" "$OUT/s1") + $(grew $h timeouts_v6 "$OUT/s0" "$OUT/s1")))
	dead=$(($(grew $h dead_v4 "$OUT/s0" "$OUT/s1") + $(grew $h dead_v6 "$OUT/s0" "$OUT/s1")))
	note "a. lb$h over $((3 * PI)) s: pings sent $sent, replies $replied, at reply_port $rpr, dropped there $rpd, relayed to the pinger $rel, unanswered $tout, dead $dead"
	[ "$tout" = 0 ] || fail "a. lb$h: $tout pings unanswered"
	[ "$dead" = 0 ] || fail "a. lb$h: $dead contacts declared dead"
	[ "$rpd" = 0 ] || fail "a. lb$h: $rpd replies dropped at reply_port"
	[ "$rpr" = "$replied" ] ||
		fail "a. lb$h: $replied replies counted, $rpr of them at reply_port: the others came through the SIP workers"
	if [ "$sent" -gt 0 ]; then
		pingers=$((pingers + 1))
		[ "$rpr" -gt 0 ] || fail "a. lb$h sent $sent pings and read no reply at reply_port"
	fi
	total_sent=$((total_sent + sent)) total_relayed=$((total_relayed + rel))
done
# every contact pinged about 3 times
[ "$total_sent" -ge $((NUSERS * 3 * 9 / 10)) ] ||
	fail "a. $total_sent pings sent over 3 intervals of $NUSERS contacts"
[ "$pingers" -ge 2 ] || fail "a. only $pingers LBs pinged: the router's hash did not spread the flows"
[ "$total_relayed" -gt 0 ] ||
	fail "a. no reply reached another LB than its pinger's (relayed 0): the relay at reply_port went untested"
note "a. $total_sent pings on $pingers LBs, all answered at reply_port, $total_relayed replies relayed to the LB that pinged"

# b. forgeries at lb1's reply_port, from the backbone (the core's
# namespace): lb2's contact with a wrong sequence number
rpc @lb2 regping.list >"$OUT/lb2.list" || fail "regping.list on lb2"
ruid=$(awk '$1 == "ruid:" { print $2; exit }' "$OUT/lb2.list")
[ -n "$ruid" ] || fail "b. regping.list on lb2 names no ruid"
forge()
{
	ip netns exec "$(ac_core_ns)" python3 - "$(ac_lb_bb4 1)" "$RPORT" "$1" "$ruid" <<'PY'
import socket, sys
dst, port, via, ruid = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
m = ("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP %s;branch=z9hG4bKrp.fffffff0.%s\r\n"
     "From: <sip:ping@x>;tag=1\r\nTo: <sip:u@x>;tag=2\r\nCall-ID: regping-fffffff0-%s\r\n"
     "CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n") % (via, ruid, ruid)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(m.encode(), (dst, port))
PY
}
sample "$OUT/s2"
forge "$(ac_lb4 2):$RPORT" || fail "cannot send a forgery"
forge "$(ac_phone4 1):$RPORT" || fail "cannot send a forgery"
forge "$(ac_lb4 2):5999" || fail "cannot send a forgery"
drops()
{
	sample "$OUT/s3"
	[ "$(grew 1 reply_port_dropped "$OUT/s2" "$OUT/s3")" -ge 2 ] &&
		[ "$(grew 2 reply_port_dropped "$OUT/s2" "$OUT/s3")" -ge 1 ]
}
wait_for 5 drops
d1=$(grew 1 reply_port_dropped "$OUT/s2" "$OUT/s3")
d2=$(grew 2 reply_port_dropped "$OUT/s2" "$OUT/s3")
d3=$(grew 3 reply_port_dropped "$OUT/s2" "$OUT/s3")
note "b. forgeries at lb1: dropped at reply_port by lb1 $d1, lb2 $d2, lb3 $d3"
[ "$d2" = 1 ] || fail "b. lb2 dropped $d2 datagrams at reply_port, want 1 (the forgery naming it, relayed by lb1)"
[ "$d1" = 2 ] || fail "b. lb1 dropped $d1 datagrams at reply_port, want 2 (those naming no node and lb2 at port 5999)"
[ "$d3" = 0 ] || fail "b. lb3 dropped $d3 datagrams at reply_port, want 0"
for h in 1 2 3; do
	t=$(($(grew $h timeouts_v4 "$OUT/s0" "$OUT/s3") + $(grew $h timeouts_v6 "$OUT/s0" "$OUT/s3")))
	[ "$t" = 0 ] || fail "b. lb$h: $t pings unanswered since a."
done
exit 0
