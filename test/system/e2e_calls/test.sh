#!/bin/bash
# Calls through the shipped configs (cfg/kamailio.cfg in front of
# cfg/core.cfg, rtpengine) that go beyond the plain call of e2e_lb:
# re-INVITEs refused in a bridged call (the media stays), failed calls and
# retransmitted BYEs (no error logged, one relay command per BYE), an IPv6
# phone calling an IPv6 phone through the IPv4 core (the call passes the LB
# twice: one relay session, IPv6 SDP for each phone, RTP both ways), an
# IPv4 phone writing its address IPv4-mapped (RFC 5118 4.9).
. "$(dirname "$0")/../../lib/harness.sh" system

start_system

register_ua reg-alice ::1 alice
ALICE=$REG_PORT
register_ua reg-bob 127.0.0.1 bob
BOB=$REG_PORT

# relay commands of kind $1 (offer, answer, delete) the relay received
# for call-id $2
relay_cmds()
{
	grep -c "\[ID=\"$2\"\]: .*Received command '$1'" "$RTPE_LOG"
}

# --- a bridged call whose re-INVITEs (moving the caller's media to
# another port) are refused (488, then 491): the previous media is kept,
# RTP flows both ways afterwards between the ports of the call, and the
# relay still holds the call; the BYE then frees it
# usage: refail name callee_ip callee_port callee_user
refail()
{
	local name=$1 uas_ip=$2 uas_port=$3 user=$4
	local inv ok sdp_uas sdp_uac uas_rtp uac_rtp uas_pid uac_pid rc=0 n
	uas_rtp=$(free_port)
	uac_rtp=$(free_port)
	start_sipp "$name-uas" "$uas_ip" "$uas_port" -sf "$HERE/uas_refail.xml" \
		-mp "$(free_media_port)" -key rtp_port "$uas_rtp"
	uas_pid=$SIPP_PID
	bg_sipp "$name-uac" "${SIPP_CALLER[@]}" -sf "$HERE/uac_refail.xml" -m 1 -d 5000 \
		-i ::1 -p "$(free_port)" -mp "$(free_media_port)" -key rtp_port "$uac_rtp" \
		-key new_port "$(free_port)" -key ruri "sip:$user@127.0.0.1" "[::1]:$KPORT"
	uac_pid=$SIPP_PID
	inv=$(wait_received "$OUT/$name-uas.msg" "INVITE ") || fail "$name: the callee got no INVITE"
	sdp_uas=$(sdp_audio "$inv")
	ok=$(wait_received "$OUT/$name-uac.msg" "SIP/2.0 200" "CSeq: 1 INVITE") ||
		fail "$name: the caller got no 200"
	sdp_uac=$(sdp_audio "$ok")
	afb_check_sdp "$name callee" "$sdp_uas" "$uas_ip" "::1 $uac_rtp" 1
	afb_check_sdp "$name caller" "$sdp_uac" ::1 "$uas_ip $uas_rtp" 1
	wait_received "$OUT/$name-uac.msg" "SIP/2.0 488" >/dev/null ||
		fail "$name: the caller got no 488 for its first re-INVITE"
	wait_received "$OUT/$name-uac.msg" "SIP/2.0 491" >/dev/null ||
		fail "$name: the caller got no 491 for its second re-INVITE"
	n=$(relay_sessions)
	[ "$n" = 1 ] || fail "$name: after the 488 and the 491 the relay holds $n session(s), not the call's"
	afb_rtp "$name" ::1 "$uac_rtp" "$sdp_uac" "$uas_ip" "$uas_rtp" "$sdp_uas"
	wait_sipp "$name-uac" "$uac_pid" || rc=1
	wait_sipp "$name-uas" "$uas_pid" || rc=1
	[ $rc -eq 0 ] || fail "$name: a UA did not complete its scenario"
	n=$(relay_sessions)
	[ "$n" = 0 ] || fail "$name: the relay still holds $n session(s) after the BYE"
	note "$name: media kept through the 488 and the 491, relay clean after the BYE"
}
refail refail 127.0.0.1 "$BOB" bob

# --- a failed call (486): the LB logs no error for it
AFB_UAS_PORT=$ALICE AFB_RURI="sip:alice@127.0.0.1" afb_call busy busy 127.0.0.1 ::1 1
if grep -q "error running run_top_route for failure handler" "$OUT/lb.log"; then
	fail "the LB logged an error for a failed branch: $(grep -m1 'run_top_route' "$OUT/lb.log")"
fi
note "busy: no error in the LB's log for the failed branches"

# --- a BYE the callee answers late is retransmitted by the caller (0.5,
# 1.5 s): the relay is asked to delete the call once
byelate()
{
	local uas_pid uac_pid rc=0 cid n
	start_sipp byelate-uas 127.0.0.1 "$BOB" -sf "$HERE/uas_byelate.xml" \
		-mp "$(free_media_port)" -key rtp_port "$(free_port)"
	uas_pid=$SIPP_PID
	bg_sipp byelate-uac "${SIPP_CALLER[@]}" -sf "$SCN/uac_call.xml" -m 1 -d 500 \
		-i ::1 -p "$(free_port)" -mp "$(free_media_port)" -key rtp_port "$(free_port)" \
		-key ruri "sip:bob@127.0.0.1" "[::1]:$KPORT"
	uac_pid=$SIPP_PID
	wait_sipp byelate-uac "$uac_pid" || rc=1
	wait_sipp byelate-uas "$uas_pid" || rc=1
	[ $rc -eq 0 ] || fail "byelate: a UA did not complete its scenario"
	cid=$(msg_header "$(sipp_received_msg "$OUT/byelate-uac.msg" "SIP/2.0 200")" Call-ID)
	n=$(grep -c "^BYE " "$OUT/byelate-uas.msg")
	[ "$n" -ge 2 ] || fail "byelate: the callee got the BYE $n time(s), no retransmission to test"
	n=$(grep -F "$cid" "$RTPE_LOG" | grep -c "Received command 'delete'")
	[ "$n" = 1 ] || fail "byelate: the relay got $n delete commands for the call, not one"
	n=$(relay_sessions)
	[ "$n" = 0 ] || fail "byelate: the relay still holds $n session(s)"
	note "byelate: the BYE was retransmitted, one delete reached the relay"
}
byelate

# --- an IPv6 phone calls an IPv6 phone: the call passes the LB twice
# (alice -> core, core -> carol), each pass crosses families
register_ua reg-carol ::1 carol
CAROL=$REG_PORT
# both passes anchor the call in one relay session
one_session()
{
	local n
	n=$(relay_sessions)
	[ "$n" = 1 ] || fail "$1: the relay holds $n sessions for the call, not one"
}
AFB_DURING=one_session AFB_UAS_PORT=$CAROL AFB_RURI="sip:carol@127.0.0.1" \
	afb_call hairpin call ::1 ::1 1
AFB_UAS_PORT=$CAROL AFB_RURI="sip:carol@127.0.0.1" afb_call hairpin-calleebye calleebye ::1 ::1 1
AFB_UAS_PORT=$CAROL AFB_RURI="sip:carol@127.0.0.1" afb_call hairpin-reinvite reinvite ::1 ::1 1
AFB_UAS_PORT=$CAROL AFB_RURI="sip:carol@127.0.0.1" afb_call hairpin-cancel cancel ::1 ::1 1
AFB_UAS_PORT=$CAROL AFB_RURI="sip:carol@127.0.0.1" afb_call hairpin-busy busy ::1 ::1 1
# its re-INVITEs refused on both passes: the media stays
refail hairpin-refail ::1 "$CAROL" carol
[ "$(afb_counter relay_errors)" = 0 ] || fail "relay errors on the LB: $(afb_counter relay_errors)"

# --- RFC 5118 4.9: an IPv4 phone offers its IPv4 address written
# IPv4-mapped (c=IN IP6 ::ffff:127.0.0.2) to an IPv4 phone. The address is
# IPv4 (RFC 3266 5): the callee gets it as c=IN IP4, the relay is not
# engaged, RTP flows between the two IPv4 addresses
mapped()
{
	local inv ok sdp_uas sdp_uac uas_rtp uac_rtp uas_pid uac_pid rc=0 n
	uas_rtp=$(free_port)
	uac_rtp=$(free_port)
	start_sipp mapped-uas 127.0.0.1 "$BOB" -sf "$SCN/uas_call.xml" \
		-mp "$(free_media_port)" -key rtp_port "$uas_rtp"
	uas_pid=$SIPP_PID
	bg_sipp mapped-uac "${SIPP_CALLER[@]}" -sf "$SCN/uac_call.xml" -m 1 -d 3000 \
		-i 127.0.0.1 -p "$(free_port)" -mi ::ffff:127.0.0.2 -mp "$(free_media_port)" \
		-key rtp_port "$uac_rtp" -key ruri "sip:bob@127.0.0.1" "127.0.0.1:$KPORT"
	uac_pid=$SIPP_PID
	inv=$(wait_received "$OUT/mapped-uas.msg" "INVITE ") || fail "mapped: the callee got no INVITE"
	printf '%s\n' "$inv" | grep -q "^c=IN IP4 127.0.0.2" ||
		fail "mapped: the callee got '$(printf '%s\n' "$inv" | grep '^c=')', not c=IN IP4 127.0.0.2"
	sdp_uas=$(sdp_audio "$inv")
	[ "$sdp_uas" = "127.0.0.2 $uac_rtp" ] || fail "mapped: the callee got SDP '$sdp_uas'"
	ok=$(wait_received "$OUT/mapped-uac.msg" "SIP/2.0 200" "CSeq: 1 INVITE") ||
		fail "mapped: the caller got no 200"
	sdp_uac=$(sdp_audio "$ok")
	[ "$sdp_uac" = "127.0.0.1 $uas_rtp" ] || fail "mapped: the caller got SDP '$sdp_uac', not the callee's"
	n=$(relay_sessions)
	[ "$n" = 0 ] || fail "mapped: the relay holds $n session(s) for an IPv4 to IPv4 call"
	# the caller's media socket is the IPv4 address it wrote mapped
	afb_rtp mapped 127.0.0.2 "$uac_rtp" "$sdp_uac" 127.0.0.1 "$uas_rtp" "$sdp_uas"
	wait_sipp mapped-uac "$uac_pid" || rc=1
	wait_sipp mapped-uas "$uas_pid" || rc=1
	[ $rc -eq 0 ] || fail "mapped: a UA did not complete its scenario"
	note "mapped: the callee got c=IN IP4 127.0.0.2, RTP direct, relay untouched"
}
mapped

# --- the same caller calls the IPv6 alice: bridged, the relay reads the
# IPv4-mapped address as IPv4; the caller's answer names the relay's IPv4
# address, the callee's its IPv6 one, RTP flows both ways
mapped6()
{
	local inv ok sdp_uas sdp_uac uas_rtp uac_rtp uas_pid uac_pid rc=0 n
	uas_rtp=$(free_port)
	uac_rtp=$(free_port)
	start_sipp mapped6-uas ::1 "$ALICE" -sf "$SCN/uas_call.xml" \
		-mp "$(free_media_port)" -key rtp_port "$uas_rtp"
	uas_pid=$SIPP_PID
	bg_sipp mapped6-uac "${SIPP_CALLER[@]}" -sf "$SCN/uac_call.xml" -m 1 -d 3000 \
		-i 127.0.0.1 -p "$(free_port)" -mi ::ffff:127.0.0.2 -mp "$(free_media_port)" \
		-key rtp_port "$uac_rtp" -key ruri "sip:alice@127.0.0.1" "127.0.0.1:$KPORT"
	uac_pid=$SIPP_PID
	inv=$(wait_received "$OUT/mapped6-uas.msg" "INVITE ") || fail "mapped6: the callee got no INVITE"
	sdp_uas=$(sdp_audio "$inv")
	ok=$(wait_received "$OUT/mapped6-uac.msg" "SIP/2.0 200" "CSeq: 1 INVITE") ||
		fail "mapped6: the caller got no 200"
	sdp_uac=$(sdp_audio "$ok")
	note "mapped6: callee got SDP '$sdp_uas', caller got '$sdp_uac'"
	afb_check_sdp "mapped6 callee" "$sdp_uas" ::1 "::ffff:127.0.0.2 $uac_rtp" 1
	afb_check_sdp "mapped6 caller" "$sdp_uac" 127.0.0.1 "::1 $uas_rtp" 1
	n=$(relay_sessions)
	[ "$n" = 1 ] || fail "mapped6: the relay holds $n session(s), not the call's"
	afb_rtp mapped6 127.0.0.2 "$uac_rtp" "$sdp_uac" ::1 "$uas_rtp" "$sdp_uas"
	wait_sipp mapped6-uac "$uac_pid" || rc=1
	wait_sipp mapped6-uas "$uas_pid" || rc=1
	[ $rc -eq 0 ] || fail "mapped6: a UA did not complete its scenario"
	n=$(relay_sessions)
	[ "$n" = 0 ] || fail "mapped6: the relay still holds $n session(s) after the call"
	note "mapped6: bridged, RTP both ways, relay clean"
}
mapped6
