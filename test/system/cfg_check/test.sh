#!/bin/bash
# The shipped configs pass kamailio -c as they are (default settings),
# the LB finding the dualstack modules in the build tree by module path.
. "$(dirname "$0")/../../lib/harness.sh" system

kamailio -c -f "$TOP/cfg/core.cfg" >"$OUT/core.log" 2>&1 ||
	fail "kamailio -c rejects cfg/core.cfg: $(grep -m1 -E 'ERROR|CRITICAL' "$OUT/core.log")"
kamailio -c -f "$TOP/cfg/kamailio.cfg" -L "$TOP/modules:$STOCK_MODULES" >"$OUT/lb.log" 2>&1 ||
	fail "kamailio -c rejects cfg/kamailio.cfg: $(grep -m1 -E 'ERROR|CRITICAL' "$OUT/lb.log")"
note "cfg/core.cfg and cfg/kamailio.cfg pass kamailio -c"
