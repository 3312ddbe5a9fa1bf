#!/bin/sh
# ip6-fragpolicy - the host fragments the IPv6 SIP datagrams it sends
#
# Copyright (C) 2026 dualstack project
#
# This file is part of dualstack, a set of modules for Kamailio.
#
# This program is free software; you can redistribute it and/or modify
# it under the terms of the GNU General Public License as published by
# the Free Software Foundation; either version 2 of the License, or
# (at your option) any later version.
#
# IPv6 routers never fragment. A SIP datagram larger than a link on the
# way is dropped there and the ICMPv6 Packet Too Big that says so may
# reach another node of an anycast service, or nobody. Linux fragments a
# UDP datagram on its own when it is larger than the MTU of its route: a
# policy rule sends the UDP packets of the SIP sockets to a routing table
# whose routes are those of main with "mtu lock MTU". Nothing else on the
# host (RTP, other services) is affected. Measured (kernel 6.x, veth of
# MTU 1500): a 1400-byte datagram leaves whole without the rule, as
# fragments of 1232 + 176 bytes with it; setsockopt(IPV6_MTU, 1280) alone
# does not split it (it only sizes the fragments of datagrams larger than
# the link MTU).

set -eu

NAME=ip6-fragpolicy
TABLE=1280
PREF=1280
PROBE=2000::

usage()
{
	cat <<EOF
NAME
    $NAME - IPv6 SIP datagrams fragmented by this host at a fixed MTU

SYNOPSIS
    $NAME [--table N] [--pref N] set MTU|off [ADDR]:PORT...
    $NAME [--table N] [--pref N] [--dst ADDR] status [ADDR]:PORT...
    $NAME -h | --help

DESCRIPTION
    set MTU   IPv6 UDP datagrams sent from each [ADDR]:PORT (the SIP
              sockets of kamailio: its listen= addresses, not the
              wildcard) are fragmented by this host when larger than MTU
              bytes (1280..65535; 1280, the IPv6 minimum, holds on any
              path). A policy rule per socket (from ADDR ipproto udp
              sport PORT, priority --pref) looks up table --table, which
              gets a copy of the routes of table main with "mtu lock
              MTU". Run it again after the routes of main change (a new
              default router): the copy is not kept up to date.
    set off   removes the rules of priority --pref and empties the table:
              datagrams up to the link MTU leave whole again.
    status    for each [ADDR]:PORT, the route and MTU the kernel picks for
              a UDP datagram from it to --dst (default $PROBE, any global
              address), and what that means. Exit 1 when a socket is not
              fragmented at 1280.

    Needs root (CAP_NET_ADMIN) for set; iproute2 (ip).
    IPv4 needs none of this: kamailio sends IPv4 UDP without DF
    (pmtu_discovery=0, its default), routers fragment it.

OPTIONS
    --table N  routing table (default $TABLE)
    --pref N   priority of the rules (default $PREF; below main's 32766)
    --dst ADDR destination for status (default $PROBE)

EXIT STATUS
    0  set: done; status: every socket is fragmented at 1280 or below
    1  set: an ip command failed; status: a socket is not (or has no
       route)
    3  bad arguments

EXAMPLES
    $NAME set 1280 [2001:db8::10]:5060
    $NAME status [2001:db8::10]:5060
    $NAME set off [2001:db8::10]:5060
EOF
}

die()
{
	echo "$NAME: $*" >&2
	exit 3
}

# [ADDR]:PORT -> $a, $p (exits on a bad one)
split_sock()
{
	case "$1" in
	\[*\]:*) ;;
	*) die "'$1' is not [IPV6]:PORT" ;;
	esac
	a=${1#\[}
	a=${a%%\]*}
	p=${1##*\]:}
	case "$p" in
	'' | *[!0-9]*) die "'$1': bad port" ;;
	esac
	if [ "$p" -lt 1 ] || [ "$p" -gt 65535 ]; then
		die "'$1': bad port"
	fi
	case "$a" in
	:: | *[!0-9a-fA-F:.]*) die "'$1': not an IPv6 unicast address" ;;
	esac
}

del_rules()
{
	while ip -6 rule del pref "$PREF" 2>/dev/null; do :; done
}

# the routes of main into $TABLE with the MTU locked: one per line, minus
# what describes state rather than the route (expiry, flags, an mtu)
copy_routes()
{
	ip -6 route flush table "$TABLE" 2>/dev/null || true
	ip -6 route show table main | sed -E \
		-e 's/ expires [^ ]+//' -e 's/ mtu (lock )?[0-9]+//' \
		-e 's/ (linkdown|dead|offload|trap|rt_offload|rt_trap)//g' |
		while read -r route; do
			[ -n "$route" ] || continue
			# shellcheck disable=SC2086
			ip -6 route add $route table "$TABLE" mtu lock "$1" ||
				echo "$NAME: route not copied: $route" >&2
		done
}

cmd_set()
{
	mtu=$1
	shift
	[ $# -gt 0 ] || die "set: no [ADDR]:PORT"
	socks=""
	for s in "$@"; do
		split_sock "$s"
		socks="$socks $a/$p"
	done
	if [ "$mtu" = off ]; then
		del_rules
		ip -6 route flush table "$TABLE" 2>/dev/null || true
		echo "off: no rule of priority $PREF, table $TABLE empty"
		return 0
	fi
	case "$mtu" in
	'' | *[!0-9]*) die "set: MTU '$mtu' is not a number (or off)" ;;
	esac
	if [ "$mtu" -lt 1280 ] || [ "$mtu" -gt 65535 ]; then
		die "set: MTU $mtu outside 1280..65535 (IPv6 needs at least 1280)"
	fi
	del_rules
	copy_routes "$mtu"
	for s in $socks; do
		ip -6 rule add pref "$PREF" from "${s%/*}" ipproto udp \
			sport "${s#*/}" lookup "$TABLE"
		echo "udp [${s%/*}]:${s#*/}: fragmented at $mtu (table $TABLE)"
	done
}

cmd_status()
{
	[ $# -gt 0 ] || die "status: no [ADDR]:PORT"
	rc=0
	for s in "$@"; do
		split_sock "$s"
		r=$(ip -6 route get "$PROBE" from "$a" ipproto udp sport "$p" 2>&1) || {
			echo "udp [$a]:$p: no route to $PROBE: $r"
			rc=1
			continue
		}
		mtu=$(printf '%s\n' "$r" | sed -nE 's/.* mtu (lock )?([0-9]+).*/\2/p')
		table=$(printf '%s\n' "$r" | sed -nE 's/.* table ([^ ]+).*/\1/p')
		if [ -n "$mtu" ] && [ "$mtu" -le 1280 ]; then
			echo "udp [$a]:$p: fragmented at $mtu (table ${table:-main}): fits any IPv6 path"
		elif [ -n "$mtu" ]; then
			echo "udp [$a]:$p: fragmented at $mtu (table ${table:-main}): a narrower path drops larger datagrams"
			rc=1
		else
			echo "udp [$a]:$p: the link MTU (table ${table:-main}): datagrams up to it leave whole, a narrower path drops them"
			rc=1
		fi
	done
	return $rc
}

while [ $# -gt 0 ]; do
	case "$1" in
	-h | --help)
		usage
		exit 0
		;;
	--table)
		[ $# -ge 2 ] || die "--table needs a value"
		TABLE=$2
		shift 2
		;;
	--pref)
		[ $# -ge 2 ] || die "--pref needs a value"
		PREF=$2
		shift 2
		;;
	--dst)
		[ $# -ge 2 ] || die "--dst needs a value"
		PROBE=$2
		shift 2
		;;
	set)
		shift
		[ $# -ge 1 ] || die "set: MTU or off missing"
		cmd_set "$@"
		exit 0
		;;
	status)
		shift
		cmd_status "$@"
		exit $?
		;;
	*) die "unknown argument '$1' (see $NAME --help)" ;;
	esac
done
usage >&2
exit 3
