#!/bin/bash
# A phone that listens on UDP only (many desk phones and home routers do),
# called through the shipped cfg/kamailio.cfg and cfg/core.cfg with
# rtpengine on loopback: an INVITE of 1606 bytes IPv4 -> IPv6 and one of
# 1431 bytes IPv6 -> IPv4 (the sizes a linphone INVITE reaches after its
# two passes through the LB), each with a re-INVITE, reach it over UDP;
# the call completes with RTP both ways. (Before, the LB switched to TCP
# above udp_mtu towards the phone too: connect refused, 477.)
. "$(dirname "$0")/../../lib/harness.sh" system frag

# no keepalive during the calls: the phone's scenario is the call
PING_INTERVAL=600 start_system

register_ua reg-phone6 ::1 phone6
PHONE6=$REG_PORT
register_ua reg-phone4 127.0.0.1 phone4
PHONE4=$REG_PORT

big_call v4to6 127.0.0.1 ::1 "$PHONE6" 1606 600 880 "sip:phone6@127.0.0.1"
big_call v6to4 ::1 127.0.0.1 "$PHONE4" 1431 420 700 "sip:phone4@127.0.0.1"
# a 477 by its reason or status line: a bare "477" also matches the log
# prefix of a kamailio whose pid holds those digits ("0(13477) INFO: ...")
grep -E "tcpconn_1st_send|SIP/2\.0 477|477 Unfortunately" "$OUT/lb.log" && fail "the LB tried TCP towards a phone"
[ "$(relay_sessions)" = 0 ] || fail "the relay holds sessions after the calls"
exit 0
