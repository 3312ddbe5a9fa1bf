# afbridge's LB (test/lib/cfg/afbridge_lb.cfg.in) in front of the relay,
# and calls through it from sipp UAs on 127.0.0.1 and ::1, checked: the
# SDP each side got, RTP both ways, the relay empty afterwards.
[ -z "${_harness_afbridge:-}" ] || return 0
_harness_afbridge=1

# the LB: afbridge_lb.cfg.in with extra kamailio args (e.g. -A WITH_RTPPROXY)
start_lb()
{
	KPORT=$(free_port)
	PORT=$KPORT
	render "$TOP/test/lib/cfg/afbridge_lb.cfg.in" "$OUT/lb.cfg" TOP PORT OUT \
		RTPP_PORT NG_PORT
	start_kamailio lb "$OUT/lb.cfg" "$KPORT" "$@"
	LB_PID=$KAM_PID
}

# a counter of the afbridge group
afb_counter()
{
	rpc cnt.get afbridge "$1"
}

# one call through the LB.
# usage: afb_call name kind uac_ip uas_ip relayed [uac_media_ip]
#   kind: call | reinvite | cancel | busy | av | calleebye | late | auth
#         (scenarios uac_<kind>, uas_<kind>; av: a call with an audio and a
#         video stream; calleebye: a call the callee hangs up; late: the
#         offer in the 200, the answer in the ACK; auth: a call whose
#         caller answers a 407, AFB_UAC_ARGS naming -au, -ap and -key user,
#         with the callee of call)
#   relayed: 1 = the call crosses families and must go through the relay,
#            0 = it must not touch the relay
#   uac_media_ip: the caller's SDP address when it differs from its
#            signalling address (a dual-stack phone)
# AFB_UAS_PORT (the callee's registered port) and AFB_RURI (whom to call)
# override the defaults: a fresh port, sip:uas@<callee address>;
# AFB_DURING names a command run with the call's name once it is answered
# Checks the SDP each side received, RTP both ways (call/reinvite), and
# that the relay holds no session afterwards.
afb_call()
{
	local name=$1 kind=$2 uac_ip=$3 uas_ip=$4 relayed=$5 uac_mip=${6:-$3}
	local uas_port uac_port uas_rtp uac_rtp uas_pid uac_pid inv ok ack sdp_uas sdp_uac
	local uas_vid uac_vid vsdp_uas vsdp_uac
	local hold=0 rc=0 n
	uas_port=${AFB_UAS_PORT:-$(free_port)}
	uac_port=$(free_port)
	uas_rtp=$(free_port)
	uac_rtp=$(free_port)
	uas_vid=$(free_port)
	uac_vid=$(free_port)
	case "$kind" in call | reinvite | av | late | auth) hold=3000 ;; esac
	# the INVITE that is answered: the second one after a 407
	local cseq=1 uas_kind=$kind
	[ "$kind" = auth ] && cseq=2 uas_kind=call

	start_sipp "$name-uas" "$uas_ip" "$uas_port" -sf "$SCN/uas_$uas_kind.xml" \
		-mp "$(free_media_port)" -key rtp_port "$uas_rtp" -key video_port "$uas_vid"
	uas_pid=$SIPP_PID
	bg_sipp "$name-uac" "${SIPP_CALLER[@]}" ${AFB_UAC_ARGS:-} -sf "$SCN/uac_$kind.xml" -m 1 -d "$hold" -i "$uac_ip" \
		-p "$uac_port" -mi "$uac_mip" -mp "$(free_media_port)" -key rtp_port "$uac_rtp" \
		-key video_port "$uac_vid" \
		-key ruri "${AFB_RURI:-sip:uas@$(uri_host "$uas_ip"):$uas_port}" \
		"$(uri_host "$uac_ip"):$KPORT"
	uac_pid=$SIPP_PID

	inv=$(wait_received "$OUT/$name-uas.msg" "INVITE ") ||
		fail "$name: the callee got no INVITE"
	sdp_uas=$(sdp_audio "$inv")
	case "$kind" in
		late)
			ok=$(wait_received "$OUT/$name-uac.msg" "SIP/2.0 200" "CSeq: 1 INVITE") ||
				fail "$name: the caller got no 200 for its INVITE"
			[ -z "$sdp_uas" ] || fail "$name: the callee's INVITE has SDP '$sdp_uas'"
			# the caller got the callee's offer, the callee the caller's answer
			sdp_uac=$(sdp_audio "$ok")
			ack=$(wait_received "$OUT/$name-uas.msg" "ACK ") ||
				fail "$name: the callee got no ACK"
			sdp_uas=$(sdp_audio "$ack")
			[ -z "${AFB_DURING:-}" ] || "$AFB_DURING" "$name"
			note "$name: caller got SDP '$sdp_uac' (offer), callee got '$sdp_uas' (answer)"
			afb_check_sdp "$name caller" "$sdp_uac" "$uac_mip" "$uas_ip $uas_rtp" "$relayed"
			afb_check_sdp "$name callee" "$sdp_uas" "$uas_ip" "$uac_mip $uac_rtp" "$relayed"
			afb_rtp "$name" "$uac_mip" "$uac_rtp" "$sdp_uac" "$uas_ip" "$uas_rtp" "$sdp_uas"
			;;
		call | reinvite | calleebye | auth)
			ok=$(wait_received "$OUT/$name-uac.msg" "SIP/2.0 200" "CSeq: $cseq INVITE") ||
				fail "$name: the caller got no 200 for its INVITE"
			[ -z "${AFB_DURING:-}" ] || "$AFB_DURING" "$name"
			sdp_uac=$(sdp_audio "$ok")
			note "$name: callee got SDP '$sdp_uas', caller got '$sdp_uac'"
			afb_check_sdp "$name callee" "$sdp_uas" "$uas_ip" "$uac_mip $uac_rtp" "$relayed"
			afb_check_sdp "$name caller" "$sdp_uac" "$uac_mip" "$uas_ip $uas_rtp" "$relayed"
			afb_rtp "$name" "$uac_mip" "$uac_rtp" "$sdp_uac" "$uas_ip" "$uas_rtp" "$sdp_uas"
			;;
		av)
			ok=$(wait_received "$OUT/$name-uac.msg" "SIP/2.0 200" "CSeq: 1 INVITE") ||
				fail "$name: the caller got no 200 for its INVITE"
			sdp_uac=$(sdp_audio "$ok")
			vsdp_uas=$(sdp_media "$inv" video)
			vsdp_uac=$(sdp_media "$ok" video)
			note "$name: callee got audio '$sdp_uas' video '$vsdp_uas'," \
				"caller got audio '$sdp_uac' video '$vsdp_uac'"
			afb_check_sdp "$name callee audio" "$sdp_uas" "$uas_ip" "$uac_mip $uac_rtp" "$relayed"
			afb_check_sdp "$name caller audio" "$sdp_uac" "$uac_mip" "$uas_ip $uas_rtp" "$relayed"
			afb_check_sdp "$name callee video" "$vsdp_uas" "$uas_ip" "$uac_mip $uac_vid" "$relayed"
			afb_check_sdp "$name caller video" "$vsdp_uac" "$uac_mip" "$uas_ip $uas_vid" "$relayed"
			# all four at once, each counting only its peer's stream of
			# the same kind
			afb_rtp_start "$name-audio-caller" "$uac_mip" "$uac_rtp" "$sdp_uac" "$uas_rtp"
			afb_rtp_start "$name-video-caller" "$uac_mip" "$uac_vid" "$vsdp_uac" "$uas_vid"
			afb_rtp_start "$name-audio-callee" "$uas_ip" "$uas_rtp" "$sdp_uas" "$uac_rtp"
			afb_rtp_start "$name-video-callee" "$uas_ip" "$uas_vid" "$vsdp_uas" "$uac_vid"
			afb_rtp_wait "$name"
			;;
		*)
			note "$name: callee got SDP '$sdp_uas'"
			afb_check_sdp "$name callee" "$sdp_uas" "$uas_ip" "$uac_mip $uac_rtp" "$relayed"
			;;
	esac
	wait_sipp "$name-uac" "$uac_pid" || rc=1
	wait_sipp "$name-uas" "$uas_pid" || rc=1
	[ $rc -eq 0 ] || fail "$name: a UA did not complete its scenario"
	if [ "$kind" = reinvite ]; then
		afb_check_reinvite "$name" "$uac_mip" "$uas_ip" "$uac_rtp" "$uas_rtp" "$relayed"
	fi
	n=$(relay_sessions)
	[ "$n" = 0 ] || fail "$name: the relay still holds $n session(s) after the call"
	note "$name: passed, relay clean"
}

# usage: afb_check_sdp what "addr port" own_ip "peer_addr peer_port" relayed
afb_check_sdp()
{
	local what=$1 got=$2 own=$3 peer=$4 relayed=$5
	[ -n "$got" ] || fail "$what: no SDP"
	if [ "$relayed" = 1 ]; then
		[ "${got% *}" = "$own" ] ||
			fail "$what: SDP address ${got% *} is not of its own family ($own)"
		[ "$got" != "$peer" ] || fail "$what: SDP not rewritten by the relay: $got"
	else
		[ "$got" = "$peer" ] || fail "$what: SDP '$got' changed, expected the peer's '$peer'"
	fi
}

# the callee got two offers: the re-INVITE's SDP must be bridged as the
# first one was
afb_check_reinvite()
{
	local name=$1 uac_ip=$2 uas_ip=$3 uac_rtp=$4 uas_rtp=$5 relayed=$6 m
	m=$(sipp_received "$OUT/$name-uas.msg" | awk -v RS= '/^INVITE / && /Subject: re-INVITE|CSeq: 2 INVITE/ { print; exit }')
	[ -n "$m" ] || fail "$name: the callee got no re-INVITE"
	afb_check_sdp "$name callee (re-INVITE)" "$(sdp_audio "$m")" "$uas_ip" "$uac_ip $uac_rtp" "$relayed"
	m=$(sipp_received_msg "$OUT/$name-uac.msg" "SIP/2.0 200" "CSeq: 2 INVITE")
	[ -n "$m" ] || fail "$name: the caller got no 200 for its re-INVITE"
	afb_check_sdp "$name caller (re-INVITE)" "$(sdp_audio "$m")" "$uac_ip" "$uas_ip $uas_rtp" "$relayed"
}

# the calls every backend must get right, then the counters they leave:
# per crossing call an offer and an answer (v6_to_v4 + v4_to_v6), two more
# for the re-INVITE; deletes by the BYEs and the failures (CANCEL's 487,
# 486); same-family calls touch nothing
afb_standard_calls()
{
	local got want
	afb_call v6to4 call ::1 127.0.0.1 1
	afb_call v4to6 call 127.0.0.1 ::1 1
	afb_call reinvite reinvite ::1 127.0.0.1 1
	afb_call cancel cancel ::1 127.0.0.1 1
	afb_call busy busy 127.0.0.1 ::1 1
	afb_call same4 call 127.0.0.1 127.0.0.1 0
	afb_call same6 call ::1 ::1 0

	want="v6_to_v4=5 v4_to_v6=5 deletes=5 relay_errors=0"
	got="v6_to_v4=$(afb_counter v6_to_v4) v4_to_v6=$(afb_counter v4_to_v6)"
	got="$got deletes=$(afb_counter deletes) relay_errors=$(afb_counter relay_errors)"
	[ "$got" = "$want" ] || fail "counters: expected '$want', got '$got'"
	rpc afbridge.stats >"$OUT/stats.txt" || fail "RPC afbridge.stats failed"
	grep -q "v6_to_v4: 5" "$OUT/stats.txt" ||
		fail "afbridge.stats does not report the counters: $(cat "$OUT/stats.txt")"
	note "counters: $got"
}
