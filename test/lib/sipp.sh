# sipp: UAs started in the background and tracked, what they received,
# and the SDP and headers of a message. SCN: the scenarios several tests
# share (a scenario of one test is in that test's folder).
[ -z "${_harness_sipp:-}" ] || return 0
_harness_sipp=1

SCN=$TOP/test/lib/scenarios

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
	track "$SIPP_PID"
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

# wait up to 10 s for a message matching $2/$3 in sipp log $1; prints it
wait_received()
{
	local i m
	for i in $(seq 100); do
		m=$(sipp_received_msg "$@")
		[ -n "$m" ] && { printf '%s\n' "$m"; return 0; }
		sleep 0.1
	done
	return 1
}
