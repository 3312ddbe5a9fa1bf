/*
 * afbridge - address-family-aware media bridging
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
 * \brief afbridge :: the decision, in plain C (no Kamailio headers)
 */

#include <string.h>

#include "afbridge_logic.h"

static char side_of(int af, char ipv6_side)
{
	if(af == 6)
		return ipv6_side;
	return ipv6_side == 'e' ? 'i' : 'e';
}

void afb_direction(int from_af, int to_af, char ipv6_side, char dir[3])
{
	if((from_af != 4 && from_af != 6) || (to_af != 4 && to_af != 6)) {
		dir[0] = '\0';
		return;
	}
	dir[0] = side_of(from_af, ipv6_side);
	dir[1] = side_of(to_af, ipv6_side);
	dir[2] = '\0';
}

/* SDP in a request: INVITE/UPDATE offer, ACK/PRACK answer a late offer.
 * A CANCEL deletes nothing: its INVITE fails with 487 (deleted then), or
 * a 200 won the race and the call is up. */
static enum afb_action request_action(const afb_facts_t *f)
{
	switch(f->method) {
		case AFB_M_INVITE:
		case AFB_M_UPDATE:
			return f->has_sdp ? AFB_OFFER : AFB_NONE;
		case AFB_M_ACK:
		case AFB_M_PRACK:
			return f->has_sdp ? AFB_ANSWER : AFB_NONE;
		case AFB_M_BYE:
			return AFB_DELETE;
		default:
			return AFB_NONE;
	}
}

static enum afb_action reply_action(const afb_facts_t *f)
{
	if(f->method != AFB_M_INVITE && f->method != AFB_M_UPDATE
			&& f->method != AFB_M_PRACK)
		return AFB_NONE;
	if(f->status > 100 && f->status < 300) {
		if(!f->has_sdp)
			return AFB_NONE;
		/* SDP in a reply to a request without: the late offer */
		return f->req_had_sdp ? AFB_ANSWER : AFB_OFFER;
	}
	/* a failed initial INVITE frees the session, in failure_route if there
	 * is one (it may still route the call elsewhere); a failed re-INVITE
	 * (488, 491 on glare, 408 of a session refresh) leaves the call with
	 * the media it had */
	if(f->status >= 300 && f->method == AFB_M_INVITE && !f->failure_route
			&& !f->in_dialog)
		return AFB_DELETE;
	return AFB_NONE;
}

/* a request of an INVITE dialog that engages the relay itself (a BYE, an
 * offer or answer) or may in its reply (a re-INVITE, UPDATE or PRACK
 * without SDP gets the offer back) */
static int may_engage(const afb_facts_t *f)
{
	switch(f->method) {
		case AFB_M_INVITE:
		case AFB_M_UPDATE:
		case AFB_M_PRACK:
		case AFB_M_BYE:
			return 1;
		case AFB_M_ACK:
			return f->has_sdp;
		default:
			return 0;
	}
}

int afb_decide(const afb_facts_t *f, char ipv6_side, afb_decision_t *d)
{
	enum afb_action a;

	afb_direction(f->from_af, f->to_af, ipv6_side, d->dir);
	d->crossing = d->dir[0] != '\0' && f->from_af != f->to_af;
	d->forged = 0;
	/* every INVITE dialog this proxy Record-Routes carries a mark: a
	 * request of one without a valid mark leaves the relay alone */
	if(f->bridged == AFB_MARK_BAD
			&& (f->route == AFB_RT_REQUEST || f->route == AFB_RT_BRANCH)
			&& may_engage(f)) {
		d->forged = 1;
		d->action = AFB_NONE;
		return -1;
	}
	switch(f->route) {
		case AFB_RT_REQUEST:
		case AFB_RT_BRANCH:
			a = request_action(f);
			break;
		case AFB_RT_REPLY:
			a = reply_action(f);
			break;
		case AFB_RT_FAILURE:
			a = (f->method == AFB_M_INVITE && !f->in_dialog) ? AFB_DELETE
															  : AFB_NONE;
			break;
		default:
			a = AFB_NONE;
			break;
	}
	/* the dialog's mark tells what the families of a BYE may not: with
	 * sdp_af an IPv6-signalled call can have unbridged IPv4 media, and the
	 * media of a call between two IPv4 transports can be bridged */
	if(a == AFB_DELETE && f->route != AFB_RT_FAILURE && f->route != AFB_RT_REPLY
			&& f->bridged != AFB_MARK_LATE)
		d->action = f->bridged == AFB_MARK_ON ? a : AFB_NONE;
	else
		d->action = d->crossing ? a : AFB_NONE;
	return d->action != AFB_NONE ? 1 : -1;
}

/* the address of the connection line whose "c=IN IP" ends at a (the
 * family digit and a blank follow): *n gets its length */
static const char *conn_addr(const char *a, const char *end, int *n)
{
	const char *p;

	if(end - a < 2 || a[1] != ' ')
		return NULL;
	for(p = a + 2; p < end && *p != '/' && *p != ' ' && *p != '\t'
				   && *p != '\r' && *p != '\n';
			p++)
		;
	*n = (int)(p - (a + 2));
	return a + 2;
}

int afb_sdp_text_af(const char *body, int len, afb_addr_af_f reach_af)
{
	static const char cl[] = "c=IN IP";
	const char *p = body, *end = body + len, *addr;
	const int n = sizeof(cl) - 1;
	int alen;

	if(body == NULL)
		return 0;
	while(p < end) {
		if(end - p > n && memcmp(p, cl, n) == 0) {
			if(p[n] == '4')
				return 4;
			if(p[n] == '6') {
				if(reach_af
						&& (addr = conn_addr(p + n, end, &alen)) != NULL
						&& alen > 0 && reach_af(addr, alen) == 4)
					return 4;
				return 6;
			}
		}
		p = memchr(p, '\n', end - p);
		if(p == NULL)
			break;
		p++;
	}
	return 0;
}

int afb_sdp_next_conn6(const char *body, int len, int *pos, afb_conn6_t *c)
{
	static const char cl[] = "c=IN IP6";
	const char *p, *end = body + len, *addr, *nl;
	const int n = sizeof(cl) - 1;
	int alen;

	if(body == NULL || *pos < 0 || *pos >= len)
		return 0;
	p = body + *pos;
	while(p < end) {
		nl = memchr(p, '\n', end - p);
		if(end - p > n && memcmp(p, cl, n) == 0
				&& (addr = conn_addr(p + n - 1, end, &alen)) != NULL
				&& alen > 0) {
			c->type_off = (int)(p + 2 + 3 - body); /* "c=IN " */
			c->addr_off = (int)(addr - body);
			c->addr_len = alen;
			*pos = nl ? (int)(nl + 1 - body) : len;
			return 1;
		}
		if(nl == NULL)
			break;
		p = nl + 1;
	}
	*pos = len;
	return 0;
}

/* the connection line l[0..n) (after "c=") is well-formed */
static int conn_ok(const char *l, int n, afb_addr_af_f addr_af)
{
	int af, a;

	if(n < 8 || memcmp(l, "IN IP", 5) != 0 || (l[5] != '4' && l[5] != '6')
			|| l[6] != ' ')
		return 0;
	af = l[5] - '0';
	l += 7;
	n -= 7;
	for(a = 0; a < n && l[a] != '/' && l[a] != ' ' && l[a] != '\t'; a++)
		;
	return a > 0 && addr_af(l, a) == af;
}

enum afb_sdp_problem afb_sdp_check(const char *body, int len,
		int max_streams, afb_addr_af_f addr_af, const char **line,
		int *line_len)
{
	const char *p = body, *end, *eol;
	int streams = 0, n;

	if(body == NULL || len <= 0)
		return AFB_SDP_OK;
	end = body + len;
	while(p < end) {
		eol = memchr(p, '\n', end - p);
		if(eol == NULL)
			eol = end;
		n = (int)(eol - p);
		if(n > 0 && p[n - 1] == '\r')
			n--;
		*line = p;
		*line_len = n;
		if(n >= 2 && p[0] == 'c' && p[1] == '='
				&& !conn_ok(p + 2, n - 2, addr_af))
			return AFB_SDP_BAD_CONN;
		if(n >= 2 && p[0] == 'm' && p[1] == '=' && max_streams > 0
				&& ++streams > max_streams)
			return AFB_SDP_TOO_MANY;
		p = eol + 1;
	}
	return AFB_SDP_OK;
}

const char *afb_sdp_problem_name(enum afb_sdp_problem p)
{
	switch(p) {
		case AFB_SDP_BAD_CONN:
			return "connection line without an address of its family";
		case AFB_SDP_TOO_MANY:
			return "more media streams than max_streams";
		default:
			return "none";
	}
}

const char *afb_action_name(enum afb_action a)
{
	static const char *names[] = {"none", "offer", "answer", "delete"};

	return (a >= AFB_NONE && a <= AFB_DELETE) ? names[a] : "none";
}

#define SIP_ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIP_ROUND                \
	do {                         \
		v0 += v1;                \
		v1 = SIP_ROTL(v1, 13);   \
		v1 ^= v0;                \
		v0 = SIP_ROTL(v0, 32);   \
		v2 += v3;                \
		v3 = SIP_ROTL(v3, 16);   \
		v3 ^= v2;                \
		v0 += v3;                \
		v3 = SIP_ROTL(v3, 21);   \
		v3 ^= v0;                \
		v2 += v1;                \
		v1 = SIP_ROTL(v1, 17);   \
		v1 ^= v2;                \
		v2 = SIP_ROTL(v2, 32);   \
	} while(0)

static uint64_t le64(const uint8_t *p, size_t n)
{
	uint64_t v = 0;

	while(n-- > 0)
		v |= (uint64_t)p[n] << (8 * n);
	return v;
}

uint64_t afb_siphash(const uint8_t key[16], const void *msg, size_t len)
{
	const uint8_t *m = msg, *end = m + (len & ~(size_t)7);
	uint64_t k0 = le64(key, 8), k1 = le64(key + 8, 8), mi;
	uint64_t v0 = k0 ^ 0x736f6d6570736575ULL, v1 = k1 ^ 0x646f72616e646f6dULL;
	uint64_t v2 = k0 ^ 0x6c7967656e657261ULL, v3 = k1 ^ 0x7465646279746573ULL;

	for(; m < end; m += 8) {
		mi = le64(m, 8);
		v3 ^= mi;
		SIP_ROUND;
		SIP_ROUND;
		v0 ^= mi;
	}
	mi = le64(m, len & 7) | ((uint64_t)(len & 0xff) << 56);
	v3 ^= mi;
	SIP_ROUND;
	SIP_ROUND;
	v0 ^= mi;
	v2 ^= 0xff;
	SIP_ROUND;
	SIP_ROUND;
	SIP_ROUND;
	SIP_ROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

void afb_mark_make_as(const uint8_t key[16], enum afb_mark st,
		const char *callid, int clen, char *out)
{
	static const char hex[] = "0123456789abcdef";
	uint64_t h = afb_siphash(key, callid, clen > 0 ? (size_t)clen : 0);
	uint8_t m[9];
	int i;

	if(st != AFB_MARK_ON) {
		for(i = 0; i < 8; i++)
			m[i] = (uint8_t)(h >> (8 * i));
		m[8] = (uint8_t)(st + 2);
		h = afb_siphash(key, m, sizeof(m));
	}
	for(i = AFB_MARK_LEN - 1; i >= 0; i--, h >>= 4)
		out[i] = hex[h & 0xf];
}

void afb_mark_make(
		const uint8_t key[16], const char *callid, int clen, char *out)
{
	afb_mark_make_as(key, AFB_MARK_ON, callid, clen, out);
}

int afb_mark_check(const uint8_t key[16], const char *callid, int clen,
		const char *val, int vlen)
{
	static const enum afb_mark states[] = {
			AFB_MARK_ON, AFB_MARK_OFF, AFB_MARK_LATE};
	char tok[AFB_MARK_LEN];
	int i, s, diff;

	if(vlen != AFB_MARK_LEN)
		return AFB_MARK_BAD;
	for(s = 0; s < (int)(sizeof(states) / sizeof(states[0])); s++) {
		afb_mark_make_as(key, states[s], callid, clen, tok);
		for(i = 0, diff = 0; i < AFB_MARK_LEN; i++)
			diff |= tok[i] ^ val[i];
		if(!diff)
			return states[s];
	}
	return AFB_MARK_BAD;
}
