# Large INVITEs to a UDP-only phone, shared by frag_netns and
# frag_udp_phone.
#
# PHONE_NS: the network namespace the phone runs in (empty: here).
[ -z "${_harness_frag:-}" ] || return 0
_harness_frag=1
harness_use system

PHONE_NS=${PHONE_NS:-}

# a command in the phone's namespace
in_phone()
{
	if [ -n "$PHONE_NS" ]; then
		ip netns exec "$PHONE_NS" "$@"
	else
		"$@"
	fi
}

# $PHONE_BIN/sipp is sipp in the phone's namespace: bg_sipp and
# register_ua run it with PATH="$PHONE_BIN:$PATH"
PHONE_BIN=$OUT/phone-bin
phone_bin()
{
	mkdir -p "$PHONE_BIN"
	printf '#!/bin/sh\nexec ip netns exec %s %s "$@"\n' "$PHONE_NS" "$(command -v sipp)" \
		>"$PHONE_BIN/sipp"
	chmod 755 "$PHONE_BIN/sipp"
}

phone_sipp()
{
	if [ -n "$PHONE_NS" ]; then
		PATH="$PHONE_BIN:$PATH" bg_sipp "$@"
	else
		bg_sipp "$@"
	fi
}

# "size cseq-number" of every INVITE in sipp log $1, in arrival order
invite_sizes()
{
	awk '
		/ message received \[[0-9]+\] bytes/ {
			match($0, /\[[0-9]+\]/)
			size = substr($0, RSTART + 1, RLENGTH - 2); want = 1; inv = 0; next
		}
		want && /^[ \r]*$/ { next }
		want { want = 0; inv = ($0 ~ /^INVITE /); next }
		inv && /^CSeq:/ { print size, $2; inv = 0 }
	' "$1"
}

# one call to a phone that listens on UDP only (sipp's default), with an
# INVITE and a re-INVITE padded so that the phone receives at least $5
# bytes each: both reach it, both get their 200, RTP flows both ways.
# usage: big_call name caller_ip phone_ip phone_port size pad pad2 ruri
# (pad, pad2: the length of the SDP attribute of the INVITE and of the
# re-INVITE; the LB, the core and the relay add the rest). Sets BIG_SIZES: the sizes the phone received.
big_call()
{
	local name=$1 uac_ip=$2 uas_ip=$3 uas_port=$4 size=$5 pad=$6 pad2=$7 ruri=$8
	local uac_rtp uas_rtp uac_pid uas_pid inv ok rc=0 s i
	uac_rtp=$(free_port)
	uas_rtp=$(free_port)
	phone_sipp "$name-phone" -i "$uas_ip" -p "$uas_port" -sf "$SCN/uas_reinvite.xml" \
		-mp "$(free_media_port)" -key rtp_port "$uas_rtp"
	uas_pid=$SIPP_PID
	for i in $(seq 100); do
		in_phone ss -Hlnu "sport = :$uas_port" | grep -q . && break
		sleep 0.1
	done
	bg_sipp "$name-caller" "${SIPP_CALLER[@]}" -sf "$SCN/uac_big.xml" -m 1 \
		-d 3000 -i "$uac_ip" -p "$(free_port)" -mp "$(free_media_port)" \
		-key rtp_port "$uac_rtp" -key ruri "$ruri" \
		-key pad "$(printf '%*s' "$pad" '' | tr ' ' x)" \
		-key pad2 "$(printf '%*s' "$pad2" '' | tr ' ' y)" "$(uri_host "$uac_ip"):$KPORT"
	uac_pid=$SIPP_PID

	inv=$(wait_received "$OUT/$name-phone.msg" "INVITE ") ||
		fail "$name: the phone got no INVITE"
	ok=$(wait_received "$OUT/$name-caller.msg" "SIP/2.0 200" "CSeq: 1 INVITE") ||
		fail "$name: the caller got no 200 for its INVITE"
	frag_rtp "$name" "$uac_ip" "$uac_rtp" "$(sdp_audio "$ok")" \
		"$uas_ip" "$uas_rtp" "$(sdp_audio "$inv")"
	wait_sipp "$name-caller" "$uac_pid" || rc=1
	wait_sipp "$name-phone" "$uas_pid" || rc=1
	[ $rc -eq 0 ] || fail "$name: the call did not complete (INVITE, re-INVITE, BYE)"
	BIG_SIZES=$(invite_sizes "$OUT/$name-phone.msg" | sort -u -k2,2 | awk '{ printf "%s%s", sep, $1; sep = " " }')
	for s in $BIG_SIZES; do
		[ "$s" -ge "$size" ] || fail "$name: the phone got INVITEs of $BIG_SIZES bytes, the test wants >= $size (pad $pad, $pad2)"
	done
	[ "$(echo "$BIG_SIZES" | wc -w)" = 2 ] ||
		fail "$name: the phone did not get the INVITE and the re-INVITE (sizes: $BIG_SIZES)"
	note "$name: the phone got the INVITE and the re-INVITE over UDP ($BIG_SIZES bytes), RTP both ways"
}

# both parties talk at once, the phone in its namespace
frag_rtp()
{
	[ -n "$4" ] && [ -n "$7" ] || fail "$1: no SDP (caller '$4', phone '$7')"
	AFB_RTP_IN_B=in_phone afb_rtp "$@"
}
