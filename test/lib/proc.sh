# Processes: every process a test starts is tracked by PID (track) and
# stopped by PID on exit, also when a test fails or is interrupted; how a
# test ends (fail, skip) and what it says on the way (note, wait_for).
[ -z "${_harness_proc:-}" ] || return 0
_harness_proc=1

_pids=()

# remember process(es) $@ (PIDs) to be stopped at exit
track()
{
	local p
	for p in "$@"; do
		_pids+=("$p")
	done
}

# stop every process we started: TERM, wait up to 5 s, then KILL; the
# children they forked (kamailio's workers) are stopped by their PIDs too,
# should their parent die without taking them along
stop_all()
{
	local pid kids=()
	for pid in "${_pids[@]}"; do
		kids+=($(pgrep -P "$pid" 2>/dev/null))
		kill -TERM "$pid" 2>/dev/null
	done
	for pid in "${_pids[@]}"; do
		if ! gone_within 50 "$pid"; then
			echo "  process $pid did not stop on TERM, killing it" >&2
			kill -KILL "$pid" 2>/dev/null
		fi
		wait "$pid" 2>/dev/null
	done
	for pid in "${kids[@]}"; do
		gone_within 20 "$pid" || kill -KILL "$pid" 2>/dev/null
	done
	_pids=()
}
# 0 when process $2 is gone within $1 tenths of a second
gone_within()
{
	local i
	for i in $(seq "$1"); do
		kill -0 "$2" 2>/dev/null || return 0
		sleep 0.1
	done
	! kill -0 "$2" 2>/dev/null
}
# stop one process we started (and the children it forked) by its PID:
# TERM, up to 5 s, then KILL; it is no longer stopped at exit
stop_pid()
{
	local pid=$1 p kids keep=()
	kids=$(pgrep -P "$pid" 2>/dev/null)
	kill -TERM "$pid" 2>/dev/null
	gone_within 50 "$pid" || kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	for p in $kids; do
		gone_within 20 "$p" || kill -KILL "$p" 2>/dev/null
	done
	for p in "${_pids[@]}"; do
		[ "$p" = "$pid" ] || keep+=("$p")
	done
	_pids=("${keep[@]}")
}
trap 'exit 130' INT TERM

fail()
{
	echo "FAIL: $*" >&2
	exit 1
}

# the test cannot run here (a missing or broken part that is not ours):
# test/run.sh counts exit 77 as skipped and shows the reason
skip()
{
	echo "SKIP: $*" >&2
	exit 77
}

note()
{
	echo "  $*" >&2
}

# poll a shell condition every 0.2 s for up to $1 seconds
# usage: wait_for seconds command...
wait_for()
{
	local i n=$(($1 * 5))
	shift
	for i in $(seq "$n"); do
		"$@" && return 0
		sleep 0.2
	done
	"$@"
}

