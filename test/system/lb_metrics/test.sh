#!/bin/bash
# Metrics where operators look: the shipped LB (cfg/kamailio.cfg) serves
# Prometheus metrics (xhttp_prom) on its loopback HTTP listener. Scraped
# with curl before and after traffic: regping's and afbridge's counters
# are there and moved by what happened (the pings an IPv6 device answered,
# one bridged IPv6->IPv4 call), equal to what the RPC counters say; HTTP
# on the SIP TCP port and other paths are refused; NO_METRICS turns it off.
. "$(dirname "$0")/../../lib/harness.sh" system regping

command -v curl >/dev/null || fail "curl is not installed (make deps)"

RP_COUNTERS="sent_v4 sent_v6 replied_v4 replied_v6 timeouts_v4 timeouts_v6 dead"
AFB_COUNTERS="v6_to_v4 v4_to_v6 deletes relay_errors bad_sdp bad_marks"

start_system
PROM=$PROM_PORT
# the metrics listener is TCP only (start_kamailio waited for UDP)
tcp_listening() { ss -Hlnt "sport = :$1" | grep -q .; }
wait_for 5 tcp_listening "$PROM" || fail "nothing listens on the metrics port $PROM"

# usage: scrape file [url]; the HTTP status goes to stdout
scrape()
{
	curl -sS --max-time 5 -o "$1" -w '%{http_code}' "${2:-http://127.0.0.1:$PROM/metrics}"
}
# value of metric kamailio_<group>_<name> in scrape file $3
metric()
{
	awk -v n="kamailio_$1_$2" '$1 == n { print $2; f = 1 } END { exit !f }' "$3"
}
# every counter of both modules in scrape $1, as "group.name=value ..."
counters()
{
	local c v out=""
	for c in $RP_COUNTERS; do
		v=$(metric regping "$c" "$1") || fail "$1 has no kamailio_regping_$c"
		out="$out regping.$c=$v"
	done
	for c in $AFB_COUNTERS; do
		v=$(metric afbridge "$c" "$1") || fail "$1 has no kamailio_afbridge_$c"
		out="$out afbridge.$c=$v"
	done
	echo "${out# }"
}
# the same, by RPC
rpc_counters()
{
	local c out=""
	for c in $RP_COUNTERS; do out="$out regping.$c=$(rpc cnt.get regping "$c")"; done
	for c in $AFB_COUNTERS; do out="$out afbridge.$c=$(rpc cnt.get afbridge "$c")"; done
	echo "${out# }"
}
# value of group.name in a counters() line $2
val()
{
	printf '%s\n' $2 | awk -F= -v k="$1" '$1 == k { print $2 }'
}

code=$(scrape "$OUT/before.prom") || fail "curl could not scrape http://127.0.0.1:$PROM/metrics"
[ "$code" = 200 ] || fail "GET /metrics answered $code"
before=$(counters "$OUT/before.prom")
note "before: $before"
# the stock statistics come along (core, sl, registrar, usrloc, tcp)
for m in core_rcv_requests sl_sent_replies registrar_accepted_regs usrloc_location_contacts \
	tcp_established; do
	metric "${m%%_*}" "${m#*_}" "$OUT/before.prom" >/dev/null ||
		fail "the scrape has no kamailio_$m"
done

# HTTP on the LB's SIP TCP port and other paths get no metrics
code=$(scrape "$OUT/sip-port.out" "http://127.0.0.1:$KPORT/metrics")
[ "$code" = 403 ] || fail "GET /metrics on the SIP port $KPORT answered '$code', not 403"
code=$(scrape "$OUT/other-path.out" "http://127.0.0.1:$PROM/other")
[ "$code" = 404 ] || fail "GET /other on the metrics port answered '$code', not 404"

# an IPv6 device that answers its keepalives (every PING_INTERVAL, 2 s)
PORT=$KPORT ua alice6 ::1 alice "[::1]" 5999
# an IPv4 one, the callee of a bridged call from an IPv6 phone
register_ua reg-bob 127.0.0.1 bob
AFB_UAS_PORT=$REG_PORT AFB_RURI="sip:bob@127.0.0.1" afb_call v6to4 call ::1 127.0.0.1 1

# alice got at least 2 pings; at a quiet moment (no ping in flight) the
# metrics show exactly the pings she saw, all answered, and agree with
# the RPC counters
settled()
{
	local n
	n=$(pings alice6)
	[ "$n" -ge 2 ] || return 1
	scrape "$OUT/after.prom" >/dev/null || return 1
	after=$(counters "$OUT/after.prom")
	rpc_now=$(rpc_counters)
	[ "$after" = "$rpc_now" ] || return 1
	seen=$n
	[ "$(pings alice6)" = "$n" ] &&
		[ $(($(val regping.sent_v6 "$after") - $(val regping.sent_v6 "$before"))) = "$n" ] &&
		[ $(($(val regping.replied_v6 "$after") - $(val regping.replied_v6 "$before"))) = "$n" ]
}
wait_for 15 settled ||
	fail "alice saw $(pings alice6) pings; metrics: $after; RPC: $rpc_now (before: $before)"
note "after: $after"
# the contacts the LB holds: alice and bob
[ "$(metric usrloc location_contacts "$OUT/after.prom")" = 2 ] ||
	fail "kamailio_usrloc_location_contacts is $(metric usrloc location_contacts "$OUT/after.prom"), not 2"

# what the traffic must have moved, and by how much
want="regping.sent_v6=+$seen regping.replied_v6=+$seen regping.timeouts_v6=+0"
want="$want afbridge.v6_to_v4=+1 afbridge.v4_to_v6=+1 afbridge.deletes=+1"
want="$want afbridge.relay_errors=+0 afbridge.bad_sdp=+0 afbridge.bad_marks=+0"
got=""
for k in regping.sent_v6 regping.replied_v6 regping.timeouts_v6 afbridge.v6_to_v4 \
	afbridge.v4_to_v6 afbridge.deletes afbridge.relay_errors afbridge.bad_sdp afbridge.bad_marks; do
	got="$got $k=+$(($(val "$k" "$after") - $(val "$k" "$before")))"
done
[ "${got# }" = "$want" ] || fail "counter deltas: expected '$want', got '${got# }'"
# bob's registration is pinged too
[ "$(val regping.sent_v4 "$after")" -gt "$(val regping.sent_v4 "$before")" ] ||
	fail "no ping to the IPv4 device in the metrics"
note "moved: ${got# }, regping.sent_v4 +$(($(val regping.sent_v4 "$after") - $(val regping.sent_v4 "$before")))"

# NO_METRICS: the same cfg without the listener and the modules
kamailio -c -f "$TOP/cfg/kamailio.cfg" -L "$TOP/modules:$STOCK_MODULES" -A NO_METRICS \
	-A "DS_LIST=\"$OUT/dispatcher.list\"" -A "CTL_SOCK=\"unix:$OUT/nometrics.sock\"" \
	>"$OUT/nometrics.check.log" 2>&1 || fail "kamailio -c rejects the cfg with NO_METRICS"
grep -q "tcp: 127.0.0.1 \[127.0.0.1\]:9494" "$OUT/nometrics.check.log" &&
	fail "with NO_METRICS the cfg still listens on the metrics port"
grep -q "tcp: 127.0.0.1 \[127.0.0.1\]:5060" "$OUT/nometrics.check.log" ||
	fail "kamailio -c did not list the sockets: $(tail -n 3 "$OUT/nometrics.check.log")"
note "NO_METRICS: no metrics listener"
