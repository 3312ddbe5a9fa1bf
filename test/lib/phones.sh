# Real softphones from Debian packages, headless, registered through the
# LB of system.sh: baresip (baresip-core) on [::1], linphonec
# (linphone-cli) on 127.0.0.1.
#
# Each phone is a name: its files are in $OUT/<name>/ (config, the FIFO
# its commands go to, its SIP trace in <name>/sip.log), its process is
# tracked. SIP and RTP ports are fixed per phone (PH_SIP, PH_RTP).
#   start_baresip NAME USER        IPv6, auto-answers
#   start_linphone NAME USER [rc lines...]   IPv4, auto-answers; extra
#                                  "section key=value" lines go to its rc
#   phone_wait_registered NAME     the core has its contact
#   phone_dial NAME USER / phone_hangup NAME / phone_cmd NAME LINE
#   phone_received NAME            the SIP messages it received
#   rtp_sniff NAME / rtp_sources NAME   RTP arriving at its RTP port
#   phones_call WHAT CALLER CALLEE HANGER RELAYED   one checked call
[ -z "${_harness_phones:-}" ] || return 0
_harness_phones=1
harness_use system

# what linphonec sends: a 440 Hz tone, 8 kHz mono 16 bit, long enough
# for any call here. baresip makes its own (ausine, 48 kHz only, hence
# opus as its only codec) and plays nothing: with aufile as its player
# baresip 1.1.0 (trixie) crashes now and then as a call starts (the
# player's thread calls a write handler not yet set)
PH_TONE=$OUT/tone.wav
python3 - "$PH_TONE" <<'PY'
import math, struct, sys, wave
w = wave.open(sys.argv[1], "wb")
w.setnchannels(1); w.setsampwidth(2); w.setframerate(8000)
w.writeframes(b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / 8000)))
                       for i in range(8000 * 60)))
PY

declare -gA PH_KIND PH_USER PH_IP PH_SIP PH_RTP PH_DIR PH_FD PH_PID PH_SNIFF

# a port free for UDP and TCP on loopback in every state (a phone binds
# TCP on its SIP port; a connection's local port counts too);
# "pair": an even port P with P+1 free too (RTP and its RTCP; baresip
# puts RTP on an even port)
phone_port()
{
	local p used
	used=" $(ss -Htuan 2>/dev/null | awk '{n=split($5,a,":"); print a[n]}' | tr '\n' ' ') "
	while :; do
		p=$(free_port)
		# a pair starts at an even port: free_port took p, not p - 1
		[ "${1:-}" = pair ] && [ $((p % 2)) = 1 ] && continue
		case "$used" in *" $p "* | *" $((p + 1)) "*) continue ;; esac
		ports_taken $((p + 1)) && continue
		take_ports $((p + 1))
		echo "$p"
		return
	done
}

# the phone's FIFO, held open read-write by this shell so that the phone
# never sees an end of input between two commands
_phone_fifo()
{
	local name=$1 fd
	mkfifo "${PH_DIR[$name]}/cmd"
	exec {fd}<>"${PH_DIR[$name]}/cmd"
	PH_FD[$name]=$fd
}

_phone_started()
{
	local name=$1 pid=$2
	PH_PID[$name]=$pid
	track "$pid"
	wait_udp_port "${PH_SIP[$name]}" "$pid" ||
		fail "phone $name did not listen on ${PH_SIP[$name]} (see ${PH_DIR[$name]}/)"
	note "${PH_KIND[$name]} $name (user ${PH_USER[$name]}) pid $pid, SIP ${PH_IP[$name]}:${PH_SIP[$name]}, RTP ${PH_RTP[$name]}"
}

# usage: start_baresip name user
start_baresip()
{
	local name=$1 user=$2 d="$OUT/$1" m
	PH_KIND[$name]=baresip PH_USER[$name]=$user PH_IP[$name]=::1 PH_DIR[$name]=$d
	PH_SIP[$name]=$(phone_port) PH_RTP[$name]=$(phone_port pair)
	mkdir -p "$d"
	{
		printf 'sip_listen\t[::1]:%s\n' "${PH_SIP[$name]}"
		printf 'net_interface\t::1\n'
		printf 'audio_source\tausine,440\n'
		printf 'rtp_ports\t%s-%s\n' "${PH_RTP[$name]}" "$((PH_RTP[$name] + 1))"
		printf 'rtp_stats\tyes\n'
		printf 'module_path\t/usr/lib/baresip/modules\n'
		for m in stdio opus ausine account menu rtcpsummary; do
			printf 'module\t%s.so\n' "$m"
		done
	} >"$d/config"
	# the AOR in the core's domain, every request through the LB, the
	# user's password for the core's digest challenge
	printf '<sip:%s@127.0.0.1;transport=udp>;auth_pass=%s;outbound="sip:[::1]:%s;transport=udp";regint=60;answermode=auto\n' \
		"$user" "$(password_of "$user")" "$KPORT" >"$d/accounts"
	_phone_fifo "$name"
	HOME=$d baresip -6 -f "$d" -s <"$d/cmd" >"$d/sip.log" 2>&1 &
	_phone_started "$name" $!
}

# usage: start_linphone name user ["section key=value"...]
# (e.g. "misc uuid=0": no +sip.instance; "sip sip_tcp_port=0": UDP only)
start_linphone()
{
	local name=$1 user=$2 d="$OUT/$1" l
	shift 2
	PH_KIND[$name]=linphone PH_USER[$name]=$user PH_IP[$name]=127.0.0.1 PH_DIR[$name]=$d
	PH_SIP[$name]=$(phone_port) PH_RTP[$name]=$(phone_port pair)
	# linphonec starts its transports only once it could open its
	# database in $HOME/.local/share/linphone
	mkdir -p "$d/.local/share/linphone"
	{
		printf '[sip]\nsip_port=%s\nsip_tcp_port=%s\nbind_address=127.0.0.1\nuse_ipv6=0\n' \
			"${PH_SIP[$name]}" "${PH_SIP[$name]}"
		printf '[rtp]\naudio_rtp_port=%s\n' "${PH_RTP[$name]}"
		printf '[proxy_0]\nreg_proxy=sip:127.0.0.1:%s\nreg_identity=sip:%s@127.0.0.1\n' "$KPORT" "$user"
		printf 'reg_expires=60\nreg_sendregister=1\n'
		printf '[auth_info_0]\nusername=%s\npasswd=%s\n' "$user" "$(password_of "$user")"
	} >"$d/rc"
	# later lines of a section override the earlier ones
	for l in "$@"; do
		printf '[%s]\n%s\n' "${l%% *}" "${l#* }" >>"$d/rc"
	done
	_phone_fifo "$name"
	HOME=$d XDG_DATA_HOME=$d/.local/share XDG_CONFIG_HOME=$d/.config \
		linphonec -c "$d/rc" -a -d 6 -l "$d/sip.log" <"$d/cmd" >"$d/console.log" 2>&1 &
	_phone_started "$name" $!
	# no sound card: it sends the tone (in every call), records nothing
	phone_cmd "$name" "soundcard use files"
	phone_cmd "$name" "play $PH_TONE"
}

# usage: phone_cmd name command-line
phone_cmd()
{
	printf '%s\n' "$2" >&"${PH_FD[$1]}"
}

# call user $2 (in the core's domain, through the LB)
phone_dial()
{
	case "${PH_KIND[$1]}" in
		baresip) phone_cmd "$1" "/dial sip:$2@127.0.0.1" ;;
		linphone) phone_cmd "$1" "call sip:$2@127.0.0.1" ;;
	esac
}

phone_hangup()
{
	case "${PH_KIND[$1]}" in
		baresip) phone_cmd "$1" "/hangup" ;;
		linphone) phone_cmd "$1" "terminate" ;;
	esac
}

# ask every phone to quit (unregisters), then stop_all stops them by PID
phones_quit()
{
	local name
	for name in "${!PH_PID[@]}"; do
		case "${PH_KIND[$name]}" in
			baresip) phone_cmd "$name" "/quit" ;;
			linphone) phone_cmd "$name" "quit" ;;
		esac 2>/dev/null
	done
	for name in "${!PH_PID[@]}"; do
		gone_within 30 "${PH_PID[$name]}"
	done
}
trap 'phones_quit; harness_exit' EXIT

_phone_in_core()
{
	rpc @core ul.lookup location "$2" 2>/dev/null | grep -q ":${PH_SIP[$1]}[;>]"
}

# wait until the core has the phone's contact (registered through the LB)
phone_wait_registered()
{
	wait_for 15 _phone_in_core "$1" "${PH_USER[$1]}" ||
		fail "phone $1 (${PH_USER[$1]}) did not register: $(rpc @core ul.lookup location "${PH_USER[$1]}" 2>&1 | head -n 3)"
}

# the SIP messages phone $1 received, from its trace, one per paragraph
# (CRs and blank lines removed), as sipp_received prints them
phone_received()
{
	awk -v port="${PH_SIP[$1]}" -v kind="${PH_KIND[$1]}" '
		function end() { if(inmsg) print ""; inmsg = 0 }
		# baresip -s: "UDP [::1]:5060 -> [::1]:PORT", the message, ESC[;m
		kind == "baresip" && / -> / {
			end(); n = split($NF, a, ":"); rx = (a[n] == port); next
		}
		kind == "baresip" && /\033\[;m/ { end(); rx = 0; next }
		# linphonec -d 6: "received [N] new bytes from", the message,
		# the next timestamped line
		kind == "linphone" && /^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] / {
			end(); rx = ($0 ~ /received \[[0-9]+\] new bytes from/); next
		}
		# a start line (TCP: several messages in one read)
		rx && /^(SIP\/2\.0 [0-9]|[A-Z]+ [^ ]+ SIP\/2\.0)/ { end(); inmsg = 1 }
		inmsg { sub(/\r$/, ""); if($0 != "") print }
		END { end() }
	' "${PH_DIR[$1]}/sip.log"
}

# every received message of phone $1 whose first line starts with $2 and
# that has a line matching regex $3
phone_received_all()
{
	phone_received "$1" | awk -v RS= -v ORS='\n\n' -v first="$2" -v has="${3:-}" '
		index($0, first) == 1 && (has == "" || $0 ~ ("(^|\n)" has)) { print }'
}

# how many such messages phone $1 received
phone_count()
{
	phone_received_all "$@" | awk -v RS= 'END { print NR }'
}

# wait up to $2 s until phone $1 received more than $3 messages starting
# with $4 (and a line matching $5); prints the last
phone_wait_more()
{
	local name=$1 secs=$2 before=$3 i
	shift 3
	for i in $(seq $((secs * 5))); do
		if [ "$(phone_count "$name" "$@")" -gt "$before" ]; then
			phone_received_all "$name" "$@" | awk -v RS= 'END { print }'
			return 0
		fi
		sleep 0.2
	done
	return 1
}

# count RTP arriving at phone $1's RTP port: tcpdump on lo from now on
rtp_sniff()
{
	local name=$1 f="$OUT/$1.rtp" pid
	: >"$f"
	tcpdump -i lo -nn -l -q "udp and dst port ${PH_RTP[$name]}" >"$f" 2>"$f.err" &
	pid=$!
	track "$pid"
	PH_SNIFF[$name]=$pid
	wait_for 5 grep -q "listening on" "$f.err" || fail "tcpdump for $name did not start: $(cat "$f.err")"
}

# stop the sniffer of phone $1; prints "source-port count" per source
rtp_sources()
{
	local f="$OUT/$1.rtp"
	if [ -n "${PH_SNIFF[$1]:-}" ]; then
		stop_pid "${PH_SNIFF[$1]}"
		PH_SNIFF[$1]=
	fi
	# "21:40:01.123456 IP6 ::1.60012 > ::1.31610: UDP, length 172"
	awk '$5 ~ /:$/ { n = split($3, a, "."); c[a[n]]++ }
		END { for(p in c) print p, c[p] }' "$f" | sort -n
}

# packets counted from sources whose port is in [$2, $3]
rtp_count_from()
{
	awk -v lo="$2" -v hi="$3" '$1 >= lo && $1 <= hi { n += $2 } END { print n + 0 }' <<<"$1"
}

# usage: _phone_sdp_check what name "addr port" peer relayed
# the audio address and port phone $2 got (in the INVITE when called, in
# the 200 when calling): of its own family, the relay's or the peer's
_phone_sdp_check()
{
	local what=$1 name=$2 got=$3 peer=$4 relayed=$5 lo hi
	read -r lo hi < <(relay_port_range)
	[ -n "$got" ] || fail "$what: $name got no SDP"
	# an IPv6 phone must get IPv6 SDP, an IPv4 one IPv4 SDP
	case "${got% *}" in
		*:*) [ "${PH_IP[$name]}" = ::1 ] || fail "$what: IPv4 phone $name got IPv6 SDP '$got'" ;;
		*) [ "${PH_IP[$name]}" = 127.0.0.1 ] || fail "$what: IPv6 phone $name got IPv4 SDP '$got'" ;;
	esac
	case "$relayed" in
		1) [ "${got% *}" = "${PH_IP[$name]}" ] && [ "${got#* }" -ge "$lo" ] && [ "${got#* }" -le "$hi" ] ||
			fail "$what: $name got SDP '$got', not the relay's (${PH_IP[$name]} ports $lo-$hi)" ;;
		0) [ "$got" = "${PH_IP[$peer]} ${PH_RTP[$peer]}" ] ||
			fail "$what: $name got SDP '$got', not its peer's '${PH_IP[$peer]} ${PH_RTP[$peer]}'" ;;
	esac
}

# RTP counted at phone $2: at least $4 packets, all from the relay
# ($3 = 1) or all from the peer's RTP port ($3 = 0), either for "any"
_phone_rtp_check()
{
	local what=$1 name=$2 relayed=$3 min=$4 peer=$5 src srcs all relay direct lo hi
	read -r lo hi < <(relay_port_range)
	src=$(rtp_sources "$name")
	srcs=$(paste -sd, - <<<"$src")
	all=$(rtp_count_from "$src" 0 65535)
	relay=$(rtp_count_from "$src" "$lo" "$hi")
	direct=$(rtp_count_from "$src" "${PH_RTP[$peer]}" "${PH_RTP[$peer]}")
	note "$what: RTP at $name port ${PH_RTP[$name]}: $all packets, $relay from the relay, $direct from $peer"
	case "$relayed" in
		1) [ "$relay" -ge "$min" ] && [ "$relay" = "$all" ] ||
			fail "$what: $name did not get its RTP (>= $min) from the relay only (port count: $srcs)" ;;
		0) [ "$direct" -ge "$min" ] && [ "$direct" = "$all" ] ||
			fail "$what: $name did not get its RTP (>= $min) from $peer only (port count: $srcs)" ;;
		*) [ $((relay + direct)) -ge "$min" ] && [ $((relay + direct)) = "$all" ] ||
			fail "$what: $name did not get its RTP (>= $min) (port count: $srcs)" ;;
	esac
}

# the replies to method $2 phone $1 got, counted
_phone_replies()
{
	phone_received_all "$1" "SIP/2.0 " "CSeq: [0-9]+ $2" | grep '^SIP/2.0 ' |
		sort | uniq -c | awk '{ $1 = $1 "x"; print }' | paste -sd, -
}

_rtp_lines()
{
	[ "$(grep -c ' > ' "$OUT/$1.rtp" 2>/dev/null)" -ge "$2" ]
}

# one call between two registered phones through the LB.
# usage: phones_call what caller callee hanger relayed
#   hanger: the phone that hangs up (caller or callee)
#   relayed: 1 the media goes through the relay, 0 phone to phone (the
#            relay untouched), any: either
# Checks the SDP each phone got (its own family), RTP at each phone's
# port (>= 100 packets, 2 s at the phones' 20 ms), the BYE reaching the
# other phone and its 200 the hanger, no relay session afterwards.
phones_call()
{
	local what=$1 a=$2 b=$3 hanger=$4 relayed=$5 other inv ok
	local n_inv n_ok n_ack n_bye n_byeok
	[ "$hanger" = "$a" ] && other=$b || other=$a
	n_inv=$(phone_count "$b" "INVITE ")
	n_ok=$(phone_count "$a" "SIP/2.0 200" "CSeq: [0-9]+ INVITE")
	n_ack=$(phone_count "$b" "ACK ")
	n_bye=$(phone_count "$other" "BYE ")
	n_byeok=$(phone_count "$hanger" "SIP/2.0 200" "CSeq: [0-9]+ BYE")
	rtp_sniff "$a"
	rtp_sniff "$b"
	phone_dial "$a" "${PH_USER[$b]}"
	inv=$(phone_wait_more "$b" 10 "$n_inv" "INVITE ") ||
		fail "$what: $b got no INVITE; $a got: $(_phone_replies "$a" INVITE)"
	ok=$(phone_wait_more "$a" 10 "$n_ok" "SIP/2.0 200" "CSeq: [0-9]+ INVITE") ||
		fail "$what: $a got no 200 for its INVITE; it got: $(_phone_replies "$a" INVITE)"
	note "$what: $b got SDP '$(sdp_audio "$inv")', $a got '$(sdp_audio "$ok")'"
	_phone_sdp_check "$what" "$b" "$(sdp_audio "$inv")" "$a" "$relayed"
	_phone_sdp_check "$what" "$a" "$(sdp_audio "$ok")" "$b" "$relayed"
	phone_wait_more "$b" 10 "$n_ack" "ACK " >/dev/null ||
		fail "$what: $b got no ACK for its 200"
	wait_for 10 _rtp_lines "$a" 100 && wait_for 5 _rtp_lines "$b" 100 ||
		note "$what: less than 100 RTP packets at a phone within 10 s"
	phone_hangup "$hanger"
	phone_wait_more "$other" 10 "$n_bye" "BYE " >/dev/null ||
		fail "$what: $other got no BYE after $hanger hung up"
	phone_wait_more "$hanger" 10 "$n_byeok" "SIP/2.0 200" "CSeq: [0-9]+ BYE" >/dev/null ||
		fail "$what: $hanger got no 200 for its BYE"
	_phone_rtp_check "$what" "$a" "$relayed" 100 "$b"
	_phone_rtp_check "$what" "$b" "$relayed" 100 "$a"
	wait_for 3 eval '[ "$(relay_sessions)" = 0 ]' ||
		fail "$what: the relay still holds $(relay_sessions) session(s) after the call"
	note "$what: passed ($hanger hung up), relay clean"
}
