#!/bin/bash
# make bench: what the dualstack modules cost, each figure a ratio against
# a reference measured in the same run. Results: bench/out/<name>.csv and
# .png (gnuplot), a table on stdout; logs in build/bench/<time>/.
#   bench/run.sh [name...]     names: ip6ref_parser ds_mark afbridge_calls
#                              afbridge_rate regping_scale regping_cluster
# CALLS and RATE set the size of afbridge_calls (default 2000 at 100/s);
# SCALE the contact counts of regping_scale (default "10000 100000
# 1000000"), INTERVAL its ping interval (default 10 s, 30 s from 1M
# contacts: 1M every 30 s is regping's goal), PINGERS which of "rport
# regping natping kamode floor" to run (rport: regping with reply_port,
# reading its replies itself; regping: its default, the replies through
# the SIP workers; floor: bench/floor_pinger, the machine's floor for
# sending pings and taking their replies). The sink answers every pinger
# as RFC 3261 18.2.2 says (REGLOAD_REPLY_TO=via: to the Via's port). CLUSTER_SCALE the
# contacts of regping_cluster (default 100000) registered at CLUSTER_RATE
# REGISTERs/s over all flows (default 1000). KAM_RCVBUF is the UDP
# receive buffer regping_scale's registrar probes up to (kamailio -b,
# default 4194304, within net.core.rmem_max): at 1M contacts 33k replies
# a second come back, more than kamailio's default 256 KB holds while its
# workers wait for a core.

set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
export TOP
RES=$TOP/bench/out
OUT=$TOP/build/bench/$(date +%Y%m%d-%H%M%S)
TEST_NAME=bench
mkdir -p "$RES" "$OUT"
# the harness's base (the relay named: the arguments here are benchmarks)
. "$TOP/test/lib/harness.sh" relay
# the LBs of bench/lb.cfg.in use the rtpproxy protocol (e/i interfaces)
export RTPE_IFACES=pair

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
set xtics rotate by -30
set key off
set yrange [0:*]
plot "$RES/$1.csv" using $4
GP
}

# the C benchmark programs (bench/Makefile, sources from mk/sources.mk)
build_c()
{
	make -s -C "$TOP/bench" OUT="$OUT" "$OUT/$1" || fail "cannot build the $1 benchmark"
}

bench_ip6ref_parser()
{
	build_c ip6ref_parser
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
		-p "$uas_port" -mp "$(free_media_port)" >"$OUT/$name-uas.out" 2>&1 &
	track "$!"
	wait_udp_port "$uas_port" || fail "the callee did not start"
	t0=$(kam_ticks "$KAM_PID")
	timeout -k 2 600 sipp -nostdin -sf "$SCN/uac_call.xml" \
		-i ::1 -p "$(free_port)" -mp "$(free_media_port)" -r "${RATE:-100}" \
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

# calls at one rate for STEP_SECONDS through the af_bridge() LB: prints
# "ok failed"; $1 rate, $2 uac ip, $3 uas port, $4 the LB's port
rate_step()
{
	local rate=$1 ip=$2 uas_port=$3 port=$4 n
	n=$((rate * ${STEP_SECONDS:-5}))
	timeout -k 2 120 sipp -nostdin -sf "$SCN/uac_call.xml" \
		-i "$ip" -p "$(free_port)" -mp "$(free_media_port)" -r "$rate" -m "$n" -d 0 \
		-l 2000 -recv_timeout 5000 -default_behaviors all,-abortunexp \
		-key rtp_port "$(free_port)" \
		-key ruri "sip:uas@127.0.0.1:$uas_port" "$(uri_host "$ip"):$port" \
		>"$OUT/rate-$ip-$rate.out" 2>&1
	awk -F'|' '/Successful call/ { gsub(/ /, "", $3); ok = $3 }
		/Failed call/ { gsub(/ /, "", $3); f = $3 }
		END { print ok + 0, f + 0 }' "$OUT/rate-$ip-$rate.out"
}

# the highest call rate with < 0.1% failed calls, crossing families
# (bridged through rtpengine) and not (IPv4 to IPv4, relay untouched)
bench_afbridge_rate()
{
	local kind ip rate ok failed best uas_port
	# a 180 overtaken by its 200 (two workers) is not a failed call
	echo "kind,rate_per_s,calls_ok,calls_failed,failed_pct,passed" >"$RES/afbridge_rate.csv"
	for kind in bridged unbridged; do
		ip=::1
		[ "$kind" = unbridged ] && ip=127.0.0.1
		start_rtpengine >/dev/null 2>&1
		PORT=$(free_port)
		render "$TOP/bench/lb.cfg.in" "$OUT/rate-$kind.cfg" TOP PORT RTPP_PORT
		start_kamailio "rate-$kind" "$OUT/rate-$kind.cfg" "$PORT" -x tlsf \
			-A WITH_AFBRIDGE >/dev/null 2>&1
		uas_port=$(free_port)
		timeout -k 2 900 sipp -nostdin -sf "$TOP/bench/uas_loop.xml" -i 127.0.0.1 \
			-p "$uas_port" -mp "$(free_media_port)" >"$OUT/rate-$kind-uas.out" 2>&1 &
		track "$!"
		wait_udp_port "$uas_port" || fail "the callee did not start"
		best=0
		for rate in ${RATES:-100 200 400 600 800 1000 1300 1600 2000}; do
			read -r ok failed < <(rate_step "$rate" "$ip" "$uas_port" "$PORT")
			pass=$(awk -v o="$ok" -v f="$failed" 'BEGIN { print (o + f > 0 && f * 1000 < o + f) ? 1 : 0 }')
			echo "$kind,$rate,$ok,$failed,$(awk -v o="$ok" -v f="$failed" 'BEGIN { printf "%.2f", (o + f) ? 100 * f / (o + f) : 100 }'),$pass" \
				>>"$RES/afbridge_rate.csv"
			[ "$pass" = 1 ] || break
			best=$rate
		done
		note "$kind: highest rate with < 0.1% failed: $best/s"
		stop_all
	done
	awk -F, 'NR > 1 { printf "%s,%s %s/s\n", $0, $1, $2 }' "$RES/afbridge_rate.csv" \
		>"$RES/afbridge_rate.plot.csv"
	plot afbridge_rate.plot "failed calls by call rate (the limit: 0.1%)" \
		"failed %" "5:xtic(7)"
	mv -f "$RES/afbridge_rate.plot.png" "$RES/afbridge_rate.png" 2>/dev/null
	rm -f "$RES/afbridge_rate.plot.csv"
}

# shm in use by kamailio (bytes)
shm_used()
{
	rpc core.shmmem | awk '/real_used:/ { print $2 }'
}

# busiest 100 ms over the mean 100 ms of $2 seconds of arrival times in $1
spread_of()
{
	awk -v secs="$2" '{ b = int($1 / 100000); if(b < secs * 10) c[b]++; n++ }
		END { m = 0; for(k in c) if(c[k] > m) m = c[k]; mean = n / (secs * 10);
			if(mean > 0) printf "%.2f", m / mean; else print 0 }' "$1"
}

# the sink's REGLOAD_LOG=users times $1 (realtime us, from $2 on, $3
# seconds): the same arrivals as us from $2, one a line, to $4
sink_relative()
{
	awk -v start="$2" -v secs="$3" '{ t = $1 - start; if(t >= 0 && t < secs * 1000000) printf "%.0f\n", t }' "$1" >"$4"
}

# of $2 contacts pinged every $4 s, the percentage the sink saw kept on
# time in its $3 seconds from $5 (bench/due.awk)
sink_due()
{
	awk -v n="$2" -v secs="$3" -v interval="$4" -v start="$5" \
		-f "$TOP/bench/due.awk" "$1" |
		awk '{ if($3 > 0) printf "%.2f", 100 * $1 / $3; else print 0 }'
}

# pings regping found unanswered so far (its timeouts counters), "-" for
# the other pingers
timeouts_of()
{
	if [ "$1" = regping ] || [ "$1" = rport ]; then
		echo $(($(rpc cnt.get regping timeouts_v4) + $(rpc cnt.get regping timeouts_v6)))
	else
		echo -
	fi
}

# the ping interval for $1 contacts
scale_interval()
{
	if [ -n "${INTERVAL:-}" ]; then
		echo "$INTERVAL"
	elif [ "$1" -ge 1000000 ]; then
		echo 30
	else
		echo 10
	fi
}

# the floor: bench/floor_pinger (regping's bytes, sendmmsg, no kamailio)
# pinging n contacts at the same sink for two intervals; its own CPU
floor_run()
{
	local n=$1 interval secs sink_pid line pings cpu t0
	interval=$(scale_interval "$n")
	secs=$((2 * interval))
	gcc -O2 -Wall -Wextra -I"$TOP/modules" -o "$OUT/floor_pinger" \
		"$TOP/bench/floor_pinger.c" || fail "cannot build the floor pinger"
	SINK=$(free_port)
	REGLOAD_LOG=users "$TOP/build/tools/regload" 127.0.0.1 "$SINK" 127.0.0.1 1 0 1 $((secs + 10)) \
		"$OUT/floor-$n.users" >"$OUT/floor-$n.sink" 2>&1 &
	sink_pid=$!
	track "$sink_pid"
	wait_udp_port "$SINK" "$sink_pid" || fail "the sink did not start"
	t0=$(date +%s%6N)
	line=$("$OUT/floor_pinger" 127.0.0.1 "$SINK" 127.0.0.1 "$(free_port)" "$n" \
		"$interval" "$secs") || fail "the floor pinger failed: $line"
	kill -TERM "$sink_pid"
	wait "$sink_pid"
	pings=$(sed -n 's/.*pings \([0-9]*\) in.*/\1/p' "$OUT/floor-$n.sink")
	cpu=$(echo "$line" | sed -n 's/.*cpu_us \([0-9]*\).*/\1/p')
	echo "$line" >"$OUT/floor-$n.out"
	sink_relative "$OUT/floor-$n.users" "$t0" "$secs" "$OUT/floor-$n.times"
	echo "floor,$n,${pings:-0},$(awk -v p="${pings:-0}" -v s="$secs" 'BEGIN { printf "%.0f", p / s }'),$(awk -v p="${pings:-0}" -v c="${cpu:-0}" 'BEGIN { if(p > 0) printf "%.1f", c / p; else print 0 }'),0,$(spread_of "$OUT/floor-$n.times" "$secs"),$(sink_due "$OUT/floor-$n.users" "$n" "$secs" "$interval" "$t0"),-"
}

# one pinger with n contacts: register them from one sink, then let the
# sink answer (and time) the pings of two intervals
scale_run()
{
	local variant=$1 n=$2 interval shm0 shm1 t0 t1 hz line pings secs rate spread start to0 to1 sink_pid
	interval=$(scale_interval "$n")
	# the registrar's template reads it
	local INTERVAL=$interval
	PORT=$(free_port)
	# rport: regping reading its replies at reply_port itself
	local RPORT=$(free_port) defs="-A $(echo "$variant" | tr a-z A-Z)"
	[ "$variant" = rport ] && defs="-A REGPING -A RPORT"
	render "$TOP/bench/registrar.cfg.in" "$OUT/reg-$variant-$n.cfg" TOP PORT OUT INTERVAL RPORT
	# shellcheck disable=SC2086 # two words each
	start_kamailio "reg-$variant-$n" "$OUT/reg-$variant-$n.cfg" "$PORT" \
		$defs -x tlsf -m $((256 + n / 1000 * 3)) -b "$KAM_RCVBUF" >/dev/null 2>&1
	SINK=$(free_port)
	shm0=$(shm_used)
	"$TOP/build/tools/regload" 127.0.0.1 "$SINK" 127.0.0.1 "$PORT" "$n" 10000 0 /dev/null \
		>"$OUT/reg-$variant-$n.load" 2>&1 || fail "registering $n contacts failed: $(cat "$OUT/reg-$variant-$n.load")"
	shm1=$(shm_used)
	t0=$(kam_ticks "$KAM_PID")
	start=$(date +%s%6N)
	REGLOAD_REPLY_TO=via REGLOAD_LOG=users "$TOP/build/tools/regload" 127.0.0.1 "$SINK" 127.0.0.1 "$PORT" 0 1 $((2 * interval)) \
		"$OUT/reg-$variant-$n.users" >"$OUT/reg-$variant-$n.sink" 2>&1 &
	sink_pid=$!
	track "$sink_pid"
	# pings go unanswered between the registering regload's exit and the
	# sink's start on the same port; a ping is judged at the next one, an
	# interval later: count what the second interval judges (the pings of
	# the first, all sent while the sink ran)
	sleep $((interval + 1))
	to0=$(timeouts_of "$variant")
	wait "$sink_pid"
	t1=$(kam_ticks "$KAM_PID")
	to1=$(timeouts_of "$variant")
	hz=$(getconf CLK_TCK)
	stop_all
	line=$(cat "$OUT/reg-$variant-$n.sink")
	pings=$(echo "$line" | sed -n 's/.*pings \([0-9]*\) in.*/\1/p')
	secs=$((2 * interval))
	sink_relative "$OUT/reg-$variant-$n.users" "$start" "$secs" "$OUT/reg-$variant-$n.times"
	spread=$(spread_of "$OUT/reg-$variant-$n.times" "$secs")
	echo "$variant,$n,${pings:-0},$(awk -v p="${pings:-0}" -v s="$secs" 'BEGIN { printf "%.0f", p / s }'),$(awk -v p="${pings:-0}" -v t="$((t1 - t0))" -v hz="$hz" 'BEGIN { if(p > 0) printf "%.1f", t * 1000000 / hz / p; else print 0 }'),$(((shm1 - shm0) / n)),$spread,$(sink_due "$OUT/reg-$variant-$n.users" "$n" "$secs" "$interval" "$start"),$([ "$to0" = - ] && echo - || echo $((to1 - to0)))"
}

bench_regping_scale()
{
	local n v rmem
	KAM_RCVBUF=${KAM_RCVBUF:-4194304}
	rmem=$(cat /proc/sys/net/core/rmem_max 2>/dev/null || echo 0)
	[ "$rmem" -ge "$KAM_RCVBUF" ] ||
		echo "  note: net.core.rmem_max is $rmem, below KAM_RCVBUF $KAM_RCVBUF: the registrar gets at most $rmem (replies may be dropped at 1M: sysctl -w net.core.rmem_max=$KAM_RCVBUF)" >&2
	echo "pinger,contacts,pings,pings_per_s,cpu_us_per_ping,shm_bytes_per_contact,max_100ms_over_mean,on_time_pct,unanswered" \
		>"$RES/regping_scale.csv"
	for n in ${SCALE:-10000 100000 1000000}; do
		for v in ${PINGERS:-rport regping natping kamode floor}; do
			if [ "$v" = floor ]; then
				floor_run "$n" >>"$RES/regping_scale.csv"
			else
				scale_run "$v" "$n" >>"$RES/regping_scale.csv"
			fi
		done
	done
	awk -F, 'NR > 1 { printf "%s,%s %s\n", $0, $1, $2 }' "$RES/regping_scale.csv" \
		>"$RES/regping_scale.plot.csv"
	plot regping_scale.plot "busiest 100 ms of pings over the mean (1 = flat)" \
		"max / mean" "7:xtic(10)"
	mv -f "$RES/regping_scale.plot.png" "$RES/regping_scale.png" 2>/dev/null
	rm -f "$RES/regping_scale.plot.csv"
}

# the cluster: CLUSTER_SCALE contacts (default 100000: the largest
# that fits about 10 minutes here, bench/README.md) registered through
# the anycast rig's three LBs (cfg/kamailio.cfg -A CLUSTER, the core
# cfg/core.cfg -A NO_AUTH), 60 regload flows from 30 phone namespaces (an
# IPv6 and an IPv4 one each). The split is even and deterministic: the
# router sends flow f (by its source address, policy routing) to LB
# f mod 3 + 1, not by its ECMP hash, so every LB saves 20 flows and owns
# (pings) their contacts. Over two ping intervals (scale_interval) each
# LB's pings are counted at the sinks (the pinged users' arrival times,
# REGLOAD_LOG=users, grouped by the saver of each flow: usrloc's
# Server-Id) and its kamailio CPU from /proc (kam_ticks)
CL_FLOWS=60
cl_flow_lb() { echo $(($1 % 3 + 1)); }
# regping's contact count on LB $1
cl_contacts() { rpc @lb$1 regping.status 2>/dev/null | awk '$1 == "contacts:" { print $2 }'; }
cl_all_known()
{
	local h
	for h in 1 2 3; do
		[ "$(cl_contacts $h)" = "$1" ] || return 1
	done
}
bench_regping_cluster()
{
	local n=${CLUSTER_SCALE:-100000} nph=$((CL_FLOWS / 2)) f j af ip h lb per cnt rate
	local r interval pfx s0 s1 hz w0 w1 tot_p tot_c any p u reg=0
	# (indexed arrays: $((a[h])) reads an associative one's key "h")
	local -a rl_pid=() flow_pfx=() flow_n=() flow_saver=()
	local -a pid=() known=() ticks0=() ticks1=() owned=() pings=()
	harness_use system anycast
	interval=$(scale_interval "$n")
	# usrloc's copy of every contact on each node (dmq_usrloc) and
	# regping's: about 3 KB of shm per contact there, 2 at the core
	ac_rig_up 3 "$nph"
	r=$(ac_router_ns)
	for h in 1 2 3; do
		ip -n "$r" -6 route add "$ANY6/128" via "2001:db8:0:$h::2" dev "lb$h" table $((100 + h)) &&
			ip -n "$r" route add "$ANY4/32" via "$(ac_lb4 $h)" dev "lb$h" table $((100 + h)) ||
			fail "the router's table for lb$h"
	done
	# CLUSTER_SPLIT=hash leaves the flows to the router's ECMP hash, as
	# cluster_own does (uneven; each LB's share then follows its flows)
	[ "${CLUSTER_SPLIT:-even}" = hash ] ||
	for f in $(seq 0 $((CL_FLOWS - 1))); do
		j=$((f / 2 + 1))
		if [ $((f % 2)) = 0 ]; then ip=$(ac_phone6 $j) af=-6; else ip=$(ac_phone4 $j) af=-4; fi
		ip -n "$r" "$af" rule add from "$ip" lookup $((100 + $(cl_flow_lb $f))) ||
			fail "the router's rule for flow $f"
	done
	ac_start_core -A NO_AUTH -m $((256 + n / 1000 * 3))
	for h in 1 2 3; do
		# pike off in effect: 30 phones' worth of flows at the bench's rate
		ac_start_lb $h "lb$h" -A "PING_INTERVAL=$interval" -A "REG_RATE=${CLUSTER_REG_RATE:-1000000}" \
			-m $((256 + n / 1000 * 4))
		pid[$h]=$KAM_PID
	done
	ac_cluster_up 1 2 3
	per=$((n / CL_FLOWS))
	rate=$(((${CLUSTER_RATE:-1000} + CL_FLOWS - 1) / CL_FLOWS))
	for f in $(seq 0 $((CL_FLOWS - 1))); do
		j=$((f / 2 + 1))
		if [ $((f % 2)) = 0 ]; then ip=$(ac_phone6 $j) any=$ANY6; else ip=$(ac_phone4 $j) any=$ANY4; fi
		cnt=$per
		[ $f -lt $((n % CL_FLOWS)) ] && cnt=$((per + 1))
		pfx="f${f}u"
		flow_pfx[$f]=$pfx flow_n[$f]=$cnt
		ip netns exec "$(ac_phone_ns $j)" env REGLOAD_LOG=users "$TOP/build/tools/regload" \
			"$ip" "$(free_port)" "$any" $KPORT "$cnt" "$rate" 3600 "$OUT/cl-pings-$f.log" "$pfx" \
			>"$OUT/cl-regload-$f.out" 2>&1 &
		rl_pid[$f]=$!
		track $!
	done
	wait_for $((n / ${CLUSTER_RATE:-1000} * 3 + 60)) cl_all_known "$n" ||
		note "not every LB's regping has the $n contacts: lb1 $(cl_contacts 1), lb2 $(cl_contacts 2), lb3 $(cl_contacts 3)"
	# the saver of each flow (its first and last user: one socket, one LB)
	for f in $(seq 0 $((CL_FLOWS - 1))); do
		pfx=${flow_pfx[$f]}
		s0=$(rpc @lb1 ul.lookup location "${pfx}0" | awk '$1 == "Server-Id:" { print $2 }')
		s1=$(rpc @lb1 ul.lookup location "$pfx$((flow_n[f] - 1))" | awk '$1 == "Server-Id:" { print $2 }')
		[ -n "$s0" ] && [ "$s0" = "$s1" ] || note "flow $f: users ${pfx}0 and $pfx$((flow_n[f] - 1)) saved by '$s0' and '$s1'"
		[ "${CLUSTER_SPLIT:-even}" = hash ] || [ "$s0" = "$(cl_flow_lb $f)" ] || note "flow $f routed to lb$(cl_flow_lb $f), saved by '$s0'"
		flow_saver[$f]=${s0:-0}
	done
	# every contact at its phase: one interval, then two measured
	sleep "$interval"
	for h in 1 2 3; do ticks0[$h]=$(kam_ticks "${pid[$h]}"); done
	w0=$(date +%s%6N)
	sleep $((2 * interval))
	w1=$(date +%s%6N)
	for h in 1 2 3; do ticks1[$h]=$(kam_ticks "${pid[$h]}"); done
	for h in 1 2 3; do
		known[$h]=$(cl_contacts $h)
		rpc @lb$h regping.status >"$OUT/cl-status-lb$h.txt" 2>&1
		rpc @lb$h stats.get_statistics regping: >"$OUT/cl-stats-lb$h.txt" 2>&1
	done
	for f in $(seq 0 $((CL_FLOWS - 1))); do
		kill -TERM "${rl_pid[$f]}" 2>/dev/null
	done
	for f in $(seq 0 $((CL_FLOWS - 1))); do
		wait "${rl_pid[$f]}"
		grep -q "^registered ${flow_n[f]} of" "$OUT/cl-regload-$f.out" ||
			note "flow $f: $(cat "$OUT/cl-regload-$f.out")"
		h=${flow_saver[$f]}
		# pings in the window and the users pinged: every contact an LB
		# owns is pinged each interval, so those are the ones it owns
		read -r p u < <(awk -v a="$w0" -v b="$w1" '$1 >= a && $1 < b && $2 != "-" { c++; if(!($2 in s)) { s[$2] = 1; d++ } }
			END { print c + 0, d + 0 }' "$OUT/cl-pings-$f.log")
		pings[$h]=$((${pings[$h]:-0} + p)) owned[$h]=$((${owned[$h]:-0} + u))
		r=$(sed -n 's/^registered \([0-9]*\) of.*/\1/p' "$OUT/cl-regload-$f.out")
		reg=$((reg + ${r:-0}))
		# a flow whose users got their 200 OK but are not pinged (an
		# earlier run lost two whole flows so): named, per flow
		echo "flow $f saver ${flow_saver[$f]} users ${flow_n[$f]} registered ${r:-0} pinged $u pings $p" \
			>>"$OUT/cl-flows.txt"
		[ "$u" -ge "${r:-0}" ] || note "flow $f (saver lb${flow_saver[$f]}): ${r:-0} users registered, $u pinged"
	done
	hz=$(getconf CLK_TCK)
	stop_all
	note "regload: $reg of $n users registered (200 OK); regping on each LB: ${known[1]}, ${known[2]}, ${known[3]} contacts"
	tot_p=0 tot_c=0
	for h in 1 2 3; do
		tot_p=$((tot_p + ${pings[$h]:-0})) tot_c=$((tot_c + ticks1[h] - ticks0[h]))
	done
	echo "lb,contacts_known,contacts_owned,pings,kamailio_cpu_ms,pings_share,cpu_share" >"$RES/regping_cluster.csv"
	for h in 1 2 3; do
		echo "lb$h,${known[$h]:-0},${owned[$h]:-0},${pings[$h]:-0},$(((ticks1[h] - ticks0[h]) * 1000 / hz)),$(awk -v p="${pings[$h]:-0}" -v t="$tot_p" 'BEGIN { printf "%.4f", t ? p / t : 0 }'),$(awk -v c="$((ticks1[h] - ticks0[h]))" -v t="$tot_c" 'BEGIN { printf "%.4f", t ? c / t : 0 }')" \
			>>"$RES/regping_cluster.csv"
	done
}

# the dialog mark afbridge makes for each bridged call and checks on each
# of its in-dialog requests (OpenSSL's SipHash-2-4)
bench_ds_mark()
{
	build_c ds_mark
	"$OUT/ds_mark" "${ROUNDS:-2000000}" >"$RES/ds_mark.csv" 2>/dev/null ||
		fail "the mark benchmark failed"
}

# the performance goals, each ratio beside its goal, from the CSVs in
# bench/out; a CSV this run did not write says so in the "from" column
summary()
{
	local f from= files=() b
	for b in regping_scale regping_cluster afbridge_calls ip6ref_parser; do
		f=$RES/$b.csv
		if [ ! -s "$f" ]; then
			from+="$b=not run|"
			continue
		elif [ "$f" -nt "$OUT/start" ]; then
			from+="$b=this run|"
		else
			from+="$b=earlier run ($(date -u -r "$f" +%Y-%m-%dT%H:%MZ))|"
		fi
		files+=("$f")
	done
	{
		echo "ratio,measured,goal,verdict,from"
		awk -F, -v from="$from" '
		FNR == 1 { file = FILENAME; sub(/.*\//, "", file); sub(/\.csv$/, "", file); next }
		file == "regping_scale" { cpu[$1, $2] = $5; shm[$1, $2] = $6; flat[$1, $2] = $7
			pings[$1, $2] = $3; ontime[$1, $2] = $8; unans[$1, $2] = $9; if($1 == "regping" || $1 == "rport") ns[$2] = 1 }
		file == "afbridge_calls" && $1 == "af_bridge" { afb[$2] = $7 }
		file == "regping_cluster" { nlb++; cps[nlb] = $6; ccs[nlb] = $7; if($2 > ccn) ccn = $2 }
		file == "ip6ref_parser" && $2 == "ip6ref" { parser[$1] = $4 }
		function src(b,   i, m, s) { m = split(from, s, "|");
			for(i = 1; i <= m; i++) if(index(s[i], b "=") == 1) return substr(s[i], length(b) + 2)
			return "not run" }
		function row(name, val, goal, ok, b) {
			printf "%s,%s,%s,%s,%s\n", name, val, goal, val == "-" ? "not measured" : (goal == "-" ? "-" : (ok ? "met" : "missed")), src(b) }
		function lbl(c) { return c >= 1000000 ? c / 1000000 "M" : (c >= 1000 ? c / 1000 "k" : c) }
		END {
			need[100000] = 1; need[1000000] = 1
			for(c in ns) list[++k] = c + 0
			for(c in need) if(!((c) in ns)) list[++k] = c + 0
			for(i = 1; i <= k; i++) for(j = i + 1; j <= k; j++) if(list[j] < list[i]) { t = list[i]; list[i] = list[j]; list[j] = t }
			# regping twice: reading its replies at reply_port ("rport"), and
			# with the replies through the SIP workers (its default)
			np = split("rport regping", pg, " ")
			nm["rport"] = "regping (reply_port)"; nm["regping"] = "regping (replies via workers)"
			for(q = 1; q <= np; q++) {
				v = pg[q]; n = nm[v]
				for(i = 1; i <= k; i++) {
					c = list[i]
					if(!(c in need) && !(("natping", c) in cpu)) continue
					if((v, c) in cpu && ("natping", c) in cpu && cpu["natping", c] > 0)
						row(n " CPU/ping over natping at " lbl(c), sprintf("%.2f (%s vs %s us)", cpu[v, c] / cpu["natping", c], cpu[v, c], cpu["natping", c]), "<= 0.5", cpu[v, c] / cpu["natping", c] <= 0.5, "regping_scale")
					else if(c in need)
						row(n " CPU/ping over natping at " lbl(c), "-", "<= 0.5", 0, "regping_scale")
				}
			}
			c = 1000000
			for(q = 1; q <= np; q++) {
				v = pg[q]; n = nm[v]
				if((v, c) in flat)
					row(n " busiest 100 ms over the mean at 1M", flat[v, c], "<= 1.2", flat[v, c] <= 1.2, "regping_scale")
				else
					row(n " busiest 100 ms over the mean at 1M", "-", "<= 1.2", 0, "regping_scale")
			}
			for(i = k; i >= 1; i--) {
				c = list[i]
				if(!(("regping", c) in shm)) continue
				u = ("natping", c) in shm ? shm["natping", c] : (("kamode", c) in shm ? shm["kamode", c] : "")
				if(u == "") continue
				row("regping own shm per contact at " lbl(c) " (beside usrloc " u " B)", shm["regping", c] - u " B", "<= 128 B", shm["regping", c] - u <= 128, "regping_scale")
				break
			}
			for(q = 1; q <= np; q++) {
				v = pg[q]; n = nm[v]
				for(i = 1; i <= k; i++) {
					c = list[i]
					if(!((v, c) in pings)) continue
					p = 100 * pings[v, c] / (2 * c)
					row(n " contacts pinged on time at " lbl(c), sprintf("%s%% (pings %.2f%% of due)", ontime[v, c], p), "100%", ontime[v, c] == 100, "regping_scale")
					row(n " pings found unanswered at " lbl(c), unans[v, c], "0", unans[v, c] == 0, "regping_scale")
				}
			}
			for(q = 1; q <= np; q++) {
				v = pg[q]; n = nm[v]
				for(i = 1; i <= k; i++) {
					c = list[i]
					if((v, c) in cpu && ("floor", c) in cpu && cpu["floor", c] > 0)
						row(n " CPU/ping over the floor at " lbl(c), sprintf("%.2f (%s vs %s us)", cpu[v, c] / cpu["floor", c], cpu[v, c], cpu["floor", c]), "-", 1, "regping_scale")
				}
			}
			row("af_bridge over the script route (q_malloc)", ("qm" in afb) ? afb["qm"] : "-", "<= 1.0", afb["qm"] <= 1.0, "afbridge_calls")
			row("af_bridge over the script route (TLSF)", ("tlsf" in afb) ? afb["tlsf"] : "-", "<= 0.8", afb["tlsf"] <= 0.8, "afbridge_calls")
			for(cp in parser)
				row("ip6ref parser over glibc (" cp ")", parser[cp], "<= 0.4", parser[cp] <= 0.4, "ip6ref_parser")
			if(!("plain" in parser))
				row("ip6ref parser over glibc", "-", "<= 0.4", 0, "ip6ref_parser")
			# the share of each LB against a third, the largest relative deviation
			if(nlb == 3) {
				dp = dc = 0
				for(i = 1; i <= 3; i++) {
					d = cps[i] * 3 - 1; if(d < 0) d = -d; if(d > dp) dp = d
					d = ccs[i] * 3 - 1; if(d < 0) d = -d; if(d > dc) dc = d
				}
				row("cluster: share of pings per LB - largest deviation from 1/3 (3 LBs at " lbl(ccn) ")", sprintf("%.1f%% (%s / %s / %s)", 100 * dp, cps[1], cps[2], cps[3]), "<= 10%", dp <= 0.1, "regping_cluster")
				row("cluster: share of CPU per LB - largest deviation from 1/3 (3 LBs at " lbl(ccn) ")", sprintf("%.1f%% (%s / %s / %s)", 100 * dc, ccs[1], ccs[2], ccs[3]), "<= 10%", dc <= 0.1, "regping_cluster")
			} else {
				row("cluster: each of 3 LBs share of pings and CPU", "-", "<= 10% from 1/3", 0, "regping_cluster")
			}
		}' "${files[@]}" /dev/null
	} >"$RES/summary.csv"
	printf '\n== summary: each ratio beside its goal\n'
	column -s, -t <"$RES/summary.csv"
}

names=${*:-ip6ref_parser ds_mark afbridge_calls afbridge_rate regping_scale regping_cluster}
touch "$OUT/start"
for b in $names; do
	printf '== %s\n' "$b"
	"bench_$b"
	column -s, -t <"$RES/$b.csv"
done
summary
printf '\nresults: %s (logs: %s)\n' "$RES" "$OUT"
