#!/bin/bash
# ip6ref through KEMI (KSR.ip6ref.* from JavaScript, app_jsdt): the same
# requests and expected answers as the ip6ref_script test.
. "$(dirname "$0")/../lib.sh"
. "$TOP/test/sipp/ip6ref_common.sh"
ip6ref_test "$HERE/kamailio.cfg.in"
