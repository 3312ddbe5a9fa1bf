#!/bin/bash
# sdp_af=1: the SDP's connection family, not the transport's, is where
# media comes from and goes to. A dual-stack phone signalling over IPv6
# with c=IN IP4 reaches an IPv4 callee without the relay; an IPv4-signalled
# offer with c=IN IP6 is bridged, and its answer goes back as IPv6.
. "$(dirname "$0")/../../lib/harness.sh" afbridge

start_rtpengine
start_lb -A SDP_AF
afb_call dualstack call ::1 127.0.0.1 0 127.0.0.1
afb_call v6media call 127.0.0.1 127.0.0.1 1 ::1
want="v6_to_v4=1 v4_to_v6=1 deletes=1 relay_errors=0"
got="v6_to_v4=$(afb_counter v6_to_v4) v4_to_v6=$(afb_counter v4_to_v6)"
got="$got deletes=$(afb_counter deletes) relay_errors=$(afb_counter relay_errors)"
[ "$got" = "$want" ] || fail "counters: expected '$want', got '$got'"
note "counters: $got"
