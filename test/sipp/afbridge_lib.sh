# Shared by the afbridge tests: a real rtpengine (answering both the
# rtpproxy and the ng protocol) on loopback, the proxy of afbridge_lb.cfg.in
# between them, and calls from sipp UAs on 127.0.0.1 and ::1.

SCN=$TOP/test/sipp/scenarios
RTPCHECK=$TOP/build/tools/rtpcheck

# rtpengine in userspace. For the ng backend (the default) one logical
# interface holds 127.0.0.1 and ::1 (RTPE_IP4 and RTPE_IP6 when set) and
# each offer/answer names the family it needs (address family), as
# rtpengine's manual recommends. With
# RTPE_IFACES=pair (the rtpproxy backend, whose protocol has only the e/i
# directions) interface "internal" is on 127.0.0.1 and "external" on ::1
# (the IPv6 side is "e"). Sets RTPE_PID RTPP_PORT NG_PORT CLI_PORT
# RTPE_PMIN. Media ports: 100 from a random base in 60000-64999, or
# RTPE_PORTS from RTPE_PORT_MIN when set (a load needs 2 per call on each
# interface). "start_rtpengine same" starts it again on the ports of the
# previous one (a relay restart), logging to rtpengine.<n>.log.
RTPE_STARTS=0
relay_ports()
{
	RTPE_PMIN=${RTPE_PORT_MIN:-$((60000 + (RANDOM % 50) * 100))}
	RTPP_PORT=$(free_port)
	NG_PORT=$(free_port)
	CLI_PORT=$(free_port)
}
start_rtpengine()
{
	local i log="$OUT/rtpengine.log"
	[ "${1:-}" = same ] || relay_ports
	RTPE_STARTS=$((RTPE_STARTS + 1))
	[ $RTPE_STARTS -gt 1 ] && log="$OUT/rtpengine.$RTPE_STARTS.log"
	RTPE_LOG=$log
	local ip4=${RTPE_IP4:-127.0.0.1} ip6=${RTPE_IP6:-::1}
	local ifaces="--interface=$ip4 --interface=$ip6"
	[ "${RTPE_IFACES:-}" = pair ] &&
		ifaces="--interface=internal/$ip4 --interface=external/$ip6"
	rtpengine --config-file=none --foreground --log-stderr --table=-1 \
		$ifaces \
		--listen-udp=127.0.0.1:$RTPP_PORT --listen-ng=127.0.0.1:$NG_PORT \
		--listen-cli=127.0.0.1:$CLI_PORT --port-min=$RTPE_PMIN \
		--port-max=$((RTPE_PMIN + ${RTPE_PORTS:-100} - 1)) --delete-delay=0 \
		>"$log" 2>&1 &
	RTPE_PID=$!
	_pids+=("$RTPE_PID")
	# the control ports answer only once startup is complete
	for i in $(seq 100); do
		grep -q "Startup complete" "$log" && break
		kill -0 "$RTPE_PID" 2>/dev/null || break
		sleep 0.1
	done
	grep -q "Startup complete" "$log" ||
		fail "rtpengine did not start (see $log)"
	note "rtpengine pid $RTPE_PID, rtpproxy port $RTPP_PORT, ng $NG_PORT"
}

# the relay's rtpproxy protocol answers an offer (U) with one of its
# ports: prints the reply either way, then deletes the probe call.
# rtpengine 12.5 does not answer the offers kamailio's rtpproxy module
# sends (they always carry a media index, ";1"): it logs "Requested media
# index 1 not found" for a one-stream offer. Without a media index its
# parser falls back to echoing the caller's own address.
rtpp_answers_offers()
{
	/usr/bin/python3 - "$RTPP_PORT" "$RTPE_PMIN" "$((RTPE_PMIN + ${RTPE_PORTS:-100} - 1))" <<'PY'
import socket, sys
port, lo, hi = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
def cmd(c):
    s.sendto(c.encode(), ("127.0.0.1", port))
    try:
        return s.recv(2000).decode("ascii", "replace").strip()
    except socket.timeout:
        return "(no reply)"
r = cmd("probe_1 U probe-call@afbridge 127.0.0.1 40000 probetag;1")
cmd("probe_2 D probe-call@afbridge probetag")
print(r)
f = r.split()
sys.exit(0 if len(f) >= 3 and f[0] == "probe_1" and f[1].isdigit()
         and lo <= int(f[1]) <= hi else 1)
PY
}

# sessions the relay holds now
relay_sessions()
{
	rtpengine-ctl -ip 127.0.0.1 -port "$CLI_PORT" list numsessions |
		awk '/sessions own:/ { print $NF }'
}

# the LB: afbridge_lb.cfg.in with extra kamailio args (e.g. -A WITH_RTPPROXY)
start_lb()
{
	KPORT=$(free_port)
	PORT=$KPORT
	render "$TOP/test/sipp/afbridge_lb.cfg.in" "$OUT/lb.cfg" TOP PORT OUT \
		RTPP_PORT NG_PORT
	start_kamailio lb "$OUT/lb.cfg" "$KPORT" "$@"
	LB_PID=$KAM_PID
}

rpc()
{
	timeout -k 2 10 kamcmd -s "unix:$OUT/ctl.sock" "$@"
}

# a counter of the afbridge group
afb_counter()
{
	rpc cnt.get afbridge "$1"
}

uri_host()
{
	case "$1" in *:*) echo "[$1]" ;; *) echo "$1" ;; esac
}

# wait up to 10 s for a message matching $2/$3 in sipp log $1; prints it
wait_received()
{
	local i m
	for i in $(seq 100); do
		m=$(sipp_received_msg "$@")
		[ -n "$m" ] && { printf '%s\n' "$m"; return 0; }
		sleep 0.1
	done
	return 1
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

# both parties talk at once: each sends from its advertised port to the
# address its SDP names and counts what arrives. AFB_RTP_IN_B: a command
# the callee's side runs under (e.g. a network namespace's)
afb_rtp()
{
	local name=$1 a_ip=$2 a_port=$3 a_sdp=$4 b_ip=$5 b_port=$6 b_sdp=$7
	local pa pb ra rb
	"$RTPCHECK" talk "$a_ip" "$a_port" ${a_sdp% *} ${a_sdp#* } 50 3 \
		>"$OUT/$name-rtp-caller.out" 2>&1 &
	pa=$!
	_pids+=("$pa")
	${AFB_RTP_IN_B:-} "$RTPCHECK" talk "$b_ip" "$b_port" ${b_sdp% *} ${b_sdp#* } 50 3 \
		>"$OUT/$name-rtp-callee.out" 2>&1 &
	pb=$!
	_pids+=("$pb")
	wait "$pa"
	ra=$?
	wait "$pb"
	rb=$?
	note "$name: RTP caller: $(cat "$OUT/$name-rtp-caller.out"); callee: $(cat "$OUT/$name-rtp-callee.out")"
	[ $ra -eq 0 ] && [ $rb -eq 0 ] || fail "$name: RTP did not flow both ways"
}

# a talker in the background (afb_rtp_wait collects it): from ip:port to
# the "addr port" its SDP names, counting what arrives from the stream its
# peer sends from peer_port
# usage: afb_rtp_start what ip port "addr port" peer_port
AFB_RTP_PIDS=()
AFB_RTP_WHAT=()
afb_rtp_start()
{
	local what=$1 ip=$2 port=$3 sdp=$4 peer_port=$5
	"$RTPCHECK" talk "$ip" "$port" ${sdp% *} ${sdp#* } 50 3 25 "$peer_port" \
		>"$OUT/$what.rtp" 2>&1 &
	_pids+=("$!")
	AFB_RTP_PIDS+=("$!")
	AFB_RTP_WHAT+=("$what")
}

# every talker started since the last call must have got its peer's
# stream and nothing else
afb_rtp_wait()
{
	local name=$1 i bad=""
	for i in "${!AFB_RTP_PIDS[@]}"; do
		wait "${AFB_RTP_PIDS[$i]}" || bad="$bad ${AFB_RTP_WHAT[$i]}"
		note "$name: RTP ${AFB_RTP_WHAT[$i]}: $(cat "$OUT/${AFB_RTP_WHAT[$i]}.rtp")"
	done
	AFB_RTP_PIDS=()
	AFB_RTP_WHAT=()
	[ -z "$bad" ] || fail "$name: RTP of a stream did not arrive at its port only:$bad"
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
