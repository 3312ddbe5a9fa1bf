#!/bin/bash
# Capture where operators look: the shipped LB (cfg/kamailio.cfg) with
# HEP_DST mirrors every SIP message it receives and sends as HEPv3
# (siptrace). For a collector on 127.0.0.1 and one on [::1]
# (hepsink.py here decodes each HEP packet as it arrives): both legs
# of a bridged IPv6->IPv4 call are there with the family, addresses and
# ports each message had on the wire (the IPv6 caller and the LB, the LB
# and the IPv4 core and callee, the replies back), every packet is
# well-formed HEPv3, and the LB logged no "interworking detected". The
# keepalives regping sends are mirrored with their replies;
# siptrace.status off/on pauses and resumes the mirroring.
. "$(dirname "$0")/../../lib/harness.sh" system regping

start_rtpengine

# one run: a collector on $2, the core and the LB mirroring to it, bob
# registers from IPv4, an IPv6 phone calls him (bridged); then the checks.
# usage: capture_run name collector_ip [keepalives]
capture_run()
{
	local name=$1 cip=$2 hep pid ok via caller callid bad
	hep=$(free_port)
	python3 "$HERE/hepsink.py" "$cip" "$hep" "$OUT/$name-hep.tsv" \
		2>"$OUT/$name-hepsink.err" &
	pid=$!
	track "$pid"
	wait_udp_port "$hep" "$pid" ||
		fail "$name: the collector did not start: $(cat "$OUT/$name-hepsink.err")"

	start_core_lb -A "HEP_DST=\"sip:$(uri_host "$cip"):$hep\""
	register_ua "$name-reg-bob" 127.0.0.1 bob
	bob=$REG_PORT
	AFB_UAS_PORT=$bob AFB_RURI="sip:bob@127.0.0.1" afb_call "$name" call ::1 127.0.0.1 1
	# the caller's address and the Call-ID, from the 200 it got
	ok=$(sipp_received_msg "$OUT/$name-uac.msg" "SIP/2.0 200" "CSeq: 1 INVITE")
	via=$(msg_header "$ok" Via)
	caller=${via#SIP/2.0/UDP }
	caller=${caller%%;*}
	callid=$(msg_header "$ok" Call-ID)
	[ -n "$callid" ] && [ "${caller#\[::1\]:}" != "$caller" ] ||
		fail "$name: no caller address or Call-ID in its 200: $ok"

	[ "${3:-}" = keepalives ] && capture_keepalives "$name"
	stop_pid "$LB_PID"
	stop_pid "$CORE_PID"
	stop_pid "$pid"
	cp "$OUT/lb.log" "$OUT/$name-lb.log"
	grep -q "interworking detected" "$OUT/$name-lb.log" &&
		fail "$name: the LB logged: $(grep -m1 'interworking detected' "$OUT/$name-lb.log")"
	grep -q "ERROR: siptrace" "$OUT/$name-lb.log" &&
		fail "$name: siptrace errors: $(grep -m3 'ERROR: siptrace' "$OUT/$name-lb.log")"

	bad=$(grep -c -v "^ok	" "$OUT/$name-hep.tsv")
	[ "$bad" = 0 ] || fail "$name: $bad HEP packets not well-formed: $(grep -m3 -v '^ok	' "$OUT/$name-hep.tsv")"
	# every HEP packet comes from the LB's SIP socket of the collector's family
	awk -F'\t' -v s="$(uri_host "$cip"):$KPORT" '$6 != s' "$OUT/$name-hep.tsv" | grep -q . &&
		fail "$name: HEP packets not sent from $(uri_host "$cip"):$KPORT: $(awk -F'\t' '{ print $6 }' "$OUT/$name-hep.tsv" | sort -u | tr '\n' ' ')"
	note "$name: $(wc -l <"$OUT/$name-hep.tsv") messages mirrored to $(uri_host "$cip"):$hep ($(awk -F'\t' '{ n[$2]++ } END { for(f in n) printf "IPv%s %d ", f, n[f] }' "$OUT/$name-hep.tsv"))"

	# the call's messages: "family src dst what" (what: the method, or
	# status/CSeq method)
	awk -F'\t' -v cid="$callid" '$8 == cid && $3 == "udp" {
		split($7, w, " ")
		print $2, $4, $5, (w[1] == "SIP/2.0") ? w[2] "/" $9 : w[1] }' "$OUT/$name-hep.tsv" \
		>"$OUT/$name-call.txt"
	capture_has "$name" "6 $caller [::1]:$KPORT INVITE" "the caller's INVITE to the LB"
	capture_has "$name" "4 127.0.0.1:$KPORT 127.0.0.1:$CORE_PORT INVITE" "the LB's INVITE to the core"
	capture_has "$name" "4 127.0.0.1:$CORE_PORT 127.0.0.1:$KPORT INVITE" "the core's INVITE back to the LB"
	capture_has "$name" "4 127.0.0.1:$KPORT 127.0.0.1:$bob INVITE" "the LB's INVITE to the callee"
	capture_has "$name" "4 127.0.0.1:$bob 127.0.0.1:$KPORT 200/INVITE" "the callee's 200 to the LB"
	capture_has "$name" "4 127.0.0.1:$KPORT 127.0.0.1:$CORE_PORT 200/INVITE" "the LB's 200 to the core"
	capture_has "$name" "4 127.0.0.1:$CORE_PORT 127.0.0.1:$KPORT 200/INVITE" "the core's 200 to the LB"
	capture_has "$name" "6 [::1]:$KPORT $caller 200/INVITE" "the LB's 200 to the caller"
	capture_has "$name" "6 $caller [::1]:$KPORT ACK" "the caller's ACK"
	capture_has "$name" "4 127.0.0.1:$KPORT 127.0.0.1:$bob ACK" "the ACK to the callee"
	capture_has "$name" "6 $caller [::1]:$KPORT BYE" "the caller's BYE"
	capture_has "$name" "4 127.0.0.1:$KPORT 127.0.0.1:$bob BYE" "the BYE to the callee"
	capture_has "$name" "4 127.0.0.1:$bob 127.0.0.1:$KPORT 200/BYE" "the callee's 200 for the BYE"
	capture_has "$name" "6 [::1]:$KPORT $caller 200/BYE" "the 200 for the BYE to the caller"
	# nothing of the call with the families mixed up
	awk '($1 == 6) != ($2 ~ /^\[/ && $3 ~ /^\[/)' "$OUT/$name-call.txt" | grep -q . &&
		fail "$name: messages whose family does not match their addresses: $(awk '($1 == 6) != ($2 ~ /^\[/ && $3 ~ /^\[/)' "$OUT/$name-call.txt")"
	note "$name: both legs of the call: $(awk '{ n[$1]++ } END { printf "%d IPv6, %d IPv4 messages", n[6], n[4] }' "$OUT/$name-call.txt"), caller $caller"
}

# the keepalives of an IPv6 device that answers (every PING_INTERVAL, 2 s)
# are mirrored, pings and replies; siptrace.status off stops the
# mirroring, on resumes it. usage: capture_keepalives name
capture_keepalives()
{
	local tsv="$OUT/$1-hep.tsv" carol p n
	PORT=$KPORT ua "$1-carol" ::1 carol "[::1]" 5999
	carol=$UA_PORT_USED
	pinged() { [ "$(pings "$1-carol")" -ge "$2" ]; }
	# carol's pings and their 200s in lines $2.. of the capture
	mirrored()
	{
		tail -n +$(($2 + 1)) "$tsv" | awk -F'\t' -v lb="[::1]:$KPORT" -v c="[::1]:$carol" '
			$2 == 6 && $4 == lb && $5 == c && $7 ~ /^OPTIONS / { o++ }
			$2 == 6 && $4 == c && $5 == lb && $7 ~ /^SIP\/2.0 200/ && $8 ~ /^regping-/ { r++ }
			END { exit !(o && r) }'
	}
	wait_for 10 pinged "$1" 1 || fail "$1: carol is not pinged"
	wait_for 5 mirrored "$1" 0 ||
		fail "$1: carol's keepalives (OPTIONS [::1]:$KPORT -> [::1]:$carol and its 200) not mirrored: $(grep -c regping- "$tsv") regping messages: $(grep -m2 regping- "$tsv")"
	[ "$(rpc siptrace.status off)" = Disabled ] || fail "$1: siptrace.status off failed"
	# a ping sent before "off" may still be on its way to the collector
	p=$(pings "$1-carol")
	wait_for 10 pinged "$1" $((p + 1)) || fail "$1: carol is not pinged"
	n=$(wc -l <"$tsv")
	wait_for 10 pinged "$1" $((p + 3)) || fail "$1: carol is not pinged"
	[ "$(wc -l <"$tsv")" = "$n" ] ||
		fail "$1: mirrored with tracing off: $(tail -n +$((n + 1)) "$tsv" | head -n 3)"
	[ "$(rpc siptrace.status on)" = Enabled ] || fail "$1: siptrace.status on failed"
	wait_for 10 mirrored "$1" "$n" || fail "$1: carol's keepalives not mirrored after siptrace.status on"
	note "$1: keepalives mirrored; siptrace.status off: 2 not mirrored; on: mirrored again"
}

# usage: capture_has name "family src dst what" description
capture_has()
{
	grep -qxF "$2" "$OUT/$1-call.txt" ||
		fail "$1: $3 ($2) not mirrored; the call's messages: $(tr '\n' ';' <"$OUT/$1-call.txt")"
}

# the collector itself: a HEPv3 packet made here (IPv6 message, chunks in
# another order than siptrace's, a vendor chunk) decodes to what was put
# in; one with IPv4-sized addresses for family IPv6, and a truncated one,
# are reported bad
selftest=$(free_port)
python3 "$HERE/hepsink.py" 127.0.0.1 "$selftest" "$OUT/selftest.tsv" &
pid=$!
track "$pid"
wait_udp_port "$selftest" "$pid" || fail "hepsink did not start"
python3 - "$selftest" <<'PY'
import socket, struct, sys
def chunk(t, data, vendor=0):
    return struct.pack(">HHH", vendor, t, 6 + len(data)) + data
sip = b"OPTIONS sip:x@[2001:db8::1] SIP/2.0\r\nCall-ID: self-1\r\nCSeq: 7 OPTIONS\r\n\r\n"
a6, b6 = socket.inet_pton(socket.AF_INET6, "2001:db8::1"), socket.inet_pton(socket.AF_INET6, "2001:db8::2")
def hep(chunks):
    body = b"".join(chunks)
    return b"HEP3" + struct.pack(">H", 6 + len(body)) + body
good = [chunk(15, sip), chunk(6, b6), chunk(5, a6), chunk(1, b"\x0a"), chunk(2, b"\x11"),
        chunk(8, struct.pack(">H", 5060)), chunk(7, struct.pack(">H", 5070)),
        chunk(11, b"\x01"), chunk(99, b"x", vendor=7)]
bad = list(good)
bad[1], bad[2] = chunk(6, b6[:4]), chunk(5, a6[:4])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for p in (hep(good), hep(bad), hep(good)[:-3]):
    s.sendto(p, ("127.0.0.1", int(sys.argv[1])))
PY
hepsink_lines() { [ "$(wc -l <"$OUT/selftest.tsv")" -ge 3 ]; }
wait_for 5 hepsink_lines || fail "hepsink wrote $(wc -l <"$OUT/selftest.tsv") lines for 3 packets"
stop_pid "$pid"
self=$(cut -f1-5,7- "$OUT/selftest.tsv")
want=$(printf 'ok\t6\tudp\t[2001:db8::1]:5070\t[2001:db8::2]:5060\tOPTIONS sip:x@[2001:db8::1] SIP/2.0\tself-1\tOPTIONS')
[ "$(sed -n 1p <<<"$self")" = "$want" ] || fail "hepsink decoded a packet made here as: $(sed -n 1p <<<"$self")"
[ "$(cut -f1 <<<"$self" | tr '\n' ' ')" = "ok bad bad " ] ||
	fail "hepsink did not report the malformed packets: $self"
note "hepsink: decodes a HEPv3 packet made here, reports malformed ones ($(sed -n 2p "$OUT/selftest.tsv" | cut -f2); $(sed -n 3p "$OUT/selftest.tsv" | cut -f2))"

capture_run hep4 127.0.0.1 keepalives
capture_run hep6 ::1
