#!/bin/bash
# A registrar behind the LB pings along the Path: its pings go to the LB
# that relayed the REGISTER (never to the Contact), with the Path as Route,
# and the LB takes them to the IPv6 phone; the phone's replies come back
# and count.
. "$(dirname "$0")/../../lib/harness.sh" system

start_rtpengine
CORE_PORT=$(free_port)
echo "1 sip:127.0.0.1:$CORE_PORT" >"$OUT/dispatcher.list"
render "$HERE/core.cfg.in" "$OUT/core.cfg" TOP CORE_PORT OUT
start_kamailio core "$OUT/core.cfg" "$CORE_PORT"
KPORT=$(free_port)
# the LB's own keepalives every 30 s: the phone's pings come from the core
start_kamailio lb "$TOP/cfg/kamailio.cfg" "$KPORT" \
	-L "$TOP/modules:$STOCK_MODULES" -A "LB_PORT=$KPORT" \
	-A "DS_LIST=\"$OUT/dispatcher.list\"" \
	-A "RTPP_SOCK=\"udp:127.0.0.1:$RTPP_PORT\"" -A "PING_INTERVAL=30" \
	-A "CTL_SOCK=\"unix:$OUT/ctl.sock\""

start_sipp phone ::1 "$(free_port)" -sf "$SCN/ua_register.xml" -m 1 -d 30000 \
	-key user alice -key contact_host "[::1]" -key contact_port 5999 \
	-oocsf "$SCN/uas_options.xml" "[::1]:$KPORT"
core_pings() { sipp_received "$OUT/phone.msg" | awk -v RS= '/^OPTIONS / && /From: <sip:core-pinger@/ { n++ } END { print n + 0 }'; }
enough() { [ "$(core_pings)" -ge 2 ] && [ "$(rpc @core cnt.get regping replied_v4)" -ge 1 ]; }
wait_for 10 enough ||
	fail "after 10 s: $(core_pings) core pings at the phone, $(rpc @core cnt.get regping replied_v4) answered"
rpc @core regping.list alice >"$OUT/core-list.txt"
grep -q "address: 127.0.0.1:$KPORT" "$OUT/core-list.txt" ||
	fail "the core does not ping towards the LB: $(cat "$OUT/core-list.txt")"
m=$(sipp_received "$OUT/phone.msg" | awk -v RS= '/^OPTIONS / && /core-pinger/ { print; exit }')
msg_header "$m" Via | head -n 1 | grep -q "^SIP/2.0/UDP \[::1\]:$KPORT;" ||
	fail "the core's ping did not reach the phone through the LB's IPv6 socket: $(msg_header "$m" Via | head -n 1)"
note "the core pinged along the Path: $(core_pings) pings reached the phone via the LB, $(rpc @core cnt.get regping replied_v4) answers came back"
