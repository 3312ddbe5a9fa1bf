# The anycast rig in network namespaces, for the cluster tests (harness
# part "anycast"); needs root (ip netns, veth, bridge).
#
#   phone1 ns --+                  +-- lb1 ns --+
#   phone2 ns --+--- router ns ----+-- lb2 ns --+-- backbone (bridge in
#   ...         |    ECMP, L4 hash +-- lb3 ns --+   the bb ns) -- core ns
#
# The router has one route for the anycast /128 and /32 with a next hop
# per LB and hashes on the 5-tuple (fib_multipath_hash_policy=1), so a
# phone's flow stays on one LB and different flows spread. Every LB holds
# the anycast addresses on lo and a unicast address on its router link;
# DMQ and the core are on the backbone. Only documentation prefixes:
#   anycast            2001:db8:ac::1/128        192.0.2.100/32
#   router - lb<i>     2001:db8:0:<i>::1 / ::2   192.0.2.<4i+1> / <4i+2> (/30)
#   router - phone<j>  2001:db8:100:<j>::1 / ::2 198.51.100.<4j+1> / <4j+2> (/30)
#   backbone           2001:db8:bb::<i>          203.0.113.<i>; core .100 / ::100
#                      (the core routes to each LB's unicast address there)
#
# AC_NS: the prefix of the namespaces' names (one per test run). The
# namespaces go at exit with the harness's (netns_add).
[ -z "${_harness_anycast:-}" ] || return 0
_harness_anycast=1

AC_NS=${AC_NS:-dsa$$}
ANY6=2001:db8:ac::1
ANY4=192.0.2.100
CORE_BB6=2001:db8:bb::100
CORE_BB4=203.0.113.100
AC_LBS=()
AC_PHONES=()

ac_lb_ns() { echo "$AC_NS-lb$1"; }
ac_phone_ns() { echo "$AC_NS-ph$1"; }
ac_router_ns() { echo "$AC_NS-r"; }
ac_core_ns() { echo "$AC_NS-core"; }
# LB $1's unicast addresses: on its router link and on the backbone
ac_lb6() { echo "2001:db8:0:$1::2"; }
ac_lb4() { echo "192.0.2.$((4 * $1 + 2))"; }
ac_lb_bb6() { echo "2001:db8:bb::$1"; }
ac_lb_bb4() { echo "203.0.113.$1"; }
ac_phone6() { echo "2001:db8:100:$1::2"; }
ac_phone4() { echo "198.51.100.$((4 * $1 + 2))"; }

# the namespaces are not available here (not root, no netns or veth):
# a reason on stdout, or nothing
ac_unavailable()
{
	local probe=$AC_NS-probe
	[ "$(id -u)" = 0 ] || { echo "needs root (ip netns, veth)"; return; }
	ip netns add "$probe" 2>/dev/null || { echo "ip netns add does not work here"; return; }
	if ! ip -n "$probe" link add p0 type veth peer name p1 2>/dev/null ||
		! ip -n "$probe" link add b0 type bridge 2>/dev/null; then
		echo "no veth or bridge links in a network namespace"
	fi
	ip netns del "$probe"
}

_ac_add_ns()
{
	netns_add "$1"
	ip netns exec "$1" sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
		net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
}

# a veth pair: name $2 in namespace $1 with addresses $3 $4, name $6 in
# namespace $5 with addresses $7 $8 (a "-" namespace: the peer stays unplaced)
_ac_link()
{
	ip link add "$2" netns "$1" type veth peer name "$6" netns "$5" || fail "veth $1/$2 - $5/$6"
	ip -n "$1" addr add "$3" dev "$2" nodad && ip -n "$1" addr add "$4" dev "$2" &&
		ip -n "$5" addr add "$7" dev "$6" nodad && ip -n "$5" addr add "$8" dev "$6" &&
		ip -n "$1" link set "$2" up && ip -n "$5" link set "$6" up || fail "addresses on $2 - $6"
}

# a backbone port $2 in namespace $1 with addresses $3 $4, on the bridge
_ac_bb_port()
{
	local n=${#_ac_bb_ports[@]}
	ip link add "$2" netns "$1" type veth peer name "bb$n" netns "$AC_NS-bb" || fail "backbone veth for $1"
	_ac_bb_ports+=("$2")
	ip -n "$AC_NS-bb" link set "bb$n" master br0 up &&
		ip -n "$1" addr add "$3" dev "$2" nodad && ip -n "$1" addr add "$4" dev "$2" &&
		ip -n "$1" link set "$2" up || fail "backbone port of $1"
}

# the rig with $1 LBs and $2 phones
ac_rig_up()
{
	local nlb=$1 nph=$2 i r nh6=() nh4=()
	_ac_bb_ports=()
	r=$(ac_router_ns)
	_ac_add_ns "$r"
	ip netns exec "$r" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
		net.ipv4.fib_multipath_hash_policy=1 net.ipv6.fib_multipath_hash_policy=1 ||
		fail "L4 multipath hashing in the router namespace"
	_ac_add_ns "$AC_NS-bb"
	ip -n "$AC_NS-bb" link add br0 type bridge && ip -n "$AC_NS-bb" link set br0 up ||
		fail "the backbone bridge"
	for i in $(seq "$nlb"); do
		_ac_add_ns "$(ac_lb_ns "$i")"
		_ac_link "$r" "lb$i" "2001:db8:0:$i::1/64" "192.0.2.$((4 * i + 1))/30" \
			"$(ac_lb_ns "$i")" up0 "$(ac_lb6 "$i")/64" "$(ac_lb4 "$i")/30"
		ip -n "$(ac_lb_ns "$i")" addr add "$ANY6/128" dev lo &&
			ip -n "$(ac_lb_ns "$i")" addr add "$ANY4/32" dev lo &&
			ip -n "$(ac_lb_ns "$i")" -6 route add default via "2001:db8:0:$i::1" &&
			ip -n "$(ac_lb_ns "$i")" route add default via "192.0.2.$((4 * i + 1))" ||
			fail "anycast addresses and routes of lb$i"
		_ac_bb_port "$(ac_lb_ns "$i")" bb0 "$(ac_lb_bb6 "$i")/64" "$(ac_lb_bb4 "$i")/24"
		nh6+=(nexthop via "2001:db8:0:$i::2" dev "lb$i")
		nh4+=(nexthop via "$(ac_lb4 "$i")" dev "lb$i")
		AC_LBS+=("$i")
	done
	ip -n "$r" -6 route add "$ANY6/128" "${nh6[@]}" && ip -n "$r" route add "$ANY4/32" "${nh4[@]}" ||
		fail "the ECMP routes for the anycast addresses"
	_ac_add_ns "$(ac_core_ns)"
	_ac_bb_port "$(ac_core_ns)" bb0 "$CORE_BB6/64" "$CORE_BB4/24"
	# the core answers an LB at its unicast address, across the backbone
	for i in $(seq "$nlb"); do
		ip -n "$(ac_core_ns)" route add "$(ac_lb4 "$i")/32" via "$(ac_lb_bb4 "$i")" &&
			ip -n "$(ac_core_ns)" -6 route add "$(ac_lb6 "$i")/128" via "$(ac_lb_bb6 "$i")" ||
			fail "the core's route to lb$i"
	done
	for i in $(seq "$nph"); do
		_ac_add_ns "$(ac_phone_ns "$i")"
		_ac_link "$r" "ph$i" "2001:db8:100:$i::1/64" "198.51.100.$((4 * i + 1))/30" \
			"$(ac_phone_ns "$i")" up0 "$(ac_phone6 "$i")/64" "$(ac_phone4 "$i")/30"
		ip -n "$(ac_phone_ns "$i")" -6 route add default via "2001:db8:100:$i::1" &&
			ip -n "$(ac_phone_ns "$i")" route add default via "198.51.100.$((4 * i + 1))" ||
			fail "routes of phone$i"
		AC_PHONES+=("$i")
	done
	note "anycast rig $AC_NS: router, $nlb LBs ($ANY6, $ANY4 by ECMP), backbone with the core, $nph phones"
}

# the router's next hops for the anycast address $1 (one line each)
ac_nexthops()
{
	local fam=-4
	[[ $1 == *:* ]] && fam=-6
	ip -n "$(ac_router_ns)" "$fam" route show "$1" | grep -c "nexthop via"
}

# kamailio in namespace $1 (the rest as start_kamailio's: name cfg port
# args), logs in $OUT/<name>.log; waits until it listens on UDP port $4
# there -> KAM_PID
ac_start_kamailio()
{
	local ns=$1 name=$2 cfg=$3 port=$4 i
	shift 4
	if ! ip netns exec "$ns" kamailio -c -f "$cfg" "$@" >"$OUT/$name.check.log" 2>&1; then
		tail -n 20 "$OUT/$name.check.log" | sed 's/^/    /' >&2
		fail "kamailio -c rejected $cfg for $name (see $OUT/$name.check.log)"
	fi
	ip netns exec "$ns" kamailio -f "$cfg" -DD -E -m 64 -M 8 -Y "$OUT" "$@" >"$OUT/$name.log" 2>&1 &
	KAM_PID=$!
	track "$KAM_PID"
	for i in $(seq 100); do
		ip netns exec "$ns" ss -Hlnu "sport = :$port" | grep -q . && break
		kill -0 "$KAM_PID" 2>/dev/null || break
		sleep 0.1
	done
	if ! ip netns exec "$ns" ss -Hlnu "sport = :$port" | grep -q .; then
		tail -n 20 "$OUT/$name.log" | sed 's/^/    /' >&2
		fail "kamailio $name did not come up on port $port in $ns (see $OUT/$name.log)"
	fi
	note "kamailio $name pid $KAM_PID in $ns"
}

# the router's ECMP routes for the anycast addresses over the LBs given
# (their numbers), as a BGP speaker on each LB would leave them when the
# others withdraw: ac_route 1 3 after lb2 died; ac_route 1 2 3 when it is
# back. Flows re-hash over the next hops left.
ac_route()
{
	local r i nh6=() nh4=()
	r=$(ac_router_ns)
	for i in "$@"; do
		nh6+=(nexthop via "2001:db8:0:$i::2" dev "lb$i")
		nh4+=(nexthop via "$(ac_lb4 "$i")" dev "lb$i")
	done
	ip -n "$r" -6 route replace "$ANY6/128" "${nh6[@]}" &&
		ip -n "$r" route replace "$ANY4/32" "${nh4[@]}" ||
		fail "the ECMP routes for the anycast addresses over LBs $*"
	note "anycast routes over lb$(echo "$@" | sed 's/ /, lb/g')"
}

# the core's route to the anycast IPv4 address over the backbone, with a
# next hop per LB given (their numbers): where a cluster's Path and
# Record-Route send the core (any live LB); as ac_route for the router, a
# BGP speaker on the backbone would withdraw a dead LB's (ac_core_route 1 3
# after lb2 died)
ac_core_route()
{
	local c i nh=()
	c=$(ac_core_ns)
	for i in "$@"; do
		nh+=(nexthop via "$(ac_lb_bb4 "$i")" dev bb0)
	done
	ip netns exec "$c" sysctl -qw net.ipv4.fib_multipath_hash_policy=1 &&
		ip -n "$c" route replace "$ANY4/32" "${nh[@]}" ||
		fail "the core's ECMP route for $ANY4 over LBs $*"
	note "the core's route to $ANY4 over lb$(echo "$@" | sed 's/ /, lb/g')"
}

# rtpengine in LB $1's namespace, on its unicast addresses (media must
# come back to this LB, not to the anycast address), control on its
# loopback: start_rtpengine's variables, NG_PORT the one to give the LB
ac_start_rtpengine()
{
	local ns bin=$OUT/lb$1-bin
	ns=$(ac_lb_ns "$1")
	mkdir -p "$bin"
	printf '#!/bin/sh\nexec ip netns exec %s %s "$@"\n' "$ns" "$(command -v rtpengine)" >"$bin/rtpengine"
	chmod 755 "$bin/rtpengine"
	PATH="$bin:$PATH" RTPE_IP4=$(ac_lb4 "$1") RTPE_IP6=$(ac_lb6 "$1") start_rtpengine
}

# --- a cluster of the shipped cfgs on the rig ---
KPORT=${KPORT:-5060}
CORE_PORT=${CORE_PORT:-5070}
DMQ_PORT=${DMQ_PORT:-5090}
AC_SECRET=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')

# the shipped core (cfg/core.cfg) on the backbone, its arguments after the
# rig's (e.g. -A NO_AUTH); the LBs dispatch to it ($OUT/dispatcher.list)
ac_start_core()
{
	echo "1 sip:$CORE_BB4:$CORE_PORT" >"$OUT/dispatcher.list"
	ac_start_kamailio "$(ac_core_ns)" core "$TOP/cfg/core.cfg" $CORE_PORT \
		-A "CORE_IP=$CORE_BB4" -A "CORE_PORT=$CORE_PORT" -A "CTL_SOCK=\"unix:$OUT/core.sock\"" \
		-A "DB_URL=\"text://$TOP/cfg/db\"" "$@"
}

# LB $1 of the cluster (cfg/kamailio.cfg -A CLUSTER, node id $1), logs in
# $OUT/$2.log, RPC at $OUT/lb$1.sock, its arguments after the cluster's
# (e.g. -A PING_INTERVAL=3); it joins through another LB's DMQ address,
# so that any one can come back while the others run -> KAM_PID
ac_start_lb()
{
	local h=$1 name=$2 via=1
	shift 2
	[ "$h" = 1 ] && via=2
	ac_start_kamailio "$(ac_lb_ns "$h")" "$name" "$TOP/cfg/kamailio.cfg" $KPORT \
		-L "$TOP/modules:$STOCK_MODULES" -A CLUSTER -A "NODE_ID=$h" \
		-A "LB_IP4=$(ac_lb4 "$h")" -A "LB_IP6=[$(ac_lb6 "$h")]" -A "LB_PORT=$KPORT" \
		-A "ANY_IP4=$ANY4" -A "ANY_IP6=[$ANY6]" -A "DMQ_IP=$(ac_lb_bb4 "$h")" \
		-A "DMQ_URI=\"sip:$(ac_lb_bb4 "$h"):$DMQ_PORT\"" \
		-A "DMQ_NOTIFY=\"sip:$(ac_lb_bb4 $via):$DMQ_PORT\"" -A "MARK_SECRET=\"$AC_SECRET\"" \
		-A "DS_LIST=\"$OUT/dispatcher.list\"" -A NO_METRICS -A "CTL_SOCK=\"unix:$OUT/lb$h.sock\"" "$@"
}

# every LB given lists all of them as active DMQ nodes, and regping on
# each has joined and hears the others (waits up to 20 s, fails)
ac_cluster_up()
{
	local h n=$#
	for h in "$@"; do
		wait_for 20 sh -c "timeout 5 kamcmd -s unix:$OUT/lb$h.sock dmq.list_nodes | grep -c 'status: active' | grep -qx $n" ||
			fail "lb$h does not see $n active DMQ nodes: $(rpc @lb$h dmq.list_nodes | tr '\n' ' ')"
	done
	for h in "$@"; do
		wait_for 20 sh -c "timeout 5 kamcmd -s unix:$OUT/lb$h.sock regping.nodes | grep -cE 'state: (self|live)' | grep -qx $n" ||
			fail "regping on lb$h has not joined the $n: $(rpc @lb$h regping.nodes | tr '\n' ' ')"
	done
	note "DMQ: every LB sees the $n nodes active; regping on each has joined and hears the others"
}

# phone $1 registers user $3 from its address $2 through the anycast
# address $4 (sipp, scenario ua_register.xml; needs the harness part frag),
# its Contact at its address and port REG_PORT + ${5:-0} (a port other than
# the source's is what a phone behind a NAT sends) -> REG_PORT
ac_register()
{
	PHONE_NS=$(ac_phone_ns "$1") PHONE_BIN=$OUT/phone$1-bin phone_bin
	REG_PORT=$(free_port)
	PATH="$OUT/phone$1-bin:$PATH" run_sipp "reg-$3" -sf "$SCN/ua_register.xml" -m 1 -d 0 \
		-i "$2" -p "$REG_PORT" $(sipp_auth "$3") -key user "$3" \
		-key contact_host "$(uri_host "$2")" -key contact_port "$((REG_PORT + ${5:-0}))" \
		"$(uri_host "$4"):$KPORT" ||
		fail "$3 could not register from $2 through $4"
}
