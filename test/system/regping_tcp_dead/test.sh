#!/bin/bash
# A TCP device whose connection is gone: regping's CRLF keepalive finds no
# connection to send on, counts a failure, and the contact dies after
# max_failures pings. The LB never dials out to the device (a sniffer on
# loopback sees no SYN towards its port): the port belongs to the
# customer's NAT or to someone else by now. Extra pings (regping.ping)
# whose send fails on the closed connection count nothing: only scheduled
# pings make a contact dead.
. "$(dirname "$0")/../../lib/harness.sh" regping

command -v tcpdump >/dev/null || fail "tcpdump missing (make deps)"
PORT=$(free_port)
render "$TOP/test/lib/cfg/regping.cfg.in" "$OUT/tcp.cfg" TOP PORT OUT
start_kamailio tcp "$OUT/tcp.cfg" "$PORT"

exec 3<>"/dev/tcp/127.0.0.1/$PORT" || fail "cannot connect over TCP"
lport=$(ss -Htn state established "( dport = :$PORT )" | awk '{ n = split($3, a, ":"); print a[n]; exit }')
[ -n "$lport" ] || fail "cannot find the device's TCP port"
printf 'REGISTER sip:127.0.0.1:%s SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:%s;branch=z9hG4bK-tcpdead\r\nFrom: <sip:tcpdead@example.net>;tag=t1\r\nTo: <sip:tcpdead@example.net>\r\nCall-ID: tcp-dead-1\r\nCSeq: 1 REGISTER\r\nContact: <sip:tcpdead@127.0.0.1:%s;transport=tcp>\r\nExpires: 300\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n' \
	"$PORT" "$lport" "$lport" >&3
timeout 3 cat <&3 >"$OUT/tcp.in"
head -n 1 "$OUT/tcp.in" | grep -q "^SIP/2.0 200" || fail "no 200 for the TCP REGISTER: $(head -c 200 "$OUT/tcp.in")"
grep -q $'^\r$' "$OUT/tcp.in" && [ "$(grep -c $'^\r$' "$OUT/tcp.in")" -ge 2 ] ||
	fail "no CRLF keepalive on the open connection within 3 s"
note "device 127.0.0.1:$lport registered over TCP, keepalives arrive on its connection"

# every SYN towards the device's port from now on
tcpdump -i lo -n -U -w "$OUT/syn.pcap" "tcp[tcpflags] & tcp-syn != 0 and dst port $lport" \
	2>"$OUT/tcpdump.err" 3>&- &
TCPDUMP=$!
track "$TCPDUMP"
wait_for 5 grep -q "listening on" "$OUT/tcpdump.err" || fail "tcpdump did not start: $(cat "$OUT/tcpdump.err")"

exec 3>&- 3<&-
note "the device closed its connection"
dead() { [ "$(rpc cnt.get regping dead)" -ge 1 ]; }
# interval 2 s, max_failures 2: two failed pings, within two intervals
wait_for 8 dead || fail "the contact was not declared dead: $(rpc regping.list tcpdead)"
gone() { ! rpc regping.list tcpdead | grep -q "aor: tcpdead"; }
wait_for 2 gone || fail "the dead contact is still pinged: $(rpc regping.list tcpdead)"
# one more interval: nothing may reconnect later either
sleep 2
stop_pid "$TCPDUMP"
syns=$(tcpdump -r "$OUT/syn.pcap" -n 2>/dev/null | tee "$OUT/syn.txt" | wc -l)
[ "$syns" = 0 ] || fail "the LB opened connections to the device's old port: $syns SYN(s): $(head -n 3 "$OUT/syn.txt")"
note "dead after $(rpc cnt.get regping dead) count, removed; 0 SYNs to 127.0.0.1:$lport"
stop_all

# --- extra pings on a closed connection count no failure ---
PORT=$(free_port)
render "$TOP/test/lib/cfg/regping.cfg.in" "$OUT/extra.cfg" TOP PORT OUT
start_kamailio extra "$OUT/extra.cfg" "$PORT" -A MAX_FAILURES=6
exec 3<>"/dev/tcp/127.0.0.1/$PORT" || fail "cannot connect over TCP"
printf 'REGISTER sip:127.0.0.1:%s SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bK-tcpextra\r\nFrom: <sip:tcpextra@example.net>;tag=t1\r\nTo: <sip:tcpextra@example.net>\r\nCall-ID: tcp-extra-1\r\nCSeq: 1 REGISTER\r\nContact: <sip:tcpextra@127.0.0.1:5999;transport=tcp>\r\nExpires: 300\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n' \
	"$PORT" >&3
timeout 1 cat <&3 >"$OUT/extra.in"
head -n 1 "$OUT/extra.in" | grep -q "^SIP/2.0 200" || fail "no 200 for the TCP REGISTER: $(head -c 200 "$OUT/extra.in")"
exec 3>&- 3<&-
# 5 extra pings, 1.2 s apart (past extra_ping_interval), all failing on
# the closed connection, beside the scheduled ones that fail meanwhile
# (as many as the time the RPCs take lets in: counted, not assumed)
for i in 1 2 3 4 5; do
	rpc regping.ping tcpextra >>"$OUT/extra.ping" 2>&1 || fail "regping.ping failed: $(cat "$OUT/extra.ping")"
	sleep 1.2
done
# the timer's failed pings are the scheduled ones; the extra ones fail in
# the RPC processes: the log line's prefix names the process
timerpid=$(rpc core.psx | awk '/PID:/ { pid = $2 } /DSC: regping timer/ { print pid }')
[ -n "$timerpid" ] || timerpid=$(rpc core.psx | awk '/pid:/ { pid = $2 } /regping timer/ { print pid; exit }')
[ -n "$timerpid" ] || fail "no regping timer in core.psx: $(rpc core.psx | tr '\n' ' ' | cut -c 1-300)"
failed_by() { grep -a 'rp_send(): ping to .*(tcp) for \[tcpextra\] failed' "$OUT/extra.log" | sed -n 's/^ *[0-9]*(\([0-9]*\)).*/\1/p'; }
# a scheduled ping may fail while the count is read: its log line comes
# just before the count grows, so the count lies between the lines logged
# before it less that one, and the lines logged after it
sched0=$(failed_by | grep -cx "$timerpid")
f=$(rpc regping.list tcpextra | sed -n 's/^[[:space:]]*failures: //p')
sched=$(failed_by | grep -cx "$timerpid")
extra=$(failed_by | grep -v -x "$timerpid" | grep -c .)
[ "$(rpc cnt.get regping dead)" = 0 ] ||
	fail "5 failed extra pings and the scheduled ones killed the contact (max_failures 6): $(grep 'dead' "$OUT/extra.log" | head -n 2)"
[ "$extra" = 5 ] || fail "the 5 extra pings on the closed connection: $extra failed in the log"
[ "$sched" -ge 1 ] || fail "no scheduled ping failed in 6 s at a 2 s interval"
[ -n "$f" ] && [ "$f" -ge $((sched0 - 1)) ] && [ "$f" -le "$sched" ] ||
	fail "failures ${f:-none} after $sched0-$sched failed scheduled pings and 5 failed extra pings (only the scheduled ones count)"
note "5 extra pings and $sched scheduled ones failed on the closed connection: failures $f (scheduled pings only), not dead"
