#!/usr/bin/env python3
"""The remote target of a dialog for RFC 5118 4.3/4.4: listens on UDP
IP PORT (loopback only), writes every request it gets to FILE, answers
the BYE with 200 and exits 0; exits 1 when no BYE came within 20 s.

usage: dialog_uas.py IP PORT FILE

(sipp 3.7 cannot take this part: a scenario whose first message is the
ACK of an INVITE it never saw is aborted, "ACK CSeq value does NOT match
value of related INVITE CSeq".)
"""

import ipaddress
import socket
import sys


def main():
    ip, port, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    if not ipaddress.ip_address(ip).is_loopback:
        sys.exit("dialog_uas: loopback addresses only, not " + ip)
    fam = socket.AF_INET6 if ":" in ip else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.bind((ip, port))
    s.settimeout(20)
    with open(path, "w") as out:
        while True:
            try:
                data, src = s.recvfrom(65535)
            except socket.timeout:
                return 1
            msg = data.decode("utf-8", "replace")
            out.write(msg.replace("\r\n", "\n") + "\n----\n")
            out.flush()
            if not msg.startswith("BYE "):
                continue
            head = msg.split("\r\n\r\n", 1)[0].split("\r\n")[1:]
            keep = [h for h in head
                    if h.split(":", 1)[0].strip().lower()
                    in ("via", "v", "from", "f", "to", "t", "call-id", "i",
                        "cseq")]
            reply = "\r\n".join(["SIP/2.0 200 OK"] + keep +
                                ["Content-Length: 0", "", ""])
            s.sendto(reply.encode(), src)
            return 0


if __name__ == "__main__":
    sys.exit(main())
