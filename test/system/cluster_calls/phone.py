#!/usr/bin/env python3
"""A phone that answers one call as RFC 3261 says, over UDP.

usage: phone.py IP PORT RTP_PORT [HANGUP_AFTER_S]

Listens on IP:PORT. Answers OPTIONS. Answers the first INVITE with 180
and 200 (SDP: audio at IP:RTP_PORT), sent where its top Via says (its
received/rport if present, else its sent-by: section 18.2.2), not where the
INVITE came from; the 200 is sent again until the ACK comes. Then either
waits for the BYE, or with HANGUP_AFTER_S sends the BYE itself after that
long, along the route set of the INVITE's Record-Route (section 12.1.1: in
order; loose routing, to the first Route), and waits for its 200.

Prints one line per event, for the test to judge:
  OPTIONS src=ADDR:PORT via=HOST:PORT (a keepalive, answered)
  INVITE src=ADDR:PORT via=HOST:PORT rr=FIRST-RR sdp=ADDR/PORT (of its audio)
  REPLY 200 to=HOST:PORT
  ACK src=ADDR:PORT
  BYE src=ADDR:PORT            (the caller hung up)
  BYE-SENT to=HOST:PORT        (this phone hung up) and BYE-200 src=...
  DONE
Exits 0 once the call is over, 1 when it timed out (30 s without a call
or a missing ACK/BYE/200).
"""

import random
import re
import socket
import sys
import time


def addr_str(host, port):
    return "[%s]:%d" % (host, port) if ":" in host else "%s:%d" % (host, port)


def strip_brackets(h):
    return h[1:-1] if h.startswith("[") else h


def parse(data):
    text = data.decode("utf-8", "replace")
    head, _, body = text.partition("\r\n\r\n")
    lines = head.split("\r\n")
    hdrs = []
    for ln in lines[1:]:
        if ":" in ln:
            k, v = ln.split(":", 1)
            hdrs.append((k.strip().lower(), v.strip()))
    return lines[0], hdrs, body


def hget(hdrs, name, every=False):
    vals = [v for k, v in hdrs if k == name]
    return vals if every else (vals[0] if vals else None)


def hostport(s):
    """host and port of 'host:port', '[v6]:port' or 'host'"""
    m = re.match(r"^\[([^\]]+)\](?::(\d+))?$", s) or re.match(r"^([^:]+)(?::(\d+))?$", s)
    if not m:
        raise ValueError("bad host:port %r" % s)
    return m.group(1), int(m.group(2) or 5060)


def via_dest(via):
    # "SIP/2.0/UDP host:port;params" (the first of a comma list)
    via = via.split(",")[0]
    sent_by, _, params = via.split(None, 1)[1].partition(";")
    host, port = hostport(sent_by.strip())
    p = dict(x.split("=", 1) if "=" in x else (x, "") for x in params.split(";") if x)
    host = strip_brackets(p.get("received", host))
    if p.get("rport"):
        port = int(p["rport"])
    return host, port, sent_by.strip()


def uri_hostport(uri):
    u = re.sub(r"^<|>.*$", "", uri.strip())
    u = re.sub(r"^sips?:", "", u)
    u = u.split("@", 1)[-1]
    hp = re.split(r"[;?]", u, 1)[0]
    return hostport(hp)


def split_rr(values):
    out = []
    for v in values:
        out += [x.strip() for x in re.findall(r"<[^>]*>[^,]*", v)]
    return out


def main():
    ip, port, rtp = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    hangup = float(sys.argv[4]) if len(sys.argv) > 4 else None
    fam = socket.AF_INET6 if ":" in ip else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.bind((ip, port))
    me = addr_str(ip, port)
    tag = "ph%08x" % random.getrandbits(32)

    def say(*a):
        print(*a, flush=True)

    def send(msg, host, p):
        s.sendto(msg.encode(), (host, p))

    def reply(hdrs, code, reason, extra="", body=""):
        vias = hget(hdrs, "via", True)
        host, p, _ = via_dest(vias[0])
        to = hget(hdrs, "to")
        if ";tag=" not in to:
            to += ";tag=" + tag
        msg = "SIP/2.0 %d %s\r\n" % (code, reason)
        msg += "".join("Via: %s\r\n" % v for v in vias)
        for rr in hget(hdrs, "record-route", True):
            msg += "Record-Route: %s\r\n" % rr
        msg += "From: %s\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: %s\r\n" % (
            hget(hdrs, "from"), to, hget(hdrs, "call-id"), hget(hdrs, "cseq"))
        msg += "Contact: <sip:phone@%s>\r\n%sContent-Length: %d\r\n\r\n%s" % (
            me, extra, len(body), body)
        send(msg, host, p)
        return host, p

    deadline = time.time() + 30
    invite = None
    ok = None
    ok_dest = None
    acked = False
    bye_sent_at = None
    bye = None
    bye_dest = None
    s.settimeout(0.5)
    while time.time() < deadline:
        # the 200 again until the ACK, the BYE again until its 200
        try:
            data, src = s.recvfrom(65535)
        except socket.timeout:
            if ok and not acked:
                send(ok, *ok_dest)
            if bye and bye_sent_at and time.time() - bye_sent_at > 0.5:
                send(bye, *bye_dest)
                bye_sent_at = time.time()
            if hangup is not None and acked and not bye and time.time() >= acked_at + hangup:
                pass
            else:
                continue
            data = None
        if data is not None:
            first, hdrs, body = parse(data)
            srcs = addr_str(src[0], src[1])
            method = first.split(None, 1)[0]
            if method == "OPTIONS":
                reply(hdrs, 200, "OK")
                say("OPTIONS src=%s via=%s" % (srcs, via_dest(hget(hdrs, "via"))[2]))
                continue
            if method == "INVITE" and invite is None:
                invite = hdrs
                rr = split_rr(hget(hdrs, "record-route", True))
                m = re.search(r"^m=audio (\d+)", body, re.M)
                c = re.findall(r"^c=IN IP[46] (\S+)", body, re.M)
                sdp_in = "%s/%s" % (c[-1] if c else "-", m.group(1) if m else "-")
                say("INVITE src=%s via=%s rr=%s sdp=%s" % (
                    srcs, via_dest(hget(hdrs, "via"))[2], rr[0] if rr else "-", sdp_in))
                reply(hdrs, 180, "Ringing")
                fa = "6" if fam == socket.AF_INET6 else "4"
                sdp = ("v=0\r\no=phone 1 1 IN IP%s %s\r\ns=-\r\nc=IN IP%s %s\r\nt=0 0\r\n"
                       "m=audio %d RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n"
                       % (fa, ip, fa, ip, rtp))
                reply(hdrs, 200, "OK", "Content-Type: application/sdp\r\n", sdp)
                # kept for the retransmissions: rebuild the same bytes
                vias = hget(hdrs, "via", True)
                ok_dest = via_dest(vias[0])[:2]
                to = hget(hdrs, "to") + ";tag=" + tag
                ok = "SIP/2.0 200 OK\r\n" + "".join("Via: %s\r\n" % v for v in vias)
                ok += "".join("Record-Route: %s\r\n" % r for r in hget(hdrs, "record-route", True))
                ok += "From: %s\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: %s\r\n" % (
                    hget(hdrs, "from"), to, hget(hdrs, "call-id"), hget(hdrs, "cseq"))
                ok += "Contact: <sip:phone@%s>\r\nContent-Type: application/sdp\r\n" % me
                ok += "Content-Length: %d\r\n\r\n%s" % (len(sdp), sdp)
                say("REPLY 200 to=%s" % addr_str(*ok_dest))
                continue
            if method == "INVITE":
                # a retransmission: the 200 again
                send(ok, *ok_dest)
                continue
            if method == "ACK":
                if not acked:
                    say("ACK src=%s" % srcs)
                    acked = True
                    acked_at = time.time()
                continue
            if method == "BYE":
                reply(hdrs, 200, "OK")
                say("BYE src=%s" % srcs)
                say("DONE")
                return 0
            if first.startswith("SIP/2.0 ") and bye:
                code = int(first.split()[1])
                if "BYE" in (hget(hdrs, "cseq") or "") and code >= 200:
                    say("BYE-%d src=%s" % (code, srcs))
                    say("DONE")
                    return 0 if code == 200 else 1
                continue
            continue
        # time to hang up
        rr = split_rr(hget(invite, "record-route", True))
        target = re.sub(r"^.*<|>.*$", "", hget(invite, "contact"))
        bye_dest = uri_hostport(rr[0]) if rr else uri_hostport(target)
        bye_dest = (strip_brackets(bye_dest[0]), bye_dest[1])
        to = hget(invite, "from")
        frm = hget(invite, "to") + ";tag=" + tag
        bye = "BYE %s SIP/2.0\r\n" % target
        bye += "Via: SIP/2.0/UDP %s;branch=z9hG4bK%012x;rport\r\n" % (me, random.getrandbits(48))
        bye += "".join("Route: %s\r\n" % r for r in rr)
        bye += "From: %s\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: 1 BYE\r\n" % (
            frm, to, hget(invite, "call-id"))
        bye += "Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
        send(bye, *bye_dest)
        bye_sent_at = time.time()
        say("BYE-SENT to=%s" % addr_str(*bye_dest))
    say("TIMEOUT invite=%s acked=%s bye=%s" % (invite is not None, acked, bye is not None))
    return 1


if __name__ == "__main__":
    sys.exit(main())
