#!/bin/bash
# The relay session of a bridged call can only be deleted by a request that
# carries the mark this proxy put into the dialog's Record-Route: a keyed
# token of the Call-ID. During an IPv6->IPv4 call an attacker who knows the
# Call-ID and tags sends BYEs of its own (routed to itself) with the old
# ";afb=1" mark and with a made-up token: the session stays, the LB warns
# and counts them; the call's own BYE then deletes it.
. "$(dirname "$0")/../lib.sh"
. "$TOP/test/sipp/afbridge_lib.sh"

start_rtpengine
start_lb

uas_port=$(free_port)
start_sipp uas 127.0.0.1 "$uas_port" -sf "$SCN/uas_call.xml" -mp "$(free_media_port)" \
	-key rtp_port "$(free_port)"
UAS_PID=$SIPP_PID
bg_sipp uac "${SIPP_CALLER[@]}" -sf "$SCN/uac_call.xml" -m 1 -d 6000 -i ::1 -p "$(free_port)" \
	-mi ::1 -mp "$(free_media_port)" -key rtp_port "$(free_port)" \
	-key ruri "sip:uas@127.0.0.1:$uas_port" "[::1]:$KPORT"
UAC_PID=$SIPP_PID

inv=$(wait_received "$OUT/uas.msg" "INVITE ") || fail "the callee got no INVITE"
ok=$(wait_received "$OUT/uac.msg" "SIP/2.0 200" "CSeq: 1 INVITE") ||
	fail "the caller got no 200 for its INVITE"
printf '%s\n' "$inv" | grep -qiE "^Record-Route: .*;afb=[0-9a-f]{16}[;>]" ||
	fail "the INVITE's Record-Route has no keyed mark: $(printf '%s\n' "$inv" | grep -i record-route)"
[ "$(relay_sessions)" = 1 ] || fail "the call is not bridged ($(relay_sessions) sessions)"
cid=$(msg_header "$inv" Call-ID)
from=$(msg_header "$inv" From)
to=$(msg_header "$ok" To)
token=$(printf '%s\n' "$inv" | grep -ioE ";afb=[0-9a-f]{16}" | head -1 | cut -d= -f2)
fake=$(printf '%s' "$token" | tr '0-9a-f' '1-9a-f0')

# usage: forge mark -> sends a BYE of the call from an attacker's socket
forge()
{
	python3 - "$KPORT" "$1" "$cid" "$from" "$to" <<'PY'
import socket, sys
port, mark, cid, frm, to = sys.argv[1:6]
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.bind(("::1", 0))
me = s.getsockname()[1]
msg = ("BYE sip:attacker@[::1]:%d SIP/2.0\r\n"
       "Via: SIP/2.0/UDP [::1]:%d;branch=z9hG4bKforged%s;rport\r\n"
       "Route: <sip:[::1]:%s;lr;afb=%s>\r\n"
       "From: %s\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: 99 BYE\r\n"
       "Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
       % (me, me, mark, port, mark, frm, to, cid))
s.sendto(msg.encode(), ("::1", int(port)))
PY
}
forge 1
forge "$fake"
warned() { [ "$(grep -c "carries the dialog mark .* that this proxy did not make" "$OUT/lb.log")" -ge 2 ]; }
wait_for 5 warned || fail "no warning for the forged BYEs: $(grep -i "BYE" "$OUT/lb.log" | tail -3)"
[ "$(relay_sessions)" = 1 ] || fail "a forged BYE deleted the call's relay session"
[ "$(afb_counter bad_marks)" = 2 ] || fail "bad_marks is $(afb_counter bad_marks), expected 2"
[ "$(afb_counter deletes)" = 0 ] || fail "the relay was asked to delete for a forged BYE"
grep -q "carries the dialog mark \[1\]" "$OUT/lb.log" || fail "the warning does not name the mark"
note "2 forged BYEs: relay session kept, bad_marks 2, warned"

# the call's own BYE, with the genuine mark, ends it
wait_sipp uac "$UAC_PID" || fail "the caller did not complete its call"
wait_sipp uas "$UAS_PID" || fail "the callee did not complete its call"
[ "$(relay_sessions)" = 0 ] || fail "the genuine BYE left $(relay_sessions) relay session(s)"
[ "$(afb_counter deletes)" = 1 ] || fail "deletes is $(afb_counter deletes) after the genuine BYE"
note "the genuine BYE deleted the session"
