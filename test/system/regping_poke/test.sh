#!/bin/bash
# regping_ping() on every INVITE, as documented, with callers that call a
# registered user as often as they like: each contact gets at most one
# extra ping per extra_ping_interval (1 s), so 100 INVITEs in 2 s bring a
# user's two devices a handful of pings, not 200; with no spacing, the
# extra pings still stay within max_rate. regping.list of many
# contacts while they are pinged and others register lists each contact
# once, and pings and registrations go on meanwhile.
. "$(dirname "$0")/../../lib/harness.sh" regping

REGLOAD=$TOP/build/tools/regload

PORT=$(free_port)
render "$TOP/test/lib/cfg/regping.cfg.in" "$OUT/reg.cfg" TOP PORT OUT
start_kamailio reg "$OUT/reg.cfg" "$PORT"

# alice has two devices, one per family; both answer pings
ua alice6 ::1 alice "[::1]" 5999 1 20
ua alice4 127.0.0.1 alice 127.0.0.1 5999 1 20
registered() { [ "$(rpc regping.list alice | grep -c '^[[:space:]]*aor: alice')" = 2 ]; }
wait_for 5 registered || fail "alice's two devices are not both pinged: $(rpc regping.list alice)"

# INVITEs to user $1 (each a regping_ping() of it), sipraw's result in
# $OUT/$2.out; more sipraw options follow (--repeat, --rate, ...)
invites()
{
	local user=$1 out=$2
	shift 2
	python3 "$TOP/test/lib/sipraw.py" "$@" 127.0.0.1 "$PORT" >"$OUT/$out.out" <<TPL
INVITE sip:$user@127.0.0.1:$PORT SIP/2.0
Via: SIP/2.0/UDP @LIP@:@LPORT@;branch=@BRANCH@
From: <sip:caller@example.net>;tag=c@N@
To: <sip:$user@127.0.0.1>
Call-ID: @CALLID@
CSeq: 1 INVITE
Max-Forwards: 70
Content-Length: 0

TPL
}

# 100 INVITEs to alice in 2 s, each a regping_ping("alice")
b6=$(pings alice6)
b4=$(pings alice4)
start=$(date +%s%N)
invites alice invites --repeat 100 --rate 50 --wait 0.5 ||
	fail "sipraw failed: $(cat "$OUT/invites.out")"
secs=$(( ($(date +%s%N) - start + 999999999) / 1000000000 ))
grep -q "codes=480x100" "$OUT/invites.out" || fail "the INVITEs did not all poke: $(cat "$OUT/invites.out")"
sleep 0.3 # the pings still in flight on loopback
n6=$(($(pings alice6) - b6))
n4=$(($(pings alice4) - b4))
# per device in $secs s: one scheduled ping per 2 s interval (+1 for the
# phase), one extra ping per started second (+1)
limit=$((secs / 2 + 1 + secs + 1))
note "100 INVITEs in ${secs}s: alice's IPv6 device got $n6 pings, IPv4 device $n4 (at most $limit each)"
[ "$n6" -le "$limit" ] || fail "100 INVITEs in ${secs}s brought the IPv6 device $n6 pings (at most $limit)"
[ "$n4" -le "$limit" ] || fail "100 INVITEs in ${secs}s brought the IPv4 device $n4 pings (at most $limit)"
[ "$n6" -ge 1 ] && [ "$n4" -ge 1 ] || fail "the INVITEs poked nobody ($n6, $n4)"
# an INVITE to nobody pokes nothing
invites nobody nobody
grep -q "codes=404x1" "$OUT/nobody.out" || fail "an INVITE to nobody: $(cat "$OUT/nobody.out")"
rpc regping.list alice | grep -q "failures: 0" || fail "alice's devices count failures"
stop_all

# --- no spacing (extra_ping_interval 0), max_rate 5: the extra pings
# share the budget of the scheduled ones ---
PORT=$(free_port)
render "$TOP/test/lib/cfg/regping.cfg.in" "$OUT/capped.cfg" TOP PORT OUT
start_kamailio capped "$OUT/capped.cfg" "$PORT" -A MAXRATE=5 -A EXTRA0
ua bob6 ::1 bob "[::1]" 5999 1 20
ua bob4 127.0.0.1 bob 127.0.0.1 5999 1 20
bob_in() { [ "$(rpc regping.list bob | grep -c '^[[:space:]]*aor: bob')" = 2 ]; }
wait_for 5 bob_in || fail "bob's two devices are not both pinged: $(rpc regping.list bob)"
b=$(($(pings bob6) + $(pings bob4)))
start=$(date +%s%N)
invites bob capped --repeat 100 --rate 50 --wait 0.5 ||
	fail "sipraw failed: $(cat "$OUT/capped.out")"
grep -q "codes=480x100" "$OUT/capped.out" || fail "the INVITEs did not all poke: $(cat "$OUT/capped.out")"
sleep 0.3
# the window the pings are counted over ends now, not when sipraw ended
ms=$(( ($(date +%s%N) - start) / 1000000 ))
n=$(($(pings bob6) + $(pings bob4) - b))
# a token bucket of 5/s holding at most one ping: 5 per second + 1
limit=$(( ms * 5 / 1000 + 2 ))
note "max_rate 5, no spacing: 100 INVITEs in ${ms} ms brought bob's devices $n pings (at most $limit)"
[ "$n" -le "$limit" ] || fail "max_rate 5: 100 INVITEs in ${ms} ms brought $n pings (at most $limit)"
[ "$n" -ge 2 ] || fail "max_rate 5: the INVITEs brought only $n pings in ${ms} ms"
stop_all

# --- listing many contacts while they are pinged and others register ---
PORT=$(free_port)
render "$TOP/test/lib/cfg/regping.cfg.in" "$OUT/many.cfg" TOP PORT OUT
start_kamailio many "$OUT/many.cfg" "$PORT"
SINK=$(free_port)
timeout -k 2 40 "$REGLOAD" 127.0.0.1 "$SINK" 127.0.0.1 "$PORT" 300 300 12 \
	"$OUT/many.times" u >"$OUT/many.out" 2>&1 &
many_pid=$!
track "$many_pid"
all_in() { [ "$(rpc regping.status | sed -n 's/^[[:space:]]*contacts: //p')" = 300 ]; }
wait_for 10 all_in || fail "300 contacts not registered: $(rpc regping.status | tr '\n' ' ')"
# a second population registers while the listings run
SINK2=$(free_port)
timeout -k 2 40 "$REGLOAD" 127.0.0.1 "$SINK2" 127.0.0.1 "$PORT" 100 100 4 \
	"$OUT/late.times" late >"$OUT/late.out" 2>&1 &
late_pid=$!
track "$late_pid"
for i in 1 2 3 4 5; do
	rpc regping.list >"$OUT/list$i.txt" || fail "regping.list failed: $(tail -3 "$OUT/list$i.txt")"
	# every contact of the first population once, none twice
	u=$(grep -c '^[[:space:]]*aor: u[0-9]*$' "$OUT/list$i.txt")
	d=$(grep '^[[:space:]]*ruid: ' "$OUT/list$i.txt" | sort | uniq -d | wc -l)
	[ "$u" = 300 ] || fail "listing $i shows $u of the 300 contacts"
	[ "$d" = 0 ] || fail "listing $i shows $d contacts twice"
done
wait "$late_pid" || fail "the late registrations failed: $(cat "$OUT/late.out")"
wait "$many_pid"
grep -q "registered 100 of 100" "$OUT/late.out" || fail "late: $(cat "$OUT/late.out")"
read -r pings targets < <(sed -n 's/.*pings \([0-9]*\) in .*distinct_targets \([0-9]*\).*/\1 \2/p' "$OUT/many.out")
# 12 s at a 2 s interval: every contact pinged, about 6 times
[ "${targets:-0}" = 300 ] || fail "only ${targets:-0} of 300 contacts pinged during the listings: $(cat "$OUT/many.out")"
[ "${pings:-0}" -ge 1500 ] || fail "only ${pings:-0} pings to 300 contacts in 12 s during the listings"
note "5 listings of 300+ contacts (kamcmd takes replies up to 128 KB): each complete, no duplicates; meanwhile 100 registered and $pings pings reached all $targets"
