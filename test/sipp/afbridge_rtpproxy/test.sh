#!/bin/bash
# af_bridge() with the rtpproxy backend (kamailio's rtpproxy module talking
# to rtpengine): IPv6 caller to IPv4 callee and back, a re-INVITE, a CANCEL
# and a 486 leave the relay clean; same-family calls are not relayed.
. "$(dirname "$0")/../lib.sh"
. "$TOP/test/sipp/afbridge_lib.sh"

start_rtpengine
start_lb
afb_standard_calls
