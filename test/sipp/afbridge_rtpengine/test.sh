#!/bin/bash
# af_bridge() with the rtpengine backend (kamailio's rtpengine module, ng
# protocol, direction= flags): the same calls as with the rtpproxy backend.
. "$(dirname "$0")/../lib.sh"
. "$TOP/test/sipp/afbridge_lib.sh"

start_rtpengine
start_lb -A WITH_RTPENGINE
afb_standard_calls
