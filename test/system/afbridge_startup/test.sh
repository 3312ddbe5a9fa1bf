#!/bin/bash
# afbridge refuses to start, with a clear error, when what it needs is
# missing or misconfigured: the backend's module, ip6ref, the backend name,
# ipv6_side, a preferred socket that is not a listener of its family;
# a function used in a route it does not work in.
. "$(dirname "$0")/../../lib/harness.sh"

PORT=$(free_port)

# usage: refused name "expected error" cfg-lines...
refused()
{
	local name=$1 want=$2 rc
	shift 2
	{
		echo '#!KAMAILIO'
		echo "listen=udp:127.0.0.1:$PORT"
		printf '%s\n' "$@"
		echo 'request_route { drop; }'
	} >"$OUT/$name.cfg"
	timeout -k 2 20 kamailio -f "$OUT/$name.cfg" -DD -E >"$OUT/$name.log" 2>&1
	rc=$?
	[ $rc -eq 124 ] && fail "$name: kamailio started"
	[ $rc -ne 0 ] || fail "$name: kamailio exited with 0"
	grep -qF "$want" "$OUT/$name.log" ||
		fail "$name: no clear error (wanted '$want'): $(grep -m1 ERROR "$OUT/$name.log")"
	note "$name: refused with '$want'"
}

IP6REF="loadmodule \"$TOP/modules/ip6ref/ip6ref.so\""
AFB="loadmodule \"$TOP/modules/afbridge/afbridge.so\""
RTPP='loadmodule "rtpproxy.so"'

refused no_backend "function rtpproxy_offer not found - load rtpproxy.so before afbridge" \
	"$IP6REF" "$AFB"
refused no_rtpengine "not found - load rtpengine.so before afbridge" \
	"$IP6REF" "$RTPP" "$AFB" 'modparam("afbridge", "backend", "rtpengine")'
refused no_ip6ref "cannot bind the ip6ref API: load ip6ref.so first" "$RTPP" "$AFB"
refused bad_backend "unknown backend [mediaproxy] (rtpproxy or rtpengine)" \
	"$IP6REF" "$RTPP" "$AFB" 'modparam("afbridge", "backend", "mediaproxy")'
refused bad_side 'ipv6_side must be "e" or "i", not [x]' \
	"$IP6REF" "$RTPP" "$AFB" 'modparam("afbridge", "ipv6_side", "x")'
refused bad_socket "preferred IPv4 socket [udp:127.0.0.1:1] is not a listening socket" \
	"$IP6REF" "$RTPP" "$AFB" 'modparam("afbridge", "socket_v4", "udp:127.0.0.1:1")'
refused wrong_family "preferred IPv6 socket [udp:127.0.0.1:$PORT] is not of that family" \
	"$IP6REF" "$RTPP" "$AFB" "modparam(\"afbridge\", \"socket_v6\", \"udp:127.0.0.1:$PORT\")"
# af_bridge() in failure_route deletes a failed call; af_unbridge() there
# would delete nothing, so the cfg is refused
refused unbridge_failure "misused command af_unbridge" \
	"$IP6REF" "$RTPP" "$AFB" 'loadmodule "tm.so"' \
	'failure_route[F] { af_unbridge(); }'
