#!/bin/bash
# af_dst(), af_bridge_flags(), af_crossing() and af_set_socket() on OPTIONS
# to IPv4/IPv6/mapped/named destinations ($du before $rd): what the callee
# received, including the socket it left on (top Via), or the proxy's own
# reply when no socket fits. Then INVITEs while the relay is down: 503,
# logged with the call-id, counted in relay_errors.
. "$(dirname "$0")/../../lib/harness.sh" afbridge

PORT=$(free_port)
PORT2=$(free_port)
DEAD_PORT=$(free_port)
KPORT=$PORT
U4=$(free_port)
U6=$(free_port)
render "$HERE/lb.cfg.in" "$OUT/lb.cfg" TOP PORT PORT2 OUT DEAD_PORT
start_kamailio lb "$OUT/lb.cfg" "$PORT"
start_sipp uas4 127.0.0.1 "$U4" -sf "$SCN/uas_options.xml"
start_sipp uas6 ::1 "$U6" -sf "$SCN/uas_options.xml"

# usage: opt case uac_ip ruri du local
opt()
{
	run_sipp "uac$1" -sf "$HERE/uac_options.xml" -m 1 -i "$2" -p "$(free_port)" \
		-key case "$1" -key ruri "$3" -key du "$4" -key local "$5" \
		"$(uri_host "$2"):$PORT" || fail "case $1: no 200 for the OPTIONS"
}

# usage: expect case where(uas4|uas6|local) dst flags crossing socket [via]
expect()
{
	local c=$1 where=$2 m h want got
	if [ "$where" = local ]; then
		m=$(sipp_received_msg "$OUT/uac$c.msg" "SIP/2.0 200 Answered by the proxy")
	else
		m=$(sipp_received "$OUT/$where.msg" | awk -v RS= -v c="X-Case: $c" 'index($0, c) { print; exit }')
	fi
	[ -n "$m" ] || fail "case $c: nothing arrived at $where"
	for h in "X-Af-Dst:$3" "X-Af-Flags:$4" "X-Af-Crossing:$5" "X-Af-Socket:$6"; do
		want=${h#*:}
		got=$(msg_header "$m" "${h%%:*}")
		[ "$got" = "$want" ] || fail "case $c: ${h%%:*} expected '$want', got '$got'"
	done
	if [ -n "${7:-}" ]; then
		got=$(msg_header "$m" Via | head -n 1)
		case "$got" in
			"SIP/2.0/UDP $7;"*) ;;
			*) fail "case $c: left on the wrong socket: Via '$got', expected $7" ;;
		esac
	fi
	note "case $c: as expected at $where"
}

# IPv6 caller to an IPv4 callee: the preferred IPv4 socket (second port)
opt 1 ::1 "sip:uas@127.0.0.1:$U4" - no
expect 1 uas4 "1|4" "1|ei" 1 1 "127.0.0.1:$PORT2"
# IPv4 caller to an IPv6 callee: the IPv6 socket
opt 2 127.0.0.1 "sip:uas@[::1]:$U6" - no
expect 2 uas6 "1|6" "1|ie" 1 1 "[::1]:$PORT"
# $du wins over the R-URI: an IPv4 next hop for an IPv6 R-URI
opt 3 127.0.0.1 "sip:uas@[::1]:$U6" "sip:127.0.0.1:$U4" no
expect 3 uas4 "1|4" "1|ii" -1 1 "127.0.0.1:$PORT2"
# a non-canonical reference is still IPv6
opt 4 ::1 "sip:uas@[0:0::0001]:$U6" - no
expect 4 uas6 "1|6" "1|ee" -1 1 "[::1]:$PORT"
# an IPv4-mapped destination counts as IPv4, but the core would send to
# it as IPv6 (a forced IPv4 socket dropped as "of different af"): no
# socket, a clear error; with $du at its IPv4 address the IPv4 socket
opt 5 ::1 "sip:uas@[::ffff:127.0.0.1]:$U4" - no
expect 5 local "1|4" "1|ei" 1 -1
grep -q "destination \[\[::ffff:127.0.0.1\]\] is IPv4-mapped: the core would send to it as IPv6" "$OUT/lb.log" ||
	fail "no clear error for an IPv4-mapped destination in af_set_socket()"
opt 5b ::1 "sip:uas@[::ffff:127.0.0.1]:$U4" "sip:127.0.0.1:$U4" no
expect 5b uas4 "1|4" "1|ei" 1 1 "127.0.0.1:$PORT2"
# a host name: no family, no socket, the reason logged
opt 6 ::1 "sip:uas@localhost:$U4" - no
expect 6 local "-1|0" "-1|" -1 -1
grep -q "destination \[localhost\] is not an IP address: cannot choose a socket family" "$OUT/lb.log" ||
	fail "no clear error for a named destination in af_set_socket()"

# no listener of the destination's family and transport: refused, logged
# (the core would silently send from a socket of the other family)
opt 7 ::1 "sip:uas@[::1]:$U6;transport=tcp" - no
expect 7 local "1|6" "1|ee" -1 -1
grep -q "no tcp listening socket of IPv6 to send to \[\[::1\]\]" "$OUT/lb.log" ||
	fail "no clear error when no socket of the family and transport exists"

# a double Record-Route (preloaded here): loose_route() forced the socket
# of the second Route, the leg's own address; af_set_socket() keeps it
# rather than its preferred socket_v4
python3 - "$PORT" "$U4" <<'PY'
import socket, sys
port, u4 = sys.argv[1:3]
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.bind(("::1", 0))
me = s.getsockname()[1]
msg = ("OPTIONS sip:uas@127.0.0.1:%s SIP/2.0\r\n"
       "Via: SIP/2.0/UDP [::1]:%d;branch=z9hG4bKdoublerr;rport\r\n"
       "Route: <sip:[::1]:%s;r2=on;lr>,<sip:127.0.0.1:%s;r2=on;lr>\r\n"
       "From: <sip:uac@[::1]>;tag=drr\r\nTo: <sip:uas@127.0.0.1>\r\n"
       "Call-ID: doublerr-%d@x\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n"
       "X-Case: 8\r\nX-Du: -\r\nX-Local: no\r\nX-Lr: yes\r\n"
       "Content-Length: 0\r\n\r\n" % (u4, me, port, port, me))
s.sendto(msg.encode(), ("::1", int(port)))
s.settimeout(5)
print(s.recv(4000).decode().split("\r\n")[0])
PY
expect 8 uas4 "1|4" "1|ei" 1 1 "127.0.0.1:$PORT"

# the relay is down: a crossing INVITE gets the cfg's 503, the failure is
# logged with its call-id and counted
run_sipp fail -sf "$SCN/uac_fail.xml" -m 1 -i ::1 -p "$(free_port)" \
	-key ruri "sip:uas@127.0.0.1:$U4" -key rtp_port "$(free_port)" "[::1]:$PORT" ||
	fail "no 503 for an INVITE while the relay is down"
grep -q "relay offer (rtpproxy, IPv6 -> IPv4) failed with -[0-9]* for call-id \[1-" "$OUT/lb.log" ||
	fail "the relay failure is not logged with the call-id"
[ "$(afb_counter relay_errors)" = 1 ] || fail "relay_errors is $(afb_counter relay_errors), not 1"
note "relay down: 503, logged, counted"
