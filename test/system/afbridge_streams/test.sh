#!/bin/bash
# Every stream of a call is bridged: audio+video calls from IPv6 to IPv4
# and back give each side both streams in its own family on relay ports,
# and each stream's RTP reaches the right port at the callee and at the
# caller (its SSRC tells which stream it is). A same-family call is left
# alone.
. "$(dirname "$0")/../../lib/harness.sh" afbridge

start_rtpengine
start_lb
afb_call av6to4 av ::1 127.0.0.1 1
afb_call av4to6 av 127.0.0.1 ::1 1
afb_call avsame4 av 127.0.0.1 127.0.0.1 0
