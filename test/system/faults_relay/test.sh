#!/bin/bash
# The relay fails under the shipped LB (cfg/kamailio.cfg, rtpengine
# backend, ng protocol): not running, swallowing commands, stopped mid-call,
# restarted mid-call. Calls from IPv6 to IPv4 get "503 Media relay
# unavailable" (never SDP the callee cannot reach), within the rtpengine
# module's timeouts, each counted in relay_errors with an error line naming
# the relay; BYEs complete end to end whatever the relay does; once the
# relay is back new calls are bridged; no transaction and no relay session
# is left.
. "$(dirname "$0")/../../lib/harness.sh" system

# the relay is skipped this long after it failed (cfg RTPE_DISABLE_TOUT);
# a command waits 1 s per try, 2 tries (the cfg's RTPE_TOUT_MS, RTPE_RETR)
DIS=3
TOUT_MS=2000

relay_ports
start_core_lb -A "RTPE_DISABLE_TOUT=$DIS"
register_ua reg-alice ::1 alice
register_ua reg-bob 127.0.0.1 bob
BOB=$REG_PORT

errors=0
# the afbridge relay_errors counter went up by $1
check_errors()
{
	local got
	errors=$((errors + $1))
	got=$(afb_counter relay_errors)
	[ "$got" = "$errors" ] || fail "$2: relay_errors is $got, expected $errors"
}

# now in ms
now_ms()
{
	echo $(($(date +%s%N) / 1000000))
}

# an IPv6 caller calls the IPv4 bob and must get the 503 (and ACK it);
# sets MS (time to the answer) and CID
call_refused()
{
	local name=$1 t0
	t0=$(now_ms)
	run_sipp "$name" -sf "$SCN/uac_fail.xml" -m 1 -i ::1 -p "$(free_port)" \
		-key ruri "sip:bob@127.0.0.1" -key rtp_port "$(free_port)" "[::1]:$KPORT" ||
		fail "$name: the caller did not get a 503"
	MS=$(($(now_ms) - t0))
	grep -q "SIP/2.0 503 Media relay unavailable" "$OUT/$name.msg" ||
		fail "$name: the 503 is not the relay's: $(grep 'SIP/2.0 5' "$OUT/$name.msg")"
	CID=$(msg_header "$(sipp_received_msg "$OUT/$name.msg" "SIP/2.0 503")" Call-ID)
	grep -q "relay offer (rtpengine, IPv6 -> IPv4) failed with -[0-9]* for call-id \[$CID\]" "$OUT/lb.log" ||
		fail "$name: no error line for call-id $CID in the LB's log"
}

# a call alice -> bob held for $2 ms; waits until it is answered.
# sets CALL_UAC CALL_UAS (PIDs) and CALL_SDP (what the callee got)
call_up()
{
	local name=$1 hold=$2 inv
	start_sipp "$name-uas" 127.0.0.1 "$BOB" -sf "$SCN/uas_call.xml" \
		-mp "$(free_media_port)" -key rtp_port "$(free_port)"
	CALL_UAS=$SIPP_PID
	bg_sipp "$name-uac" "${SIPP_CALLER[@]}" -sf "$SCN/uac_call.xml" -m 1 -d "$hold" -i ::1 \
		-p "$(free_port)" -mp "$(free_media_port)" -key rtp_port "$(free_port)" \
		-key ruri "sip:bob@127.0.0.1" "[::1]:$KPORT"
	CALL_UAC=$SIPP_PID
	inv=$(wait_received "$OUT/$name-uas.msg" "INVITE ") || fail "$name: the callee got no INVITE"
	CALL_SDP=$(sdp_audio "$inv")
	[ "${CALL_SDP% *}" = 127.0.0.1 ] || fail "$name: the callee got SDP '$CALL_SDP', not the relay's IPv4"
	wait_received "$OUT/$name-uac.msg" "SIP/2.0 200" "CSeq: 1 INVITE" >/dev/null ||
		fail "$name: the caller got no 200"
	CID=$(msg_header "$(sipp_received_msg "$OUT/$name-uac.msg" "SIP/2.0 200")" Call-ID)
}

# the caller's BYE got its 200 from the callee, both scenarios complete
call_down()
{
	local name=$1
	wait_sipp "$name-uac" "$CALL_UAC" || fail "$name: the caller's scenario failed"
	wait_sipp "$name-uas" "$CALL_UAS" || fail "$name: the callee's scenario failed"
	wait_received "$OUT/$name-uac.msg" "SIP/2.0 200" "CSeq: 2 BYE" >/dev/null ||
		fail "$name: the caller got no 200 for its BYE"
}

# --- the relay is not running ---
# the callee listens: it must get nothing
start_sipp down-uas 127.0.0.1 "$BOB" -sf "$SCN/uas_call.xml" -mp "$(free_media_port)" \
	-key rtp_port "$(free_port)"
down_uas=$SIPP_PID
call_refused down1
ms_down1=$MS
call_refused down2
ms_down2=$MS
check_errors 2 "relay down"
grep -q "RTPEngine <udp:127.0.0.1:$NG_PORT>" "$OUT/lb.log" ||
	fail "no log line names the relay udp:127.0.0.1:$NG_PORT"
stop_pid "$down_uas"
grep -q "^INVITE " "$OUT/down-uas.msg" && fail "the callee got an INVITE while the relay was down"
[ "$ms_down1" -lt 1000 ] && [ "$ms_down2" -lt 1000 ] ||
	fail "relay down: the 503s took $ms_down1 ms and $ms_down2 ms"
note "relay down: 503 in $ms_down1 ms, $ms_down2 ms; the callee got nothing"

# --- a relay that swallows commands ---
/usr/bin/python3 -u -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
while True:
    print(s.recv(65535)[:40])
' "$NG_PORT" >"$OUT/sink.out" 2>&1 &
sink=$!
track "$sink"
wait_udp_port "$NG_PORT" "$sink" || fail "the sink did not start"
# the relay is tried again once the disable time is over
sleep $((DIS + 1))
call_refused mute1
ms_mute1=$MS
cmds1=$(wc -l <"$OUT/sink.out")
call_refused mute2
ms_mute2=$MS
cmds2=$(wc -l <"$OUT/sink.out")
check_errors 2 "relay mute"
note "relay mute: 503 in $ms_mute1 ms ($cmds1 commands swallowed), then in $ms_mute2 ms ($((cmds2 - cmds1)) more)"
[ "$ms_mute1" -ge $((TOUT_MS - 200)) ] && [ "$ms_mute1" -le $((TOUT_MS + 1500)) ] ||
	fail "relay mute: the first 503 took $ms_mute1 ms, expected about $TOUT_MS"
# one worker waits for the relay; the INVITE's retransmissions do not
# send more commands (nor hold more workers)
[ "$cmds1" = 2 ] || fail "relay mute: $cmds1 commands reached the relay for one call, expected 2"
[ "$ms_mute2" -lt 1000 ] && [ "$cmds2" = "$cmds1" ] ||
	fail "relay mute: a disabled relay was asked again ($((cmds2 - cmds1)) commands, $ms_mute2 ms)"
stop_pid "$sink"

# --- the relay is back ---
start_rtpengine same
t_back=$(now_ms)
call_refused early
note "relay back: a call at once still gets the 503 ($MS ms): the relay is skipped for $DIS s"
check_errors 1 "relay back, skipped"
sleep $DIS
t_back=$(($(now_ms) - t_back))
AFB_UAS_PORT=$BOB AFB_RURI="sip:bob@127.0.0.1" afb_call back call ::1 127.0.0.1 1
note "relay back: a call $t_back ms after the relay restarted is bridged"

# --- the relay stops mid-call: the BYE still gets through ---
nolog()
{
	grep -c "RTPEngine <udp:127.0.0.1:$NG_PORT>" "$OUT/lb.log"
}
call_up midcall 4000
before=$(nolog)
stop_pid "$RTPE_PID"
call_down midcall
[ "$(nolog)" -gt "$before" ] ||
	fail "relay stopped mid-call: no error line names the relay the BYE's delete did not reach"
# the rtpengine module reports the unanswered delete: af_bridge() counts
# it (the BYE goes on all the same)
check_errors 1 "relay stopped mid-call"
note "relay stopped mid-call: the BYE got its 200, the unanswered delete is logged and counted"

# --- the relay restarts mid-call (on the same ports) ---
start_rtpengine same
sleep $DIS
call_up restart 4000
[ "$(relay_sessions)" = 1 ] || fail "relay restart: the relay holds $(relay_sessions) sessions for one call"
stop_pid "$RTPE_PID"
start_rtpengine same
call_down restart
kill -0 "$LB_PID" 2>/dev/null || fail "the LB died"
n=$(relay_sessions)
[ "$n" = 0 ] || fail "relay restart: the relay holds $n sessions"
# the BYE's delete reached the restarted relay, which does not know the
# call (10.5 logs "Call-ID to delete not found", 12.5 only the command)
grep -qF "[$CID]: [control] Received command 'delete'" "$RTPE_LOG" ||
	fail "relay restart: the BYE's delete did not reach the restarted relay"
check_errors 0 "relay restarted mid-call"
AFB_UAS_PORT=$BOB AFB_RURI="sip:bob@127.0.0.1" afb_call after call ::1 127.0.0.1 1
note "relay restarted mid-call: the BYE got its 200, the next call is bridged"

# --- nothing left behind ---
tm_idle()
{
	rpc tm.stats | awk '$1 == "current:" || $1 == "waiting:" { n += $2 } END { exit n != 0 }'
}
wait_for 10 tm_idle || fail "transactions left: $(rpc tm.stats | tr '\n\t' '  ')"
[ "$(relay_sessions)" = 0 ] || fail "the relay holds sessions at the end"
kill -0 "$LB_PID" 2>/dev/null || fail "the LB died"
grep -E "CRITICAL|BUG|segfault|SIGSEGV" "$OUT/lb.log" && fail "the LB logged a crash"
note "end: tm current 0, relay sessions 0, relay_errors $errors"
