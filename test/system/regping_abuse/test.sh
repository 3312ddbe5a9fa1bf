#!/bin/bash
# What a registrar facing the internet must not let regping do:
# - ping an address that did not register itself: a REGISTER whose Contact
#   names another host (a victim) gets its pings at its own source, the
#   victim gets nothing;
# - ping a contact more than once per interval: a device that re-registers
#   40 times in 4 s gets no more pings than one that registered once;
# - exceed max_rate: 200 contacts that want 100 pings/s get at most
#   max_rate (50/s), and each of them is still pinged;
# - write raw bytes of a peer into its log: control characters in an AoR
#   and Contact appear escaped in the lines about that contact.
. "$(dirname "$0")/../../lib/harness.sh" regping

REGLOAD=$TOP/build/tools/regload

PORT=$(free_port)
render "$TOP/test/lib/cfg/regping.cfg.in" "$OUT/reg.cfg" TOP PORT OUT
start_kamailio reg "$OUT/reg.cfg" "$PORT"

# the victim: a sink on 127.0.0.1 that answers and records every request
VICTIM=$(free_port)
timeout -k 2 20 "$REGLOAD" 127.0.0.1 "$VICTIM" 127.0.0.1 "$PORT" 0 1 12 \
	"$OUT/victim.times" >"$OUT/victim.out" 2>&1 &
VICTIM_PID=$!
track "$VICTIM_PID"
wait_udp_port "$VICTIM" "$VICTIM_PID" || fail "the victim sink did not start"

# the liar registers from [::1] with a Contact at the victim
ua liar ::1 liar 127.0.0.1 "$VICTIM" 1 10
LIAR_PID=$UA_PID
# the storm re-registers every 100 ms for 4 s; calm registers once
start_sipp storm ::1 "$(free_port)" -sf "$SCN/ua_register.xml" -m 40 -r 10 \
	-d 100 -key user storm -key contact_host "[::1]" -key contact_port 5999 \
	-oocsf "$SCN/uas_options.xml" "[::1]:$PORT"
STORM_PID=$SIPP_PID
ua calm 127.0.0.1 calm 127.0.0.1 5999 1 10
CALM_PID=$UA_PID
wait_sipp storm "$STORM_PID" || fail "the storm's REGISTERs failed: $(tail -3 "$OUT/storm.err")"
wait_sipp liar "$LIAR_PID" || fail "the liar's REGISTER failed"
wait_sipp calm "$CALM_PID" || fail "calm's REGISTER failed"
wait "$VICTIM_PID"

registers=$(grep -c "^REGISTER " "$OUT/storm.msg")
[ "$registers" -ge 40 ] || fail "the storm sent only $registers REGISTERs"
# 4 s of storm at a 2 s interval: 3 pings at most (a round may start at once)
[ "$(pings storm)" -le 3 ] || fail "$registers REGISTERs in 4 s brought $(pings storm) pings (at most 3 in 2 intervals)"
[ "$(pings storm)" -ge 1 ] || fail "the storm's device was never pinged"
# 10 s at a 2 s interval: 6 pings at most, and it must be pinged
[ "$(pings calm)" -le 6 ] || fail "calm got $(pings calm) pings in 10 s (at most 6)"
[ "$(pings calm)" -ge 3 ] || fail "calm got only $(pings calm) pings in 10 s"
[ "$(pings liar)" -ge 3 ] || fail "the liar's own address got only $(pings liar) pings"
victim=$(wc -l <"$OUT/victim.times")
[ "$victim" = 0 ] || fail "the victim in the liar's Contact got $victim requests: $(cat "$OUT/victim.out")"
note "storm: $registers REGISTERs, $(pings storm) pings; calm: $(pings calm) pings in 10 s; liar: $(pings liar) at its source, victim: 0"

# a contact with a terminal escape and a vertical tab in its Contact (the
# parser refuses them in a To URI, not in a Contact's user part), at a
# port nobody answers on: it dies, and the log lines about it carry those
# bytes escaped, never raw
DEAF=$(free_port)
python3 "$TOP/test/lib/sipraw.py" 127.0.0.1 "$PORT" >"$OUT/esc.out" <<TPL
REGISTER sip:127.0.0.1:$PORT SIP/2.0
Via: SIP/2.0/UDP @LIP@:@LPORT@;branch=@BRANCH@
From: <sip:escuser@example.net>;tag=e1
To: <sip:escuser@example.net>
Call-ID: @CALLID@
CSeq: 1 REGISTER
Contact: <sip:esc$(printf '\033')[2J$(printf '\013')@127.0.0.1:$DEAF>
Expires: 60
Max-Forwards: 70
Content-Length: 0

TPL
grep -q "codes=200x1" "$OUT/esc.out" || fail "the REGISTER with control characters: $(cat "$OUT/esc.out")"
esc_dead() { grep -a 'of \[escuser\]' "$OUT/reg.log" | grep -q 'is dead after' && grep -a 'of \[escuser\]' "$OUT/reg.log" | grep -q 'removing dead contact'; }
wait_for 10 esc_dead || fail "the contact with control characters did not die: $(rpc regping.list | grep -c aor)"
lines=$(grep -a 'of \[escuser\]' "$OUT/reg.log")
printf '%s' "$lines" | LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' &&
	fail "raw control characters in regping's log: $(printf '%s' "$lines" | cat -v)"
printf '%s' "$lines" | grep -qF 'sip:esc\x1b[2J\x0b@127.0.0.1' || fail "the escaped Contact is not in the log: $(printf '%s' "$lines" | cat -v)"
note "control characters of a peer logged escaped: $(printf '%s' "$lines" | head -n 1 | cut -c 1-200)"
stop_all

# --- max_rate ---
PORT=$(free_port)
render "$TOP/test/lib/cfg/regping.cfg.in" "$OUT/capped.cfg" TOP PORT OUT
start_kamailio capped "$OUT/capped.cfg" "$PORT" -A MAXRATE=50
SINK=$(free_port)
timeout -k 2 30 "$REGLOAD" 127.0.0.1 "$SINK" 127.0.0.1 "$PORT" 200 1000 8 \
	"$OUT/capped.times" >"$OUT/capped.out" 2>&1 || fail "regload: $(cat "$OUT/capped.out")"
read -r pings secs targets < <(sed -n 's/.*pings \([0-9]*\) in \([0-9.]*\) s.*distinct_targets \([0-9]*\).*/\1 \2 \3/p' "$OUT/capped.out")
[ -n "$pings" ] || fail "no result from regload: $(cat "$OUT/capped.out")"
# a token bucket of 50/s without bursts: 50 per started second at most
limit=$(awk -v s="$secs" 'BEGIN { printf "%d", 50 * (int(s) + 1) }')
[ "$pings" -le "$limit" ] || fail "max_rate 50: $pings pings in $secs s (at most $limit)"
[ "$targets" = 200 ] || fail "max_rate 50: only $targets of 200 contacts pinged in $secs s"
busiest=$(awk '{ s = int($1 / 1000000); n[s]++ } END { m = 0; for(s in n) if(n[s] > m) m = n[s]; print m }' "$OUT/capped.times")
note "max_rate 50, 200 contacts wanting 100/s: $pings pings in $secs s, busiest second $busiest, all $targets pinged"
