#!/bin/bash
# afbridge through KEMI (KSR.afbridge.* from JavaScript): crossing calls
# both ways and a 486 bridged as with the native cfg, relay left clean.
. "$(dirname "$0")/../../lib/harness.sh" afbridge

start_rtpengine
KPORT=$(free_port)
PORT=$KPORT
render "$HERE/kamailio.cfg.in" "$OUT/lb.cfg" TOP PORT OUT NG_PORT
cp "$HERE/script.js" "$OUT/script.js"
start_kamailio lb "$OUT/lb.cfg" "$KPORT"
afb_call v6to4 call ::1 127.0.0.1 1
afb_call v4to6 call 127.0.0.1 ::1 1
afb_call busy busy ::1 127.0.0.1 1
[ "$(afb_counter relay_errors)" = 0 ] || fail "relay errors: $(afb_counter relay_errors)"
[ "$(afb_counter deletes)" = 3 ] || fail "deletes: $(afb_counter deletes), expected 3"
