# Shared helpers for the sipp tests; sourced by test/sipp/<name>/test.sh.
#
# Every process is started here, recorded by PID and stopped by PID on exit
# (also when a test fails or is interrupted). Only loopback is used.
#
# Set by test/run.sh: TOP (repo root), OUT (this test's log folder).

set -u

TOP=${TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
TEST_NAME=${TEST_NAME:-$(basename "$(cd "$(dirname "$0")" && pwd)")}
OUT=${OUT:-$TOP/build/test/$TEST_NAME}
HERE=$TOP/test/sipp/$TEST_NAME
mkdir -p "$OUT"

_pids=()
_ports_taken=" "

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
trap stop_all EXIT
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

# a port free for UDP and TCP on 127.0.0.1 and ::1, not handed out before
free_port()
{
	local used p
	used=$(ss -Hlntu 2>/dev/null | awk '{n=split($5,a,":"); print a[n]}')
	while :; do
		p=$((20000 + RANDOM % 40000))
		case "$_ports_taken" in *" $p "*) continue ;; esac
		if ! printf '%s\n' $used | grep -qx "$p"; then
			_ports_taken="$_ports_taken$p "
			echo "$p"
			return
		fi
	done
}

# a base port for sipp's media (-mp P): sipp binds P and P+1 (audio RTP,
# RTCP) and P+2, P+3 for video, so all four must be free
free_media_port()
{
	local used p i ok
	used=" $(ss -Hlnu 2>/dev/null | awk '{n=split($4,a,":"); print a[n]}' | tr '\n' ' ') "
	while :; do
		p=$((20000 + (RANDOM % 20000) * 2))
		ok=1
		for i in 0 1 2 3; do
			case "$_ports_taken$used" in *" $((p + i)) "*) ok=0 ;; esac
		done
		[ $ok = 1 ] || continue
		_ports_taken="$_ports_taken$p $((p + 1)) $((p + 2)) $((p + 3)) "
		echo "$p"
		return
	done
}

# wait until something listens on UDP port $1 (on any loopback address);
# gives up early when process $2 (if given) is gone
wait_udp_port()
{
	wait_listen u "$@"
}
# the same for TCP: kamailio opens its TCP listeners after its UDP sockets,
# so a kamailio up on UDP may not accept TCP connections yet
wait_tcp_port()
{
	wait_listen t "$@"
}
# usage: wait_listen u|t port [pid]
wait_listen()
{
	local proto=$1 port=$2 pid=${3:-} i
	for i in $(seq 100); do
		if ss -Hln"$proto" "sport = :$port" 2>/dev/null | grep -q .; then
			return 0
		fi
		if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
			return 1
		fi
		sleep 0.1
	done
	return 1
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

# render a template: @NAME@ is replaced by the value of shell variable NAME
# for each NAME given. usage: render in out NAME...
render()
{
	local in=$1 out=$2 expr=() v
	shift 2
	for v in "$@"; do
		expr+=(-e "s|@$v@|${!v}|g")
	done
	sed "${expr[@]}" "$in" >"$out"
	if grep -q '@[A-Z_]*@' "$out"; then
		fail "unrendered placeholders in $out: $(grep -o '@[A-Z_]*@' "$out" | sort -u | tr '\n' ' ')"
	fi
}

# start kamailio in the foreground (no daemon) with cfg $1, log to
# $OUT/<name>.log; waits until it listens on UDP port $2.
# usage: start_kamailio name cfg port [kamailio args]  -> sets KAM_PID
start_kamailio()
{
	local name=$1 cfg=$2 port=$3 log="$OUT/$1.log"
	shift 3
	if ! kamailio -c -f "$cfg" "$@" >"$OUT/$name.check.log" 2>&1; then
		sed 's/^/    /' "$OUT/$name.check.log" | tail -n 20 >&2
		fail "kamailio -c rejected $cfg (see $OUT/$name.check.log)"
	fi
	kamailio -f "$cfg" -DD -E -m 64 -M 8 -Y "$OUT" "$@" >"$log" 2>&1 &
	KAM_PID=$!
	_pids+=("$KAM_PID")
	if ! wait_udp_port "$port" "$KAM_PID"; then
		tail -n 20 "$log" | sed 's/^/    /' >&2
		fail "kamailio $name did not come up on port $port (see $log)"
	fi
	note "kamailio $name pid $KAM_PID on port $port"
}

# options of a sipp that places a call and holds it (-d, a pause): what
# arrives during the hold is ignored, such as a 180 overtaken by its 200.
# The LB's workers relay replies in parallel and tm sends a reply after
# releasing the transaction's reply lock: a worker preempted there sends
# its 180 after another worker's 200 (UDP may reorder anyway; RFC 3261
# phones ignore such a 180).
SIPP_CALLER=(-pause_msg_ign)

# start sipp in the background; its messages go to $OUT/<name>.msg.
# usage: bg_sipp name sipp-args...  -> sets SIPP_PID
bg_sipp()
{
	local name=$1
	shift
	timeout -k 2 "${SIPP_TIMEOUT:-60}" sipp -nostdin -trace_msg \
		-message_file "$OUT/$name.msg" -trace_err -error_file "$OUT/$name.err" \
		"$@" >"$OUT/$name.out" 2>&1 &
	SIPP_PID=$!
	_pids+=("$SIPP_PID")
}

# start a sipp that listens (a UAS) and wait until it does on UDP port $3.
# usage: start_sipp name ip port sipp-args...  -> sets SIPP_PID
start_sipp()
{
	local name=$1 ip=$2 port=$3
	shift 3
	bg_sipp "$name" -i "$ip" -p "$port" "$@"
	wait_udp_port "$port" "$SIPP_PID" || fail "sipp $name did not start (see $OUT/$name.out)"
}

# wait for a background sipp; returns its status
wait_sipp()
{
	local name=$1 pid=$2 rc
	wait "$pid"
	rc=$?
	if [ $rc -ne 0 ]; then
		note "sipp $name exited with $rc (see $OUT/$name.out, $OUT/$name.msg)"
		tail -n 5 "$OUT/$name.err" 2>/dev/null | sed 's/^/    /' >&2
	fi
	return $rc
}

# run one sipp to completion. usage: run_sipp name sipp-args...
run_sipp()
{
	bg_sipp "$@"
	wait_sipp "$1" "$SIPP_PID"
}

# print the messages sipp received, one per paragraph (blank-line separated,
# CRs removed), from its -message_file log $1
sipp_received()
{
	awk '
		/^----------/ { if(inmsg) print ""; inmsg = 0; next }
		/ message received \[[0-9]*\] bytes/ { inmsg = 1; skip = 1; next }
		inmsg && skip && /^[ \r]*$/ { skip = 0; next }
		inmsg { sub(/\r$/, ""); if($0 != "") print }
	' "$1"
}

# the first received message (paragraph) of log $1 whose first line starts
# with $2 and that has a line starting with $3 (e.g. "SIP/2.0 200" "CSeq: 1 INVITE")
sipp_received_msg()
{
	sipp_received "$1" | awk -v RS= -v first="$2" -v has="${3:-}" '
		index($0, first) == 1 {
			if(has == "") { print; exit }
			k = split($0, L, "\n")
			for(i = 1; i <= k; i++) if(index(L[i], has) == 1) { print; exit }
		}'
}

# "addr port" of the audio stream in the SDP of message $1 (c= of the
# stream, else of the session)
sdp_audio()
{
	sdp_media "$1" audio
}

# "addr port" of the first stream of media type $2 (audio, video) in the
# SDP of message $1 (c= of the stream, else of the session)
sdp_media()
{
	printf '%s\n' "$1" | awk -v want="m=$2" '
		$1 == want && port == "" { port = $2; in_it = 1; seen_m = 1; next }
		/^m=/ { in_it = 0; seen_m = 1 }
		/^c=IN IP[46] / { if(in_it) mc = $3; else if(!seen_m && port == "") sc = $3 }
		END { if(port != "") print (mc != "" ? mc : sc), port }'
}

# value of header $2 in the message (paragraph) $1
msg_header()
{
	printf '%s\n' "$1" | awk -v h="$2" '
		BEGIN { h = tolower(h) ": " }
		tolower(substr($0, 1, length(h))) == h { print substr($0, length(h) + 1); exit }'
}
