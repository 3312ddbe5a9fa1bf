#!/bin/bash
# The anycast rig the cluster tests run on (test/lib/anycast.sh):
# three LB namespaces behind a router that has one ECMP route with L4
# hashing for the anycast /128 and /32, phones in their own namespaces,
# the LBs and the core on a backbone. Every LB answers UDP on the anycast
# addresses with its name. 60 flows per family from one phone spread over
# all three LBs (each gets at least 5), every datagram of a flow reaches
# the same LB and its answer comes back from the anycast address; a
# second phone reaches each LB's unicast address (where a Via sends
# answers) and the LBs reach each other and the core over the backbone
# only. The rig is removed on exit. Needs root (ip netns); skipped without.
. "$(dirname "$0")/../../lib/harness.sh" anycast

why=$(ac_unavailable)
[ -z "$why" ] || skip "$why"
UDP="python3 $TOP/test/lib/anycast_udp.py"
PORT=5060
FLOWS=60

ac_rig_up 3 2
for fam in 6 4; do
	any=$ANY6
	[ $fam = 4 ] && any=$ANY4
	n=$(ac_nexthops "$any")
	[ "$n" = 3 ] || fail "the router has $n next hops for $any, want 3"
done
for h in 1 2 3; do
	ip netns exec "$(ac_lb_ns $h)" $UDP serve "lb$h" "$ANY6" $PORT "$ANY4" $PORT \
		"$(ac_lb6 $h)" $PORT "$(ac_lb4 $h)" $PORT "$(ac_lb_bb6 $h)" $PORT "$(ac_lb_bb4 $h)" $PORT \
		>"$OUT/serve-lb$h.log" 2>&1 &
	track "$!"
done
ip netns exec "$(ac_core_ns)" $UDP serve core "$CORE_BB6" $PORT "$CORE_BB4" $PORT >"$OUT/serve-core.log" 2>&1 &
track "$!"
for h in 1 2 3; do
	wait_for 5 sh -c "ip netns exec $(ac_lb_ns $h) ss -Hlnu 'sport = :$PORT' | grep -c . | grep -qx 6" ||
		fail "lb$h does not listen on its six addresses: $(cat "$OUT/serve-lb$h.log")"
done
wait_for 5 sh -c "ip netns exec $(ac_core_ns) ss -Hlnu 'sport = :$PORT' | grep -c . | grep -qx 2" ||
	fail "the core does not listen on the backbone: $(cat "$OUT/serve-core.log")"

for any in $ANY6 $ANY4; do
	ip netns exec "$(ac_phone_ns 1)" $UDP probe "$any" $PORT $FLOWS 3 >"$OUT/probe-$any.txt" ||
		fail "probe of $any: $(cat "$OUT/probe-$any.txt")"
	[ "$(wc -l <"$OUT/probe-$any.txt")" = $FLOWS ] || fail "$any: not $FLOWS flows probed"
	# a flow's three datagrams: one LB, all answered from the anycast address
	bad=$(awk -v any="$any" '{ split($2, n, ","); if(n[1] == "-" || n[1] != n[2] || n[2] != n[3] || $3 != any) print }' \
		"$OUT/probe-$any.txt")
	[ -z "$bad" ] || fail "$any: flows that changed LB, lost an answer or were answered from elsewhere: $bad"
	spread=$(awk '{ split($2, n, ","); c[n[1]]++ } END { for(h in c) printf "%s=%d ", h, c[h] }' \
		"$OUT/probe-$any.txt" | tr ' ' '\n' | sort | xargs)
	for h in 1 2 3; do
		c=$(awk -v h="lb$h" '{ split($2, n, ","); if(n[1] == h) c++ } END { print c + 0 }' "$OUT/probe-$any.txt")
		[ "$c" -ge 5 ] || fail "$any: lb$h got $c of $FLOWS flows ($spread): the router does not spread flows"
	done
	note "$any: $FLOWS flows from phone1 spread $spread, each flow stayed on its LB, answers from $any"
done

# the unicast address of each LB: reached by a phone, answered by that LB
for h in 1 2 3; do
	for u in "$(ac_lb6 $h)" "$(ac_lb4 $h)"; do
		got=$(ip netns exec "$(ac_phone_ns 2)" $UDP probe "$u" $PORT 1 1 | awk '{ print $2 }')
		[ "$got" = "lb$h" ] || fail "phone2 to $u: answered by '$got', want lb$h"
	done
done
note "phone2 reached every LB on its unicast addresses"

# the backbone: LBs and core reach each other; phones do not reach it
# ("name@address" pairs: who must answer there)
for h in 1 2 3; do
	o=$(( h % 3 + 1 ))
	for want in "core@$CORE_BB6" "core@$CORE_BB4" "lb$o@$(ac_lb_bb6 $o)" "lb$o@$(ac_lb_bb4 $o)"; do
		got=$(ip netns exec "$(ac_lb_ns $h)" $UDP probe "${want#*@}" $PORT 1 1 | awk '{ print $2 }')
		[ "$got" = "${want%@*}" ] || fail "lb$h to ${want#*@} on the backbone: answered by '$got', want ${want%@*}"
	done
done
for dst in $CORE_BB6 $CORE_BB4 "$(ac_lb_bb6 1)"; do
	got=$(ip netns exec "$(ac_phone_ns 1)" $UDP probe "$dst" $PORT 1 1 2>&1 | awk '{ print $2 }')
	[ "$got" = - ] || fail "phone1 reaches the backbone address $dst ('$got')"
done
note "the LBs reach each other and the core on the backbone, the phones do not"
exit 0
