#!/usr/bin/env python3
"""Send raw SIP bytes that sipp cannot produce, to a loopback address only.

usage: sipraw.py [options] DST_IP DST_PORT < template

The template is a SIP message with LF or CRLF line ends (sent with CRLF);
these placeholders are replaced in each copy sent:
  @LIP@     the local address (IPv6 in brackets)   @LPORT@  the local port
  @BRANCH@  a fresh branch (z9hG4bK...)            @CALLID@ a fresh Call-ID
  @N@       the copy's number (0..repeat-1)        @CL@     the body length
A body is everything after the first empty line; @PAD@ in it becomes as
many bytes of 'a' as make each message --size bytes long.

Prints one line: "sent N bytes=B answered A codes=200x2,400x1 src=[::1]:P"
(src: the address the copies came from; codes of
the final replies received, provisional ones left out; a copy may get none).
A negative final reply to an INVITE is acknowledged (ACK with its To tag), so
that the transaction ends as it would with a phone.
Exit status 0 whatever the answers: the caller judges them.
"""

import argparse
import ipaddress
import random
import re
import socket
import sys
import time


def loopback(ip):
    try:
        return ipaddress.ip_address(ip).is_loopback
    except ValueError:
        return False


def render(tpl, n, lip, lport, crlf_body, size=0):
    if size:
        # the Content-Length grows by digits as the pad does: converge
        pad = 0
        for _ in range(4):
            t = tpl.replace("@PAD@", "a" * pad)
            pad += size - len(render(t, n, lip, lport, crlf_body))
            if pad < 0:
                sys.exit("sipraw: the message is longer than --size")
        tpl = tpl.replace("@PAD@", "a" * pad)
    msg = tpl.replace("\r\n", "\n")
    head, sep, body = msg.partition("\n\n")
    body = body.replace("@PAD@", "")
    if crlf_body:
        body = body.replace("\n", "\r\n")
    subst = {
        "@LIP@": lip,
        "@LPORT@": str(lport),
        "@BRANCH@": "z9hG4bK%012x%d" % (random.getrandbits(48), n),
        "@CALLID@": "%012x-%d@hostile" % (random.getrandbits(48), n),
        "@N@": str(n),
    }
    for k, v in subst.items():
        head = head.replace(k, v)
        body = body.replace(k, v)
    head = head.replace("@CL@", str(len(body.encode("latin-1"))))
    data = head.replace("\n", "\r\n") + ("\r\n\r\n" if sep else "") + body
    return data.encode("latin-1")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dst_ip")
    ap.add_argument("dst_port", type=int)
    ap.add_argument("--src", help="local address (default: of dst's family)")
    ap.add_argument("--sport", type=int, default=0, help="local port")
    ap.add_argument("--tcp", action="store_true", help="send over TCP")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--rate", type=int, default=2000, help="copies per second")
    ap.add_argument("--wait", type=float, default=1.0,
                    help="seconds to wait for answers after the last copy")
    ap.add_argument("--size", type=int, default=0,
                    help="pad @PAD@ to make each message this many bytes")
    ap.add_argument("--lf-body", action="store_true",
                    help="keep LF line ends in the body")
    a = ap.parse_args()
    if not loopback(a.dst_ip) or (a.src and not loopback(a.src)):
        sys.exit("sipraw: loopback addresses only")
    tpl = sys.stdin.read()
    fam = socket.AF_INET6 if ":" in a.dst_ip else socket.AF_INET
    src = a.src or ("::1" if fam == socket.AF_INET6 else "127.0.0.1")
    s = socket.socket(fam, socket.SOCK_STREAM if a.tcp else socket.SOCK_DGRAM)
    s.bind((src, a.sport))
    if not a.tcp:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    lport = s.getsockname()[1]
    lip = "[%s]" % src if fam == socket.AF_INET6 else src
    codes = {}
    answered = 0
    sent_bytes = 0
    buf = b""

    sent = {}  # Call-ID -> the INVITE sent, for the ACK of a failure

    def ack(reply, code):
        if code < 300 or not re.search(rb"^CSeq:\s*\d+\s+INVITE", reply, re.M | re.I):
            return
        cid = re.search(rb"^(?:Call-ID|i):\s*(\S+)", reply, re.M | re.I)
        to = re.search(rb"^(?:To|t):[^\r\n]*", reply, re.M | re.I)
        inv = sent.get(cid.group(1)) if cid else None
        if inv is None or to is None:
            return
        hdr = lambda n: re.search(rb"^" + n + rb":[^\r\n]*", inv, re.M | re.I)
        rl = inv.split(b"\r\n", 1)[0].split(b" ")
        via, frm, cseq = hdr(rb"Via"), hdr(rb"From"), hdr(rb"CSeq")
        if len(rl) < 2 or not (via and frm and cseq):
            return
        num = re.search(rb"\d+", cseq.group(0))
        a = b"\r\n".join([b"ACK " + rl[1] + b" SIP/2.0", via.group(0),
                           frm.group(0), to.group(0),
                           b"Call-ID: " + cid.group(1),
                           b"CSeq: " + (num.group(0) if num else b"1") + b" ACK",
                           b"Max-Forwards: 70", b"Content-Length: 0", b"", b""])
        try:
            if a_tcp:
                s.sendall(a)
            else:
                s.sendto(a, (a_dst, a_port))
        except OSError:
            pass

    def take(data):
        nonlocal answered
        for m in re.finditer(rb"^SIP/2\.0 (\d{3})", data, re.M):
            c = int(m.group(1))
            if c >= 200:
                answered += 1
                codes[c] = codes.get(c, 0) + 1
                nxt = data.find(b"\r\nSIP/2.0 ", m.end())
                ack(data[m.start():nxt if nxt >= 0 else len(data)], c)

    a_tcp, a_dst, a_port = a.tcp, a.dst_ip, a.dst_port
    if a.tcp:
        s.settimeout(5)
        try:
            s.connect((a.dst_ip, a.dst_port))
        except OSError as e:
            print("sent 0 bytes=0 answered 0 codes= error=%s" % e.strerror)
            return
    gap = 1.0 / a.rate if a.rate > 0 else 0
    for n in range(a.repeat):
        data = render(tpl, n, lip, lport, not a.lf_body, a.size)
        sent_bytes = len(data)
        cid = re.search(rb"^(?:Call-ID|i):\s*(\S+)", data, re.M | re.I)
        if data.startswith(b"INVITE ") and cid:
            sent[cid.group(1)] = data
        try:
            if a.tcp:
                s.sendall(data)
            else:
                s.sendto(data, (a.dst_ip, a.dst_port))
        except OSError as e:
            print("sent %d bytes=%d answered %d codes= error=%s"
                  % (n, sent_bytes, answered, e.strerror))
            return
        # drain what came back meanwhile
        s.setblocking(False)
        try:
            while True:
                d = s.recv(70000)
                if not d:
                    break
                take(d)
        except (BlockingIOError, OSError):
            pass
        s.setblocking(True)
        if gap:
            time.sleep(gap)
    end = time.time() + a.wait
    while time.time() < end and answered < a.repeat:
        s.settimeout(max(0.01, end - time.time()))
        try:
            d = s.recv(70000)
        except (socket.timeout, OSError):
            break
        if not d:
            break
        take(d)
    print("sent %d bytes=%d answered %d codes=%s src=%s:%d" % (
        a.repeat, sent_bytes, answered,
        ",".join("%dx%d" % (c, k) for c, k in sorted(codes.items())),
        lip, lport))


if __name__ == "__main__":
    main()
