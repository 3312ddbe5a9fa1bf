#!/bin/bash
# Real softphones through the shipped LB and core: baresip on [::1]
# (alice), linphonec on 127.0.0.1 (bob) register through the LB, answer
# its keepalives, and call each other both ways; each phone gets SDP of
# its own family, RTP from the relay arrives at each phone's RTP port,
# either side hangs up, the relay ends empty. Two linphones (bob, carol)
# call each other phone to phone: the relay is not asked.
. "$(dirname "$0")/../../lib/harness.sh" system phones

start_system

start_baresip alice alice
# no +sip.instance: a phone with its default settings is phones_gruu's
start_linphone bob bob "misc uuid=0"
start_linphone carol carol "misc uuid=0"
phone_wait_registered alice
phone_wait_registered bob
phone_wait_registered carol
note "registered: $(rpc @core ul.dump 2>/dev/null | grep -c 'Address:') contacts in the core"

# keepalives from the LB, answered by each phone (PING_INTERVAL 2 s)
wait_for 10 eval '[ "$(rpc cnt.get regping replied_v6)" -gt 0 ] && [ "$(rpc cnt.get regping replied_v4)" -gt 0 ]' ||
	fail "keepalives not answered: replied_v6 $(rpc cnt.get regping replied_v6), replied_v4 $(rpc cnt.get regping replied_v4)"
note "keepalives answered: v6 $(rpc cnt.get regping replied_v6), v4 $(rpc cnt.get regping replied_v4)"

phones_call v6to4 alice bob alice 1
phones_call v4to6 bob alice bob 1
phones_call v6to4-callee-hangs-up alice bob bob 1
phones_call v4to6-callee-hangs-up bob alice alice 1

relayed="$(afb_counter v6_to_v4) $(afb_counter v4_to_v6)"
phones_call v4to4 bob carol carol 0
[ "$(afb_counter v6_to_v4) $(afb_counter v4_to_v6)" = "$relayed" ] ||
	fail "v4to4: the LB asked the relay (v6_to_v4 v4_to_v6 were $relayed, now $(afb_counter v6_to_v4) $(afb_counter v4_to_v6))"
[ "$(rpc cnt.get afbridge relay_errors)" = 0 ] || fail "relay errors on the LB"
