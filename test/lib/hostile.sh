# Raw SIP at the shipped LB (cfg/kamailio.cfg in front of cfg/core.cfg and
# rtpengine, as in e2e_lb), and the checks that it survived: same
# processes, answers a normal request, shared memory back at its baseline,
# the log names each problem. Used by the hostile_* and lb_* tests.
[ -z "${_harness_hostile:-}" ] || return 0
_harness_hostile=1
harness_use system

RAW="python3 $TOP/test/lib/sipraw.py"
: >"$OUT/hostile.txt"
: >"$OUT/log-matches.txt"

# send one hostile message (template on stdin, see sipraw.py) to the LB
# and require the answer to match the regex $3 (e.g. 'codes=400x1', or
# 'answered 0 ' for a message that must be dropped).
# usage: hostile name dst_ip want [sipraw options]
hostile()
{
	local name=$1 dst=$2 want=$3 res
	shift 3
	res=$($RAW "$@" "$dst" "$KPORT") || fail "$name: sipraw failed"
	printf '%-22s %s\n' "$name" "$res" >>"$OUT/hostile.txt"
	[[ "$res" =~ $want ]] || fail "$name: expected '$want', got '$res'"
	note "$name: $res"
}

# the LB's log (or the log $3, e.g. core) must have a line matching the
# extended regex $2 (why hostile input $1 was refused); counts the matches
log_names()
{
	local what=$1 re=$2 log=${3:-lb} line
	line=$(grep -E -m1 -- "$re" "$OUT/$log.log") ||
		fail "$what: the $log log has no line matching '$re'"
	echo "$what: $line" >>"$OUT/log-matches.txt"
	note "log ($what): ${line:0:160}"
}

# shared memory in use by the kamailio of rpc's @name $1 (core.shmmem)
shm_used()
{
	rpc "$1" core.shmmem | awk '$1 == "used:" { print $2 }'
}

# transactions alive in the kamailio of rpc's @name $1
tm_current()
{
	rpc "$1" tm.stats | awk '$1 == "current:" { print $2 }'
}

# kamailio's process count (main + its children) of PID $1
proc_count()
{
	echo $((1 + $(pgrep -c -P "$1")))
}

# remember the processes and the memory of the LB and the core; call after
# warm-up traffic, with no transaction alive
baseline()
{
	LB_PROCS=$(proc_count "$LB_PID")
	CORE_PROCS=$(proc_count "$CORE_PID")
	wait_for 40 idle || fail "transactions still alive before the baseline"
	LB_SHM0=$(shm_used @ctl)
	CORE_SHM0=$(shm_used @core)
	note "baseline: LB pid $LB_PID ($LB_PROCS processes, shm used $LB_SHM0), core pid $CORE_PID ($CORE_PROCS, $CORE_SHM0)"
}

idle()
{
	[ "$(tm_current @ctl)" = 0 ] && [ "$(tm_current @core)" = 0 ]
}

# both kamailios alive with as many processes as at the baseline
alive()
{
	kill -0 "$LB_PID" 2>/dev/null || fail "the LB (pid $LB_PID) died"
	kill -0 "$CORE_PID" 2>/dev/null || fail "the core (pid $CORE_PID) died"
	[ "$(proc_count "$LB_PID")" = "$LB_PROCS" ] ||
		fail "the LB has $(proc_count "$LB_PID") processes, had $LB_PROCS"
	[ "$(proc_count "$CORE_PID")" = "$CORE_PROCS" ] ||
		fail "the core has $(proc_count "$CORE_PID") processes, had $CORE_PROCS"
}

# after all transactions have ended, shared memory in use is back within
# SHM_TOLERANCE bytes of the baseline (LB and core)
shm_back()
{
	local lb core
	wait_for 40 idle || fail "transactions still alive: LB $(tm_current @ctl), core $(tm_current @core)"
	lb=$(shm_used @ctl)
	core=$(shm_used @core)
	note "shm used: LB $LB_SHM0 -> $lb ($((lb - LB_SHM0))), core $CORE_SHM0 -> $core ($((core - CORE_SHM0))), tolerance $SHM_TOLERANCE"
	echo "shm LB $LB_SHM0 $lb core $CORE_SHM0 $core" >>"$OUT/hostile.txt"
	[ $((lb - LB_SHM0)) -le "$SHM_TOLERANCE" ] ||
		fail "the LB holds $((lb - LB_SHM0)) bytes more shared memory than before"
	[ $((core - CORE_SHM0)) -le "$SHM_TOLERANCE" ] ||
		fail "the core holds $((core - CORE_SHM0)) bytes more shared memory than before"
}

# the figures of a run: hostile inputs sent, log lines matched
summary()
{
	note "$(grep -vc '^shm ' "$OUT/hostile.txt") hostile inputs, $(wc -l <"$OUT/log-matches.txt") log lines matched (see $OUT/hostile.txt, $OUT/log-matches.txt)"
}
