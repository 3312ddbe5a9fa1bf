#!/bin/bash
# regping with af=6 pings only the IPv6 device; regping.ping pings an AoR
# at once; method NOTIFY sends NOTIFY with Event: keep-alive, answered
# like OPTIONS; a UA registered over TCP gets CRLFCRLF keepalives on its
# connection (RFC 5626); a contact that expires in usrloc leaves regping.
. "$(dirname "$0")/../lib.sh"
. "$TOP/test/sipp/afbridge_lib.sh"
. "$TOP/test/sipp/regping_lib.sh"


# --- af=6 ---
PORT=$(free_port)
render "$TOP/test/sipp/regping.cfg.in" "$OUT/af6.cfg" TOP PORT OUT
start_kamailio af6 "$OUT/af6.cfg" "$PORT" -A AF6
ua ua6 ::1 user6 "[::1]" 5999
ua ua4 127.0.0.1 user4 127.0.0.1 5999
has_pings() { [ "$(pings ua6)" -ge 2 ]; }
wait_for 10 has_pings || fail "the IPv6 UA got $(pings ua6) pings in 10 s"
[ "$(pings ua4)" = 0 ] || fail "af=6 pinged the IPv4 UA ($(pings ua4) pings)"
rpc regping.status >"$OUT/af6.status"
grep -q "contacts_v4: 0" "$OUT/af6.status" && grep -q "contacts_v6: 1" "$OUT/af6.status" ||
	fail "af=6 status: $(tr '\n' ' ' <"$OUT/af6.status")"
note "af=6: IPv6 UA $(pings ua6) pings, IPv4 UA 0"

# regping.ping: at once, not at the next interval
before=$(pings ua6)
rpc regping.ping user6 >"$OUT/ping.out" || fail "regping.ping failed: $(cat "$OUT/ping.out")"
now_pinged() { [ "$(pings ua6)" -gt "$before" ]; }
wait_for 1 now_pinged || fail "regping.ping sent nothing within 1 s"
rpc regping.ping nobody 2>&1 | grep -q "404" || fail "regping.ping of an unknown AoR did not fail"
note "regping.ping: pinged at once"
stop_all

# --- method NOTIFY ---
PORT=$(free_port)
render "$TOP/test/sipp/regping.cfg.in" "$OUT/notify.cfg" TOP PORT OUT
start_kamailio notify "$OUT/notify.cfg" "$PORT" -A NOTIFY
start_sipp nua ::1 "$(free_port)" -sf "$SCN/ua_register.xml" -m 1 -d 30000 \
	-key user nuser -key contact_host "[::1]" -key contact_port 5999 \
	-oocsf "$SCN/uas_options.xml" "[::1]:$PORT"
notifies() { sipp_received "$OUT/nua.msg" | awk -v RS= '/^NOTIFY / && /Event: keep-alive/ { n++ } END { print n + 0 }'; }
has_notifies() { [ "$(notifies)" -ge 2 ]; }
wait_for 10 has_notifies || fail "the UA got $(notifies) NOTIFY keepalives in 10 s"
answered() { [ "$(rpc cnt.get regping replied_v6)" -ge 1 ]; }
wait_for 2 answered || fail "NOTIFY keepalives answered but not counted"
note "NOTIFY: $(notifies) keepalives with Event: keep-alive, $(rpc cnt.get regping replied_v6) answered"
stop_all

# --- TCP: CRLF keepalives on the connection the UA opened ---
PORT=$(free_port)
render "$TOP/test/sipp/regping.cfg.in" "$OUT/tcp.cfg" TOP PORT OUT
start_kamailio tcp "$OUT/tcp.cfg" "$PORT"
wait_tcp_port "$PORT" "$KAM_PID" || fail "kamailio tcp does not listen on TCP port $PORT"
exec 3<>"/dev/tcp/127.0.0.1/$PORT" || fail "cannot connect over TCP"
printf 'REGISTER sip:127.0.0.1:%s SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bK-tcpreg\r\nFrom: <sip:tcpua@example.net>;tag=t1\r\nTo: <sip:tcpua@example.net>\r\nCall-ID: tcp-register-1\r\nCSeq: 1 REGISTER\r\nContact: <sip:tcpua@127.0.0.1:5999;transport=tcp>\r\nExpires: 300\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n' \
	"$PORT" >&3
timeout 7 cat <&3 >"$OUT/tcp.in" &
catpid=$!
_pids+=("$catpid")
listed() { rpc regping.list tcpua >"$OUT/tcp.list" && grep -q "proto: tcp" "$OUT/tcp.list"; }
wait_for 5 listed || fail "regping.list does not show the TCP contact: $(cat "$OUT/tcp.list")"
wait "$catpid"
exec 3>&-
head -n 1 "$OUT/tcp.in" | grep -q "^SIP/2.0 200" || fail "no 200 for the TCP REGISTER: $(head -c 200 "$OUT/tcp.in")"
# what came after the 200's header end
data=$(LC_ALL=C cat "$OUT/tcp.in"; echo x)
data=${data%x}
after=${data#*$'\r\n\r\n'}
k=$((${#after} / 4))
[ "${after//$'\r\n\r\n'/}" = "" ] ||
	fail "more than keepalives after the 200 on the TCP connection: $(printf %q "$after")"
[ "$k" -ge 2 ] || fail "the TCP UA got $k CRLFCRLF keepalives in 7 s"
note "TCP: $k CRLFCRLF keepalives in 7 s"

# --- a contact that expires in usrloc is no longer pinged ---
printf 'REGISTER sip:127.0.0.1:%s SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK-shortreg\r\nFrom: <sip:shortlived@example.net>;tag=s1\r\nTo: <sip:shortlived@example.net>\r\nCall-ID: short-register-1\r\nCSeq: 1 REGISTER\r\nContact: <sip:shortlived@127.0.0.1:5999>\r\nExpires: 2\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n' \
	"$PORT" >"$OUT/short.reg"
# one write, one datagram (bash's printf would send it line by line)
exec 4<>"/dev/udp/127.0.0.1/$PORT" || fail "cannot open a UDP socket"
cat "$OUT/short.reg" >&4
exec 4>&-
pinged() { rpc regping.list shortlived | grep -q "aor: shortlived"; }
gone() { ! pinged; }
wait_for 3 pinged || fail "the short registration was never pinged"
wait_for 6 gone || fail "the expired contact is still pinged: $(rpc regping.list shortlived)"
note "expiry: the contact left regping's table when usrloc expired it"
