#!/bin/bash
# af_bridge() with the rtpproxy backend (kamailio's rtpproxy module talking
# to rtpengine's rtpproxy protocol, interfaces "external" on ::1 and
# "internal" on 127.0.0.1): the same calls as with the rtpengine backend.
# Skipped where the relay's rtpproxy protocol cannot answer an offer
# (rtpengine 12.5, Debian 13): the backend has nothing to drive there.
. "$(dirname "$0")/../../lib/harness.sh" afbridge

RTPE_IFACES=pair start_rtpengine
if ! r=$(rtpp_answers_offers); then
	skip "rtpengine $(rtpengine --version 2>&1 | awk '{ print $NF; exit }') gives no relay port for an rtpproxy-protocol offer with media index 1 (reply: $r); see the afbridge README, Limits of the rtpproxy backend"
fi
note "the relay's rtpproxy protocol answers an offer: $r"
start_lb -A WITH_RTPPROXY
afb_standard_calls
