#!/usr/bin/env python3
"""Which LB answers a UDP flow to an anycast address.

usage: anycast_udp.py serve NAME ADDR PORT...
       anycast_udp.py probe ADDR PORT FLOWS REPEAT

serve: listens on UDP ADDR:PORT for every ADDR given and answers every
datagram with NAME, from the address it was sent to. Runs until
terminated.

probe: FLOWS flows (a socket each, so a source port each) send REPEAT
datagrams each to ADDR:PORT and wait up to 2 s for each answer. Prints
one line per flow: "PORT NAME SOURCE", NAME the answers joined with ","
("-" for a lost one), SOURCE the addresses they came from joined with ",".
"""

import socket
import sys


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def serve(name, pairs):
    import selectors
    sel = selectors.DefaultSelector()
    for addr, port in pairs:
        s = socket.socket(family(addr), socket.SOCK_DGRAM)
        s.bind((addr, int(port)))
        sel.register(s, selectors.EVENT_READ)
    while True:
        for key, _ in sel.select():
            data, peer = key.fileobj.recvfrom(2048)
            key.fileobj.sendto(name.encode(), peer)


def probe(addr, port, flows, repeat):
    for _ in range(flows):
        s = socket.socket(family(addr), socket.SOCK_DGRAM)
        s.settimeout(2)
        s.connect((addr, port))
        names, sources = [], []
        for _ in range(repeat):
            s.send(b"probe")
            try:
                data, peer = s.recvfrom(2048)
                names.append(data.decode())
                sources.append(peer[0])
            except OSError:  # lost, or an ICMP error: no answer
                names.append("-")
        print(s.getsockname()[1], ",".join(names), ",".join(sorted(set(sources))) or "-")
        s.close()


if __name__ == "__main__":
    if len(sys.argv) >= 5 and sys.argv[1] == "serve" and len(sys.argv) % 2 == 1:
        serve(sys.argv[2], list(zip(sys.argv[3::2], sys.argv[4::2])))
    elif len(sys.argv) == 6 and sys.argv[1] == "probe":
        probe(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
    else:
        sys.exit(__doc__)
