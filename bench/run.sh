#!/bin/bash
# make bench: what the dualstack modules cost, each figure a ratio against
# a reference measured in the same run. Results: bench/out/<name>.csv and
# .png (gnuplot), a table on stdout; logs in build/bench/<time>/.
#   bench/run.sh [name...]     names: ip6ref_parser afbridge_calls
# CALLS and RATE set the size of afbridge_calls (default 2000 at 100/s).

set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
export TOP
RES=$TOP/bench/out
OUT=$TOP/build/bench/$(date +%Y%m%d-%H%M%S)
TEST_NAME=bench
mkdir -p "$RES" "$OUT"
. "$TOP/test/sipp/lib.sh"
. "$TOP/test/sipp/afbridge_lib.sh"

plot()
{
	# usage: plot name title ylabel using-spec
	command -v gnuplot >/dev/null || { note "gnuplot missing: no $1.png"; return; }
	gnuplot <<GP
set terminal png size 800,480
set output "$RES/$1.png"
set title "$2"
set ylabel "$3"
set style data histograms
set style fill solid 0.6
set boxwidth 0.8
set datafile separator ","
set termoption noenhanced
set key off
set yrange [0:*]
plot "$RES/$1.csv" every ::1 using $4
GP
}

bench_ip6ref_parser()
{
	gcc -O2 -Wall -Wextra -I"$TOP/modules" -o "$OUT/ip6ref_parser" \
		"$TOP/bench/ip6ref_parser.c" "$TOP/modules/ip6ref/ip6ref_parser.c" ||
		fail "cannot build the parser benchmark"
	"$OUT/ip6ref_parser" "${ROUNDS:-200000}" >"$RES/ip6ref_parser.csv" ||
		fail "the parser benchmark failed"
	awk -F, 'NR > 1 { printf "%s,%s %s,%s\n", $0, $1, $2, $3 }' "$RES/ip6ref_parser.csv" \
		>"$OUT/parser.plot"
	cp "$OUT/parser.plot" "$RES/ip6ref_parser.plot.csv"
	plot ip6ref_parser.plot "ip6ref parse + canonical text vs glibc inet_pton + inet_ntop" \
		"ns per string" "6:xtic(5)"
	mv -f "$RES/ip6ref_parser.plot.png" "$RES/ip6ref_parser.png" 2>/dev/null
	rm -f "$RES/ip6ref_parser.plot.csv"
}

# CPU ticks of kamailio $1 and its children
kam_ticks()
{
	local p t=0 f
	for p in "$1" $(pgrep -P "$1"); do
		read -r -a f <"/proc/$p/stat" || continue
		t=$((t + f[13] + f[14]))
	done
	echo "$t"
}

# one variant: the LB with -A $2 (or none), CALLS calls IPv6 -> IPv4
calls_run()
{
	local name=$1 def=$2 uas_port t0 t1 hz rc failed ok
	PORT=$(free_port)
	KPORT=$PORT
	render "$TOP/bench/lb.cfg.in" "$OUT/$name.cfg" TOP PORT RTPP_PORT
	start_kamailio "$name" "$OUT/$name.cfg" "$PORT" $def
	uas_port=$(free_port)
	timeout -k 2 600 sipp -nostdin -sf "$TOP/bench/uas_loop.xml" -i 127.0.0.1 \
		-p "$uas_port" -mp "$(free_port)" >"$OUT/$name-uas.out" 2>&1 &
	_pids+=("$!")
	wait_udp_port "$uas_port" || fail "the callee did not start"
	t0=$(kam_ticks "$KAM_PID")
	timeout -k 2 600 sipp -nostdin -sf "$TOP/test/sipp/scenarios/uac_call.xml" \
		-i ::1 -p "$(free_port)" -mp "$(free_port)" -r "${RATE:-100}" \
		-m "${CALLS:-2000}" -d 0 -l 500 -key rtp_port "$(free_port)" \
		-key ruri "sip:uas@127.0.0.1:$uas_port" "[::1]:$PORT" \
		>"$OUT/$name-uac.out" 2>&1
	rc=$?
	t1=$(kam_ticks "$KAM_PID")
	hz=$(getconf CLK_TCK)
	ok=$(awk -F'|' '/Successful call/ { gsub(/ /, "", $3); print $3 }' "$OUT/$name-uac.out")
	failed=$(awk -F'|' '/Failed call/ { gsub(/ /, "", $3); print $3 }' "$OUT/$name-uac.out")
	stop_all
	echo "$name,${ok:-0},${failed:-?},$(((t1 - t0) * 1000 / hz)),$(((t1 - t0) * 1000000 / hz / ${CALLS:-2000})),$rc"
}

# each variant with kamailio's default pkg allocator (q_malloc) and with
# TLSF (-x tlsf): q_malloc's cost depends on the heap's state
bench_afbridge_calls()
{
	local mm r s a
	echo "variant,allocator,calls_ok,calls_failed,kamailio_cpu_ms,cpu_us_per_call,ratio_to_script,sipp_rc" \
		>"$RES/afbridge_calls.csv"
	for mm in qm tlsf; do
		start_rtpengine >/dev/null 2>&1
		s=$(calls_run "script-$mm" "-x $mm")
		start_rtpengine >/dev/null 2>&1
		a=$(calls_run "af_bridge-$mm" "-x $mm -A WITH_AFBRIDGE")
		r=$(echo "$s" | cut -d, -f5)
		for v in "$s" "$a"; do
			echo "$v" | awk -F, -v ref="$r" -v mm="$mm" '{
				split($1, n, "-");
				printf "%s,%s,%s,%s,%s,%s,%.2f,%s\n", n[1], mm, $2, $3, $4, $5,
					(ref > 0 ? $5 / ref : 0), $6 }' >>"$RES/afbridge_calls.csv"
		done
	done
	awk -F, 'NR > 1 { printf "%s,%s %s\n", $0, $1, $2 }' "$RES/afbridge_calls.csv" \
		>"$RES/afbridge_calls.plot.csv"
	plot afbridge_calls.plot "kamailio CPU per crossing call (${CALLS:-2000} calls at ${RATE:-100}/s)" \
		"microseconds per call" "6:xtic(9)"
	mv -f "$RES/afbridge_calls.plot.png" "$RES/afbridge_calls.png" 2>/dev/null
	rm -f "$RES/afbridge_calls.plot.csv"
}

names=${*:-ip6ref_parser afbridge_calls}
for b in $names; do
	printf '== %s\n' "$b"
	"bench_$b"
	column -s, -t <"$RES/$b.csv"
done
printf '\nresults: %s (logs: %s)\n' "$RES" "$OUT"
