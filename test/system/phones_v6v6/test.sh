#!/bin/bash
# Two IPv6 phones (baresip on [::1]) call each other through the LB and
# the IPv4-only core: the call passes the LB twice (issue 13, item 1, the
# hairpin). Each phone must get IPv6 SDP, RTP must reach each phone's port
# (through the relay or phone to phone), either side hangs up, and the
# relay ends empty.
. "$(dirname "$0")/../../lib/harness.sh" system phones

start_system

start_baresip alice alice
start_baresip dave dave
phone_wait_registered alice
phone_wait_registered dave

phones_call v6to6 alice dave alice any
phones_call v6to6-callee-hangs-up dave alice alice any
[ "$(rpc cnt.get afbridge relay_errors)" = 0 ] || fail "relay errors on the LB"
