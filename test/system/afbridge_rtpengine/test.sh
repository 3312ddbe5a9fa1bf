#!/bin/bash
# af_bridge() with the rtpengine backend (kamailio's rtpengine module, ng
# protocol, one relay interface of both families, address-family= flags):
# IPv6 caller to IPv4 callee and back, a re-INVITE, a CANCEL and a 486 leave
# the relay clean; same-family calls are not relayed.
. "$(dirname "$0")/../../lib/harness.sh" afbridge

start_rtpengine
start_lb
afb_standard_calls
