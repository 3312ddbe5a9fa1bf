#!/bin/bash
# Large SIP messages on a path narrower than the LB's link, with the ICMP
# that would say so lost (the anycast case: it reaches another node).
#
#   LB ns ---- 1500 ---- router ns ---- 1280 ---- phone ns
#   LB, core, relay,     forwards, drops the       UDP-only sipp phone
#   caller               ICMPv6 Packet Too Big /   2001:db8:2::2,
#   2001:db8:1::1,       ICMP frag-needed it       198.51.100.2
#   192.0.2.1            would send
#
# The shipped cfg/kamailio.cfg and cfg/core.cfg with rtpengine run in the
# LB namespace. With ip6-fragpolicy set 1280 on the LB's IPv6 SIP socket,
# INVITEs of 1400 and 1600 bytes and their re-INVITEs reach the phone over
# IPv6 and over IPv4, the calls complete with RTP through the relay. On
# the LB's link every IPv6 packet from its SIP socket is at most 1280
# bytes (fragments), no IPv4 one has DF, and the router never had to send
# an ICMP; ip6-hostcheck reports the policy of the running LB. With the
# policy off, the IPv6 INVITE of 1400 bytes is lost (the router's Packet
# Too Big dropped) and ip6-hostcheck warns. Needs root (ip netns).
. "$(dirname "$0")/../../lib/harness.sh"

NS=${FRAG_NS:-dsf$$}
LB_NS=$NS-lb
R_NS=$NS-r
PHONE_NS=$NS-phone
LB6=2001:db8:1::1
LB4=192.0.2.1
PHONE6=2001:db8:2::2
PHONE4=198.51.100.2
FRAGPOLICY=$TOP/build/utils/ip6-fragpolicy

# ---- outside: the namespaces, then this script again inside the LB's ----
if [ -z "${FRAG_INNER:-}" ]; then
	[ "$(id -u)" = 0 ] || fail "needs root (ip netns, veth)"
	netns_add "$LB_NS" "$R_NS" "$PHONE_NS"
	ip link add lb0 netns "$LB_NS" type veth peer name r0 netns "$R_NS" &&
		ip link add r1 netns "$R_NS" mtu 1280 type veth peer name ph0 netns "$PHONE_NS" mtu 1280 ||
		fail "veth pairs"
	ip -n "$LB_NS" addr add $LB6/64 dev lb0 nodad
	ip -n "$LB_NS" addr add $LB4/24 dev lb0
	ip -n "$R_NS" addr add 2001:db8:1::2/64 dev r0 nodad
	ip -n "$R_NS" addr add 192.0.2.2/24 dev r0
	ip -n "$R_NS" addr add 2001:db8:2::1/64 dev r1 nodad
	ip -n "$R_NS" addr add 198.51.100.1/24 dev r1
	ip -n "$PHONE_NS" addr add $PHONE6/64 dev ph0 nodad
	ip -n "$PHONE_NS" addr add $PHONE4/24 dev ph0
	for l in "$LB_NS lb0" "$R_NS r0" "$R_NS r1" "$PHONE_NS ph0"; do
		ip -n ${l% *} link set ${l#* } up
	done
	ip -n "$LB_NS" route add default via 192.0.2.2
	ip -n "$LB_NS" -6 route add default via 2001:db8:1::2
	ip -n "$PHONE_NS" route add default via 198.51.100.1
	ip -n "$PHONE_NS" -6 route add default via 2001:db8:2::1
	ip netns exec "$R_NS" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	# the ICMP that would tell the LB the path is narrower goes elsewhere
	ip netns exec "$R_NS" ip6tables -A OUTPUT -p ipv6-icmp --icmpv6-type packet-too-big -j DROP &&
		ip netns exec "$R_NS" iptables -A OUTPUT -p icmp --icmp-type fragmentation-needed -j DROP ||
		fail "ip6tables/iptables in the router namespace"
	note "namespaces $LB_NS - $R_NS - $PHONE_NS up (phone link MTU 1280, ICMP towards the LB dropped)"
	FRAG_INNER=1 TOP=$TOP OUT=$OUT TEST_NAME=$TEST_NAME FRAG_NS=$NS \
		ip netns exec "$LB_NS" bash "$0" &
	track "$!"
	wait "$!"
	rc=$?
	exit $rc
fi

# ---- inside the LB's namespace ----
harness_use system frag
phone_bin

# the router's dropped ICMP: "ptb frag_needed"
router_icmp_drops()
{
	echo "$(ip netns exec "$R_NS" ip6tables -L OUTPUT -v -n -x | awk '/DROP/ { print $1 }')" \
		"$(ip netns exec "$R_NS" iptables -L OUTPUT -v -n -x | awk '/DROP/ { print $1 }')"
}

RTPE_IP4=$LB4 RTPE_IP6=$LB6 start_rtpengine
PING_INTERVAL=600 start_core_lb -A LB_IP4=$LB4 -A "LB_IP6=[$LB6]" -A FR_TIMER=4000

# the phone registers user $2 from address $1 at the LB's address $3
phone_register()
{
	REG_PORT=$(free_port)
	PATH="$PHONE_BIN:$PATH" run_sipp "reg-$2" -sf "$SCN/ua_register.xml" -m 1 -d 0 \
		-i "$1" -p "$REG_PORT" $(sipp_auth "$2") -key user "$2" -key contact_host "$(uri_host "$1")" \
		-key contact_port "$REG_PORT" "$(uri_host "$3"):$KPORT" ||
		fail "$2 could not register from $1 through the LB"
}
phone_register $PHONE6 phone6 $LB6
PORT6=$REG_PORT
phone_register $PHONE4 phone4 $LB4
PORT4=$REG_PORT

"$FRAGPOLICY" set 1280 "[$LB6]:$KPORT" >"$OUT/fragpolicy.out" 2>&1 ||
	fail "ip6-fragpolicy set: $(cat "$OUT/fragpolicy.out")"
"$FRAGPOLICY" --dst $PHONE6 status "[$LB6]:$KPORT" >"$OUT/fragpolicy.status" ||
	fail "ip6-fragpolicy status: $(cat "$OUT/fragpolicy.status")"
note "policy: $(cat "$OUT/fragpolicy.status")"
# bad arguments: exit 3, the policy left as it was
for args in "set 1000 [$LB6]:$KPORT" "set 1280 [::]:$KPORT" "set 1280 $LB4:$KPORT" \
	"set 1280 [$LB6]:70000" "set abc [$LB6]:$KPORT" "set 1280" "status" "bogus"; do
	# shellcheck disable=SC2086
	"$FRAGPOLICY" $args >"$OUT/fragpolicy.bad" 2>&1
	rc=$?
	[ $rc = 3 ] || fail "ip6-fragpolicy $args: exit $rc, want 3: $(cat "$OUT/fragpolicy.bad")"
done
"$FRAGPOLICY" --dst $PHONE6 status "[$LB6]:$KPORT" | grep -q "fragmented at 1280" ||
	fail "a refused ip6-fragpolicy call changed the policy"
"$FRAGPOLICY" --help | grep -q "^SYNOPSIS" || fail "ip6-fragpolicy --help"
# what ip6-hostcheck reports for the running LB
hostcheck_frag()
{
	"$TOP/build/utils/ip6-hostcheck" --pid "$LB_PID" >"$OUT/hostcheck.$1" 2>&1
	grep "frag IPv6" "$OUT/hostcheck.$1" | head -n 1
}
line=$(hostcheck_frag on)
[[ "$line" == "OK    frag IPv6 "*"udp [$LB6]:$KPORT: fragmented at 1280 (table 1280)" ]] ||
	fail "ip6-hostcheck does not report the policy: '$line' (see $OUT/hostcheck.on)"

tcpdump -i lb0 -U -nn -w "$OUT/lb0.pcap" 'udp or icmp or icmp6 or (ip6 and ip6[6] == 44)' \
	>"$OUT/tcpdump.out" 2>&1 &
track "$!"
TCPDUMP_PID=$!
wait_for 5 grep -q "listening on" "$OUT/tcpdump.out" || fail "tcpdump did not start"

# an IPv4 caller calls the IPv6 phone and an IPv6 caller the IPv4 one:
# each call crosses families once, on its way from the core to the phone
# or to the core (pads: what the LB, the core and the relay add)
big_call v6-1400 $LB4 $PHONE6 "$PORT6" 1400 350 640 "sip:phone6@127.0.0.1"
big_call v6-1600 $LB4 $PHONE6 "$PORT6" 1600 540 830 "sip:phone6@127.0.0.1"
big_call v4-1400 $LB6 $PHONE4 "$PORT4" 1400 340 630 "sip:phone4@127.0.0.1"
big_call v4-1600 $LB6 $PHONE4 "$PORT4" 1600 545 835 "sip:phone4@127.0.0.1"
[ "$(router_icmp_drops)" = "0 0" ] ||
	fail "the router had to send ICMP (dropped: Packet Too Big, frag-needed: $(router_icmp_drops))"
note "the router never needed an ICMP"
sleep 0.5
stop_pid "$TCPDUMP_PID"

# what left the LB's SIP sockets towards the phone
tcpdump -r "$OUT/lb0.pcap" -nn -v "src host $LB6 and dst host $PHONE6" \
	>"$OUT/v6.txt" 2>/dev/null
tcpdump -r "$OUT/lb0.pcap" -nn -v "src host $LB4 and dst host $PHONE4 and udp port $KPORT" \
	>"$OUT/v4.txt" 2>/dev/null
read -r n6 big6 frag6 < <(awk '/payload length: / {
		match($0, /payload length: [0-9]+/); len = substr($0, RSTART + 16, RLENGTH - 16) + 40
		n++; if(len > max) max = len; if(/Fragment \(44\)/) frag++ }
	END { print n + 0, max + 0, frag + 0 }' "$OUT/v6.txt")
[ "$n6" -gt 0 ] || fail "no IPv6 packet from the LB to the phone captured"
[ "$big6" -le 1280 ] || fail "an IPv6 packet of $big6 bytes left the LB"
[ "$frag6" -gt 0 ] || fail "no IPv6 fragment left the LB"
# whole: offset 0 and no more fragments
read -r n4 df4 big4 < <(awk '/ proto UDP / {
		match($0, /length [0-9]+\)/); len = substr($0, RSTART + 7, RLENGTH - 8) + 0
		n++; if(/flags \[DF\]/) df++
		if(/offset 0, flags \[none\]/ && len > max) max = len }
	END { print n + 0, df + 0, max + 0 }' "$OUT/v4.txt")
[ "$n4" -gt 0 ] || fail "no IPv4 packet from the LB to the phone captured"
[ "$df4" = 0 ] || fail "$df4 IPv4 packets from the LB to the phone have DF"
[ "$big4" -gt 1280 ] || fail "the largest whole IPv4 packet to the phone was $big4 bytes: the 1400-byte INVITE did not leave whole"
note "on the LB's link: $n6 IPv6 packets to the phone, the largest $big6 bytes, $frag6 fragments; $n4 IPv4 packets, none with DF, the largest whole one $big4 bytes (the router fragmented it)"

# the same INVITE with the policy off: lost on the 1280 link
"$FRAGPOLICY" set off "[$LB6]:$KPORT" >>"$OUT/fragpolicy.out" 2>&1 || fail "ip6-fragpolicy set off"
"$FRAGPOLICY" --dst $PHONE6 status "[$LB6]:$KPORT" >"$OUT/fragpolicy.off" &&
	fail "ip6-fragpolicy status says fragmented with the policy off: $(cat "$OUT/fragpolicy.off")"
line=$(hostcheck_frag off)
[[ "$line" == "WARN  frag IPv6 "*"udp [$LB6]:$KPORT: datagrams up to the link MTU leave whole" ]] ||
	fail "ip6-hostcheck does not warn with the policy off: '$line' (see $OUT/hostcheck.off)"
phone_sipp off-phone -i $PHONE6 -p "$PORT6" -sf "$SCN/uas_reinvite.xml" -mp "$(free_media_port)" \
	-key rtp_port "$(free_port)"
OFF_PHONE=$SIPP_PID
bg_sipp off-caller -sf "$SCN/uac_big.xml" -m 1 -i $LB4 -p "$(free_port)" \
	-key rtp_port "$(free_port)" -key ruri "sip:phone6@127.0.0.1" \
	-key pad "$(printf '%*s' 350 '' | tr ' ' x)" -key pad2 x "$LB4:$KPORT"
OFF_CALLER=$SIPP_PID
wait_for 6 grep -qs "SIP/2.0 408" "$OUT/off-caller.msg" ||
	fail "with the policy off the caller got no 408"
sipp_received_msg "$OUT/off-phone.msg" "INVITE " | grep -q . &&
	fail "with the policy off the 1400-byte IPv6 INVITE still reached the phone"
read -r ptb fn < <(router_icmp_drops)
[ "$ptb" -gt 0 ] || fail "with the policy off the router sent no Packet Too Big (dropped: $ptb)"
stop_pid "$OFF_CALLER"
stop_pid "$OFF_PHONE"
note "policy off: the 1400-byte IPv6 INVITE was lost (router dropped $ptb Packet Too Big), the caller got 408"
exit 0
