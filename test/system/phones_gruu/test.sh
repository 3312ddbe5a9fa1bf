#!/bin/bash
# linphonec with its default settings (+sip.instance in its REGISTER): the
# core's registrar hands it a GRUU (RFC 5627), which it then uses as its
# Contact in calls. The requests the other phone sends in the dialog (ACK,
# BYE) to that GRUU must reach it through the LB (issue 13, item 4).
. "$(dirname "$0")/../../lib/harness.sh" system phones

start_system

start_baresip alice alice
start_linphone bob bob
start_linphone carol carol
phone_wait_registered alice
phone_wait_registered bob
phone_wait_registered carol

# the phones are what this test is about: bob registered an instance and
# got a GRUU for it
reg=$(phone_received_all bob "SIP/2.0 200" "CSeq: [0-9]+ REGISTER" | awk -v RS= '{ print; exit }')
msg_header "$reg" Contact | grep -q 'pub-gruu="sip:bob@127.0.0.1;gr=urn:uuid:' ||
	fail "bob got no GRUU from the core: $(msg_header "$reg" Contact)"

# a phone with a GRUU called (ACK, BYE to the GRUU), calling (the BYE
# from the callee to the GRUU), and two of them
phones_call v6to4 alice bob alice 1
ok=$(phone_received_all alice "SIP/2.0 200" "CSeq: [0-9]+ INVITE" | awk -v RS= 'END { print }')
msg_header "$ok" Contact | grep -q '^<sip:bob@127.0.0.1;gr=urn:uuid:' ||
	fail "bob did not answer with its GRUU as Contact: $(msg_header "$ok" Contact)"
phones_call v4to6 bob alice alice 1
phones_call v4to4 carol bob bob 0
