#!/bin/bash
# The shipped core authenticates calls in its subscribers' names: an
# INVITE from alice (a subscriber) through the LB without credentials is
# answered 407 and never reaches bob; with alice's password (sipp answers
# the 407) the call connects, bridged by the LB, RTP both ways. A caller
# whose From is no subscriber (an incoming call) is not challenged: the
# calls of e2e_lb and e2e_calls.
. "$(dirname "$0")/../../lib/harness.sh" system

start_system

register_ua reg-alice ::1 alice
register_ua reg-bob 127.0.0.1 bob
BOB=$REG_PORT

# alice's INVITE without credentials, from [::1], while a socket listens on
# bob's registered address: prints the final reply's status line, then
# "bob got: <first line>" for each INVITE bob received within 2 s
python3 - "$KPORT" "$BOB" >"$OUT/noauth.txt" <<'PY'
import socket, sys, time
lb, bob = int(sys.argv[1]), int(sys.argv[2])
b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
b.bind(("127.0.0.1", bob))
b.settimeout(0.2)
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.bind(("::1", 0))
s.settimeout(5)
me = s.getsockname()[1]
sdp = ("v=0\r\no=alice 1 1 IN IP6 ::1\r\ns=-\r\nc=IN IP6 ::1\r\nt=0 0\r\n"
       "m=audio 40000 RTP/AVP 0\r\n")
head = ("sip:bob@127.0.0.1 SIP/2.0\r\n"
        "Via: SIP/2.0/UDP [::1]:%d;branch=z9hG4bKnoauth1;rport\r\n"
        "From: <sip:alice@example.net>;tag=na\r\nTo: <sip:bob@127.0.0.1>%s\r\n"
        "Call-ID: noauth-%d@x\r\nCSeq: 1 %s\r\nMax-Forwards: 70\r\n")
inv = ("INVITE " + head % (me, "", me, "INVITE") +
       "Contact: <sip:alice@[::1]:%d>\r\nContent-Type: application/sdp\r\n"
       "Content-Length: %d\r\n\r\n%s" % (me, len(sdp), sdp))
s.sendto(inv.encode(), ("::1", lb))
# the final reply (ACKed) and what reaches bob meanwhile, for up to 4 s
import select
final, got, end = None, [], time.time() + 4
while time.time() < end and not (final and time.time() > t_final + 1):
    ready, _, _ = select.select([s, b], [], [], 0.2)
    for sock in ready:
        m = sock.recv(4000).decode("latin-1")
        if sock is b:
            if m.startswith("INVITE "):
                got.append(m.split("\r\n")[0])
            continue
        if final is None and int(m.split()[1]) >= 200:
            final, t_final = m, time.time()
            to = [l[3:].strip() for l in m.split("\r\n") if l.lower().startswith("to:")][0]
            ack = "ACK " + head % (me, "", me, "ACK")
            ack = ack.replace("To: <sip:bob@127.0.0.1>", "To: " + to) + "Content-Length: 0\r\n\r\n"
            s.sendto(ack.encode(), ("::1", lb))
print(final.split("\r\n")[0] if final else "no final reply")
for g in got:
    print("bob got: " + g)
PY
note "without credentials: $(head -1 "$OUT/noauth.txt")"
[ "$(head -1 "$OUT/noauth.txt")" = "SIP/2.0 407 Proxy Authentication Required" ] ||
	fail "alice's INVITE without credentials got '$(head -1 "$OUT/noauth.txt")', not 407"
! grep -q "^bob got" "$OUT/noauth.txt" || fail "the unauthenticated INVITE reached bob: $(grep "^bob got" "$OUT/noauth.txt")"
[ "$(relay_sessions)" = 0 ] || fail "the relay holds $(relay_sessions) session(s) after the 407"

# with alice's password: 407 answered, the call connects with media
AFB_UAC_ARGS="$(sipp_auth alice | tr '\n' ' ') -key user alice" AFB_UAS_PORT=$BOB \
	AFB_RURI="sip:bob@127.0.0.1" afb_call authed auth ::1 127.0.0.1 1
grep -q "SIP/2.0 407" "$OUT/authed-uac.msg" || fail "the authenticated call was never challenged"
note "with alice's password: challenged, connected, bridged, RTP both ways"
