#!/bin/bash
# RFC 5118's IPv6 torture messages (section 4), written from the RFC's
# text with the LB's loopback addresses for its 2001:db8:: ones, sent
# through the shipped cfg/kamailio.cfg in front of cfg/core.cfg with
# rtpengine. Each case asserts what the RFC asks for; the LB and the core
# must be alive after each. The messages are the *.sip (sent raw with
# sipraw.py) and *.xml (sipp, for the calls with RTP) files of this folder.
. "$(dirname "$0")/../lib.sh"
. "$TOP/test/sipp/e2e_lib.sh"

SIPRAW=$TOP/test/sipp/sipraw.py

start_system

# both servers still running and answering their control socket
alive()
{
	kill -0 "$LB_PID" 2>/dev/null && rpc core.uptime >/dev/null ||
		fail "$1: the LB died or does not answer"
	kill -0 "$CORE_PID" 2>/dev/null && core_rpc core.uptime >/dev/null ||
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
	core_rpc ul.lookup location "$1" 2>/dev/null | awk '/Address:/ { print $2; exit }'
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
