#!/bin/bash
# Every INVITE dialog the proxy Record-Routes carries a dialog mark: a
# keyed token of its Call-ID saying bridged, not bridged or late offer
# (the offer in the 200, the answer in the ACK). A relay session can only
# be deleted by a request with its dialog's mark. During a bridged
# IPv6->IPv4 call and a late-offer one, an attacker who knows the Call-ID
# and tags sends BYEs from an unrelated source, routed to itself across
# families: without any mark, with ";afb=1", ";afb=0" and a made-up token.
# The relay session stays, RTP keeps flowing, the LB warns (escaped) and
# counts each, af_bridge() returns -4; the call's own BYE then deletes it.
# A call within one family is marked not bridged: its BYE is routed and
# the relay is never asked.
. "$(dirname "$0")/../../lib/harness.sh" afbridge

start_rtpengine
start_lb

FORGED=0
# usage: forge mark [call-id] -> a BYE of the call (From and To of the
# running afb_call's INVITE and 200) from an IPv4 socket of the attacker,
# routed through our IPv4 address to its own IPv6 socket; mark "-": none
forge()
{
	local cid=${2:-$(msg_header "$inv" Call-ID)}
	python3 - "$KPORT" "$1" "$cid" "$(msg_header "$inv" From)" "$(msg_header "$ok" To)" <<'PY'
import socket, sys
port, mark, cid, frm, to = sys.argv[1:6]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
me = s.getsockname()[1]
sink = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
sink.bind(("::1", 0))
param = "" if mark == "-" else ";afb=" + mark
msg = ("BYE sip:attacker@[::1]:%d SIP/2.0\r\n"
       "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bKforged%s;rport\r\n"
       "Route: <sip:127.0.0.1:%s;lr%s>\r\n"
       "From: %s\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: 99 BYE\r\n"
       "Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
       % (sink.getsockname()[1], me, abs(hash(mark + cid)), port, param, frm, to, cid))
s.sendto(msg.encode("latin-1"), ("127.0.0.1", int(port)))
PY
	FORGED=$((FORGED + 1))
}

# AFB_DURING of a bridged call: forged BYEs while it is up
attack()
{
	local name=$1 token fake n del v46 reinv
	printf '%s\n' "$inv" | grep -qiE "^Record-Route: .*;afb=[0-9a-f]{16}[;>]" ||
		fail "$name: the INVITE's Record-Route has no keyed mark: $(printf '%s\n' "$inv" | grep -i record-route)"
	[ "$(relay_sessions)" = 1 ] || fail "$name: the call is not bridged ($(relay_sessions) sessions)"
	token=$(printf '%s\n' "$inv" | grep -ioE ";afb=[0-9a-f]{16}" | head -1 | cut -d= -f2)
	fake=$(printf '%s' "$token" | tr '0-9a-f' '1-9a-f0')
	n=$FORGED
	del=$(afb_counter deletes)
	v46=$(afb_counter v4_to_v6)
	forge -
	forge 1
	forge 0
	forge "$fake"
	warned() { [ "$(grep -c "[A-Z]* from 127.0.0.1:[0-9]* for call-id .* carries \(no dialog mark\|the dialog mark\)" "$OUT/lb.log")" -ge "$FORGED" ]; }
	wait_for 5 warned || fail "$name: no warning for each forged BYE: $(grep -i "BYE" "$OUT/lb.log" | tail -4)"
	[ "$(relay_sessions)" = 1 ] || fail "$name: a forged BYE deleted the call's relay session"
	[ "$(afb_counter bad_marks)" = "$FORGED" ] ||
		fail "$name: bad_marks is $(afb_counter bad_marks), expected $FORGED"
	[ "$(afb_counter deletes)" = "$del" ] || fail "$name: the relay was asked to delete for a forged BYE"
	[ "$(grep -c "af_bridge returned -4" "$OUT/lb.log")" -ge "$FORGED" ] ||
		fail "$name: af_bridge() did not return -4 for each forged BYE"
	note "$name: $((FORGED - n)) forged BYEs (none, 1, 0, made up): relay session kept, warned, counted"
	# a forged re-INVITE moving the media to the attacker: refused 403,
	# never offered to the relay nor forwarded
	reinv=$(python3 - "$KPORT" "$(msg_header "$inv" Call-ID)" "$(msg_header "$inv" From)" "$(msg_header "$ok" To)" <<'PY'
import socket, sys
port, cid, frm, to = sys.argv[1:5]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
me = s.getsockname()[1]
sdp = ("v=0\r\no=x 2 2 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
       "t=0 0\r\nm=audio 9 RTP/AVP 0\r\n")
msg = ("INVITE sip:attacker@[::1]:9 SIP/2.0\r\n"
       "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bKforgedreinv;rport\r\n"
       "Route: <sip:127.0.0.1:%s;lr>\r\n"
       "From: %s\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: 98 INVITE\r\n"
       "Contact: <sip:attacker@127.0.0.1:%d>\r\nMax-Forwards: 70\r\n"
       "Content-Type: application/sdp\r\nContent-Length: %d\r\n\r\n%s"
       % (me, port, frm, to, cid, me, len(sdp), sdp))
s.sendto(msg.encode(), ("127.0.0.1", int(port)))
s.settimeout(5)
print(s.recv(4000).decode().split("\r\n")[0])
PY
)
	[ "$reinv" = "SIP/2.0 403 Forbidden" ] || fail "$name: a forged re-INVITE got '$reinv', not 403"
	FORGED=$((FORGED + 1))
	[ "$(afb_counter bad_marks)" = "$FORGED" ] || fail "$name: the forged re-INVITE was not counted"
	[ "$(afb_counter v4_to_v6)" = "$v46" ] || fail "$name: the forged re-INVITE reached the relay"
	note "$name: a forged re-INVITE: 403, counted, relay untouched"
}

AFB_DURING=attack afb_call early call ::1 127.0.0.1 1
[ "$(afb_counter deletes)" = 1 ] || fail "deletes is $(afb_counter deletes) after the genuine BYE"
grep -q "BYE from 127.0.0.1:[0-9]* for call-id \[.*\] carries the dialog mark \[1\]" "$OUT/lb.log" ||
	fail "the warning does not name the mark"

AFB_DURING=attack afb_call late late ::1 127.0.0.1 1
[ "$(afb_counter deletes)" = 2 ] || fail "deletes is $(afb_counter deletes) after the late-offer call's BYE"

# within one family: marked not bridged, its BYE routed, the relay untouched
afb_call same4 call 127.0.0.1 127.0.0.1 0
inv=$(sipp_received_msg "$OUT/same4-uas.msg" "INVITE ")
printf '%s\n' "$inv" | grep -qiE "^Record-Route: .*;afb=[0-9a-f]{16}[;>]" ||
	fail "same4: the INVITE's Record-Route has no keyed mark"
[ "$(afb_counter deletes)" = 2 ] || fail "same4: the relay was asked to delete"
[ "$(afb_counter bad_marks)" = "$FORGED" ] || fail "same4: its own BYE was counted as forged"

# a hostile Call-ID: control bytes reach the log escaped
inv=$'Call-ID: x\nFrom: <sip:uac@[::1]>;tag=f'
ok="To: <sip:uas@127.0.0.1>;tag=t"
forge - $'evil\x1b[31m\x07red@x'
esc() { grep -qF 'for call-id [evil\x1b[31m\x07red@x]' "$OUT/lb.log"; }
wait_for 5 esc || fail "the hostile Call-ID is not escaped in the log: $(grep -a "evil" "$OUT/lb.log" | cat -v | tail -2)"
# a hostile SDP line (refused for the relay) is logged escaped too; the
# test's cfg relays the INVITE anyway, its dialog marked (not bridged)
rr=$(python3 - "$KPORT" <<'PY'
import socket, sys
port = sys.argv[1]
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.bind(("::1", 0))
me = s.getsockname()[1]
sink = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sink.bind(("127.0.0.1", 0))
sink.settimeout(5)
sdp = ("v=0\r\no=x 1 1 IN IP6 ::1\r\ns=-\r\n"
       "c=IN IP6 ::1\x1b]0;owned\x07\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n")
msg = ("INVITE sip:uas@127.0.0.1:%d SIP/2.0\r\n" % sink.getsockname()[1] +
       "Via: SIP/2.0/UDP [::1]:%d;branch=z9hG4bKhostilesdp;rport\r\n"
       "From: <sip:uac@[::1]>;tag=h\r\nTo: <sip:uas@127.0.0.1>\r\n"
       "Call-ID: hostile-sdp@x\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\n"
       "Contact: <sip:uac@[::1]:%d>\r\nContent-Type: application/sdp\r\n"
       "Content-Length: %d\r\n\r\n%s" % (me, me, len(sdp), sdp))
s.sendto(msg.encode("latin-1"), ("::1", int(port)))
try:
    m = sink.recv(8000).decode("latin-1")
    print("\n".join(l for l in m.split("\r\n") if l.lower().startswith("record-route:")))
except socket.timeout:
    print("(nothing relayed)")
PY
)
printf '%s\n' "$rr" | grep -qiE "^Record-Route: .*;afb=[0-9a-f]{16}[;>]" ||
	fail "the relayed INVITE whose SDP the relay did not get carries no mark: $rr"
esc_sdp() { grep -qF 'connection line without an address of its family [c=IN IP6 ::1\x1b]0;owned\x07]' "$OUT/lb.log"; }
wait_for 5 esc_sdp || fail "the hostile SDP line is not escaped in the log: $(grep -a "relay not engaged" "$OUT/lb.log" | cat -v | tail -2)"
! grep -q $'\x1b' "$OUT/lb.log" || fail "a raw control byte reached the log"
note "a hostile Call-ID and SDP line are logged escaped"
