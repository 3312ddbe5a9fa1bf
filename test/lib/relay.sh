# The relay: a real rtpengine on loopback, what it holds, and RTP sent
# and counted through it (test/tools/rtpcheck).
[ -z "${_harness_relay:-}" ] || return 0
_harness_relay=1

RTPCHECK=$TOP/build/tools/rtpcheck

# rtpengine in userspace. For the ng backend (the default) one logical
# interface holds 127.0.0.1 and ::1 (RTPE_IP4 and RTPE_IP6 when set) and
# each offer/answer names the family it needs (address family), as
# rtpengine's manual recommends. With
# RTPE_IFACES=pair (the rtpproxy backend, whose protocol has only the e/i
# directions) interface "internal" is on 127.0.0.1 and "external" on ::1
# (the IPv6 side is "e"). Sets RTPE_PID RTPP_PORT NG_PORT CLI_PORT
# RTPE_PMIN. Media ports: 100 from a random base above the kernel's
# ephemeral range (MEDIA_PORT_LO, net.sh), or
# RTPE_PORTS from RTPE_PORT_MIN when set (a load needs 2 per call on each
# interface). "start_rtpengine same" starts it again on the ports of the
# previous one (a relay restart), logging to rtpengine.<n>.log.
RTPE_STARTS=0
relay_ports()
{
	RTPE_PMIN=${RTPE_PORT_MIN:-$((MEDIA_PORT_LO + (RANDOM % ((65435 - MEDIA_PORT_LO) / 100)) * 100))}
	RTPP_PORT=$(free_port)
	NG_PORT=$(free_port)
	CLI_PORT=$(free_port)
}
start_rtpengine()
{
	local i try log="$OUT/rtpengine.log"
	for try in 1 2 3; do
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
		track "$RTPE_PID"
		# the control ports answer only once startup is complete
		for i in $(seq 100); do
			grep -q "Startup complete" "$log" && break
			kill -0 "$RTPE_PID" 2>/dev/null || break
			sleep 0.1
		done
		grep -q "Startup complete" "$log" && break
		# a free port taken by another process in the meantime: new ports,
		# unless the caller asked for the same ones
		[ "${1:-}" != same ] && grep -q "Address already in use" "$log" ||
			break
		note "rtpengine: a control port was taken meanwhile, new ports"
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

# the relay's media ports (start_rtpengine's): "min max"
relay_port_range()
{
	echo "$RTPE_PMIN $((RTPE_PMIN + ${RTPE_PORTS:-100} - 1))"
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
	track "$pa"
	${AFB_RTP_IN_B:-} "$RTPCHECK" talk "$b_ip" "$b_port" ${b_sdp% *} ${b_sdp#* } 50 3 \
		>"$OUT/$name-rtp-callee.out" 2>&1 &
	pb=$!
	track "$pb"
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
	track "$!"
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
