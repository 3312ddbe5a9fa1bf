#!/bin/bash
# Registrations in a cluster of three LBs (cfg/kamailio.cfg -A CLUSTER,
# dmq + dmq_usrloc) on the anycast rig (test/lib/anycast.sh), in
# front of the shipped core on the backbone. The three form one DMQ
# cluster; a phone registers through the anycast IPv6 address and another
# through the IPv4 one: the router's hash picks the LB, the core stores
# the binding, and every LB - the one that took the REGISTER and the two
# that got it over DMQ - has the contact in usrloc and in regping, to be
# pinged at the address and port it registered from, from the anycast
# socket it came in on; a second device of one of them is pinged at its
# own source on every LB, the first one still at its; each contact is
# pinged by the LB that took its REGISTER alone. Needs root (ip netns);
# skipped without.
. "$(dirname "$0")/../../lib/harness.sh" frag anycast

why=$(ac_unavailable)
[ -z "$why" ] || skip "$why"
ac_rig_up 3 2
ac_start_core
for h in 1 2 3; do
	ac_start_lb $h "lb$h" -A "PING_INTERVAL=2"
done
ac_cluster_up 1 2 3

# the phones' Contacts name a port other than their source's (as behind
# a NAT): pings must go where the REGISTER came from
ac_register 1 "$(ac_phone6 1)" alice $ANY6 1
ALICE=$REG_PORT
ac_register 2 "$(ac_phone4 2)" bob $ANY4 1
BOB=$REG_PORT

rpc @core ul.lookup location alice >"$OUT/core-alice.txt" || fail "the core has no binding of alice"
rpc @core ul.lookup location bob >"$OUT/core-bob.txt" || fail "the core has no binding of bob"

# user, the address it registered from, the anycast socket it came in on
for want in "alice [$(ac_phone6 1)]:$ALICE udp:[$ANY6]:$KPORT" \
	"bob $(ac_phone4 2):$BOB udp:$ANY4:$KPORT"; do
	read -r user addr sock <<<"$want"
	for h in 1 2 3; do
		# (a copy may come in two DMQ messages: the save, the correction)
		wait_for 5 sh -c "timeout 5 kamcmd -s unix:$OUT/lb$h.sock ul.lookup location $user >'$OUT/lb$h-$user.ul' 2>&1; grep -qF 'Received: sip:$addr' '$OUT/lb$h-$user.ul'" ||
			fail "lb$h has no binding of $user with received sip:$addr in usrloc: $(grep -E 'Address|Received' "$OUT/lb$h-$user.ul" | xargs)"
		grep -qF "Socket: $sock" "$OUT/lb$h-$user.ul" ||
			fail "lb$h has $user on socket '$(grep Socket: "$OUT/lb$h-$user.ul")', want $sock"
		# regping's entry of the user: "address socket"
		wait_for 5 sh -c "timeout 5 kamcmd -s unix:$OUT/lb$h.sock regping.list >'$OUT/lb$h.rp' 2>&1; grep -q 'aor: $user\$' '$OUT/lb$h.rp'" ||
			fail "regping on lb$h has no entry of $user"
		got=$(awk -v u="$user" '$1 == "aor:" { on = ($2 == u) } on && $1 == "address:" { a = $2 }
			on && $1 == "socket:" { print a, $2; on = 0 }' "$OUT/lb$h.rp")
		[ "$got" = "$addr $sock" ] || fail "regping on lb$h pings $user at '$got', want '$addr $sock'"
	done
	node=$(awk '$1 == "Server-Id:" { print $2 }' "$OUT/lb1-$user.ul")
	note "$user (REGISTER taken by lb$node): in usrloc and regping of all three LBs, at $addr (Contact port other), from $sock"
done

# a second device of alice, phone2 over IPv6: the 2xx lists both; every
# LB pings each device at its own source (the copies on the nodes that did
# not take this REGISTER too)
ac_register 2 "$(ac_phone6 2)" alice $ANY6 1
ALICE2=$REG_PORT
want=$(printf '%s\n' "[$(ac_phone6 1)]:$ALICE" "[$(ac_phone6 2)]:$ALICE2" | sort | xargs)
for h in 1 2 3; do
	wait_for 5 sh -c "timeout 5 kamcmd -s unix:$OUT/lb$h.sock regping.list >'$OUT/lb$h.rp2' 2>&1; grep -c 'aor: alice\$' '$OUT/lb$h.rp2' | grep -qx 2" ||
		fail "regping on lb$h has not two entries of alice: $(grep -c 'aor: alice$' "$OUT/lb$h.rp2")"
	got=$(awk '$1 == "aor:" { on = ($2 == "alice") } on && $1 == "address:" { print $2; on = 0 }' \
		"$OUT/lb$h.rp2" | sort | xargs)
	[ "$got" = "$want" ] || fail "regping on lb$h pings alice's devices at '$got', want '$want'"
done
note "alice's two devices: every LB pings each at its own source ($want)"

# ownership (regping cluster mode): every LB names the same owner of
# each contact, the LB that took its REGISTER (usrloc's Server-Id), and
# after an interval and a half only the owner has pinged it
sleep 3
for h in 1 2 3; do
	rpc @lb$h regping.list >"$OUT/lb$h.own" || fail "regping.list on lb$h"
	rpc @lb$h regping.nodes >"$OUT/lb$h.nodes" || fail "regping.nodes on lb$h"
	awk '$1 == "ruid:" { r = $2 } $1 == "saver:" { s = $2 } $1 == "owner:" { o = $2 }
		$1 == "last_ping:" { print r, s, o, ($2 > 0) }' "$OUT/lb$h.own" | sort >"$OUT/lb$h.own.tsv"
	[ "$(wc -l <"$OUT/lb$h.own.tsv")" = 3 ] || fail "lb$h lists $(wc -l <"$OUT/lb$h.own.tsv") contacts with an owner, want 3: $(cat "$OUT/lb$h.own")"
done
while read -r ruid saver owner _; do
	[ "$saver" != 0 ] && [ "$saver" = "$owner" ] || fail "contact $ruid: saver $saver, owner $owner"
	for h in 1 2 3; do
		line=$(grep "^$ruid " "$OUT/lb$h.own.tsv")
		read -r _ s o pinged <<<"$line"
		[ "$s $o" = "$saver $owner" ] || fail "lb$h has $ruid saved by $s owned by $o, lb1 says $saver $owner"
		want=0
		[ "$h" = "$owner" ] && want=1
		[ "$pinged" = "$want" ] || fail "contact $ruid (owner lb$owner): pinged by lb$h is $pinged, want $want"
	done
done <"$OUT/lb1.own.tsv"
note "ownership: each contact's owner is the LB that took its REGISTER, on all three; only the owner pinged it"

# bad heartbeats at lb1's DMQ socket from the backbone: a malformed one
# (with an ESC sequence) and one claiming lb1's own id are answered 400
# and 200, logged (escaped), and change nothing
hb()
{
	ip netns exec "$(ac_core_ns)" python3 - "$(ac_lb_bb4 1)" "$DMQ_PORT" "$CORE_BB4" "$1" <<'PY'
import socket, sys
dst, port, src, body = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4].encode().decode("unicode_escape").encode("latin-1")
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((src, 0))
s.settimeout(3)
lport = s.getsockname()[1]
msg = ("KDMQ sip:regping@%s:%d SIP/2.0\r\nVia: SIP/2.0/UDP %s:%d;branch=z9hG4bK-hb%d;rport\r\n"
       "From: <sip:regping@%s:%d>;tag=hb\r\nTo: <sip:regping@%s:%d>\r\nCall-ID: hb-%d\r\n"
       "CSeq: 1 KDMQ\r\nMax-Forwards: 1\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n"
       % (dst, port, src, lport, lport, src, port, dst, port, lport, len(body))).encode() + body
s.sendto(msg, (dst, port))
try:
    print(s.recv(65535).split(b" ")[1].decode())
except socket.timeout:
    print("none")
PY
}
code=$(hb '\x1b[2J 5 x - - -')
[ "$code" = 400 ] || fail "a malformed heartbeat got '$code', want 400"
code=$(hb "1 $(($(date +%s) * 1000)) 0 - - -")
[ "$code" = 200 ] || fail "a heartbeat claiming lb1's id got '$code', want 200"
wait_for 5 grep -qF 'malformed regping heartbeat [\x1b[2J 5 x - - -]' "$OUT/lb1.log" ||
	fail "lb1 did not log the malformed heartbeat escaped: $(grep -a 'heartbeat' "$OUT/lb1.log" | tail -n 2)"
grep -qF "a heartbeat of node 1, this node's own server_id" "$OUT/lb1.log" ||
	fail "lb1 did not log the heartbeat with its own id"
[ "$(rpc @lb1 regping.nodes | grep -cE 'state: (self|live)')" = 3 ] ||
	fail "after the bad heartbeats lb1's nodes are: $(rpc @lb1 regping.nodes | tr '\n' ' ')"
note "bad heartbeats: a malformed one 400 and logged escaped, one with lb1's own id logged; lb1 still hears the two others"
exit 0
