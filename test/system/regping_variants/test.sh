#!/bin/bash
# regping with af=6 pings only the IPv6 device; regping.ping pings an AoR
# at once; method NOTIFY sends NOTIFY with Event: keep-alive, answered
# like OPTIONS; a UA registered over TCP gets CRLFCRLF keepalives on its
# connection (RFC 5626); a contact that expires in usrloc leaves regping;
# indexes that start with one bucket grow to hold 300 contacts.
. "$(dirname "$0")/../../lib/harness.sh" regping

REGLOAD=$TOP/build/tools/regload


# --- af=6 ---
PORT=$(free_port)
render "$TOP/test/lib/cfg/regping.cfg.in" "$OUT/af6.cfg" TOP PORT OUT
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

# a pinged IPv6 device re-registers the same Contact from IPv4: with af 6
# it leaves regping's table (it is not pinged at its old address either)
reg_mover()
{
	python3 "$TOP/test/lib/sipraw.py" "$1" "$PORT" >>"$OUT/mover.out" <<TPL
REGISTER sip:127.0.0.1:$PORT SIP/2.0
Via: SIP/2.0/UDP @LIP@:@LPORT@;branch=@BRANCH@
From: <sip:mover@example.net>;tag=m$2
To: <sip:mover@example.net>
Call-ID: mover-register
CSeq: $2 REGISTER
Contact: <sip:mover@[::1]:5997>
Expires: 60
Max-Forwards: 70
Content-Length: 0

TPL
}
reg_mover ::1 1
mover_listed() { rpc regping.list mover | grep -q "aor: mover"; }
wait_for 2 mover_listed || fail "the IPv6 device is not listed: $(cat "$OUT/mover.out")"
reg_mover 127.0.0.1 2
grep -c "codes=200x1" "$OUT/mover.out" | grep -qx 2 || fail "the mover's REGISTERs: $(cat "$OUT/mover.out")"
rpc ul.lookup location mover | grep -q "mover@\[::1\]:5997" || fail "usrloc lost the mover's contact"
mover_listed && fail "af=6: the device that moved to IPv4 is still pinged: $(rpc regping.list mover)"
note "af=6: a device that re-registered from IPv4 left regping's table"

# regping.ping: at once, not at the next interval
before=$(pings ua6)
rpc regping.ping user6 >"$OUT/ping.out" || fail "regping.ping failed: $(cat "$OUT/ping.out")"
now_pinged() { [ "$(pings ua6)" -gt "$before" ]; }
wait_for 1 now_pinged || fail "regping.ping sent nothing within 1 s"
rpc regping.ping nobody 2>&1 | grep -q "404" || fail "regping.ping of an unknown AoR did not fail"
note "regping.ping: pinged at once"
stop_all

# --- an advertised IPv6 address: the Via of a ping carries it as written
# (in one pair of brackets), as the core's Via builder does ---
PORT=$(free_port)
render "$TOP/test/lib/cfg/regping.cfg.in" "$OUT/adv.cfg" TOP PORT OUT
start_kamailio adv "$OUT/adv.cfg" "$PORT" -A ADV6
ua adv6 ::1 advuser "[::1]" 5999
has_ping() { [ "$(pings adv6)" -ge 1 ]; }
wait_for 6 has_ping || fail "the UA behind the advertised socket got no ping"
via=$(msg_header "$(sipp_received_msg "$OUT/adv6.msg" "OPTIONS ")" Via)
case "$via" in
"SIP/2.0/UDP [2001:db8::1]:$PORT;"*) ;;
*) fail "Via of a ping from a socket advertising [2001:db8::1]: $via" ;;
esac
note "advertised [2001:db8::1]: ping Via $via"
stop_all

# --- method NOTIFY ---
PORT=$(free_port)
render "$TOP/test/lib/cfg/regping.cfg.in" "$OUT/notify.cfg" TOP PORT OUT
start_kamailio notify "$OUT/notify.cfg" "$PORT" -A NOTIFY
start_sipp nua ::1 "$(free_port)" -sf "$SCN/ua_register.xml" -m 1 -d 30000 \
	-key user nuser -key contact_host "[::1]" -key contact_port 5999 \
	-oocsf "$SCN/uas_options.xml" "[::1]:$PORT"
notifies() { sipp_received "$OUT/nua.msg" | awk -v RS= '/^NOTIFY / && /Event: keep-alive/ { n++ } END { print n + 0 }'; }
has_notifies() { [ "$(notifies)" -ge 2 ]; }
wait_for 10 has_notifies || fail "the UA got $(notifies) NOTIFY keepalives in 10 s"
answered() { [ "$(rpc cnt.get regping replied_v6)" -ge 1 ]; }
wait_for 2 answered || fail "NOTIFY keepalives answered but not counted"
# RFC 6665: a NOTIFY has a Contact and a Subscription-State (there is no
# subscription behind a keepalive: terminated); the From tag is random,
# not derived from the sequence number in the Call-ID
nmsgs=$(sipp_received "$OUT/nua.msg" | awk -v RS= '/^NOTIFY /')
first=$(sipp_received_msg "$OUT/nua.msg" "NOTIFY ")
[ "$(msg_header "$first" Subscription-State)" = terminated ] ||
	fail "NOTIFY keepalive Subscription-State: [$(msg_header "$first" Subscription-State)]"
[ "$(msg_header "$first" Contact)" = "<sip:[::1]:$PORT>" ] ||
	fail "NOTIFY keepalive Contact: [$(msg_header "$first" Contact)] (expected <sip:[::1]:$PORT>)"
tags=$(printf '%s\n' "$nmsgs" | sed -n 's/^From: .*;tag=\([^;]*\).*/\1/p')
[ "$(printf '%s\n' "$tags" | grep -cvE '^[0-9a-f]{16}$')" = 0 ] ||
	fail "From tags of the NOTIFYs are not 16 random hex digits: $(echo $tags)"
[ "$(printf '%s\n' "$tags" | sort -u | wc -l)" = "$(printf '%s\n' "$tags" | wc -l)" ] ||
	fail "two NOTIFYs with the same From tag: $(echo $tags)"
note "NOTIFY: $(notifies) keepalives with Event: keep-alive, Contact, Subscription-State, From tags $(echo $tags); $(rpc cnt.get regping replied_v6) answered"
stop_all

# --- TCP: CRLF keepalives on the connection the UA opened ---
PORT=$(free_port)
render "$TOP/test/lib/cfg/regping.cfg.in" "$OUT/tcp.cfg" TOP PORT OUT
start_kamailio tcp "$OUT/tcp.cfg" "$PORT"
wait_tcp_port "$PORT" "$KAM_PID" || fail "kamailio tcp does not listen on TCP port $PORT"
exec 3<>"/dev/tcp/127.0.0.1/$PORT" || fail "cannot connect over TCP"
printf 'REGISTER sip:127.0.0.1:%s SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bK-tcpreg\r\nFrom: <sip:tcpua@example.net>;tag=t1\r\nTo: <sip:tcpua@example.net>\r\nCall-ID: tcp-register-1\r\nCSeq: 1 REGISTER\r\nContact: <sip:tcpua@127.0.0.1:5999;transport=tcp>\r\nExpires: 300\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n' \
	"$PORT" >&3
timeout 7 cat <&3 >"$OUT/tcp.in" &
catpid=$!
track "$catpid"
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

# --- contacts whose address is a host name (added by RPC, loaded from a
# database): resolved by the regping timer process before the first ping,
# never in the usrloc callback, which runs with usrloc's slot locked ---
SINK=$(free_port)
timeout -k 2 12 "$REGLOAD" 127.0.0.1 "$SINK" 127.0.0.1 "$PORT" 0 1 8 \
	"$OUT/lh.times" >"$OUT/lh.out" 2>&1 &
LH_PID=$!
track "$LH_PID"
wait_udp_port "$SINK" "$LH_PID" || fail "the sink did not start"
# a name only Kamailio's DNS cache knows (it reads no /etc/hosts)
rpc dns.add_a ua.regping.test 300 127.0.0.1 0 >"$OUT/dns.add" 2>&1 || fail "dns.add_a: $(cat "$OUT/dns.add")"
rpc ul.add location lhuser "sip:lhuser@ua.regping.test:$SINK" 60 1.0 . 0 0 0 >"$OUT/ul.add" 2>&1 ||
	fail "ul.add: $(cat "$OUT/ul.add")"
rpc ul.add location nxuser "sip:nxuser@nosuch.invalid:5060" 60 1.0 . 0 0 0 >>"$OUT/ul.add" 2>&1 ||
	fail "ul.add: $(cat "$OUT/ul.add")"
lh_pinged() { rpc regping.list lhuser | grep -q "last_reply: [1-9]"; }
wait_for 5 lh_pinged || fail "the contact at ua.regping.test was never pinged: $(rpc regping.list lhuser)"
nx_failed() { grep -q 'cannot resolve the contact.*sip:nxuser@nosuch.invalid:5060' "$OUT/tcp.log"; }
wait_for 5 nx_failed || fail "no resolution failure for nosuch.invalid: $(grep -a nosuch "$OUT/tcp.log" | head -n 3)"
# which process resolved: its pid is in the log line's prefix
nxpid=$(grep -a 'cannot resolve the contact.*sip:nxuser@nosuch' "$OUT/tcp.log" | head -n 1 | sed -n 's/^ *[0-9]*(\([0-9]*\)).*/\1/p')
timerpid=$(rpc core.psx | awk '/PID:/ { pid = $2 } /DSC: regping timer/ { print pid }')
[ -n "$timerpid" ] || timerpid=$(rpc core.psx | awk '/pid:/ { pid = $2 } /regping timer/ { print pid; exit }')
[ -n "$nxpid" ] && [ "$nxpid" = "$timerpid" ] ||
	fail "nosuch.invalid was resolved by process ${nxpid:-?}, not the regping timer (${timerpid:-?}): $(rpc core.psx | tr '\n' ' ' | cut -c 1-300)"
rpc regping.list nxuser | grep -q "aor: nxuser" && fail "the unresolvable contact is still kept"
rpc regping.list lhuser | grep -q "address: 127.0.0.1:$SINK" || fail "ua.regping.test resolved to: $(rpc regping.list lhuser)"
wait "$LH_PID"
grep -q "pings [1-9]" "$OUT/lh.out" || fail "the sink at ua.regping.test: $(cat "$OUT/lh.out")"
note "host names: ua.regping.test pinged at 127.0.0.1:$SINK, nosuch.invalid failed in the regping timer (pid $timerpid)"
# a contact larger than an entry may be (16 KB; the registrar's defaults
# refuse far less, usrloc's RPC does not): not pinged, and said so
big=$(printf 'x%.0s' $(seq 17000))
rpc ul.add location biguser "sip:biguser@127.0.0.1:5999;p=$big" 60 1.0 . 0 0 0 >>"$OUT/ul.add" 2>&1 ||
	fail "ul.add of the large contact: $(tail -c 300 "$OUT/ul.add")"
big_refused() { grep -aq 'a contact of 17[0-9]* bytes, over the 16384 an entry may take' "$OUT/tcp.log" &&
	grep -aq 'contact \[sip:biguser@127.0.0.1:5999;p=xxx.*not pinged' "$OUT/tcp.log"; }
wait_for 3 big_refused || fail "no error for the 17 kB contact: $(grep -a biguser "$OUT/tcp.log" | cut -c 1-200 | head -n 3)"
rpc regping.list biguser | grep -q "aor: biguser" && fail "the 17 kB contact is kept: $(rpc regping.list biguser | cut -c 1-200)"
note "a 17 kB contact: refused with the error naming it, not in regping.list"
# a name that resolves to IPv6: the entry made while it was a name has
# room for the 16 bytes of the address it gets
SINK6=$(free_port)
timeout -k 2 12 "$REGLOAD" ::1 "$SINK6" ::1 "$PORT" 0 1 8 \
	"$OUT/lh6.times" >"$OUT/lh6.out" 2>&1 &
LH6_PID=$!
track "$LH6_PID"
wait_udp_port "$SINK6" "$LH6_PID" || fail "the IPv6 sink did not start"
rpc dns.add_aaaa ua6.regping.test 300 ::1 0 >"$OUT/dns.add6" 2>&1 || fail "dns.add_aaaa: $(cat "$OUT/dns.add6")"
rpc ul.add location lh6user "sip:lh6user@ua6.regping.test:$SINK6" 60 1.0 . 0 0 0 >>"$OUT/ul.add" 2>&1 ||
	fail "ul.add: $(cat "$OUT/ul.add")"
lh6_pinged() { rpc regping.list lh6user | grep -q "last_reply: [1-9]"; }
wait_for 5 lh6_pinged || fail "the contact at ua6.regping.test was never pinged: $(rpc regping.list lh6user)"
rpc regping.list lh6user | grep -q "address: \[::1\]:$SINK6" || fail "ua6.regping.test resolved to: $(rpc regping.list lh6user)"
wait "$LH6_PID"
grep -q "pings [1-9]" "$OUT/lh6.out" || fail "the sink at ua6.regping.test: $(cat "$OUT/lh6.out")"
note "host names: ua6.regping.test pinged at [::1]:$SINK6"
stop_all

# --- the indexes grow: from one bucket to 512 while 300 contacts
# register; each is pinged, listed once and found by its AoR ---
PORT=$(free_port)
render "$TOP/test/lib/cfg/regping.cfg.in" "$OUT/grow.cfg" TOP PORT OUT
start_kamailio grow "$OUT/grow.cfg" "$PORT" -A HASH1
SINK=$(free_port)
"$REGLOAD" 127.0.0.1 "$SINK" 127.0.0.1 "$PORT" 300 1000 5 "$OUT/grow.times" \
	>"$OUT/grow.out" 2>&1 || fail "registering 300 contacts: $(cat "$OUT/grow.out")"
grep -q "registered 300 of 300.*distinct_targets 300;" "$OUT/grow.out" ||
	fail "300 contacts in a growing index: $(cat "$OUT/grow.out")"
rpc regping.list >"$OUT/grow.list"
[ "$(grep -c "aor: u" "$OUT/grow.list")" = 300 ] &&
	[ "$(grep "aor: u" "$OUT/grow.list" | sort -u | wc -l)" = 300 ] ||
	fail "regping.list after growing: $(grep -c "aor: u" "$OUT/grow.list") contacts, $(grep "aor: u" "$OUT/grow.list" | sort -u | wc -l) distinct"
for u in u0 u150 u299; do
	[ "$(rpc regping.list "$u" | grep -c "aor: $u\$")" = 1 ] ||
		fail "regping.list $u after growing: $(rpc regping.list "$u")"
done
note "hash_size 1: 300 contacts registered, all pinged ($(sed -n 's/.*pings \([0-9]*\) in.*/\1/p' "$OUT/grow.out") pings), listed once, found by AoR"
