#!/bin/bash
# regping's reply_port (modparam reply_port N): the Via of a UDP ping
# names port N of the sending socket's host, and regping's timer process
# reads the replies that come there itself, so the SIP workers never parse
# them. What users see, against a registrar on 127.0.0.1 and [::1]
# (registrar.cfg.in, pings every 2 s, dead after 4 unanswered):
# - the sink: regload's REGLOAD_REPLY_TO=via answers as RFC 3261 18.2.2
#   says (the sent-by port, the source port with rport), checked alone;
# - A: devices that answer as RFC 3261 18.2.2 says, over IPv4 and IPv6:
#   regload (REGLOAD_REPLY_TO=via) and Debian's kamailio (device.cfg.in,
#   sl_send_reply(), which logs the Via it got): the Via names N on the
#   same host, the replies are counted at N (reply_port_replies, and
#   replied_v4/v6 by as many), none dropped, core:rcv_replies does not
#   move (no SIP worker saw them), every contact alive in regping.list;
# - B: devices that answer to the source port (regload's default): their
#   replies are counted (replied_v4/v6) by the SIP workers (rcv_replies
#   moves by as many), reply_port_replies does not, the contacts alive;
# - P: baresip, a phone with its own SIP stack (libre). baresip 1.0.0
#   (bookworm) answers an OPTIONS whose Via has no rport at the Via's
#   sent-by port, and at the source port when the Via has rport (measured
#   2026-12-04 with a raw OPTIONS from one port of ::1 whose Via named
#   another): an RFC 3261 device. The test asserts it stays alive either
#   way and says which port it answered at;
# - C: what reaches N from anyone: garbage, an empty and a 60 kB datagram,
#   a SIP request, replies with two Vias (two headers, or one with a
#   comma), another branch, a Call-ID not ours, of our prefix but not our
#   form, or twice: each counted once in reply_port_dropped and by nothing
#   else; one with our Call-ID and a wrong sequence number too, and it
#   answers nothing. None of them makes
#   the mute contacts they name answered: those die. A reply right
#   in every part is taken (the control that shows the forgeries would
#   have landed). The registrar keeps all its processes, and an RFC 3261
#   device registered after it all is answered at N again;
# - N: NOTIFY keepalives name N too and their replies come there;
# - D: kamailio refuses to start, with an error naming reply_port, for
#   reply_port 70000, -1, its own SIP port, and a port another process
#   holds.
. "$(dirname "$0")/../../lib/harness.sh" regping

REGLOAD=$TOP/build/tools/regload

# a datagram of stdin's bytes to $1:$2 (loopback only): one write to
# bash's /dev/udp (no process to start: forgeries go out at once), an
# empty one from python (a write of nothing sends nothing)
dgram()
{
	local data rc fd
	case "$1" in 127.0.0.1 | ::1) ;; *) fail "dgram: $1 is not loopback" ;; esac
	data=$(mktemp "$OUT/dgram.XXXXXX")
	cat >"$data"
	if [ -s "$data" ]; then
		if exec {fd}<>"/dev/udp/$1/$2"; then
			cat "$data" >&"$fd"
			rc=$?
			exec {fd}>&-
		else
			rc=1
		fi
	else
		python3 -c 'import socket, sys
socket.socket(socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET,
	socket.SOCK_DGRAM).sendto(b"", (sys.argv[1], int(sys.argv[2])))' "$1" "$2"
		rc=$?
	fi
	rm -f "$data"
	return $rc
}

# lines of stdin with CRLF ends, as one SIP message
crlf()
{
	sed 's/$/\r/'
}

# --- the sink alone: REGLOAD_REPLY_TO=via, IPv4 and IPv6 ---
# an OPTIONS from port A whose Via names port B: the 200 arrives at B
# without rport, at A with it; one whose Via names no port is answered at
# 5060 (C, when that port is free here), one whose sent-by cannot be read
# not at all
sink_check()
{
	local ip=$1 sink pid
	sink=$(free_port)
	REGLOAD_REPLY_TO=via timeout -k 2 20 "$REGLOAD" "$ip" "$sink" "$ip" 9 0 1 10 \
		"$OUT/sink$2.times" >"$OUT/sink$2.out" 2>&1 &
	pid=$!
	track "$pid"
	wait_udp_port "$sink" "$pid" || fail "regload (via) on $ip did not start: $(cat "$OUT/sink$2.out")"
	python3 - "$ip" "$sink" >"$OUT/sink$2.check" <<'PY' || fail "regload REGLOAD_REPLY_TO=via on $ip: $(cat "$OUT/sink$2.check")"
import select, socket, sys
ip, sink = sys.argv[1], int(sys.argv[2])
fam = socket.AF_INET6 if ":" in ip else socket.AF_INET
h = "[%s]" % ip if ":" in ip else ip
a, b = (socket.socket(fam, socket.SOCK_DGRAM) for _ in "ab")
for s in a, b:
    s.bind((ip, 0))
pb = b.getsockname()[1]
# where a Via without a port sends the reply, when that port is free here
c = socket.socket(fam, socket.SOCK_DGRAM)
try:
    c.bind((ip, 5060))
    no_port = "C"
except OSError:
    c = None
    no_port = "-"
    print("5060 on %s is taken: the reply to a Via without a port not checked" % ip)
cases = [("%s:%d;branch=z9hG4bK-s1" % (h, pb), "B"),
         ("%s:%d;branch=z9hG4bK-s2;rport" % (h, pb), "A"),
         ("%s : %d ; branch=z9hG4bK-s3 ; RPORT, SIP/2.0/UDP x:1" % (h, pb), "A"),
         ("%s:%d;branch=z9hG4bK-s4, SIP/2.0/UDP x:1;rport" % (h, pb), "B"),
         ("%s;branch=z9hG4bK-s5" % h, no_port),
         ("%s:99999;branch=z9hG4bK-s6" % h, "-")]
bad = 0
for n, (via, want) in enumerate(cases):
    a.sendto(("OPTIONS sip:x@%s SIP/2.0\r\nVia: SIP/2.0/UDP %s\r\n"
              "From: <sip:t@example.net>;tag=t\r\nTo: <sip:x@example.net>\r\n"
              "Call-ID: sink-%d\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
              % (h, via, n)).encode(), (ip, sink))
    # up to 0.5 s for the answer, then 0.1 s for another one
    names = {a: "A", b: "B", c: "C"}
    got, wait = "", 0.5
    while True:
        ready = select.select([s for s in names if s], [], [], wait)[0]
        if not ready:
            break
        for s in ready:
            if s.recv(9000).startswith(b"SIP/2.0 200"):
                got += names[s]
        wait = 0.1
    got = got or "-"
    print("Via %s: answered at %s (expected %s)" % (via, got, want))
    bad += got != want
sys.exit(1 if bad else 0)
PY
	stop_pid "$pid"
	grep -q "replies to the Via's port 3, to the source port (rport) 2" "$OUT/sink$2.out" ||
		fail "regload (via) on $ip reports: $(cat "$OUT/sink$2.out")"
}
sink_check 127.0.0.1 4
sink_check ::1 6
note "regload REGLOAD_REPLY_TO=via: answers at the Via's sent-by port, at the source port with rport (IPv4, IPv6)"

PORT=$(free_port)
RP=$(free_port)
DPORT=$(free_port)
render "$HERE/registrar.cfg.in" "$OUT/registrar.cfg" TOP PORT OUT
render "$HERE/device.cfg.in" "$OUT/device.cfg" PORT DPORT
start_kamailio registrar "$OUT/registrar.cfg" "$PORT" -A "REPLY_PORT=$RP"
REG_PID=$KAM_PID
rpc regping.status | grep -q "reply_port: $RP\$" ||
	fail "regping.status does not show reply_port $RP: $(rpc regping.status | tr '\n\t' '  ')"
note "reply_port $RP (regping.status shows it)"

# --- helpers ---

# "reply_port_replies reply_port_dropped replied_v4 replied_v6 rcv_replies"
snap()
{
	local c v out=""
	for c in reply_port_replies reply_port_dropped replied_v4 replied_v6; do
		v=$(rpc cnt.get regping "$c") || fail "cnt.get regping $c: $v"
		out="$out $v"
	done
	v=$(rpc cnt.get core rcv_replies) || fail "cnt.get core rcv_replies: $v"
	echo "${out# } $v"
}
# snap once nothing changes any more (0.5 s apart)
settled()
{
	local a b i
	a=$(snap)
	for i in $(seq 10); do
		sleep 0.5
		b=$(snap)
		[ "$a" = "$b" ] && break
		a=$b
	done
	echo "$b"
}
# the growth from snap $1 to snap $2, as "rpr=.. rpd=.. r4=.. r6=.. core=.."
grown()
{
	local a b
	read -r -a a <<<"$1"
	read -r -a b <<<"$2"
	echo "rpr=$((b[0] - a[0])) rpd=$((b[1] - a[1])) r4=$((b[2] - a[2])) r6=$((b[3] - a[3])) core=$((b[4] - a[4]))"
}
# field $2 of the regping.list entry of AoR $1 (its only contact)
field()
{
	rpc regping.list "$1" | sed -n "s/^[[:space:]]*$2: //p" | head -n 1
}
listed()
{
	rpc regping.list "$1" | grep -q "aor: $1\$"
}
# pings of AoR $1 since its seq was $2 (seq is 32-bit, from a random start)
pings_since()
{
	local s
	s=$(field "$1" seq)
	[ -n "$s" ] || { echo 0; return; }
	echo $(((s - $2) & 0xffffffff))
}
# AoR $1 pinged at least $3 times since seq $2
pinged()
{
	[ "$(pings_since "$1" "$2")" -ge "$3" ]
}
# AoR $1 is pinged, answered since unix time $2, no failure: a contact
# whose replies go nowhere has a failure from its second ping on
alive()
{
	local l r
	l=$(rpc regping.list "$1")
	printf '%s\n' "$l" | grep -q "aor: $1\$" &&
		printf '%s\n' "$l" | grep -q "failures: 0\$" &&
		printf '%s\n' "$l" | grep -q "dead: 0\$" || return 1
	r=$(printf '%s\n' "$l" | sed -n 's/^[[:space:]]*last_reply: //p')
	[ "${r:-0}" -ge "$2" ]
}
check_alive()
{
	alive "$1" "$2" || fail "$1 is not alive (answered since $2): $(rpc regping.list "$1" | tr '\n\t' '  ')"
}
# a regload device registering user <prefix>0 from ip:port, answering
# pings for up to 60 s; REGLOAD_REPLY_TO as exported. Sets DEV_PID.
regload_dev()
{
	local name=$1 ip=$2 prefix=$3 port
	port=$(free_port)
	timeout -k 2 60 "$REGLOAD" "$ip" "$port" "$ip" "$PORT" 1 10 60 "$OUT/$name.times" \
		"$prefix" >"$OUT/$name.out" 2>&1 &
	DEV_PID=$!
	track "$DEV_PID"
	wait_for 5 listed "${prefix}0" || fail "$name (${prefix}0) did not register: $(cat "$OUT/$name.out")"
}
# the pings regload device $1 answered (it has ended)
regload_pings()
{
	sed -n 's/.*; pings \([0-9]*\) in .*/\1/p' "$OUT/$1.out"
}
# a REGISTER for AoR $2 sent to the device kamailio over $1's family: it
# goes on to the registrar from the device's socket
kdev_register()
{
	local ip=$1 aor=$2 h
	h=$(uri_host "$ip")
	python3 "$TOP/test/lib/sipraw.py" "$ip" "$DPORT" >"$OUT/$aor.reg" <<TPL
REGISTER sip:$h:$PORT SIP/2.0
Via: SIP/2.0/UDP @LIP@:@LPORT@;branch=@BRANCH@
From: <sip:$aor@example.net>;tag=r1
To: <sip:$aor@example.net>
Call-ID: @CALLID@
CSeq: 1 REGISTER
Contact: <sip:$aor@$h:$DPORT>
Expires: 300
Max-Forwards: 70
Content-Length: 0

TPL
	grep -q "codes=200x1" "$OUT/$aor.reg" || fail "$aor via the device kamailio: $(cat "$OUT/$aor.reg")"
	listed "$aor" || fail "$aor registered but not in regping.list"
}
# OPTIONS pings the device kamailio got from the registrar over family $1
kdev_pings()
{
	grep -ac "device got OPTIONS from $1 port $PORT via" "$OUT/device.log"
}

# --- A: devices that answer at the Via's port ---
T_A=$(date +%s)
s0=$(settled)
REGLOAD_REPLY_TO=via regload_dev via4 127.0.0.1 via4u
VIA4_PID=$DEV_PID
REGLOAD_REPLY_TO=via regload_dev via6 ::1 via6u
VIA6_PID=$DEV_PID
start_kamailio device "$OUT/device.cfg" "$DPORT"
DEV_KAM_PID=$KAM_PID
kdev_register 127.0.0.1 kdev4
kdev_register ::1 kdev6
declare -A SEQ0
for a in via4u0 via6u0 kdev4 kdev6; do
	SEQ0[$a]=$(field "$a" seq)
done
# 4 pings each: each judged when the next one goes
a_enough()
{
	local a
	for a in via4u0 via6u0 kdev4 kdev6; do
		pinged "$a" "${SEQ0[$a]}" 3 || return 1
	done
}
wait_for 12 a_enough || fail "A: pings after 12 s: via4u0 $(pings_since via4u0 "${SEQ0[via4u0]}"), via6u0 $(pings_since via6u0 "${SEQ0[via6u0]}"), kdev4 $(pings_since kdev4 "${SEQ0[kdev4]}"), kdev6 $(pings_since kdev6 "${SEQ0[kdev6]}")"
for a in via4u0 via6u0 kdev4 kdev6; do
	check_alive "$a" "$T_A"
done
# the Via the device got: the registrar's host, port N, from its SIP port
via4=$(grep -a -m1 "device got OPTIONS from 127.0.0.1 port $PORT via" "$OUT/device.log" | sed 's/.* via \[\([^]]*\)\].*/\1/')
via6=$(grep -a -m1 "device got OPTIONS from ::1 port $PORT via" "$OUT/device.log" | sed 's/.* via \[\(.*\)\] call-id.*/\1/')
case "$via4" in "SIP/2.0/UDP 127.0.0.1:$RP;branch=z9hG4bKrp."*) ;; *) fail "A: the IPv4 ping's Via at the device: [$via4] (expected 127.0.0.1:$RP)" ;; esac
case "$via6" in "SIP/2.0/UDP [::1]:$RP;branch=z9hG4bKrp."*) ;; *) fail "A: the IPv6 ping's Via at the device: [$via6] (expected [::1]:$RP)" ;; esac
# the devices leave; what they answered has arrived once the counters rest
stop_pid "$VIA4_PID"
stop_pid "$VIA6_PID"
stop_pid "$DEV_KAM_PID"
s1=$(settled)
g=$(grown "$s0" "$s1")
n4=$(($(regload_pings via4) + $(kdev_pings 127.0.0.1)))
n6=$(($(regload_pings via6) + $(kdev_pings ::1)))
note "A: answered at reply_port: IPv4 $n4 (regload $(regload_pings via4), kamailio $(kdev_pings 127.0.0.1)), IPv6 $n6 (regload $(regload_pings via6), kamailio $(kdev_pings ::1)); counters grew $g"
note "A: Vias: [$via4] [$via6]"
eval "${g// /; }"
[ "$core" = 0 ] || fail "A: core:rcv_replies grew by $core: the SIP workers parsed replies that came to reply_port ($g)"
[ "$rpd" = 0 ] || fail "A: $rpd replies to our pings were dropped at reply_port ($g)"
[ "$r4" -ge "$n4" ] && [ "$r6" -ge "$n6" ] ||
	fail "A: the devices answered IPv4 $n4, IPv6 $n6 pings; replied_v4 grew by $r4, replied_v6 by $r6"
[ "$rpr" = $((r4 + r6)) ] || fail "A: reply_port_replies grew by $rpr, the replies counted by $((r4 + r6)) ($g)"
grep -q "onreply_route saw" "$OUT/registrar.log" && fail "A: a ping reply reached onreply_route: $(grep -m1 'onreply_route saw' "$OUT/registrar.log")"

# --- B: devices that answer to the source port ---
T_B=$(date +%s)
s0=$s1
REGLOAD_REPLY_TO= regload_dev src4 127.0.0.1 src4u
SRC4_PID=$DEV_PID
REGLOAD_REPLY_TO= regload_dev src6 ::1 src6u
SRC6_PID=$DEV_PID
SEQ0[src4u0]=$(field src4u0 seq)
SEQ0[src6u0]=$(field src6u0 seq)
b_enough() { pinged src4u0 "${SEQ0[src4u0]}" 3 && pinged src6u0 "${SEQ0[src6u0]}" 3; }
wait_for 12 b_enough || fail "B: pings after 12 s: src4u0 $(pings_since src4u0 "${SEQ0[src4u0]}"), src6u0 $(pings_since src6u0 "${SEQ0[src6u0]}")"
check_alive src4u0 "$T_B"
check_alive src6u0 "$T_B"
stop_pid "$SRC4_PID"
stop_pid "$SRC6_PID"
s1=$(settled)
g=$(grown "$s0" "$s1")
n4=$(regload_pings src4)
n6=$(regload_pings src6)
note "B: answered at the source port: IPv4 $n4, IPv6 $n6; counters grew $g"
eval "${g// /; }"
[ "$rpr" = 0 ] && [ "$rpd" = 0 ] || fail "B: replies to the SIP port were counted at reply_port ($g)"
[ "$r4" -ge "$n4" ] && [ "$r6" -ge "$n6" ] ||
	fail "B: the devices answered IPv4 $n4, IPv6 $n6 pings; replied_v4 grew by $r4, replied_v6 by $r6"
# the control of A's rcv_replies: replies at the SIP port are what it counts
[ "$core" = $((r4 + r6)) ] || fail "B: core:rcv_replies grew by $core, the replies counted by $((r4 + r6)) ($g)"

# --- P: baresip (IPv6), registered at the registrar itself ---
if command -v baresip >/dev/null; then
	T_P=$(date +%s)
	s0=$s1
	BS=$OUT/baresip
	BS_SIP=$(free_port)
	rm -rf "$BS"
	mkdir -p "$BS"
	{
		printf 'sip_listen\t[::1]:%s\n' "$BS_SIP"
		printf 'net_interface\t::1\n'
		printf 'module_path\t/usr/lib/baresip/modules\n'
		for m in stdio g711 account menu; do
			printf 'module\t%s.so\n' "$m"
		done
	} >"$BS/config"
	printf '<sip:bs6@[::1]:%s;transport=udp>;regint=300\n' "$PORT" >"$BS/accounts"
	mkfifo "$BS/cmd"
	# held open, so that baresip never reads an end of input
	exec {bs_fd}<>"$BS/cmd"
	HOME=$BS baresip -6 -f "$BS" -s <"$BS/cmd" >"$BS/sip.log" 2>&1 &
	BS_PID=$!
	track "$BS_PID"
	wait_for 10 listed bs6 || fail "P: baresip did not register: $(tail -n 5 "$BS/sip.log")"
	SEQ0[bs6]=$(field bs6 seq)
	wait_for 12 pinged bs6 "${SEQ0[bs6]}" 3 || fail "P: baresip got $(pings_since bs6 "${SEQ0[bs6]}") pings in 12 s"
	check_alive bs6 "$T_P"
	stop_pid "$BS_PID"
	exec {bs_fd}>&-
	s1=$(settled)
	g=$(grown "$s0" "$s1")
	eval "${g// /; }"
	if [ "$rpr" -gt 0 ] && [ "$core" = 0 ] && [ "$rpr" = "$r6" ]; then
		where="the Via's port (reply_port): RFC 3261 18.2.2"
	elif [ "$rpr" = 0 ] && [ "$core" -gt 0 ] && [ "$core" = "$r6" ]; then
		where="the source port"
	else
		fail "P: baresip's replies are counted neither all at reply_port nor all at the SIP port ($g)"
	fi
	[ "$rpd" = 0 ] || fail "P: $rpd of baresip's replies dropped at reply_port"
	note "P: baresip $(sed -n 's/^baresip v\([^ ]*\).*/\1/p' "$BS/sip.log" | head -n 1) alive, it answered at $where ($g)"
else
	note "P: no baresip here (make deps installs baresip-core): not run"
fi

# --- C: what anyone can send to reply_port ---
# into $OUT/dgram: a reply to the ping contact $1 awaits now (regping.list:
# its seq and ruid), with the Via lines $2 (@B@: the ping's branch, @C@:
# its Call-ID), the Call-ID $3 (default @C@) and first line $4 (default
# SIP/2.0 200 OK); $5: a mask the sequence number is XORed with (0)
reply_to()
{
	local seq ruid b c h
	seq=$(field "$1" seq)
	ruid=$(field "$1" ruid)
	[ -n "$seq" ] && [ -n "$ruid" ] || fail "C: $1 is no longer pinged: $(rpc regping.list "$1")"
	seq=$(printf '%x' $(((seq ^ ${5:-0}) & 0xffffffff)))
	b="z9hG4bKrp.$seq.$ruid"
	c=regping-$seq-$ruid
	h=${2//@B@/$b}
	h=${h//@C@/$c}
	b=${3:-@C@}
	printf '%s\n%s\nFrom: <sip:regping@localhost>;tag=f\nTo: <sip:%s@example.net>;tag=x\nCall-ID: %s\nCSeq: 1 OPTIONS\nContent-Length: 0\n\n' \
		"${4:-SIP/2.0 200 OK}" "$h" "$1" "${b//@C@/$c}" | crlf >"$OUT/dgram"
}
# send stdin to reply_port at $1 (an address), then wait (up to 3 s, at
# once: the contacts it names are pinged on) until counter $2 grew from
# what it was; $3 names it. Not the end of a pipeline (a subshell there,
# whose fail would not end the test): its input from a file
expect_counted()
{
	local ip=$1 c=$2 what=$3 before i
	before=$(rpc cnt.get regping "$c")
	dgram "$ip" "$RP" || fail "C: $what: not sent"
	for i in $(seq 60); do
		[ "$(rpc cnt.get regping "$c")" -gt "$before" ] && return 0
		sleep 0.05
	done
	fail "C: $what sent to $(uri_host "$ip"):$RP: $c did not grow ($(snap))"
}
# wait until AoR $1 got its next ping (its seq moves): the reply forged
# then lands well before the ping after
next_ping()
{
	local was i
	was=$(field "$1" seq)
	for i in $(seq 60); do
		[ "$(field "$1" seq)" != "$was" ] && return 0
		sleep 0.05
	done
	return 1
}
T_C=$(date +%s)
psx_before=$(rpc core.psx | grep -c "PID:")
ua mute4 127.0.0.1 mute4 127.0.0.1 5999 0 40
ua mute6 ::1 mute6 "[::1]" 5999 0 40
first_ping() { [ "$(pings "$1")" -ge 1 ]; }
for u in mute4 mute6; do
	wait_for 5 first_ping "$u" || fail "C: $u got no ping"
done
# the Via sipp got: port N of the registrar's host, as at the device
for u in mute4:127.0.0.1 mute6:\[::1\]; do
	v=$(msg_header "$(sipp_received_msg "$OUT/${u%%:*}.msg" "OPTIONS ")" Via)
	case "$v" in "SIP/2.0/UDP ${u#*:}:$RP;branch=z9hG4bKrp."*) ;; *) fail "C: ${u%%:*}'s ping Via: [$v]" ;; esac
done
s0=$(settled)
t_forge=$(date +%s%N)
for f in 4 6; do
	ip=127.0.0.1
	[ $f = 6 ] && ip=::1
	h=$(uri_host "$ip")
	m=mute$f
	printf 'garbage \001\377 not SIP at all' >"$OUT/dgram"
	expect_counted "$ip" reply_port_dropped "IPv$f garbage" <"$OUT/dgram"
	printf '' >"$OUT/dgram"
	expect_counted "$ip" reply_port_dropped "IPv$f an empty datagram" <"$OUT/dgram"
	head -c 60000 /dev/zero | tr '\0' x >"$OUT/dgram"
	expect_counted "$ip" reply_port_dropped "IPv$f 60 kB of x" <"$OUT/dgram"
	reply_to "$m" "Via: SIP/2.0/UDP $h:$RP;branch=@B@" @C@ "OPTIONS sip:$m@$h:$RP SIP/2.0"
	expect_counted "$ip" reply_port_dropped "IPv$f a request with our Via and Call-ID" <"$OUT/dgram"
	reply_to "$m" "Via: SIP/2.0/UDP $h:$RP;branch=@B@
Via: SIP/2.0/UDP $h:5999;branch=z9hG4bK-other"
	expect_counted "$ip" reply_port_dropped "IPv$f a reply with two Via headers" <"$OUT/dgram"
	reply_to "$m" "Via: SIP/2.0/UDP $h:$RP;branch=@B@, SIP/2.0/UDP $h:5999;branch=z9hG4bK-other"
	expect_counted "$ip" reply_port_dropped "IPv$f a reply with two Vias in one header" <"$OUT/dgram"
	reply_to "$m" "Via: SIP/2.0/UDP $h:$RP;branch=z9hG4bK-not-ours"
	expect_counted "$ip" reply_port_dropped "IPv$f a reply with another branch" <"$OUT/dgram"
	reply_to "$m" "Via: SIP/2.0/UDP $h:$RP;branch=@B@" "not-ours-@C@"
	expect_counted "$ip" reply_port_dropped "IPv$f a reply with another Call-ID" <"$OUT/dgram"
	reply_to "$m" "Via: SIP/2.0/UDP $h:$RP;branch=@B@" "regping-0zz-x"
	expect_counted "$ip" reply_port_dropped "IPv$f a reply with our Call-ID prefix, not our form" <"$OUT/dgram"
	reply_to "$m" "Via: SIP/2.0/UDP $h:$RP;branch=@B@
Call-ID: @C@"
	expect_counted "$ip" reply_port_dropped "IPv$f a reply with two Call-IDs" <"$OUT/dgram"
done
s1=$(settled)
g=$(grown "$s0" "$s1")
note "C: 10 hostile datagrams per family, sent and counted one by one in $((($(date +%s%N) - t_forge) / 1000000)) ms: $g"
eval "${g// /; }"
[ "$rpd" = 20 ] && [ "$rpr" = 0 ] && [ "$r4" = 0 ] && [ "$r6" = 0 ] && [ "$core" = 0 ] ||
	fail "C: 20 datagrams that answer no ping: expected rpd=20 and nothing else, got $g"
# our Call-ID form, one Via with our branch, a sequence number never sent:
# counted once, somewhere, and answers no ping
s0=$s1
for f in 4 6; do
	ip=127.0.0.1
	[ $f = 6 ] && ip=::1
	reply_to "mute$f" "Via: SIP/2.0/UDP $(uri_host "$ip"):$RP;branch=@B@" @C@ "" 0x80000000
	dgram "$ip" "$RP" <"$OUT/dgram" || fail "C: the wrong-sequence reply not sent"
	# then garbage: once that is counted, the forgery before it was read
	printf 'marker' >"$OUT/dgram"
	expect_counted "$ip" reply_port_dropped "IPv$f a marker after the wrong-sequence reply" <"$OUT/dgram"
done
s1=$(settled)
g=$(grown "$s0" "$s1")
eval "${g// /; }"
[ "$r4" = 0 ] && [ "$r6" = 0 ] && [ "$core" = 0 ] || fail "C: a reply with a wrong sequence number was taken for an answer ($g)"
# a reply that answers no ping awaited is dropped like any forgery
[ "$rpd" = 4 ] && [ "$rpr" = 0 ] || fail "C: 2 wrong-sequence replies and 2 markers: expected rpd=4 rpr=0, got $g"
note "C: our Call-ID with a wrong sequence number, IPv4 and IPv6: counted in reply_port_dropped ($g)"
# the mute contacts never counted as answered, and they die
for m in mute4 mute6; do
	[ "$(field "$m" last_reply)" = 0 ] || fail "C: $m counts as answered: $(rpc regping.list "$m" | tr '\n\t' '  ')"
done
# the control: a reply right in every part, from anyone, is taken (the
# Call-ID, which only the device sees, is what makes a reply ours)
ua echo4 127.0.0.1 echo4 127.0.0.1 5999 0 40
wait_for 5 first_ping echo4 || fail "C: echo4 got no ping"
s0=$(settled)
next_ping echo4 || fail "C: echo4 got no ping in 3 s"
reply_to echo4 "Via: SIP/2.0/UDP 127.0.0.1:$RP;branch=@B@"
expect_counted 127.0.0.1 replied_v4 "a reply right in every part" <"$OUT/dgram"
s1=$(settled)
g=$(grown "$s0" "$s1")
[ "$g" = "rpr=1 rpd=0 r4=1 r6=0 core=0" ] || fail "C: the control reply counted as $g"
[ "$(field echo4 last_reply)" -ge "$T_C" ] || fail "C: the control reply did not reach echo4: $(rpc regping.list echo4 | tr '\n\t' '  ')"
dead() { grep -q "contact dead: aor $1 " "$OUT/registrar.log"; }
wait_for 8 dead mute4 || fail "C: mute4 was not declared dead"
wait_for 2 dead mute6 || fail "C: mute6 was not declared dead"
listed mute4 && fail "C: mute4 is still pinged after its death"
note "C: mute4 and mute6 died unanswered; the control reply reached echo4"
# the registrar runs on with every process
kill -0 "$REG_PID" 2>/dev/null || fail "C: the registrar is gone"
psx_after=$(rpc core.psx | grep -c "PID:")
[ "$psx_after" = "$psx_before" ] || fail "C: the registrar had $psx_before processes, now $psx_after"
rpc core.psx | grep -q "regping" || fail "C: no regping timer process: $(rpc core.psx | tr '\n' ' ')"
# and reply_port still takes replies
T_C2=$(date +%s)
s0=$(settled)
REGLOAD_REPLY_TO=via regload_dev after4 127.0.0.1 after4u
AFTER_PID=$DEV_PID
SEQ0[after4u0]=$(field after4u0 seq)
wait_for 10 pinged after4u0 "${SEQ0[after4u0]}" 3 || fail "C: after4u0 got $(pings_since after4u0 "${SEQ0[after4u0]}") pings in 10 s"
check_alive after4u0 "$T_C2"
stop_pid "$AFTER_PID"
s1=$(settled)
g=$(grown "$s0" "$s1")
eval "${g// /; }"
[ "$rpr" -ge "$(regload_pings after4)" ] && [ "$rpr" -ge 3 ] && [ "$core" = 0 ] ||
	fail "C: after the hostile datagrams, an RFC 3261 device answered $(regload_pings after4) pings: $g"
note "C: registrar alive with its $psx_after processes; an RFC 3261 device after it all: $g"
stop_all

# --- N: NOTIFY keepalives ---
PORT=$(free_port)
RP=$(free_port)
DPORT=$(free_port)
render "$HERE/registrar.cfg.in" "$OUT/notify.cfg" TOP PORT OUT
render "$HERE/device.cfg.in" "$OUT/ndevice.cfg" PORT DPORT
start_kamailio notify "$OUT/notify.cfg" "$PORT" -A "REPLY_PORT=$RP" -A NOTIFY
T_N=$(date +%s)
s0=$(settled)
start_kamailio ndevice "$OUT/ndevice.cfg" "$DPORT"
kdev_register ::1 nkdev6
SEQ0[nkdev6]=$(field nkdev6 seq)
wait_for 12 pinged nkdev6 "${SEQ0[nkdev6]}" 3 || fail "N: nkdev6 got $(pings_since nkdev6 "${SEQ0[nkdev6]}") NOTIFYs in 12 s"
check_alive nkdev6 "$T_N"
nline=$(grep -a -m1 "device got NOTIFY from ::1 port $PORT via" "$OUT/ndevice.log")
nvia=$(printf '%s\n' "$nline" | sed 's/.* via \[\(.*\)\] call-id.*/\1/')
ncontact=$(printf '%s\n' "$nline" | sed 's/.* contact \[\(.*\)\]$/\1/')
case "$nvia" in "SIP/2.0/UDP [::1]:$RP;branch=z9hG4bKrp."*) ;; *) fail "N: the NOTIFY's Via at the device: [$nvia]" ;; esac
# a request to the Contact goes to the SIP port: nothing reads requests at N
[ "$ncontact" = "<sip:[::1]:$PORT>" ] || fail "N: the NOTIFY's Contact at the device: [$ncontact], expected the SIP port $PORT"
stop_pid "$KAM_PID"
g=$(grown "$s0" "$(settled)")
eval "${g// /; }"
[ "$rpr" -ge 3 ] && [ "$rpr" = "$r6" ] && [ "$core" = 0 ] || fail "N: NOTIFY replies: $g"
note "N: NOTIFY Via [$nvia], Contact [$ncontact], replies $g"
stop_all

# --- D: kamailio refuses a reply_port it cannot have ---
# usage: refused what value: kamailio with reply_port value exits, its
# log has an ERROR naming reply_port and the value
refused()
{
	local what=$1 rp=$2 OUT=$OUT/bad-$1 log pid rc line
	mkdir -p "$OUT"
	log=$OUT/kamailio.log
	render "$HERE/registrar.cfg.in" "$OUT/registrar.cfg" TOP PORT OUT
	kamailio -f "$OUT/registrar.cfg" -DD -E -m 64 -M 8 -Y "$OUT" -A "REPLY_PORT=$rp" >"$log" 2>&1 &
	pid=$!
	track "$pid"
	gone_within 100 "$pid" || fail "D: kamailio with reply_port $rp ($what) still runs after 10 s"
	wait "$pid"
	rc=$?
	[ "$rc" != 0 ] || fail "D: kamailio with reply_port $rp ($what) exited 0"
	line=$(grep -a "ERROR" "$log" | grep -a "reply_port" | grep -a -m1 -e "$rp") ||
		fail "D: reply_port $rp ($what): no error naming reply_port and $rp: $(grep -a -m3 'ERROR' "$log")"
	note "D: reply_port $rp ($what): exit $rc, ${line#*ERROR: }"
}
PORT=$(free_port)
refused too-large 70000
refused negative -1
refused sip-port "$PORT"
HELD=$(free_port)
timeout -k 2 20 "$REGLOAD" 127.0.0.1 "$HELD" 127.0.0.1 9 0 1 15 "$OUT/held.times" >"$OUT/held.out" 2>&1 &
HELD_PID=$!
track "$HELD_PID"
wait_udp_port "$HELD" "$HELD_PID" || fail "D: the process holding port $HELD did not start"
refused taken "$HELD"
stop_pid "$HELD_PID"
