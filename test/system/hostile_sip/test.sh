#!/bin/bash
# Requests that attackers and broken phones send, at the shipped LB
# (cfg/kamailio.cfg, with cfg/core.cfg and rtpengine): Via hosts that are
# truncated, doubled, unbracketed, 300 characters long or empty, garbage
# received/rport; unbracketed IPv6 hosts in the Request-URI, Contact and To;
# INVITEs crossing IPv6 -> IPv4 with SDP whose connection line is garbage,
# empty, of the wrong family, mixed, or missing; Content-Length lies; the
# largest UDP datagram and a TCP message over kamailio's read buffer; 100 m=
# lines. Each gets the answer (or the silence) it deserves and the LB log
# names the problem; afterwards both kamailios run with all their
# processes, a normal call works, the relay is empty and was never engaged
# for bad SDP, and shared memory is back at its baseline.
. "$(dirname "$0")/../../lib/harness.sh" hostile

# q_malloc rounds each fragment; the counters and the dialog-less
# transactions leave nothing behind, but the stats of the sanity/tm/sl
# modules and the rtpengine module's per-call hash can keep a few fragments
SHM_TOLERANCE=${SHM_TOLERANCE:-4096}

start_system -A FR_TIMER=3000
register_ua reg-bob 127.0.0.1 bob
BOB=$REG_PORT

# a normal call from IPv6 to IPv4 warms up every path (and is the check
# that it works afterwards)
normal_call()
{
	AFB_UAS_PORT=$BOB AFB_RURI="sip:bob@127.0.0.1" afb_call "$1" call ::1 127.0.0.1 1
}
normal_call warmup

# an OPTIONS to nobody through the LB (the core answers 404) with Via $1,
# Request-URI $2, To $3, Contact $4
opts()
{
	local via=$1 ruri=${2:-sip:nobody@127.0.0.1} to=${3:-<sip:nobody@127.0.0.1>}
	local contact=${4:-<sip:mallory@@LIP@:@LPORT@>}
	cat <<-MSG
	OPTIONS $ruri SIP/2.0
	Via: SIP/2.0/UDP $via;branch=@BRANCH@
	From: <sip:mallory@example.net>;tag=@N@x
	To: $to
	Call-ID: @CALLID@
	CSeq: 1 OPTIONS
	Contact: $contact
	Max-Forwards: 70
	Content-Length: 0

	MSG
}

# an INVITE from IPv6 to an IPv4 destination (crosses families) with body
# $1 (SDP), Content-Length $2 (default: the true length)
invite()
{
	local body=$1 cl=${2:-@CL@}
	printf '%s\n' \
		"INVITE sip:nobody@127.0.0.1 SIP/2.0" \
		"Via: SIP/2.0/UDP @LIP@:@LPORT@;rport;branch=@BRANCH@" \
		"From: <sip:mallory@example.net>;tag=@N@x" \
		"To: <sip:nobody@127.0.0.1>" \
		"Call-ID: @CALLID@" \
		"CSeq: 1 INVITE" \
		"Contact: <sip:mallory@@LIP@:@LPORT@>" \
		"Max-Forwards: 70" \
		"Content-Type: application/sdp" \
		"Content-Length: $cl" \
		""
	[ -z "$body" ] || printf '%s\n' "$body"
}

sdp()
{
	local sc=$1 mc=${2:-}
	printf '%s\n' "v=0" "o=- 1 1 IN IP6 ::1" "s=-" ${sc:+"$sc"} "t=0 0" \
		"m=audio 40000 RTP/AVP 0" ${mc:+"$mc"} "a=rtpmap:0 PCMU/8000"
}

# over udp_mtu the LB opens a TCP connection to the core, and it stays
# (tcp_connection_lifetime): opened before the baseline, its buffers in
# shared memory (kamailio 6.0: some 16 kB at the LB, the core's 64 kB
# tcp_rd_buf_size) are not counted as growth
warm=$($RAW --size 3000 ::1 "$KPORT" < <(invite "$(sdp 'c=IN IP6 ::1')a=x:@PAD@")) ||
	fail "warm-up over udp_mtu: sipraw failed"
[[ "$warm" =~ "codes=404x1 " ]] || fail "warm-up over udp_mtu: expected the core's 404, got '$warm'"
baseline
V64=$(afb_counter v6_to_v4)

# --- Via ---
hostile via-open-bracket ::1 "answered 0 " < <(opts "[::1")
log_names via-open-bracket "parse_via\(\): bad ipv6 reference"
hostile via-double-bracket ::1 "answered 0 " < <(opts "[::1]]:5060")
log_names via-double-bracket "parse_via\(\): parsing via on <\]>"
hostile via-unbracketed ::1 "answered 0 " < <(opts "::1:5060")
log_names via-unbracketed "parsing via on: <SIP/2.0/UDP ::1:5060"
# a long host is legal: the reply goes to the source (received, rport)
hostile via-300-char-host ::1 "codes=404x1" < <(opts "$(printf 'h%.0s' $(seq 300)).example.net:@LPORT@;rport")
hostile via-empty-host ::1 "answered 0 " < <(opts "")
log_names via-empty-host "parse_via\(\): no host found"
# received/rport of a request are for the replies: ignored
hostile via-received-garbage ::1 "codes=404x1" < <(opts "@LIP@:@LPORT@;rport=abc;received=[::zz")
hostile via-rport-huge ::1 "codes=404x1" < <(opts "@LIP@:@LPORT@;rport=99999999;received=1.2.3.4.5")

# --- unbracketed IPv6 hosts in URIs ---
hostile ruri-unbracketed ::1 "codes=400x1" < <(opts "@LIP@:@LPORT@;rport" "sip:nobody@::1")
log_names ruri-unbracketed "failed to parse request uri \[sip:nobody@::1\]"
hostile ruri-unbracketed-port ::1 "codes=400x1" < <(opts "@LIP@:@LPORT@;rport" "sip:nobody@::1:5060")
log_names ruri-unbracketed-port "malformed OPTIONS from ::1:[0-9]+ refused by sanity_check"
# To and Contact do not route an OPTIONS: the core answers
hostile to-unbracketed ::1 "codes=404x1" < <(opts "@LIP@:@LPORT@;rport" "" "<sip:nobody@::1>")
hostile contact-unbracketed ::1 "codes=404x1" < <(opts "@LIP@:@LPORT@;rport" "" "" "<sip:mallory@::1:5060>")

# --- SDP ---
hostile sdp-ip6-garbage ::1 "codes=488x1" < <(invite "$(sdp 'c=IN IP6 ::zz')")
log_names sdp-ip6-garbage "WARNING: afbridge .*INVITE offer of call-id .* from ::1:[0-9]+: connection line without an address of its family \[c=IN IP6 ::zz\]"
hostile sdp-ip6-empty ::1 "codes=488x1" < <(invite "$(sdp 'c=IN IP6')")
log_names sdp-ip6-empty "WARNING: afbridge .*: SDP that does not parse \[c=IN IP6\]"
hostile sdp-ip4-with-ip6 ::1 "codes=488x1" < <(invite "$(sdp 'c=IN IP4 ::1')")
log_names sdp-ip4-with-ip6 "WARNING: afbridge .*family \[c=IN IP4 ::1\]"
# well-formed: relayed, then deleted by the core's 404
hostile sdp-mixed-families ::1 "codes=404x1" < <(invite "$(sdp 'c=IN IP4 127.0.0.1' 'c=IN IP6 ::1')")
# a late offer: nothing for the relay yet
hostile sdp-missing ::1 "codes=404x1" < <(invite "" 0)
hostile cl-longer-than-body ::1 "codes=400x1" < <(invite "$(sdp 'c=IN IP6 ::1')" 4000)
log_names cl-longer-than-body "malformed INVITE from ::1:[0-9]+ refused by sanity_check"
hostile cl-shorter-than-body ::1 "codes=400x1" < <(invite "$(sdp 'c=IN IP6 ::1')" 20)
hostile cl-negative ::1 "answered 0 " < <(invite "$(sdp 'c=IN IP6 ::1')" -5)
log_names cl-negative "bad header field \[Content-Length: -5"
hostile cl-garbage ::1 "answered 0 " < <(invite "$(sdp 'c=IN IP6 ::1')" abc)
log_names cl-garbage "bad header field \[Content-Length: abc"
many=$(for i in $(seq 100); do printf 'm=audio %d RTP/AVP 0\nc=IN IP6 ::1\n' $((40000 + 2 * i)); done)
hostile sdp-100-m-lines ::1 "codes=488x1" < <(invite "$(printf '%s\n' v=0 'o=- 1 1 IN IP6 ::1' s=- t=0\ 0 "$many")")
log_names sdp-100-m-lines "WARNING: afbridge .*more media streams than max_streams \[m=audio"

# --- size: an INVITE over udp_mtu, the largest UDP datagram over IPv4
# (65507 bytes) and IPv6 (65527), then over TCP one larger than
# kamailio's read buffer ---
# over udp_mtu the LB sends to the core over TCP: a 3000-byte INVITE gets
# the core's answer; the largest ones, with the LB's headers, no longer
# fit the core's read buffer: the core drops them, the LB answers 408
# after FR_TIMER and the relayed offer is deleted
hostile udp-over-mtu ::1 "codes=404x1 " --size 3000 < <(invite "$(sdp 'c=IN IP6 ::1')a=x:@PAD@")
# kamailio 6.0 drops any message of msg_recv_max_size (default 32767)
# bytes or more as it arrives: the LB itself stays silent and logs it,
# nothing reaches the core or the relay
largest=1
if [ "$(kamailio -v | awk '/^version:/ { split($3, v, "."); print v[1]; exit }')" -ge 6 ]; then
	largest=0
	hostile udp-largest-v4 127.0.0.1 "answered 0 " --wait 4 --size 65507 < <(invite "$(sdp 'c=IN IP4 127.0.0.1')a=x:@PAD@")
	log_names udp-largest-v4 "read message too large: 65507"
	hostile udp-largest-v6 ::1 "answered 0 " --wait 4 --size 65527 < <(invite "$(sdp 'c=IN IP6 ::1')a=x:@PAD@")
	log_names udp-largest-v6 "read message too large: 65527"
else
	hostile udp-largest-v4 127.0.0.1 "codes=408x1 " --wait 4 --size 65507 < <(invite "$(sdp 'c=IN IP4 127.0.0.1')a=x:@PAD@")
	hostile udp-largest-v6 ::1 "codes=408x1 " --wait 4 --size 65527 < <(invite "$(sdp 'c=IN IP6 ::1')a=x:@PAD@")
	grep -q "tcp_read(): buffer overrun, dropping" "$OUT/core.log" ||
		fail "udp-largest: the core did not log the oversized request"
fi
hostile tcp-over-read-buffer ::1 "answered 0 " --tcp --size 70000 < <(invite "$(sdp 'c=IN IP6 ::1')a=x:@PAD@")
log_names tcp-over-read-buffer "tcp_read\(\): buffer overrun, dropping \(\[::1\]"

normal_call after
alive
[ "$(relay_sessions)" = 0 ] || fail "the relay holds $(relay_sessions) session(s)"
# offered to the relay: the mixed SDP, the INVITE over udp_mtu, the
# largest IPv6 datagram (where kamailio takes it), the final call; never
# the four bad SDPs, nor the late offer
[ "$(afb_counter bad_sdp)" = 4 ] || fail "bad_sdp is $(afb_counter bad_sdp), expected 4"
[ $(($(afb_counter v6_to_v4) - V64)) = $((3 + largest)) ] ||
	fail "$(($(afb_counter v6_to_v4) - V64)) offers from IPv6 relayed, expected $((3 + largest))"
[ "$(afb_counter relay_errors)" = 0 ] || fail "relay errors: $(afb_counter relay_errors)"
shm_back
summary
