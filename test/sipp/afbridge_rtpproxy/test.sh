#!/bin/bash
# af_bridge() with the rtpproxy backend (kamailio's rtpproxy module talking
# to rtpengine's rtpproxy protocol, interfaces "external" on ::1 and
# "internal" on 127.0.0.1): the same calls as with the rtpengine backend.
. "$(dirname "$0")/../lib.sh"
. "$TOP/test/sipp/afbridge_lib.sh"

RTPE_IFACES=pair start_rtpengine
start_lb -A WITH_RTPPROXY
afb_standard_calls
