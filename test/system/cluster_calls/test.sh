#!/bin/bash
# Calls through a cluster of three LBs (cfg/kamailio.cfg -A CLUSTER) on the
# anycast rig (test/lib/anycast.sh), each LB with a relay of its own, in
# front of the shipped core; callers on the core's side, phones behind
# the router (phone.py here: answers as RFC 3261 says, its replies go to
# the top Via, not back to where the request came from).
# - a call to a phone leaves the LB from the anycast address the phone
#   registered at, its Via names the LB's own address (the 200 must get
#   back to that LB to answer the caller), its Record-Route the anycast
#   address (the phone's BYE goes there); the core reaches the LBs at the
#   anycast IPv4 address its Path and Record-Route name (a route over the
#   backbone), here over the LBs that did not take the phones' REGISTERs,
#   so that the phone's BYE (its flow hashes to the LB that took its
#   REGISTER) arrives at another LB than the one that made the dialog's
#   mark: the mark (MARK_SECRET, one for the cluster) is valid there.
# - the IPv6 phone calls the IPv4 one: no Record-Route entry names an
#   LB's own address, the caller's first hop is the anycast address.
# - the LB that took the IPv6 phone's REGISTER dies, its routes are
#   withdrawn: calls from the core's side still reach the phone, through
#   another LB and its relay, RTP arriving at the phone.
# Needs root (ip netns); skipped without.
. "$(dirname "$0")/../../lib/harness.sh" frag anycast

why=$(ac_unavailable)
[ -z "$why" ] || skip "$why"
ac_rig_up 3 2
ac_start_core
ac_core_route 1 2 3
declare -A LB_PID RTPE_OF
for h in 1 2 3; do
	ac_start_rtpengine $h
	RTPE_OF[$h]=$RTPE_PID
	ac_start_lb $h "lb$h" -A "RTPE_SOCK=\"udp:127.0.0.1:$NG_PORT\""
	LB_PID[$h]=$KAM_PID
done
# a node without the cluster's MARK_SECRET is refused at startup
if ip netns exec "$(ac_lb_ns 1)" kamailio -c -f "$TOP/cfg/kamailio.cfg" -L "$TOP/modules:$STOCK_MODULES" \
	-A CLUSTER -A "LB_IP4=$(ac_lb4 1)" -A "LB_IP6=[$(ac_lb6 1)]" -A "ANY_IP4=$ANY4" -A "ANY_IP6=[$ANY6]" \
	-A "DMQ_IP=$(ac_lb_bb4 1)" -A "DMQ_URI=\"sip:$(ac_lb_bb4 1):$DMQ_PORT\"" \
	-A "DMQ_NOTIFY=\"sip:$(ac_lb_bb4 1):$DMQ_PORT\"" -A "DS_LIST=\"$OUT/dispatcher.list\"" \
	-A NO_METRICS >"$OUT/nosecret.log" 2>&1; then
	fail "kamailio -c takes -A CLUSTER without MARK_SECRET"
fi
line=$(grep -n '^modparam("afbridge", "mark_secret", MARK_SECRET)' "$TOP/cfg/kamailio.cfg" | head -n 1 | cut -d: -f1)
grep -q "line $line," "$OUT/nosecret.log" ||
	fail "kamailio -c refused -A CLUSTER without MARK_SECRET, not at line $line: $(grep -m1 CRITICAL "$OUT/nosecret.log")"
note "-A CLUSTER without MARK_SECRET: refused at cfg/kamailio.cfg line $line"
ac_cluster_up 1 2 3
note "a relay on each LB's unicast addresses"

# sipp in the core's namespace: the callers
PHONE_NS=$(ac_core_ns) PHONE_BIN=$OUT/core-bin phone_bin
# the number of the LB whose own address (IPv6, IPv4, backbone) is $1, or ""
lb_of()
{
	local h
	for h in 1 2 3; do
		[ "$1" = "$(ac_lb6 $h)" ] || [ "$1" = "$(ac_lb4 $h)" ] || [ "$1" = "$(ac_lb_bb4 $h)" ] &&
			{ echo $h; return; }
	done
}
# an LB statistic (by its name)
lb_stat()
{
	rpc "@lb$1" stats.get_statistics "$2" | awk -F' = ' '{ print $2 }'
}

# the phones' Contacts at their source address and port (REG_PORT), where
# phone.py answers later
ac_register 1 "$(ac_phone6 1)" alice $ANY6
ALICE=$REG_PORT
ac_register 2 "$(ac_phone4 2)" bob $ANY4
BOB=$REG_PORT
rpc @core ul.lookup location alice >"$OUT/core-alice.txt" || fail "the core has no binding of alice"
grep -q "Path: <sip:$ANY4:$KPORT;lr;received=sip:\[$(ac_phone6 1)\]:$ALICE>" "$OUT/core-alice.txt" ||
	fail "the core's Path of alice does not name the anycast address: $(grep Path: "$OUT/core-alice.txt")"
# the LB that took each REGISTER (Server-Id of the binding, on every node)
taken_by()
{
	wait_for 5 sh -c "timeout 5 kamcmd -s unix:$OUT/lb1.sock ul.lookup location $1 >'$OUT/lb1-$1.ul' 2>&1; grep -q Server-Id: '$OUT/lb1-$1.ul'" ||
		fail "lb1 has no binding of $1"
	awk '$1 == "Server-Id:" { print $2; exit }' "$OUT/lb1-$1.ul"
}
X=$(taken_by alice)
XB=$(taken_by bob)
OTHERS=$(for h in 1 2 3; do [ $h = "$X" ] || echo $h; done | xargs)
note "alice (IPv6) registered through lb$X, bob (IPv4) through lb$XB; the core's Path: <sip:$ANY4:$KPORT;lr;received=...>"

# one call from the core's side to phone $2 ($3: its address, $4: port)
# of user $5; $6: who hangs up (caller, phone). Sets CALL_LB (the LB the
# phone's Via named) and PHONE_RTP (packets that arrived at the phone).
cc_call()
{
	local name=$1 ph=$2 ip=$3 port=$4 user=$5 who=$6
	local pns rtp_ph rtp_core uac_port ppid cpid scn=uac_call hold=4000 hang="" ok inv
	local src via rr sdp sdp_core any lb_ip rc=0 rp rcore
	pns=$(ac_phone_ns "$ph")
	rtp_ph=$(free_port)
	rtp_core=$(free_port)
	uac_port=$(free_port)
	[ "$who" = phone ] && scn=uac_calleebye hold=0 hang=4
	any=$ANY4
	[[ $ip == *:* ]] && any=$ANY6
	ip netns exec "$pns" python3 "$HERE/phone.py" "$ip" "$port" "$rtp_ph" $hang \
		>"$OUT/$name-phone.out" 2>"$OUT/$name-phone.err" &
	ppid=$!
	track "$ppid"
	wait_for 5 sh -c "ip netns exec $pns ss -Hlnu 'sport = :$port' | grep -q ." ||
		fail "$name: the phone does not listen on $port"
	PATH="$OUT/core-bin:$PATH" bg_sipp "$name-caller" "${SIPP_CALLER[@]}" -sf "$SCN/$scn.xml" -m 1 \
		-d $hold -i "$CORE_BB4" -p "$uac_port" -mp "$(free_media_port)" -key rtp_port "$rtp_core" \
		-key video_port "$(free_port)" -key ruri "sip:$user@$CORE_BB4:$CORE_PORT" "$CORE_BB4:$CORE_PORT"
	cpid=$SIPP_PID
	# (sipp writes it once the first message is in)
	touch "$OUT/$name-caller.msg"
	ok=$(wait_received "$OUT/$name-caller.msg" "SIP/2.0 200" "CSeq: 1 INVITE") ||
		fail "$name: the caller got no 200 (phone: $(xargs <"$OUT/$name-phone.out"))"
	cc_invite "$name"
	[ "$src" = "$(uri_host "$any"):$KPORT" ] ||
		fail "$name: the INVITE reached the phone from $src, not from the anycast address $(uri_host "$any"):$KPORT"
	lb_ip=${via%:*}
	lb_ip=${lb_ip#[}
	lb_ip=${lb_ip%]}
	CALL_LB=$(lb_of "$lb_ip")
	[ -n "$CALL_LB" ] || fail "$name: the INVITE's Via names $via, no LB's own address"
	[[ $rr == "<sip:$(uri_host "$any")"[:\;\>]* ]] ||
		fail "$name: the Record-Route the phone got names '$rr', not the anycast address"
	sdp_core=$(sdp_audio "$ok")
	note "$name: INVITE from $src, Via $via (lb$CALL_LB), Record-Route $rr; SDP at the phone ${sdp/\// }, at the caller $sdp_core"
	if [ "$any" = "$ANY6" ]; then
		# crossing families: both sides get the relay of that LB
		[ "${sdp%/*}" = "$(ac_lb6 "$CALL_LB")" ] && [ "${sdp_core% *}" = "$(ac_lb4 "$CALL_LB")" ] ||
			fail "$name: the SDP does not name lb$CALL_LB's relay (phone ${sdp%/*}, caller ${sdp_core% *})"
	fi
	PHONE_RTP=0
	if [ "$any" = "$ANY4" ]; then
		# the media of a call within IPv4 goes between the parties, not
		# through the LB (and the rig routes nothing between the core's
		# side and the phones)
		cc_end "$name" "$who" "$via" "$any" "$cpid" "$ppid"
		return
	fi
	cc_rtp "$name" "$(ac_core_ns)" "$CORE_BB4" "$rtp_core" ${sdp_core% *} ${sdp_core#* } \
		"$pns" "$ip" "$rtp_ph" "${sdp%/*}" "${sdp#*/}" || rc=1
	PHONE_RTP=$(awk '{ for(i = 1; i < NF; i++) if($i == "received") print $(i + 1) + 0 }' "$OUT/$name-phone.rtp")
	note "$name: RTP at the phone: $(cat "$OUT/$name-phone.rtp"); at the caller: $(cat "$OUT/$name-caller.rtp")"
	[ $rc = 0 ] || fail "$name: RTP did not flow both ways"
	cc_end "$name" "$who" "$via" "$any" "$cpid" "$ppid"
}

# the end of call $1, hung up by $2: the phone's 200 went to the Via $3, the
# BYE to or from the anycast address $4; $5, $6: the caller's and the
# phone's PIDs
# the INVITE phone.py logged for call $1: where it came from (src), its top
# Via, Record-Route and SDP address -> inv src via rr sdp
cc_invite()
{
	inv=$(grep '^INVITE ' "$OUT/$1-phone.out")
	src=$(sed -n 's/.* src=\([^ ]*\).*/\1/p' <<<"$inv")
	via=$(sed -n 's/.* via=\([^ ]*\).*/\1/p' <<<"$inv")
	rr=$(sed -n 's/.* rr=\([^ ]*\).*/\1/p' <<<"$inv")
	sdp=$(sed -n 's/.* sdp=\([^ ]*\).*/\1/p' <<<"$inv")
}

# RTP both ways for 3 s, 50 packets each: the caller in namespace $2 from
# $3 port $4 to $5:$6, the callee in $7 from $8 port $9 to ${10}:${11};
# what each got in $OUT/$1-caller.rtp and $OUT/$1-phone.rtp; 1 when one
# did not get its packets
cc_rtp()
{
	local a b rc=0
	ip netns exec "$2" "$RTPCHECK" talk "$3" "$4" "$5" "$6" 50 3 >"$OUT/$1-caller.rtp" 2>&1 &
	a=$!
	track "$a"
	ip netns exec "$7" "$RTPCHECK" talk "$8" "$9" "${10}" "${11}" 50 3 >"$OUT/$1-phone.rtp" 2>&1 &
	b=$!
	track "$b"
	wait "$a" || rc=1
	wait "$b" || rc=1
	return $rc
}

cc_end()
{
	local name=$1 who=$2 via=$3 any=$4 cpid=$5 ppid=$6
	wait_sipp "$name-caller" "$cpid" || fail "$name: the caller did not complete its call (BYE by the $who)"
	wait "$ppid" || fail "$name: the phone did not complete its call: $(xargs <"$OUT/$name-phone.out")"
	grep -qxF "REPLY 200 to=$via" "$OUT/$name-phone.out" ||
		fail "$name: the phone's 200 did not go to the Via $via"
	if [ "$who" = phone ]; then
		grep -qxF "BYE-SENT to=$(uri_host "$any"):$KPORT" "$OUT/$name-phone.out" ||
			fail "$name: the phone's BYE did not go to the anycast address: $(grep BYE-SENT "$OUT/$name-phone.out")"
	else
		grep -qxF "BYE src=$(uri_host "$any"):$KPORT" "$OUT/$name-phone.out" ||
			fail "$name: the BYE reached the phone from $(grep '^BYE ' "$OUT/$name-phone.out"), not from the anycast address"
	fi
}

# alice's phone calls bob's: in through the LB her flow hashes to, out to
# bob through the core's LB. Each LB's Record-Route names the anycast
# address on both sides (the one towards the caller last: her first
# hop), bob gets the INVITE from the anycast address with the Via of the
# core's LB, the 200 makes it back through both; media through the relay
# of the LB that bridged IPv6 to IPv4, RTP arriving at bob's phone.
cc_phone_call()
{
	local name=$1 ppid cpid ok inv src via sdp sdp_a rr_all rr_last lb_ip lb a_port rtp_a rtp_b ra rb rc=0
	rtp_a=$(free_port)
	rtp_b=$(free_port)
	a_port=$(free_port)
	ip netns exec "$(ac_phone_ns 2)" python3 "$HERE/phone.py" "$(ac_phone4 2)" "$BOB" "$rtp_b" \
		>"$OUT/$name-phone.out" 2>"$OUT/$name-phone.err" &
	ppid=$!
	track "$ppid"
	wait_for 5 sh -c "ip netns exec $(ac_phone_ns 2) ss -Hlnu 'sport = :$BOB' | grep -q ." ||
		fail "$name: bob's phone does not listen on $BOB"
	PATH="$OUT/phone1-bin:$PATH" bg_sipp "$name-caller" "${SIPP_CALLER[@]}" -sf "$SCN/uac_auth.xml" -m 1 \
		-d 4000 -i "$(ac_phone6 1)" -p "$a_port" -mp "$(free_media_port)" -key rtp_port "$rtp_a" \
		-key video_port "$(free_port)" $(sipp_auth alice) -key user alice \
		-key ruri "sip:bob@example.net" "[$ANY6]:$KPORT"
	cpid=$SIPP_PID
	touch "$OUT/$name-caller.msg"
	ok=$(wait_received "$OUT/$name-caller.msg" "SIP/2.0 200" "CSeq: 2 INVITE") ||
		fail "$name: alice got no 200 (bob's phone: $(xargs <"$OUT/$name-phone.out"))"
	cc_invite "$name"
	[ "$src" = "$ANY4:$KPORT" ] || fail "$name: the INVITE reached bob from $src, not from $ANY4:$KPORT"
	lb=$(lb_of "${via%:*}")
	[ -n "$lb" ] || fail "$name: bob's INVITE has the Via $via, no LB's own address"
	# every Record-Route entry alice got, top first
	rr_all=$(printf '%s\n' "$ok" | awk 'tolower($0) ~ /^record-route:/ { sub(/^[^:]*: */, ""); print }' |
		tr ',' '\n' | sed 's/^ *//')
	rr_last=$(tail -n 1 <<<"$rr_all")
	[[ $rr_last == "<sip:[$ANY6]"[:\;\>]* ]] || fail "$name: alice's first hop in the route set is '$rr_last', not [$ANY6]"
	for h in $(sed -n 's/^<sip:\(\[[^]]*\]\|[^:;>]*\).*/\1/p' <<<"$rr_all" | tr -d '[]'); do
		[ -z "$(lb_of "$h")" ] || fail "$name: a Record-Route names lb$(lb_of "$h")'s own address: $(xargs <<<"$rr_all")"
	done
	sdp_a=$(sdp_audio "$ok")
	note "$name: bob's INVITE from $src, Via $via (lb$lb); Record-Route at alice: $(sed 's/;ftag=[^;>]*//; s/;afb=[^;>]*//' <<<"$rr_all" | xargs); SDP at alice $sdp_a, at bob ${sdp/\// }"
	cc_rtp "$name" "$(ac_phone_ns 1)" "$(ac_phone6 1)" "$rtp_a" ${sdp_a% *} ${sdp_a#* } \
		"$(ac_phone_ns 2)" "$(ac_phone4 2)" "$rtp_b" "${sdp%/*}" "${sdp#*/}" || rc=1
	note "$name: RTP at bob: $(cat "$OUT/$name-phone.rtp"); at alice: $(cat "$OUT/$name-caller.rtp")"
	[ $rc = 0 ] || fail "$name: RTP did not flow both ways"
	cc_end "$name" caller "$via" "$ANY4" "$cpid" "$ppid"
}

# the core reaches the cluster over the LBs that did not take alice's
# REGISTER: its calls to her go through another LB than her own flow
ac_core_route $OTHERS
declare -A BYES BAD
for h in 1 2 3; do
	BYES[$h]=$(lb_stat $h rcv_requests_bye)
	BAD[$h]=$(rpc @lb$h cnt.get afbridge bad_marks)
done
cc_call alice-1 1 "$(ac_phone6 1)" $ALICE alice phone
C=$CALL_LB
[ "$C" != "$X" ] || fail "alice-1 went through lb$X, the core's route excludes it"
# her BYE went to the anycast address, hashed as her REGISTER's flow: to
# lb$X, which did not make the dialog's mark
[ "$(lb_stat $X rcv_requests_bye)" -gt "${BYES[$X]}" ] ||
	fail "alice's BYE did not arrive at lb$X (her flow's LB): its BYEs ${BYES[$X]} -> $(lb_stat $X rcv_requests_bye)"
for h in 1 2 3; do
	[ "$(rpc @lb$h cnt.get afbridge bad_marks)" = "${BAD[$h]}" ] ||
		fail "lb$h found a dialog mark invalid: bad_marks ${BAD[$h]} -> $(rpc @lb$h cnt.get afbridge bad_marks)"
done
note "alice-1: made by lb$C, her BYE through lb$X: the mark valid there (bad_marks 0 on every LB)"
cc_call bob-1 2 "$(ac_phone4 2)" $BOB bob caller
note "bob-1 (IPv4, no relay): through lb$CALL_LB, the BYE from the anycast address"
cc_phone_call alice-bob

# lb$X dies (its kamailio and its relay), its routes are withdrawn
stop_pid "${LB_PID[$X]}"
stop_pid "${RTPE_OF[$X]}"
ac_route $OTHERS
ac_core_route $OTHERS
note "lb$X (alice's REGISTER) stopped, routes over lb${OTHERS/ /, lb}"
N=3
answered=0
rtp_total=0
lbs=""
for i in $(seq $N); do
	who=caller
	[ $((i % 2)) = 0 ] && who=phone
	cc_call "dead-$i" 1 "$(ac_phone6 1)" $ALICE alice $who
	[ "$CALL_LB" != "$X" ] || fail "dead-$i: the Via names the dead lb$X"
	answered=$((answered + 1))
	rtp_total=$((rtp_total + PHONE_RTP))
	lbs="$lbs lb$CALL_LB"
done
for h in $OTHERS; do
	[ "$(rpc @lb$h cnt.get afbridge bad_marks)" = "${BAD[$h]}" ] ||
		fail "lb$h found a dialog mark invalid after lb$X died"
done
note "calls to phones of the dead LB (lb$X): $answered of $N answered (through$lbs), RTP at phone $rtp_total packets"
exit 0
