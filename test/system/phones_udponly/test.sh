#!/bin/bash
# A phone that listens on UDP only (linphonec with sip_tcp_port=0, as
# many desk phones are) is called through the LB, from IPv6 and from IPv4:
# the INVITE must reach it over UDP even when, with the LB's Via and
# Record-Route headers and the relay's SDP, it is larger than the LB's
# udp_mtu.
. "$(dirname "$0")/../../lib/harness.sh" system phones

start_system

start_baresip alice alice
start_linphone bob bob "sip sip_tcp_port=0"
start_linphone carol carol "misc uuid=0"
phone_wait_registered alice
phone_wait_registered bob
phone_wait_registered carol
ss -Hltn "sport = :${PH_SIP[bob]}" | grep -q . && fail "bob listens on TCP too"

phones_call v4to4 carol bob bob 0
phones_call v6to4 alice bob alice 1
