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
 * \brief ip6-hostcheck :: 1. the socket table and the listeners of kamailio
 */

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "ds_af.h"
#include "ip6ref/ip6ref_parser.h"
#include "hostcheck.h"

/* ------------------------------------------------------------------ */
/* 1. the socket table */

enum hc_order hc_host_order(void)
{
	const unsigned int one = 1;

	return *(const unsigned char *)&one == 1 ? HC_LE : HC_BE;
}

/* "0100007F:13C4" with nwords 32-bit words: address and port; returns the
 * position after it or NULL */
static const char *parse_addr_port(const char *p, int nwords,
		enum hc_order order, unsigned char *addr, unsigned int *port)
{
	int w, k, d;
	unsigned long v;

	for(w = 0; w < nwords; w++) {
		v = 0;
		for(k = 0; k < 8; k++) {
			d = ip6r_hexval(*p++);
			if(d < 0)
				return NULL;
			v = (v << 4) | (unsigned long)d;
		}
		/* the kernel printed the word's in-memory value as a number */
		for(k = 0; k < 4; k++) {
			if(order == HC_LE)
				addr[w * 4 + k] = (unsigned char)(v >> (8 * k));
			else
				addr[w * 4 + k] = (unsigned char)(v >> (8 * (3 - k)));
		}
	}
	if(*p++ != ':')
		return NULL;
	*port = 0;
	for(k = 0; k < 4; k++) {
		d = ip6r_hexval(*p++);
		if(d < 0)
			return NULL;
		*port = (*port << 4) | (unsigned int)d;
	}
	if(*p != ' ' && *p != '\t')
		return NULL;
	return p;
}

static const char *skip_ws(const char *p)
{
	while(*p == ' ' || *p == '\t')
		p++;
	return p;
}

static const char *skip_word(const char *p)
{
	while(*p && *p != ' ' && *p != '\t' && *p != '\n')
		p++;
	return p;
}

int hc_parse_sock_line(const char *line, int table_af, int proto,
		enum hc_order order, hc_sock_t *s)
{
	const char *p = skip_ws(line);
	int nwords = table_af == 6 ? 4 : 1;
	int i, d;
	char *end;

	memset(s, 0, sizeof(*s));
	if(*p == '\0' || *p == '\n' || *p == '\r')
		return 0;
	if(strncmp(p, "sl", 2) == 0)
		return 0; /* the header */
	if(!isdigit((unsigned char)*p))
		return -1;
	while(isdigit((unsigned char)*p))
		p++;
	if(*p++ != ':')
		return -1;
	s->proto = proto;
	s->table_af = table_af;
	p = parse_addr_port(skip_ws(p), nwords, order, s->addr, &s->port);
	if(p == NULL)
		return -1;
	p = parse_addr_port(skip_ws(p), nwords, order, s->raddr, &s->rport);
	if(p == NULL)
		return -1;
	p = skip_ws(p);
	for(i = 0; i < 2; i++) {
		d = ip6r_hexval(*p++);
		if(d < 0)
			return -1;
		s->state = (s->state << 4) | d;
	}
	/* tx_queue:rx_queue tr:tm->when retrnsmt uid timeout, then inode */
	for(i = 0; i < 5; i++) {
		p = skip_ws(p);
		if(*p == '\0' || *p == '\n')
			return -1;
		p = skip_word(p);
	}
	p = skip_ws(p);
	if(!isdigit((unsigned char)*p))
		return -1;
	s->inode = strtoul(p, &end, 10);
	if(*end != '\0' && *end != ' ' && *end != '\t' && *end != '\n')
		return -1;
	return 1;
}

int hc_sock_family(const hc_sock_t *s)
{
	return ds_reach_af(s->table_af == 6 ? AF_INET6 : AF_INET, s->addr);
}

int hc_sock_is_listener(const hc_sock_t *s)
{
	static const unsigned char zero[16];

	if(s->port == 0)
		return 0;
	if(s->proto == HC_TCP)
		return s->state == HC_TCP_LISTEN;
	/* a UDP socket connected to a peer (rtpproxy control, DNS) is a
	 * client, not a listener */
	return s->state == HC_TCP_CLOSE && s->rport == 0
		   && memcmp(s->raddr, zero, s->table_af == 6 ? 16 : 4) == 0;
}

char *hc_sock_format(const hc_sock_t *s, char *out, size_t size)
{
	char text[IP6R_TEXT_MAX];
	ip6r_addr_t a;

	memset(&a, 0, sizeof(a));
	if(s->table_af == 6) {
		memcpy(a.b, s->addr, 16);
		a.af = 6;
	} else {
		a.b[10] = a.b[11] = 0xff;
		memcpy(a.b + 12, s->addr, 4);
		a.af = 4;
	}
	ip6r_format(&a, IP6R_REF, text, sizeof(text));
	snprintf(out, size, "%s %s:%u", s->proto == HC_TCP ? "tcp" : "udp", text,
			s->port);
	return out;
}

/* "udp 127.0.0.1:5060, tcp 127.0.0.1:5060" of one family, each once */
static int list_family(
		const hc_sock_t *socks, int n, int af, char *out, size_t size)
{
	char one[80], prev[80];
	int i, j, found = 0, dup;

	out[0] = '\0';
	for(i = 0; i < n; i++) {
		if(!hc_sock_is_listener(&socks[i]) || hc_sock_family(&socks[i]) != af)
			continue;
		hc_sock_format(&socks[i], one, sizeof(one));
		/* the same address twice (SO_REUSEPORT, a fd in two tables) */
		for(dup = 0, j = 0; j < i && !dup; j++) {
			if(hc_sock_is_listener(&socks[j])
					&& hc_sock_family(&socks[j]) == af)
				dup = strcmp(hc_sock_format(&socks[j], prev, sizeof(prev)), one)
					  == 0;
		}
		if(dup)
			continue;
		if(found)
			hc_cat(out, size, ", ");
		hc_cat(out, size, one);
		found++;
	}
	return found;
}

void hc_check_listeners(hc_report_t *r, const hc_listen_ctx_t *ctx,
		const hc_sock_t *socks, int n)
{
	char v4[HC_WHAT_LEN / 2 - 16], v6[HC_WHAT_LEN / 2 - 16];
	int n4, n6;

	if(ctx->by_process && ctx->nprocs == 0) {
		hc_add(r, HC_FAIL, "listen",
				"No process to take the sockets of: start kamailio, or name "
				"its main process with --pid or its SIP port with --port; "
				"--no-listen skips this check (e.g. on a host being "
				"prepared).",
				"%s is not running", ctx->owner);
		return;
	}
	if(ctx->unreadable > 0)
		hc_add(r, HC_WARN, "listen access",
				"The sockets of a process are found through /proc/<pid>/fd, "
				"which only root and the process's own user may read: run "
				"as root or as kamailio's user, or match by port with "
				"--port.",
				"cannot read the sockets of %d of %d %s processes",
				ctx->unreadable, ctx->nprocs, ctx->owner);

	n4 = list_family(socks, n, 4, v4, sizeof(v4));
	n6 = list_family(socks, n, 6, v6, sizeof(v6));
	if(n4 && n6) {
		hc_add(r, HC_OK, "listen", "Kamailio answers SIP over both families.",
				"IPv4: %s; IPv6: %s", v4, v6);
	} else if(!n4 && !n6) {
		hc_add(r, HC_FAIL, "listen",
				"Kamailio listens on neither family: add listen=udp:ADDR:5060 "
				"and listen=tcp:ADDR:5060 lines for an IPv4 and an IPv6 "
				"address of this host to kamailio.cfg (with --port: is it "
				"the SIP port?).",
				"no listening UDP/TCP socket of %s%s", ctx->owner,
				ctx->unreadable ? " found (its fds could not be read)" : "");
	} else if(!n6) {
		hc_add(r, HC_FAIL, "listen",
				"Clients that reach this host over IPv6 (an AAAA record, "
				"IPv6-only mobile networks, DNS64 with NAT64) get no answer. "
				"Add listen=udp:[IPV6]:5060 and listen=tcp:[IPV6]:5060 with "
				"an IPv6 address of this host to kamailio.cfg (the address "
				"in brackets) and restart kamailio.",
				"no IPv6 listener (IPv4: %s)", v4);
	} else {
		hc_add(r, HC_FAIL, "listen",
				"IPv4-only clients and peers (most SIP trunks) get no "
				"answer. Add listen=udp:IPV4:5060 and listen=tcp:IPV4:5060 "
				"with an IPv4 address of this host to kamailio.cfg and "
				"restart kamailio.",
				"no IPv4 listener (IPv6: %s)", v6);
	}
}

unsigned long hc_socket_inode(const char *link)
{
	unsigned long v = 0;
	const char *p;

	if(strncmp(link, "socket:[", 8) != 0)
		return 0;
	for(p = link + 8; isdigit((unsigned char)*p); p++)
		v = v * 10 + (unsigned long)(*p - '0');
	if(p == link + 8 || p[0] != ']' || p[1] != '\0')
		return 0;
	return v;
}

int hc_parse_stat(const char *text, int *ppid, char *comm, size_t size)
{
	const char *open = strchr(text, '(');
	const char *close = strrchr(text, ')');
	size_t len;
	char *end;
	long v;

	/* comm may hold spaces and parentheses: it ends at the last ')' */
	if(open == NULL || close == NULL || close < open)
		return -1;
	len = (size_t)(close - open - 1);
	if(size == 0)
		return -1;
	if(len >= size)
		len = size - 1;
	memcpy(comm, open + 1, len);
	comm[len] = '\0';
	/* ") S 1234 ..." */
	if(close[1] != ' ' || close[2] == '\0' || close[3] != ' ')
		return -1;
	v = strtol(close + 4, &end, 10);
	if(end == close + 4 || v < 0)
		return -1;
	*ppid = (int)v;
	return 0;
}

