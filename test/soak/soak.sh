#!/bin/bash
# Load and soak: the shipped LB (cfg/kamailio.cfg) in front of the IPv4
# core (cfg/core.cfg) with a real rtpengine, on loopback, carrying calls
# that cross families (IPv6 caller -> IPv4 callee, and the reverse) while
# regping pings SOAK_CONTACTS contacts registered by test/tools/regload.
#
#   test/soak/soak.sh          (make soak; make test runs test/system/soak_short)
#
# Settings (environment):
#   SOAK_SECONDS     length of the load (300)
#   SOAK_RATE        calls per second in all (200), SOAK_REVERSE percent of
#                    them IPv4 -> IPv6 (50)
#   SOAK_HOLD_MS     how long each call lasts (1000)
#   SOAK_CONTACTS    contacts registered and pinged (100000), registered at
#                    SOAK_REG_RATE per second (2000), pinged every
#                    SOAK_PING_INTERVAL seconds (30)
#   SOAK_WARMUP      seconds of the same load before the baseline is taken
#                    (SOAK_SECONDS / 10, 5 to 30)
#   SOAK_SAMPLE      seconds between samples (2)
#   SOAK_MAX_FAILED_PCT  failed calls allowed, percent (0.5)
#   SOAK_SHM_TOL_KB  shm in use after the load (and its trend at equal
#                    load) may differ from the baseline by this much (256)
#   SOAK_PKG_TOL_KB  the same for pkg, summed over the LB's processes (256)
#   SOAK_STRICT      1: also the assertions that depend on the machine
#                    keeping up (pings sent in time, shm trend); 0 for CI
#   SOAK_MM          kamailio's allocator for both proxies (tlsf, as the
#                    cfg recommends)
#
# Prints one summary line; the samples go to $OUT/soak.csv (OUT: build/soak/
# <time>/ by default), every process is started and stopped by PID.
# Exit 0 when every assertion held.

set -u
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
export TOP
TEST_NAME=${TEST_NAME:-soak}
OUT=${OUT:-$TOP/build/soak/$(date +%Y%m%d-%H%M%S)}
. "$TOP/test/lib/harness.sh" system

S=${SOAK_SECONDS:-300}
RATE=${SOAK_RATE:-200}
REVERSE=${SOAK_REVERSE:-50}
HOLD=${SOAK_HOLD_MS:-1000}
CONTACTS=${SOAK_CONTACTS:-100000}
REG_RATE=${SOAK_REG_RATE:-2000}
PING_EVERY=${SOAK_PING_INTERVAL:-30}
WARMUP=${SOAK_WARMUP:-$((S / 10 < 5 ? 5 : (S / 10 > 30 ? 30 : S / 10)))}
SAMPLE=${SOAK_SAMPLE:-2}
MAX_FAILED_PCT=${SOAK_MAX_FAILED_PCT:-0.5}
SHM_TOL_KB=${SOAK_SHM_TOL_KB:-256}
PKG_TOL_KB=${SOAK_PKG_TOL_KB:-256}
STRICT=${SOAK_STRICT:-1}
MM=${SOAK_MM:-tlsf}
REGLOAD=$TOP/build/tools/regload
CSV=$OUT/soak.csv

# the calls per second of each direction
RATE_REV=$((RATE * REVERSE / 100))
RATE_FWD=$((RATE - RATE_REV))

[ -x "$REGLOAD" ] || make -s -C "$TOP/test/tools" >/dev/null || fail "cannot build regload"

# --- the system -----------------------------------------------------------

# calls in progress at once, per direction: a call lasts HOLD plus its
# setup; sipp waits rather than exceed 2 s of slack (-l). Each bridged call
# holds an RTP and an RTCP port on each of the relay's interfaces: 4 ports
# per call of the total, counted as if both interfaces shared one range.
limit_of()
{
	echo $(($1 * (HOLD + 2000) / 1000 + 10))
}
RTPE_PORTS=$((4 * ($(limit_of "$RATE_FWD") + $(limit_of "$RATE_REV")) + 200))
[ "$RTPE_PORTS" -le 10000 ] || fail "SOAK_RATE $RATE with SOAK_HOLD_MS $HOLD needs more than 10000 relay ports"
# below the range free_port() hands out (20000-59999) and the kernel's
# ephemeral ports, away from the other tests' relays (60000-64999); a
# random base, so that two soaks at once seldom share ports (rtpengine
# skips a port that is taken)
RTPE_PORT_MIN=$((10000 + RANDOM % ((10000 - RTPE_PORTS) / 100 + 1) * 100))
export RTPE_PORTS RTPE_PORT_MIN

# shm: the contacts (usrloc + regping, ~1.4 kB each on the LB), the
# REGISTER transactions in flight while registering, the calls
# regload registers every contact from 127.0.0.1: no per-source limit
LB_ARGS="-x $MM -m $((256 + CONTACTS * 3 / 1000)) -A REG_RATE=100000000"
# regload registers without credentials: the core does not authenticate
CORE_ARGS="-x $MM -m $((256 + CONTACTS * 2 / 1000)) -A NO_AUTH"
PING_INTERVAL=$PING_EVERY
start_system

# the processes of a kamailio: main + its children
procs_of()
{
	echo $(($(pgrep -P "$1" | wc -l) + 1))
}
LB_PROCS0=$(procs_of "$LB_PID")
CORE_PROCS0=$(procs_of "$CORE_PID")

# --- sampling --------------------------------------------------------------

# "key value" lines of an RPC answer, keys prefixed by $1
rpc_kv()
{
	awk -v p="$1" '/^[\t ]*[a-z_0-9]+: / { k = $1; sub(/:$/, "", k); print p k, $2 }'
}

# one sample as shell assignments: shm_*, pkg_sum, pkg_max, tm_current,
# rp_*, anon_kb, shmem_kb, procs, sessions
sample_vars()
{
	local p a s
	rpc core.shmmem | rpc_kv shm_ | sed 's/ /=/'
	rpc pkg.stats | awk '/real_used:/ { s += $2; if($2 > m) m = $2 }
		END { print "pkg_sum=" s + 0; print "pkg_max=" m + 0 }'
	rpc tm.stats | rpc_kv tm_ | sed 's/ /=/' | grep '^tm_current='
	rpc regping.status | rpc_kv rp_ | sed 's/ /=/' | grep -v '^rp_af=\|^rp_method=\|^rp_domain='
	# private memory of all processes (pkg, stacks); shm pages touched by
	# the process that touched most
	a=0
	s=0
	for p in "$LB_PID" $(pgrep -P "$LB_PID"); do
		read -r ra rs < <(awk '/^RssAnon:/ { a = $2 } /^RssShmem:/ { s = $2 }
			END { print a + 0, s + 0 }' "/proc/$p/status" 2>/dev/null)
		a=$((a + ${ra:-0}))
		[ "${rs:-0}" -gt "$s" ] && s=$rs
	done
	echo "anon_kb=$a"
	echo "shmem_kb=$s"
	echo "procs=$(procs_of "$LB_PID")"
	echo "sessions=$(relay_sessions)"
}

CSV_HEAD="t_s,phase,shm_used,shm_real_used,shm_max_used,shm_fragments,pkg_real_used_sum,pkg_real_used_max,rss_anon_kb_sum,rss_shmem_kb_max,lb_procs,tm_current,relay_sessions,contacts,pings_sent,pings_replied,ping_timeouts,dead"

# one CSV line now, in phase $1 (the sample's variables stay set)
sample()
{
	local t
	shm_used='' shm_real_used='' rp_contacts=''
	eval "$(sample_vars)"
	t=$(awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
	echo "$t,$1,${shm_used:-},${shm_real_used:-},${shm_max_used:-},${shm_fragments:-},$pkg_sum,$pkg_max,$anon_kb,$shmem_kb,$procs,${tm_current:-},$sessions,${rp_contacts:-},$((${rp_sent_v4:-0} + ${rp_sent_v6:-0})),$((${rp_replied_v4:-0} + ${rp_replied_v6:-0})),$((${rp_timeouts_v4:-0} + ${rp_timeouts_v6:-0})),${rp_dead:-}" >>"$CSV"
}

# in the background: a sample every SAMPLE s in the phase named by the
# file $OUT/phase, until $OUT/phase says "stop"
sampler()
{
	local ph
	while :; do
		ph=$(cat "$OUT/phase")
		[ "$ph" = stop ] && break
		sample "$ph"
		sleep "$SAMPLE"
	done
}

# (renamed into place: the sampler never reads a half-written name)
phase()
{
	echo "$1" >"$OUT/phase.new" && mv -f "$OUT/phase.new" "$OUT/phase"
	note "$(date +%T) phase $1"
}

# the median of the shm in use (real_used) over 3 samples 1 s apart
shm_settled()
{
	local i
	for i in 1 2 3; do
		[ $i -gt 1 ] && sleep 1
		rpc core.shmmem | awk '/real_used:/ { print $2 }'
	done | sort -n | sed -n 2p
}

pkg_now()
{
	rpc pkg.stats | awk '/real_used:/ { s += $2 } END { print s + 0 }'
}

# calls done: no transaction left on the LB (the wait timer keeps a
# finished one 5 s), no session in the relay
drained()
{
	[ "$(rpc tm.stats | awk '/current:/ { print $2 }')" = 0 ] &&
		[ "$(relay_sessions)" = 0 ]
}

# --- the load -------------------------------------------------------------

# the callees: registered through the LB (users uas4x0, uas6x0) by regload,
# then a sipp on the same address answers their calls and keepalives
start_callee()
{
	local name=$1 ip=$2 port
	port=$(free_port)
	"$REGLOAD" "$ip" "$port" "$ip" "$KPORT" 1 10 0 /dev/null "${name}x" \
		>"$OUT/reg-$name.out" 2>&1 ||
		fail "callee $name could not register: $(cat "$OUT/reg-$name.out")"
	timeout -k 5 $((S + WARMUP + CONTACTS / REG_RATE * 3 + 900)) sipp -nostdin \
		-sf "$TOP/test/soak/uas_soak.xml" -i "$ip" -p "$port" -mp "$(free_media_port)" \
		-key rtp_port "$(free_port)" -default_behaviors all,-abortunexp \
		-trace_err -error_file "$OUT/$name.err" \
		-trace_stat -stf "$OUT/$name.stat.csv" -fd 5 \
		>"$OUT/$name.out" 2>&1 &
	track "$!"
	wait_udp_port "$port" "$!" || fail "callee $name did not start (see $OUT/$name.out)"
}

# callers for $1 seconds: $2 name prefix; sets UAC_PIDS
start_callers()
{
	local secs=$1 pre=$2 dir ip rate callee
	UAC_PIDS=()
	for dir in fwd rev; do
		if [ $dir = fwd ]; then
			ip=::1 rate=$RATE_FWD callee=uas4x0
		else
			ip=127.0.0.1 rate=$RATE_REV callee=uas6x0
		fi
		[ "$rate" -gt 0 ] || continue
		# a 180 overtaken by its 200 (several workers) is no failure
		timeout -k 5 $((secs + 300)) sipp -nostdin -sf "$SCN/uac_call.xml" \
			-i "$ip" -p "$(free_port)" -mp "$(free_media_port)" \
			-r "$rate" -m $((rate * secs)) -d "$HOLD" -l "$(limit_of "$rate")" \
			-default_behaviors all,-abortunexp \
			-key rtp_port "$(free_port)" -key ruri "sip:$callee@127.0.0.1" \
			-trace_err -error_file "$OUT/$pre-$dir.err" \
			-trace_stat -stf "$OUT/$pre-$dir.stat.csv" -fd 5 \
			"$(uri_host "$ip"):$KPORT" >"$OUT/$pre-$dir.out" 2>&1 &
		track "$!"
		UAC_PIDS+=("$!")
	done
}

# the last value of column $2 of a sipp statistics file $1
sipp_stat()
{
	awk -F';' -v col="$2" 'NR == 1 { for(i = 1; i <= NF; i++) if($i == col) c = i; next }
		c { v = $c } END { print v + 0 }' "$1" 2>/dev/null
}

# totals of the callers $1 (prefix): "created ok failed retransmissions"
caller_totals()
{
	local f c=0 o=0 x=0 r=0
	for f in "$OUT/$1"-*.stat.csv; do
		[ -f "$f" ] || continue
		c=$((c + $(sipp_stat "$f" 'OutgoingCall(C)')))
		o=$((o + $(sipp_stat "$f" 'SuccessfulCall(C)')))
		x=$((x + $(sipp_stat "$f" 'FailedCall(C)')))
		r=$((r + $(sipp_stat "$f" 'Retransmissions(C)')))
	done
	echo "$c $o $x $r"
}

wait_callers()
{
	local pid rc=0
	for pid in "${UAC_PIDS[@]}"; do
		wait "$pid" || rc=1
	done
	return $rc
}

# --- the run ---------------------------------------------------------------

note "soak: $RATE calls/s ($RATE_FWD IPv6->IPv4, $RATE_REV IPv4->IPv6), $HOLD ms each," \
	"for $S s after $WARMUP s warm-up; $CONTACTS contacts pinged every $PING_EVERY s;" \
	"relay ports $RTPE_PORT_MIN-$((RTPE_PORT_MIN + RTPE_PORTS - 1)); out $OUT"

start_callee uas4 127.0.0.1
start_callee uas6 ::1

# the contacts: regload registers them and answers (counts) the pings until
# it is told to stop
SINK=$(free_port)
"$REGLOAD" 127.0.0.1 "$SINK" 127.0.0.1 "$KPORT" "$CONTACTS" "$REG_RATE" 86400 /dev/null \
	>"$OUT/regload.out" 2>"$OUT/regload.err" &
REGLOAD_PID=$!
track "$REGLOAD_PID"
want=$((CONTACTS + 2))
contacts_in()
{
	[ "$(rpc regping.status | awk '/^[\t ]*contacts:/ { print $2 }')" = "$want" ]
}
wait_for $((CONTACTS / REG_RATE * 4 + 30)) contacts_in ||
	fail "the LB pings $(rpc regping.status | awk '/^[\t ]*contacts:/ { print $2 }') contacts, not $want"
kill -0 "$REGLOAD_PID" 2>/dev/null || fail "regload ended early: $(cat "$OUT/regload.err")"
note "$want contacts registered and pinged"
# the REGISTER transactions leave the wait timer: idle means pings only
wait_for 60 drained || fail "the registrations did not drain: $(rpc tm.stats | grep current)"

T0=$(date +%s.%N)
echo "$CSV_HEAD" >"$CSV"
phase idle
sampler &
SAMPLER_PID=$!
track "$SAMPLER_PID"
sleep $((SAMPLE * 2))

# warm-up: the same load, so that what the first calls allocate for good
# (pools, caches, hash buckets) is in the baseline
phase warmup
start_callers "$WARMUP" warmup
wait_callers || note "warm-up callers: some calls failed (not counted)"
wait_for 60 drained || fail "the warm-up calls did not drain: $(rpc tm.stats | grep current), relay $(relay_sessions)"
phase baseline
SHM0=$(shm_settled)
PKG0=$(pkg_now)
read -r sent0 replied0 dead0 < <(rpc regping.status | awk '
	/sent_v[46]:/ { s += $2 } /replied_v[46]:/ { r += $2 } /dead:/ { d = $2 }
	END { print s + 0, r + 0, d + 0 }')

phase load
t_load=$(date +%s)
LOAD_T=$(awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
start_callers "$S" soak
callers_rc=0
wait_callers || callers_rc=1
t_load=$(($(date +%s) - t_load))
phase drain
wait_for 60 drained || fail "the calls did not drain: $(rpc tm.stats | grep current), relay $(relay_sessions)"
phase after
SHM1=$(shm_settled)
PKG1=$(pkg_now)
read -r sent1 replied1 dead1 timeouts1 < <(rpc regping.status | awk '
	/sent_v[46]:/ { s += $2 } /replied_v[46]:/ { r += $2 } /dead:/ { d = $2 }
	/timeouts_v[46]:/ { t += $2 } END { print s + 0, r + 0, d + 0, t + 0 }')
sleep "$SAMPLE"
phase stop
wait "$SAMPLER_PID"

kill -TERM "$REGLOAD_PID"
wait "$REGLOAD_PID"
regload_line=$(cat "$OUT/regload.out")
answered=$(echo "$regload_line" | sed -n 's/.*pings \([0-9]*\) in.*/\1/p')

# --- the verdict -----------------------------------------------------------

errors=()
check()
{
	# usage: check "what went wrong" condition...
	local what=$1
	shift
	"$@" || errors+=("$what")
}

lb_procs=$(kill -0 "$LB_PID" 2>/dev/null && procs_of "$LB_PID" || echo 0)
core_procs=$(kill -0 "$CORE_PID" 2>/dev/null && procs_of "$CORE_PID" || echo 0)
check "LB processes $lb_procs, were $LB_PROCS0 (pid $LB_PID)" [ "$lb_procs" = "$LB_PROCS0" ]
check "core processes $core_procs, were $CORE_PROCS0 (pid $CORE_PID)" [ "$core_procs" = "$CORE_PROCS0" ]
check "rtpengine (pid $RTPE_PID) is gone" kill -0 "$RTPE_PID"
sessions=$(relay_sessions)
check "the relay holds ${sessions:-?} sessions" [ "$sessions" = 0 ]

read -r created ok failed retrans < <(caller_totals soak)
planned=$(((RATE_FWD + RATE_REV) * S))
failed_pct=$(awk -v f="$failed" -v c="$created" 'BEGIN { printf "%.3f", c ? 100 * f / c : 100 }')
check "$created calls made, $planned planned" [ "$created" = "$planned" ]
check "$((ok + failed)) of $created calls ended" [ $((ok + failed)) = "$created" ]
check "failed calls $failed_pct% > $MAX_FAILED_PCT%" \
	awk -v p="$failed_pct" -v m="$MAX_FAILED_PCT" 'BEGIN { exit !(p <= m) }'
[ "$callers_rc" = 0 ] || [ "$failed" -gt 0 ] || errors+=("a caller exited with an error (see $OUT/soak-*.out)")

sent=$((sent1 - sent0))
replied=$((replied1 - replied0))
check "contacts declared dead: $dead1" [ "$dead1" = 0 ]
check "no ping sent during the load" [ "$sent" -gt 0 ]
check "no ping answered during the load" [ "$replied" -gt 0 ]
check "regload answered no ping (${regload_line:-no output})" [ "${answered:-0}" -gt 0 ]
if [ "$STRICT" = 1 ]; then
	# one ping per contact and interval: 90% of those due in the load
	due=$((CONTACTS * t_load / PING_EVERY))
	check "pings sent in the load $sent < 90% of $due due" [ $((sent * 10)) -ge $((due * 9)) ]
	check "pings answered $replied < 99% of $sent sent" [ $((replied * 100)) -ge $((sent * 99)) ]
fi

# memory: back to the baseline once the calls are gone. With TLSF freed
# memory coalesces and real_used returns to the byte (delta 0 in every
# run so far, shm and pkg); the tolerance leaves room for a few
# legitimate allocations and still catches a leak of 350 bytes per call
# in the short run (750 calls), of 5 bytes per call in 300 s at 200/s.
shm_delta=$((SHM1 - SHM0))
check "shm in use after the calls ${shm_delta#-} bytes off the baseline (tolerance $SHM_TOL_KB kB)" \
	[ "${shm_delta#-}" -le $((SHM_TOL_KB * 1024)) ]
pkg_delta=$((PKG1 - PKG0))
check "pkg in use after the calls ${pkg_delta#-} bytes off the baseline (tolerance $PKG_TOL_KB kB)" \
	[ "${pkg_delta#-}" -le $((PKG_TOL_KB * 1024)) ]
# the trend at equal load: a sample's shm above the baseline is mostly the
# transactions in flight (tm current, ~15 kB each with their messages);
# what the fitted bytes per transaction do not explain, compared between
# the first and the last third of the steady load (from the moment the
# first calls' transactions leave the 5 s wait timer until the callers
# stop starting calls), medians; a leak grows it with the calls made.
# The bytes per transaction differ by up to 2% between samples (which
# messages the transactions in flight hold at that instant): the trend
# may be 2% of the shm in flight, at least SOAK_SHM_TOL_KB.
read -r peak per_tx first last n_steady inflight < <(awk -F, -v t0="$LOAD_T" \
	-v from="$(((HOLD + 999) / 1000 + 7))" -v secs="$S" -v base="$SHM0" '
	$2 == "load" && $4 > pk { pk = $4 }
	$2 == "load" && $1 >= t0 + from && $1 <= t0 + secs {
		x[n] = $12; y[n] = $4 - base; n++ }
	function med(lo, hi,   i, j, k, a, t) {
		k = 0; for(i = lo; i < hi; i++) a[k++] = r[i]
		for(i = 1; i < k; i++) { t = a[i]; for(j = i - 1; j >= 0 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
		return k ? a[int(k / 2)] : 0 }
	END {
		# least squares through the origin: bytes per transaction
		for(i = 0; i < n; i++) { xy += x[i] * y[i]; xx += x[i] * x[i] }
		b = xx ? xy / xx : 0
		for(i = 0; i < n; i++) r[i] = y[i] - b * x[i]
		t = int(n / 3)
		f = med(0, t); l = med(n - t, n)
		for(i = 0; i < n; i++) r[i] = y[i]
		printf "%.0f %.0f %.0f %.0f %d %.0f\n", pk, b, f, l, n, med(0, n) }' "$CSV")
trend=$((last - first))
trend_tol=$((inflight / 50 > SHM_TOL_KB * 1024 ? inflight / 50 : SHM_TOL_KB * 1024))
if [ "$STRICT" = 1 ]; then
	check "too few samples of steady load ($n_steady) for a trend" [ "$n_steady" -ge 6 ]
	check "shm under load not explained by transactions grew by $trend bytes from the first to the last third (tolerance $trend_tol)" \
		[ "$trend" -le "$trend_tol" ]
fi

kb()
{
	echo $((($1 + 512) / 1024))
}
summary="soak: ${t_load}s at $RATE calls/s ($RATE_FWD v6->v4, $RATE_REV v4->v6, ${HOLD}ms);"
summary="$summary calls $created ok $ok failed $failed ($failed_pct%) retrans $retrans;"
summary="$summary regping contacts $CONTACTS sent $sent replied $replied timeouts $timeouts1 dead $dead1, regload answered ${answered:-0} in all;"
summary="$summary shm kB baseline $(kb "$SHM0") peak $(kb "$peak") after $(kb "$SHM1") (delta $((shm_delta / 1024)), trend $((trend / 1024)) of max $((trend_tol / 1024)) at $per_tx B/transaction);"
summary="$summary pkg kB $(kb "$PKG0") -> $(kb "$PKG1"); procs lb $lb_procs/$LB_PROCS0 core $core_procs/$CORE_PROCS0; relay sessions $sessions"
echo "$summary" | tee "$OUT/summary.txt"
echo "samples: $CSV"
if [ ${#errors[@]} -gt 0 ]; then
	for e in "${errors[@]}"; do
		echo "FAIL: $e" >&2
	done
	exit 1
fi
echo "soak: passed"
