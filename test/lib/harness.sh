# The test harness, its one entry: sourced by every system test
# (test/system/<name>/test.sh), by `make demo` (cfg/demo.sh), the bench and
# the soak.
#
#   . "$TOP/test/lib/harness.sh" [part...]
#
# always loads the base, one file per concern:
#   proc.sh      processes: track PID, stop_all at exit, fail/skip/note
#   net.sh       free ports, waiting for a listener, uri_host, netns_add
#   kamailio.sh  render a cfg template, start_kamailio, rpc
#   sipp.sh      sipp UAs and what they received, SDP and headers
#   relay.sh     rtpengine, its sessions, RTP through it
# and the parts named (harness_use PART... loads more later):
#   afbridge     the LB of test/lib/cfg/afbridge_lb.cfg.in, checked calls
#   system       the shipped core and LB with the relay (needs afbridge)
#   regping      UAs that register and answer keepalives
#   hostile      raw SIP at the shipped LB, survival checks
#   frag         large INVITEs to a UDP-only phone
#   phones       real softphones (baresip, linphonec)
#   ip6ref       the ip6ref cases over OPTIONS
#   anycast      the anycast rig: router with ECMP, LBs, phones, backbone
# Each file is loaded once (include guards). Sourced without a part, the
# entry sees the script's own arguments as parts: a script that takes
# arguments names at least one part.
#
# Set by test/run.sh: TOP (repo root), OUT (this test's log folder),
# TEST_NAME; HERE is the folder of the script that sources this.

if [ -z "${_harness:-}" ]; then
	_harness=1
	set -u

	TOP=${TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
	TEST_NAME=${TEST_NAME:-$(basename "$(cd "$(dirname "$0")" && pwd)")}
	OUT=${OUT:-$TOP/build/test/$TEST_NAME}
	HERE=${HERE:-$(cd "$(dirname "$0")" && pwd)}
	mkdir -p "$OUT"

	# usage: harness_use part...
	harness_use()
	{
		local part
		for part in "$@"; do
			[ -f "$TOP/test/lib/$part.sh" ] || {
				echo "harness: no part named '$part' (test/lib/$part.sh)" >&2
				exit 1
			}
			. "$TOP/test/lib/$part.sh"
		done
	}

	harness_use proc net kamailio sipp relay

	# at exit: every tracked process stopped, then the namespaces deleted
	harness_exit()
	{
		stop_all
		netns_del_all
	}
	trap harness_exit EXIT
fi
harness_use "$@"
