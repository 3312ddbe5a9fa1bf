#!/bin/bash
# ip6-hostcheck against real kamailio processes: one listening on
# 127.0.0.1 and [::1] with udp_mtu set (the listener check names both
# families, the cfg checks pass), one on 127.0.0.1 only with no udp_mtu
# (FAIL for IPv6, WARN for udp_mtu, exit 2); --port, --json; one on the
# interface lo (binds IPv4 only: WARN cfg listen interface); the cfg
# constructs that fail over IPv6, the shipped LB cfg, includes in
# #!ifdef blocks; then a fake
# /proc tree (--proc) for what the host cannot be made to show:
# disable_ipv6=1, IPv6 missing in the kernel, ignored router
# advertisements, kamailio not running.
. "$(dirname "$0")/../../lib/harness.sh"

HC=$TOP/build/utils/ip6-hostcheck
[ -x "$HC" ] || fail "$HC is not built (make -C utils)"

# run the tool; sets RC and OUTPUT. usage: hc name args...
hc()
{
	local name=$1
	shift
	"$HC" "$@" >"$OUT/$name.out" 2>"$OUT/$name.err"
	RC=$?
	OUTPUT=$(cat "$OUT/$name.out")
}

# the table line of a finding: "LEVEL CHECK WHAT" (CHECK exact)
finding()
{
	printf '%s\n' "$OUTPUT" | awk -v c="$1" '
		/^$/ { exit } # the table ends, the why paragraphs follow
		$1 ~ /^(OK|WARN|FAIL)$/ {
			line = $0; sub(/^[A-Z]+ +/, "", line)
			if(index(line, c " ") == 1) { print; exit }
		}'
}

# usage: expect_finding LEVEL CHECK [text the line must hold]...
expect_finding()
{
	local level=$1 check=$2 line s
	shift 2
	line=$(finding "$check")
	[ -n "$line" ] || fail "$NAME: no finding '$check':
$OUTPUT"
	case "$line" in
		"$level "*) ;;
		*) fail "$NAME: '$check' is not $level: $line" ;;
	esac
	for s in "$@"; do
		case "$line" in
			*"$s"*) ;;
			*) fail "$NAME: '$check' does not say '$s': $line" ;;
		esac
	done
}

expect_no_finding()
{
	[ -z "$(finding "$1")" ] || fail "$NAME: unexpected finding: $(finding "$1")"
}

expect_rc()
{
	[ "$RC" -eq "$1" ] || fail "$NAME: exit $RC, want $1:
$OUTPUT
$(cat "$OUT/$NAME.err")"
}

# the exit status the documented rule gives for the table printed
documented_rc()
{
	if printf '%s\n' "$OUTPUT" | grep -q '^FAIL '; then
		echo 2
	elif printf '%s\n' "$OUTPUT" | grep -q '^WARN '; then
		echo 1
	else
		echo 0
	fi
}

# ------------------------------------------------------------------
# 1. a dual-stack kamailio: udp and tcp on 127.0.0.1 and [::1], the IPv6
#    address through #!substdef, the port through #!define, udp_mtu in an
#    included file

PORT=$(free_port)
cat >"$OUT/mtu.cfg" <<EOF
# large requests over TCP: IPv6 routers never fragment
udp_mtu=1300
udp_mtu_try_proto=TCP
EOF
cat >"$OUT/dual.cfg" <<EOF
#!KAMAILIO
#!define SIP_PORT $PORT
#!substdef "/LOOP6/[::1]/"
children=1
tcp_children=1
listen=udp:127.0.0.1:SIP_PORT
listen=tcp:127.0.0.1:SIP_PORT
listen=udp:LOOP6:SIP_PORT
listen=tcp:LOOP6:SIP_PORT
# listen=udp:[::2]:SIP_PORT
/* udp_mtu=9000
   udp_mtu_try_proto=UDP */
include_file "mtu.cfg"
request_route { drop; }
EOF
start_kamailio dual "$OUT/dual.cfg" "$PORT"
DUAL_PID=$KAM_PID
# the children (udp receivers, tcp main) hold the sockets too: wait for TCP
wait_for 10 sh -c "ss -Hltn 'sport = :$PORT' | grep -q '\\[::1\\]'" ||
	fail "kamailio dual does not listen on tcp [::1]:$PORT"

NAME=dual
hc dual --pid "$DUAL_PID" --cfg "$OUT/dual.cfg"
expect_finding OK listen "IPv4:" "IPv6:" "udp 127.0.0.1:$PORT" \
	"tcp 127.0.0.1:$PORT" "udp [::1]:$PORT" "tcp [::1]:$PORT"
expect_finding OK "cfg udp_mtu" "udp_mtu=1300 (mtu.cfg:2)"
expect_finding OK "cfg udp_mtu_try_proto" "udp_mtu_try_proto=TCP (mtu.cfg:3)"
expect_finding OK "cfg listen IPv6" "udp:[::1]:$PORT (line 8)" "tcp:[::1]:$PORT (line 9)"
expect_finding OK "cfg listen IPv4" "udp:127.0.0.1:$PORT (line 6)"
expect_no_finding "cfg udp_mtu socket"
# udp_mtu covers IPv6 whatever ip_no_pmtu_disc says
line=$(finding net.ipv4.ip_no_pmtu_disc)
case "$line" in WARN*) fail "dual: $line" ;; esac
# the sysctls are the host's: the status must follow the documented rule
expect_rc "$(documented_rc)"
printf '%s\n' "$OUTPUT" | tail -n 1 | grep -q "^summary: .* -> exit $RC " ||
	fail "dual: the summary does not end the output: $(printf '%s\n' "$OUTPUT" | tail -n 1)"
note "dual: $(finding listen)"

# the same sockets matched by port, whatever process holds them
NAME=port
hc port --port "$PORT" --no-listen
expect_no_finding listen
hc port --port "$PORT"
expect_finding OK listen "udp 127.0.0.1:$PORT" "udp [::1]:$PORT"
OTHER=$(free_port)
hc port --port "$OTHER"
expect_finding FAIL listen "no listening UDP/TCP socket of port $OTHER"
expect_rc 2

# ------------------------------------------------------------------
# 2. kamailio on 127.0.0.1 only, a cfg without udp_mtu

PORT4=$(free_port)
cat >"$OUT/v4.cfg" <<EOF
#!KAMAILIO
children=1
disable_tcp=yes
listen=udp:127.0.0.1:$PORT4
request_route { drop; }
EOF
start_kamailio v4 "$OUT/v4.cfg" "$PORT4"
V4_PID=$KAM_PID

NAME=v4
hc v4 --pid "$V4_PID" --cfg "$OUT/v4.cfg"
expect_finding FAIL listen "no IPv6 listener" "IPv4: udp 127.0.0.1:$PORT4"
expect_finding WARN "cfg udp_mtu" "udp_mtu is not set"
expect_finding WARN "cfg listen IPv6" "no IPv6 listen line"
expect_rc 2
# the why of a FAIL follows the table
printf '%s\n' "$OUTPUT" | grep -q "^FAIL listen:" || fail "v4: no why for the listener"
# the dual-stack kamailio's sockets are not this one's
case "$(finding listen)" in *":$PORT"[!0-9]* | *":$PORT") fail "v4: $(finding listen)" ;; esac
note "v4: $(finding listen)"

# two --pid: both kamailio's sockets
NAME=twopids
hc twopids --pid "$V4_PID" --pid "$DUAL_PID" --no-listen
expect_no_finding listen
hc twopids --pid "$V4_PID" --pid "$DUAL_PID"
expect_finding OK listen "udp 127.0.0.1:$PORT4" "udp [::1]:$PORT"

# --json: an array of {"level", "check", "what", "why"}
NAME=json
hc json --pid "$V4_PID" --cfg "$OUT/v4.cfg" --json
expect_rc 2
[ "$(head -c 1 "$OUT/json.out")" = "[" ] || fail "json: does not start with ["
[ "$(tail -n 1 "$OUT/json.out")" = "]" ] || fail "json: does not end with ]"
grep -q "^  {\"level\": \"FAIL\", \"check\": \"listen\", \"what\": \"no IPv6 listener (IPv4: udp 127.0.0.1:$PORT4)\", \"why\": \"[^\"]" \
	"$OUT/json.out" || fail "json: no FAIL listen object: $(head -n 3 "$OUT/json.out")"
grep -q '"level": "WARN", "check": "cfg udp_mtu", "what": "udp_mtu is not set' "$OUT/json.out" ||
	fail "json: no WARN cfg udp_mtu"
n_json=$(grep -c '^  {"level": "\(OK\|WARN\|FAIL\)", "check": "[^"]*", "what": "[^"]*", "why": "\([^"\\]\|\\.\)*"},\?$' "$OUT/json.out")
hc json-table --pid "$V4_PID" --cfg "$OUT/v4.cfg"
n_table=$(printf '%s\n' "$OUTPUT" | awk '/^$/ { exit } /^(OK|WARN|FAIL) / { n++ } END { print n + 0 }')
[ "$n_json" -eq "$n_table" ] && [ "$n_json" -gt 3 ] ||
	fail "json: $n_json well-formed objects, the table has $n_table findings"
if command -v python3 >/dev/null; then
	python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); assert all(set(f) == {"level", "check", "what", "why"} for f in d)' \
		"$OUT/json.out" || fail "json: python3 cannot load it"
fi
note "json: $n_json findings"

# ------------------------------------------------------------------
# 2b. what is known not to work over IPv6. A listen on an interface name,
#     with the real kamailio: what it binds is the measurement (kamailio
#     issue #2404: IPv4 only without auto_bind_ipv6)

PORTI=$(free_port)
cat >"$OUT/iface.cfg" <<EOF
#!KAMAILIO
children=1
disable_tcp=yes
listen=udp:lo:$PORTI
request_route { drop; }
EOF
start_kamailio iface "$OUT/iface.cfg" "$PORTI"
NAME=iface
hc iface --pid "$KAM_PID" --cfg "$OUT/iface.cfg"
expect_finding FAIL listen "no IPv6 listener" "IPv4: udp 127.0.0.1:$PORTI"
expect_finding WARN "cfg listen interface" "listen=udp:lo:$PORTI (line 4): IPv4 only"
note "iface: $(finding listen)"

# the legacy geoip, nathelper's raw pings, DF on IPv4: in the cfg only
cat >"$OUT/ipv6bad.cfg" <<EOF
#!KAMAILIO
listen=udp:127.0.0.1:5060
listen=udp:[::1]:5060
pmtu_discovery=1
udp_mtu=1300
loadmodule "geoip.so"
loadmodule "nathelper.so"
modparam("nathelper", "natping_interval", 30)
modparam("nathelper", "udpping_from_path", 1)
route[TOCORE] {
	udp_mtu_try_proto(TCP);
}
EOF
NAME=ipv6bad
hc ipv6bad --no-listen --cfg "$OUT/ipv6bad.cfg"
expect_finding WARN "cfg geoip" "loadmodule geoip (line 6)"
expect_finding WARN "cfg nathelper raw ping" "udpping_from_path (line 9)"
expect_finding WARN "cfg pmtu_discovery" "pmtu_discovery=1 (line 4)"
expect_finding OK "cfg udp_mtu_try_proto" "udp_mtu_try_proto(TCP) in a route (line 11), none global"
expect_no_finding "cfg listen interface"

# the shipped LB: UDP phones stay on UDP, none of the above
NAME=shipped
hc shipped --no-listen --cfg "$TOP/cfg/kamailio.cfg"
expect_finding OK "cfg udp_mtu_try_proto" "udp_mtu_try_proto(TCP) in a route"
for c in "cfg geoip" "cfg nathelper raw ping" "cfg pmtu_discovery" "cfg listen interface"; do
	expect_no_finding "$c"
done
printf '%s\n' "$OUTPUT" | grep -q "^FAIL " && fail "shipped: $(grep '^FAIL ' "$OUT/shipped.out")"

# includes are read where kamailio reads them: one in a #!ifdef block
# that is off is not (kamailio starts without it), a #!define made in an
# included file decides the blocks after it
NAME=ifdef_include
echo "#!define WITH_MTU" >"$OUT/defs.cfg"
cat >"$OUT/ifdef.cfg" <<EOF
#!KAMAILIO
include_file "defs.cfg"
#!ifdef WITH_TLS
include_file "tls-missing.cfg"
#!endif
#!ifdef WITH_MTU
include_file "mtu.cfg"
#!else
include_file "nomtu-missing.cfg"
#!endif
EOF
hc ifdef_include --no-listen --cfg "$OUT/ifdef.cfg"
expect_no_finding "cfg include"
expect_finding OK "cfg udp_mtu" "udp_mtu=1300 (mtu.cfg:2)"
# the same include in a block that is on: kamailio would not start
sed -i 's/^#!ifdef WITH_TLS/#!ifndef WITH_TLS/' "$OUT/ifdef.cfg"
hc ifdef_include --no-listen --cfg "$OUT/ifdef.cfg"
expect_finding WARN "cfg include" "cannot read tls-missing.cfg (included at line 4)"

# ------------------------------------------------------------------
# 3. a fake /proc (--proc): a kamailio main (100) and child (101), sshd
#    (200) on [::]:22, sysctls of a host that is ready

FAKE=$OUT/proc
mkfake()
{
	rm -rf "$FAKE"
	mkdir -p "$FAKE/net" "$FAKE/sys/net/ipv4" "$FAKE/sys/net/core" \
		"$FAKE/sys/net/ipv6/route" "$FAKE/sys/net/ipv6/conf/all" \
		"$FAKE/sys/net/ipv6/conf/default" "$FAKE/sys/net/ipv6/conf/eth0" \
		"$FAKE/100/fd" "$FAKE/101/fd" "$FAKE/200/fd"
	echo 0 >"$FAKE/sys/net/ipv4/ip_no_pmtu_disc"
	echo 212992 >"$FAKE/sys/net/core/rmem_max"
	echo 600 >"$FAKE/sys/net/ipv6/route/mtu_expires"
	for c in all default eth0; do
		echo 0 >"$FAKE/sys/net/ipv6/conf/$c/disable_ipv6"
		echo 0 >"$FAKE/sys/net/ipv6/conf/$c/forwarding"
		echo 1 >"$FAKE/sys/net/ipv6/conf/$c/accept_ra"
		echo 1280 >"$FAKE/sys/net/ipv6/conf/$c/mtu"
	done
	echo "100 (kamailio) S 1 100 100 0 -1 4194560 0 0" >"$FAKE/100/stat"
	echo "101 (kamailio) S 100 100 100 0 -1 4194624 0 0" >"$FAKE/101/stat"
	echo "200 (sshd) S 1 200 200 0 -1 4194560 0 0" >"$FAKE/200/stat"
	ln -s "socket:[1001]" "$FAKE/100/fd/3"
	ln -s "/dev/null" "$FAKE/100/fd/0"
	ln -s "socket:[1002]" "$FAKE/101/fd/4"
	ln -s "socket:[2001]" "$FAKE/200/fd/3"
	local h4='   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops'
	local h6='  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops'
	local tail=' 00000000:00000000 00:00000000 00000000     0        0'
	# 127.0.0.1:5060 in the byte order of this host's kernel
	local lo
	lo=$(printf '\177\000\000\001' | od -An -tx4 | tr -d ' ' | tr a-f A-F)
	printf '%s\n %s\n' "$h4" "4146: $lo:13C4 00000000:0000 07$tail 1001 2 0000000000000000 0" \
		>"$FAKE/net/udp"
	local six one
	one=$(printf '\000\000\000\001' | od -An -tx4 | tr -d ' ' | tr a-f A-F)
	six="000000000000000000000000$one"
	printf '%s\n %s\n' "$h6" "99: $six:13C4 00000000000000000000000000000000:0000 07$tail 1002 2 0000000000000000 0" \
		>"$FAKE/net/udp6"
	echo "$h4" >"$FAKE/net/tcp"
	printf '%s\n %s\n' "$h6" "0: 00000000000000000000000000000000:0016 00000000000000000000000000000000:0000 0A$tail 2001 1 0000000000000000 100 0 0 10 0" \
		>"$FAKE/net/tcp6"
	echo "00000000000000000000000000000001 01 80 10 80       lo" >"$FAKE/net/if_inet6"
}

NAME=fake
mkfake
hc fake --proc "$FAKE"
expect_rc 0
expect_finding OK listen "IPv4: udp 127.0.0.1:5060; IPv6: udp [::1]:5060"
case "$(finding listen)" in *":22"*) fail "fake: sshd's socket counted: $(finding listen)" ;; esac
expect_finding OK net.ipv6.conf.all.disable_ipv6
expect_finding OK net.ipv6.conf.all.accept_ra
expect_finding OK net.core.rmem_max "212992"
grep -q "^summary: .* 0 WARN, 0 FAIL -> exit 0 " "$OUT/fake.out" || fail "fake: summary: $(tail -n 1 "$OUT/fake.out")"
hc fake --proc "$FAKE" --pid 100
expect_rc 0
hc fake --proc "$FAKE" --pid 101
expect_finding FAIL listen "no IPv4 listener (IPv6: udp [::1]:5060)"
hc fake --proc "$FAKE" --pid 999
expect_finding FAIL listen "pid 999 is not running"
expect_rc 2

# disable_ipv6=1: FAIL
NAME=disable_ipv6
echo 1 >"$FAKE/sys/net/ipv6/conf/all/disable_ipv6"
hc disable_ipv6 --proc "$FAKE" --no-listen
expect_finding FAIL net.ipv6.conf.all.disable_ipv6 "1: IPv6 disabled on all interfaces"
expect_no_finding listen
expect_rc 2
printf '%s\n' "$OUTPUT" | grep -q "net.ipv6.conf.all.disable_ipv6=0" ||
	fail "disable_ipv6: the why does not say what to set"
hc disable_ipv6-json --proc "$FAKE" --no-listen --json
grep -q '"level": "FAIL", "check": "net.ipv6.conf.all.disable_ipv6"' "$OUT/disable_ipv6-json.out" ||
	fail "disable_ipv6: not in the JSON"
echo 0 >"$FAKE/sys/net/ipv6/conf/all/disable_ipv6"
echo 1 >"$FAKE/sys/net/ipv6/conf/default/disable_ipv6"
hc disable_ipv6 --proc "$FAKE" --no-listen
expect_finding WARN net.ipv6.conf.default.disable_ipv6
expect_rc 1

# IPv6 not in the kernel: no /proc/sys/net/ipv6, no udp6/tcp6
NAME=no_ipv6
mkfake
rm -rf "$FAKE/sys/net/ipv6" "$FAKE/net/udp6" "$FAKE/net/tcp6"
hc no_ipv6 --proc "$FAKE"
expect_finding FAIL net.ipv6 "IPv6 is disabled in the kernel"
expect_finding FAIL listen "no IPv6 listener"
expect_no_finding net.ipv6.conf.all.disable_ipv6
expect_rc 2

# ip_no_pmtu_disc=1: WARN, unless the cfg keeps large requests off UDP
NAME=pmtu
mkfake
echo 1 >"$FAKE/sys/net/ipv4/ip_no_pmtu_disc"
hc pmtu --proc "$FAKE" --no-listen
expect_finding WARN net.ipv4.ip_no_pmtu_disc "does not help IPv6"
expect_rc 1
hc pmtu --proc "$FAKE" --no-listen --cfg "$OUT/dual.cfg"
expect_finding OK net.ipv4.ip_no_pmtu_disc "udp_mtu=1300"
expect_rc 0
hc pmtu --proc "$FAKE" --no-listen --cfg "$OUT/v4.cfg"
expect_finding WARN net.ipv4.ip_no_pmtu_disc
expect_finding WARN "cfg udp_mtu"
expect_rc 1

# forwarding with a SLAAC address on eth0 that RAs keep alive
NAME=ra
mkfake
echo "20010db8000000000000000000000001 02 40 00 00     eth0" >>"$FAKE/net/if_inet6"
echo 1 >"$FAKE/sys/net/ipv6/conf/eth0/forwarding"
hc ra --proc "$FAKE" --no-listen
expect_finding WARN net.ipv6.conf.eth0.accept_ra "router advertisements ignored" "eth0"
expect_rc 1
echo 2 >"$FAKE/sys/net/ipv6/conf/eth0/accept_ra"
hc ra --proc "$FAKE" --no-listen
expect_finding OK net.ipv6.conf.eth0.accept_ra "accepted"
expect_rc 0

# no kamailio process
NAME=not_running
mkfake
echo "100 (sshd) S 1 100 100 0" >"$FAKE/100/stat"
echo "101 (sshd) S 100 100 100 0" >"$FAKE/101/stat"
hc not_running --proc "$FAKE"
expect_finding FAIL listen "kamailio is not running"
expect_rc 2
hc not_running --proc "$FAKE" --no-listen
expect_rc 0

# a cfg that cannot be read: a FAIL finding, not a usage error
NAME=nocfg
mkfake
hc nocfg --proc "$FAKE" --no-listen --cfg "$OUT/missing.cfg"
expect_finding FAIL cfg "cannot read"
expect_rc 2

# ------------------------------------------------------------------
# 4. usage: exit 3; --help

NAME=usage
for args in "--bogus" "--pid abc" "--pid 0" "--port 70000" "--port" \
	"extra" "--proc $OUT/nonexistent"; do
	# shellcheck disable=SC2086
	hc usage $args
	[ "$RC" -eq 3 ] || fail "usage: '$args' exits $RC, want 3"
	grep -q "ip6-hostcheck: .*--help" "$OUT/usage.err" || fail "usage: '$args' says: $(cat "$OUT/usage.err")"
done
NAME=help
hc help --help
expect_rc 0
for s in NAME SYNOPSIS DESCRIPTION OPTIONS CHECKS "EXIT STATUS" EXAMPLES \
	--cfg --pid --port --no-listen --proc --json; do
	printf '%s\n' "$OUTPUT" | grep -q -- "$s" || fail "help: no $s"
done
hc help -h
expect_rc 0
note "exit statuses and --help as documented"
