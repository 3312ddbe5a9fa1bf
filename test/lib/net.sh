# Network: free ports on loopback, waiting for a listener, addresses in
# URIs, network namespaces made for a test.
[ -z "${_harness_net:-}" ] || return 0
_harness_net=1

# the ports handed out so far, in a file: every pick runs in a $(...)
# subshell, where a variable set would be lost and the same port could
# be handed out twice before its process binds it
_ports_file=$OUT/.ports_taken
: >"$_ports_file"
# whether any of the ports "$@" was handed out before
ports_taken()
{
	local p
	for p in "$@"; do
		grep -qx "$p" "$_ports_file" && return 0
	done
	return 1
}
take_ports()
{
	printf '%s\n' "$@" >>"$_ports_file"
}

# The kernel hands out ports of ip_local_port_range to every socket that
# connects or sends unbound (kamailio's relay control socket, sipp's, a
# phone's TCP): a port a test chose there may be taken before the test's
# process binds it. Test ports come from below that range, the relay's
# media ports from above it.
read -r EPH_LO EPH_HI </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null ||
	{ EPH_LO=32768 EPH_HI=60999; }
TEST_PORT_LO=20000
TEST_PORT_HI=$((EPH_LO > TEST_PORT_LO + 2000 ? EPH_LO - 1 : 32767))
MEDIA_PORT_LO=$((EPH_HI < 64000 ? EPH_HI + 1 : 61000))

# a port free for UDP and TCP on 127.0.0.1 and ::1, not handed out before
free_port()
{
	local used p
	used=$(ss -Hlntu 2>/dev/null | awk '{n=split($5,a,":"); print a[n]}')
	while :; do
		p=$((TEST_PORT_LO + RANDOM % (TEST_PORT_HI - TEST_PORT_LO + 1)))
		ports_taken "$p" && continue
		if ! printf '%s\n' $used | grep -qx "$p"; then
			take_ports "$p"
			echo "$p"
			return
		fi
	done
}

# a base port for sipp's media (-mp P): sipp binds P and P+1 (audio RTP,
# RTCP) and P+2, P+3 for video, so all four must be free
free_media_port()
{
	local used p i ok
	used=" $(ss -Hlnu 2>/dev/null | awk '{n=split($4,a,":"); print a[n]}' | tr '\n' ' ') "
	while :; do
		p=$((TEST_PORT_LO + (RANDOM % ((TEST_PORT_HI - TEST_PORT_LO - 3) / 2)) * 2))
		ok=1
		for i in 0 1 2 3; do
			case "$used" in *" $((p + i)) "*) ok=0 ;; esac
		done
		[ $ok = 1 ] || continue
		ports_taken $p $((p + 1)) $((p + 2)) $((p + 3)) && continue
		take_ports $p $((p + 1)) $((p + 2)) $((p + 3))
		echo "$p"
		return
	done
}

# wait until something listens on UDP port $1 (on any loopback address);
# gives up early when process $2 (if given) is gone
wait_udp_port()
{
	wait_listen u "$@"
}
# the same for TCP: kamailio opens its TCP listeners after its UDP sockets,
# so a kamailio up on UDP may not accept TCP connections yet
wait_tcp_port()
{
	wait_listen t "$@"
}
# usage: wait_listen u|t port [pid]
wait_listen()
{
	local proto=$1 port=$2 pid=${3:-} i
	for i in $(seq 100); do
		if ss -Hln"$proto" "sport = :$port" 2>/dev/null | grep -q .; then
			return 0
		fi
		if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
			return 1
		fi
		sleep 0.1
	done
	return 1
}

# an address as the host part of a URI: IPv6 in brackets
uri_host()
{
	case "$1" in *:*) echo "[$1]" ;; *) echo "$1" ;; esac
}

# network namespaces made here, each with its loopback up; netns_del_all
# (at exit, once the processes are stopped) deletes them, the last first
_netns=()
netns_add()
{
	local n
	for n in "$@"; do
		ip netns add "$n" || fail "ip netns add $n"
		_netns+=("$n")
		ip -n "$n" link set lo up
	done
}
netns_del_all()
{
	local i
	for ((i = ${#_netns[@]} - 1; i >= 0; i--)); do
		ip netns del "${_netns[$i]}" 2>/dev/null
	done
	_netns=()
}
