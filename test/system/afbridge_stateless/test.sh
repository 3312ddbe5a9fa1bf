#!/bin/bash
# Without tm (stateless forward(), core onreply_route) afbridge judges a
# reply by its second Via: crossing calls both ways and a 486 still leave
# each side with SDP of its own family and the relay clean.
. "$(dirname "$0")/../../lib/harness.sh" afbridge

start_rtpengine
start_lb -A STATELESS
grep -q "tm is not loaded: replies are judged by their Via" "$OUT/lb.log" ||
	fail "afbridge did not say it works without tm"
afb_call v6to4 call ::1 127.0.0.1 1
afb_call v4to6 call 127.0.0.1 ::1 1
afb_call busy busy ::1 127.0.0.1 1
afb_call same4 call 127.0.0.1 127.0.0.1 0
want="v6_to_v4=3 v4_to_v6=2 deletes=3 relay_errors=0"
got="v6_to_v4=$(afb_counter v6_to_v4) v4_to_v6=$(afb_counter v4_to_v6)"
got="$got deletes=$(afb_counter deletes) relay_errors=$(afb_counter relay_errors)"
[ "$got" = "$want" ] || fail "counters: expected '$want', got '$got'"
note "counters: $got"
