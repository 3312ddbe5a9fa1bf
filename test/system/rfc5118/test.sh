#!/bin/bash
# RFC 5118's IPv6 torture messages (section 4), written from the RFC's
# text with the LB's loopback addresses for its 2001:db8:: ones, sent
# through the shipped cfg/kamailio.cfg in front of cfg/core.cfg with
# rtpengine. Each case asserts what the RFC asks for; the LB and the core
# must be alive after each. The messages are the *.sip (sent raw with
# sipraw.py) and *.xml (sipp, for the calls with RTP) files of this folder.
# Where kamailio (5.6.3) itself does otherwise the shipped LB cfg steps
# in: its URI parser takes [2001:db8:::192.0.2.1] as a host (4.10: the
# REGISTRAR route refuses it), and it sends to an IPv4-mapped destination
# as IPv6 (4.3 and 4.9's Contacts: the RELAY route sends to the IPv4
# address). 4.5: kamailio's Via parser takes received= with and without
# brackets, so the LB is liberal as the RFC asks.
. "$(dirname "$0")/../../lib/harness.sh" system

SIPRAW=$TOP/test/lib/sipraw.py

# the core without digest authentication: the torture REGISTERs are a
# customer's own (the unauthenticated attacker is test lb_midreg)
CORE_ARGS="-A NO_AUTH"
start_system

# both servers still running and answering their control socket
alive()
{
	kill -0 "$LB_PID" 2>/dev/null && rpc core.uptime >/dev/null ||
		fail "$1: the LB died or does not answer"
	kill -0 "$CORE_PID" 2>/dev/null && rpc @core core.uptime >/dev/null ||
		fail "$1: the core died or does not answer"
}

# send message file $1 for user $2 from [::1] to the LB; prints sipraw's
# summary ("sent 1 ... codes=200x1 ...")
raw()
{
	sed -e "s|@KPORT@|$KPORT|g" -e "s|@USER@|$2|g" "$HERE/$1" |
		/usr/bin/python3 "$SIPRAW" --wait 3 ::1 "$KPORT" | tee "$OUT/$1.out"
}

# the address the core has bound user $1 to, empty if none
binding()
{
	rpc @core ul.lookup location "$1" 2>/dev/null | awk '/Address:/ { print $2; exit }'
}

# usage: case_codes name file user expected_codes
case_codes()
{
	local got
	got=$(raw "$2" "$3")
	case "$got" in
		*" codes=$4 "*) note "$1: $4 ($got)" ;;
		*) fail "$1: expected final reply $4, got: $got" ;;
	esac
	alive "$1"
}

# usage: stored name user address: the core bound user to the address
stored()
{
	local got
	got=$(binding "$2")
	[ "$got" = "$3" ] || fail "$1: the core bound $2 to '$got', not '$3'"
}

# 4.1 a REGISTER with IPv6 references in the Request-URI, To, From,
# Contact and Via: processed normally, the core binds the Contact
case_codes 4.1 4.1-register-ipv6.sip u41 200x1
stored 4.1 u41 "sip:u41@[::1]:$(sed -n 's/.*src=\[::1\]:\([0-9]*\).*/\1/p' "$OUT/4.1-register-ipv6.sip.out")"

# 4.2 the Request-URI's IPv6 address without brackets: 400 (sanity's
# R-URI check), nothing bound
case_codes 4.2 4.2-register-unbracketed.sip u42 400x1
stored 4.2 u42 ""

# 4.3 [::1:5070]: the 5070 is the address's last group, not a port. The
# message is valid (200) and the Contact kept as written. (The LB routes
# to a device by the address its REGISTER came from, the Path's received,
# never by this Contact: where a URI's port is read for routing see 4.4.)
case_codes 4.3 4.3-port-ambiguous.sip u43 200x1
stored 4.3 u43 "sip:u43@[::1:5070]"

# 4.4 [::1]:5070: address and port 5070; the REGISTER is processed, the
# Contact bound as written. Where the LB reads such a port is below (the
# dialog's remote target, after the registrations)
case_codes 4.4 4.4-port-unambiguous.sip u44 200x1
stored 4.4 u44 "sip:u44@[::1]:5070"

# 4.5 a Via received parameter with an IPv6 address, with brackets (4.5.1:
# outside RFC 3261's ABNF) and without (4.5.2): the LB takes both, the
# reply reaches the sender
case_codes 4.5.1 4.5.1-via-received-brackets.sip u451 200x1
case_codes 4.5.2 4.5.2-via-received-plain.sip u452 200x1

# 4.7 Via headers of both families (as after a dual-stack proxy): the
# request is processed and its reply follows the Via chain back
case_codes 4.7 4.7-vias-both-families.sip u47 200x1

# 4.10 the embedded IPv4 form: [2001:db8::192.0.2.1] is valid (RFC 5954)
# and bound; [2001:db8:::192.0.2.1] (three colons: RFC 3261's ABNF bug)
# is not an address: refused with 400, never bound
case_codes 4.10.1 4.10.1-abnf-two-colons.sip u4101 200x1
stored 4.10.1 u4101 "sip:u4101@[2001:db8::192.0.2.1]"
case_codes 4.10.2 4.10.2-abnf-three-colons.sip u4102 400x1
stored 4.10.2 u4102 ""

# --- the calls (4.6, 4.8, 4.9): audio and video, RTP on every stream.
# The callees register through the LB now (their keepalives would find
# nobody while the raw messages above were sent)
register_ua reg-alice ::1 alice
ALICE=$REG_PORT
register_ua reg-bob 127.0.0.1 bob
BOB=$REG_PORT

# 4.4 in a dialog: the LB routes the ACK and BYE of a call to the
# callee's Contact (the remote target, no Route left after its own).
# alice answers with Contact <sip:alice@TARGET>, where a second UA (at
# IP:PORT, not where she registered) takes the ACK and the BYE.
# usage: dialog_port case target ip port
dialog_port()
{
	local name=$1 target=$2 ip=$3 p=$4 uas_pid dlg_pid uac_pid rc=0
	python3 "$HERE/dialog_uas.py" "$ip" "$p" "$OUT/$name-dialog.msg" &
	dlg_pid=$!
	track "$dlg_pid"
	wait_udp_port "$p" "$dlg_pid" || fail "$name: the dialog's remote target did not start"
	start_sipp "$name-answer" ::1 "$ALICE" -sf "$HERE/4.4-uas-answer.xml" \
		-mp "$(free_media_port)" -key rtp_port "$(free_port)" -key target "$target"
	uas_pid=$SIPP_PID
	bg_sipp "$name-caller" "${SIPP_CALLER[@]}" -sf "$SCN/uac_call.xml" -m 1 -d 500 \
		-i 127.0.0.1 -p "$(free_port)" -mp "$(free_media_port)" -key rtp_port "$(free_port)" \
		-key ruri "sip:alice@127.0.0.1" "127.0.0.1:$KPORT"
	uac_pid=$SIPP_PID
	wait_sipp "$name-caller" "$uac_pid" || rc=1
	wait_sipp "$name-answer" "$uas_pid" || rc=1
	wait "$dlg_pid" || rc=1
	[ $rc -eq 0 ] || fail "$name: the call to a Contact at $target did not complete"
	grep -q "^ACK " "$OUT/$name-dialog.msg" && grep -q "^BYE " "$OUT/$name-dialog.msg" ||
		fail "$name: the ACK and the BYE did not reach $ip:$p"
	[ "$(relay_sessions)" = 0 ] || fail "$name: the relay holds sessions after the call"
	alive "$name"
	note "$name: ACK and BYE for Contact $target reached $ip:$p"
}
P44=$(free_port)
dialog_port 4.4 "[::1]:$P44" ::1 "$P44"
# 4.3 in a dialog: [::ffff:7f00:5070] is the IPv4-mapped 127.0.80.112,
# without a port: the ACK and the BYE go to 127.0.80.112:5060
dialog_port 4.3 "[::ffff:7f00:5070]" 127.0.80.112 5060

# usage: call_case name template uac_ip uas_ip relayed: afb_call's audio
# and video call (uas_av.xml answers) with the caller's INVITE from
# template.xml; AFB_UAS_PORT and AFB_RURI say whom it calls
call_case()
{
	local name=$1 tpl=$2 d="$OUT/scn-$1"
	shift 2
	mkdir -p "$d"
	ln -sf "$HERE/$tpl.xml" "$d/uac_av.xml"
	ln -sf "$SCN/uas_av.xml" "$d/uas_av.xml"
	SCN=$d afb_call "$name" av "$@"
	alive "$name"
}

# 4.6 IPv6 references in the headers and in the SDP (o=, c= IN IP6): the
# IPv4 callee gets each stream as IPv4 from the relay, the caller IPv6
AFB_UAS_PORT=$BOB AFB_RURI="sip:bob@[::1]" call_case 4.6 4.6-invite-sdp6 ::1 127.0.0.1 1

# 4.8 audio at an IPv4 address, video at an IPv6 one, in one offer: the
# relay anchors each stream; the callee gets both as IPv4, the caller's
# answer both as IPv6 (the family it signals with: one answer, one
# family), so this dual-stack caller sends its audio from its IPv6
# address too and the relay learns it (afb_call talks from ::1)
AFB_UAS_PORT=$BOB AFB_RURI="sip:bob@[::1]" call_case 4.8 4.8-invite-mixed-sdp ::1 127.0.0.1 1

# 4.9 IPv4-mapped addresses (Via, Contact, o=, c=): the node is IPv4
# (RFC 3266). To the IPv4 bob the LB unmaps the SDP (afbridge sdp_unmap):
# c=IN IP4, no relay, RTP direct; to the IPv6 alice it is bridged
SIPP_CALLER=(-pause_msg_ign -key mref "[::ffff:127.0.0.1]" -key mref2 "[::ffff:127.0.0.2]")
AFB_UAS_PORT=$BOB AFB_RURI="sip:bob@127.0.0.1" call_case 4.9 4.9-invite-mapped 127.0.0.1 127.0.0.1 0
inv=$(sipp_received_msg "$OUT/4.9-uas.msg" "INVITE ")
printf '%s\n' "$inv" | grep -q '^c=IN IP6' &&
	fail "4.9: the IPv4 callee got an IPv6 c= line: $(printf '%s\n' "$inv" | grep '^c=')"
# the o= line keeps the IPv4-mapped address: sdp_unmap rewrites the c=
# lines only (o= names the session, RFC 4566 5.2, nothing is sent to it)
printf '%s\n' "$inv" | grep -q '^o=assistant .* IN IP6 ::ffff:127.0.0.1$' ||
	fail "4.9: the callee's o= line changed: $(printf '%s\n' "$inv" | grep '^o=')"
AFB_UAS_PORT=$ALICE AFB_RURI="sip:alice@127.0.0.1" call_case 4.9-to-v6 4.9-invite-mapped 127.0.0.1 ::1 1
