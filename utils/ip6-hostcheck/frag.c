/*
 * ip6-hostcheck - dual-stack SIP readiness of a host
 *
 * Copyright (C) 2026 dualstack project
 *
 * This file is part of dualstack, a set of modules for Kamailio.
 *
 * This program is free software; you can redistribute it and/or modify
 * it under the terms of the GNU General Public License as published by
 * the Free Software Foundation; either version 2 of the License, or
 * (at your option) any later version.
 */

/*!
 * \file
 * \brief ip6-hostcheck :: 4. fragmentation of the IPv6 SIP datagrams
 */

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostcheck.h"

/* ------------------------------------------------------------------ */
/* 4. fragmentation of the IPv6 SIP datagrams */

int hc_parse_route_mtu(const char *text, long *mtu, char *table, size_t tsize)
{
	const char *p;
	size_t n;

	*mtu = 0;
	if(tsize > 0)
		table[0] = '\0';
	if(text == NULL || strstr(text, " dev ") == NULL)
		return 0;
	p = strstr(text, " mtu ");
	if(p != NULL) {
		p += 5;
		if(strncmp(p, "lock ", 5) == 0)
			p += 5;
		*mtu = strtol(p, NULL, 10);
	}
	p = strstr(text, " table ");
	if(p != NULL && tsize > 0) {
		p += 7;
		for(n = 0; p[n] && !isspace((unsigned char)p[n]) && n + 1 < tsize; n++)
			table[n] = p[n];
		table[n] = '\0';
	}
	return 1;
}

#define WHY_FRAG                                                            \
	"IPv6 routers never fragment: a datagram larger than a link on the "  \
	"way is dropped, and the ICMPv6 Packet Too Big that says so may reach " \
	"another node of an anycast service, or be filtered. Let this host "   \
	"fragment what it sends at 1280 bytes, the IPv6 minimum MTU, which "   \
	"any path carries: ip6-fragpolicy set 1280 [ADDR]:PORT (a policy rule " \
	"for the SIP socket to a table whose routes have mtu lock 1280)."

void hc_check_frag(hc_report_t *r, const hc_sock_t *s, const char *route,
		const char *err)
{
	char sock[80], table[32];
	long mtu;
	static const unsigned char any[16] = {0};

	hc_sock_format(s, sock, sizeof(sock));
	if(memcmp(s->addr, any, 16) == 0) {
		hc_add(r, HC_WARN, "frag IPv6", WHY_FRAG
				" A socket on the wildcard address cannot be told apart "
				"by a policy rule: listen on the addresses.",
				"%s: on the wildcard address, not checked", sock);
		return;
	}
	if(route == NULL) {
		hc_add(r, HC_WARN, "frag IPv6", WHY_FRAG,
				"%s: route not known (%s)", sock, err ? err : "ip failed");
		return;
	}
	if(!hc_parse_route_mtu(route, &mtu, table, sizeof(table))) {
		hc_add(r, HC_WARN, "frag IPv6", WHY_FRAG, "%s: no route", sock);
		return;
	}
	if(mtu > 0 && mtu <= 1280)
		hc_add(r, HC_OK, "frag IPv6",
				"Larger IPv6 datagrams from this socket are fragmented by "
				"this host: no Packet Too Big is ever needed.",
				"%s: fragmented at %ld (table %s)", sock, mtu,
				table[0] ? table : "main");
	else if(mtu > 0)
		hc_add(r, HC_WARN, "frag IPv6", WHY_FRAG,
				"%s: fragmented at %ld only (table %s)", sock, mtu,
				table[0] ? table : "main");
	else
		hc_add(r, HC_WARN, "frag IPv6", WHY_FRAG,
				"%s: datagrams up to the link MTU leave whole", sock);
}

