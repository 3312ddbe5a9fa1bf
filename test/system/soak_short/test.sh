#!/bin/bash
# The soak (test/soak/soak.sh) in small: 25 s of calls at 30/s both ways
# across families through the shipped LB and rtpengine while regping pings
# 2000 contacts every 5 s. Nothing timed is asserted: no process died, every
# call completed (sipp may retransmit), the relay ends empty, no contact was
# declared dead, pings were sent and answered, shm back to its baseline
# and pkg back
# to their baselines (within 256 kB) once the calls are gone.
export SOAK_SECONDS=${SOAK_SECONDS:-25}
export SOAK_RATE=${SOAK_RATE:-30}
export SOAK_CONTACTS=${SOAK_CONTACTS:-2000}
export SOAK_PING_INTERVAL=${SOAK_PING_INTERVAL:-5}
export SOAK_WARMUP=${SOAK_WARMUP:-5}
export SOAK_MAX_FAILED_PCT=0
export SOAK_STRICT=0
exec "$(dirname "$0")/../../soak/soak.sh"
