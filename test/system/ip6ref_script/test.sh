#!/bin/bash
# ip6ref functions and transformations in a native cfg script, requests
# from 127.0.0.1 and ::1: every answer checked against ip6ref_cases.tsv.
. "$(dirname "$0")/../../lib/harness.sh" ip6ref
ip6ref_test "$HERE/kamailio.cfg.in"
