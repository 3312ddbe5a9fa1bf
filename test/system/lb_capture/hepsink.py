#!/usr/bin/env python3
"""A HEPv3 collector on a loopback address: decodes every packet it gets.

usage: hepsink.py IP PORT OUT

Listens on UDP IP:PORT (loopback only) and appends one line per packet to
OUT, tab-separated:

  ok  FAMILY  PROTO  SRC  DST  SENDER  FIRST-LINE  CALL-ID  CSEQ-METHOD

FAMILY 4 or 6 (the HEP IP family chunk), PROTO udp/tcp/... (the IP
protocol chunk), SRC and DST the addresses and ports the HEP header gives
for the captured message ([v6]:port, v4:port), SENDER where the HEP packet
came from, FIRST-LINE, CALL-ID and the method of the CSeq from the SIP
payload. A packet that is
not well-formed HEPv3 carrying SIP gives a line "bad <reason> SENDER".
Chunks and their types as in the HEP specification (HEP3 magic, total
length, vendor 0 chunks: 1 family, 2 protocol, 3/4 IPv4 src/dst, 5/6 IPv6
src/dst, 7/8 ports, 11 payload type (1 = SIP), 15 payload). Runs until
terminated.
"""

import ipaddress
import signal
import socket
import struct
import sys

PROTOS = {6: "tcp", 17: "udp", 132: "sctp"}


def hostport(ip, port):
    return ("[%s]:%d" if ip.version == 6 else "%s:%d") % (ip, port)


def decode(pkt):
    """the fields of a HEPv3 packet, or raise ValueError with the reason"""
    if len(pkt) < 6 or pkt[:4] != b"HEP3":
        raise ValueError("no HEP3 magic")
    total = struct.unpack(">H", pkt[4:6])[0]
    if total != len(pkt):
        raise ValueError("length %d in header, %d received" % (total, len(pkt)))
    chunks = {}
    i = 6
    while i < total:
        if i + 6 > total:
            raise ValueError("truncated chunk header at %d" % i)
        vendor, ctype, clen = struct.unpack(">HHH", pkt[i:i + 6])
        if clen < 6 or i + clen > total:
            raise ValueError("chunk %d length %d at %d" % (ctype, clen, i))
        if vendor == 0:
            if ctype in chunks:
                raise ValueError("chunk %d twice" % ctype)
            chunks[ctype] = pkt[i + 6:i + clen]
        i += clen
    for c in (1, 2, 7, 8, 11, 15):
        if c not in chunks:
            raise ValueError("no chunk %d" % c)
    fam = chunks[1][0]
    if fam == socket.AF_INET:
        af, src_c, dst_c, alen = 4, 3, 4, 4
    elif fam == socket.AF_INET6:
        af, src_c, dst_c, alen = 6, 5, 6, 16
    else:
        raise ValueError("IP family %d" % fam)
    for c in (src_c, dst_c):
        if len(chunks.get(c, b"")) != alen:
            raise ValueError("family %d without a %d-byte address chunk %d"
                             % (af, alen, c))
    for c in (3, 4, 5, 6):
        if c not in (src_c, dst_c) and c in chunks:
            raise ValueError("family %d with address chunk %d" % (af, c))
    if chunks[11] != b"\x01":
        raise ValueError("payload type %r, not SIP" % chunks[11])
    src = ipaddress.ip_address(chunks[src_c])
    dst = ipaddress.ip_address(chunks[dst_c])
    sport = struct.unpack(">H", chunks[7])[0]
    dport = struct.unpack(">H", chunks[8])[0]
    payload = chunks[15].decode("utf-8", "replace")
    lines = payload.split("\r\n")
    callid = method = ""
    for line in lines[1:]:
        if line == "":
            break
        name, _, value = line.partition(":")
        name = name.strip().lower()
        if name in ("call-id", "i"):
            callid = value.strip()
        elif name == "cseq":
            method = value.split()[-1] if value.split() else ""
    return [str(af), PROTOS.get(chunks[2][0], str(chunks[2][0])),
            hostport(src, sport), hostport(dst, dport), lines[0], callid, method]


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    ip, port, out = ipaddress.ip_address(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    if not ip.is_loopback:
        sys.exit("hepsink: %s is not a loopback address" % ip)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    s = socket.socket(socket.AF_INET6 if ip.version == 6 else socket.AF_INET,
                      socket.SOCK_DGRAM)
    s.bind((str(ip), port))
    with open(out, "a", encoding="utf-8") as f:
        while True:
            pkt, peer = s.recvfrom(65535)
            sender = hostport(ipaddress.ip_address(peer[0]), peer[1])
            try:
                fields = decode(pkt)
                f.write("\t".join(["ok"] + fields[:4] + [sender] + fields[4:]) + "\n")
            except ValueError as e:
                f.write("bad\t%s\t%s\n" % (e, sender))
            f.flush()


if __name__ == "__main__":
    main()
