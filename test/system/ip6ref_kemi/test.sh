#!/bin/bash
# ip6ref through KEMI (KSR.ip6ref.* from JavaScript, app_jsdt): the same
# requests and expected answers as the ip6ref_script test.
. "$(dirname "$0")/../../lib/harness.sh" ip6ref
ip6ref_test "$HERE/kamailio.cfg.in"
