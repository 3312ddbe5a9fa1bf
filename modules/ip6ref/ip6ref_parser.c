/*
 * ip6ref - IPv6 address and IPv6 reference parser
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
 * \brief ip6ref :: the project's one IP address parser (plain C)
 */

#include <string.h>
#include <sys/socket.h>

#include "ds_af.h"

#include "ip6ref_parser.h"

static const unsigned char v4_prefix[12] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

/* the value of each byte as a hex digit, -1 for none: one load per
 * character in the group loop, not three range tests */
#define H16(x) -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1
static const signed char hexv[256] = {H16(0), H16(1), H16(2),
		0, 1, 2, 3, 4, 5, 6, 7, 8, 9, -1, -1, -1, -1, -1, -1, /* '0'-'9' */
		-1, 10, 11, 12, 13, 14, 15, -1, -1, -1, -1, -1, -1, -1, -1, -1, /* 'A' */
		H16(5),
		-1, 10, 11, 12, 13, 14, 15, -1, -1, -1, -1, -1, -1, -1, -1, -1, /* 'a' */
		H16(7), H16(8), H16(9), H16(10), H16(11), H16(12), H16(13), H16(14),
		H16(15)};
#undef H16

int ip6r_hexval(char c)
{
	return hexv[(unsigned char)c];
}

/* RFC 3986 unreserved: the characters a zone id may hold */
static int is_unreserved(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
		   || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_'
		   || c == '~';
}

/* dotted quad in p[0..len) into out[4]; strict: no leading zeros */
static int parse_v4(const char *p, int len, unsigned char *out)
{
	const char *end = p + len;
	int parts = 0;
	int v, digits;

	while(parts < 4) {
		v = 0;
		digits = 0;
		while(p < end && *p >= '0' && *p <= '9') {
			if(digits == 1 && v == 0)
				return -1;
			v = v * 10 + (*p - '0');
			if(v > 255)
				return -1;
			digits++;
			p++;
		}
		if(digits == 0)
			return -1;
		out[parts++] = (unsigned char)v;
		if(parts == 4)
			break;
		if(p >= end || *p != '.')
			return -1;
		p++;
	}
	return (p == end) ? 0 : -1;
}

/* RFC 4291 text in p[0..len) (no zone, no brackets) into out[16] */
static int parse_v6(const char *p, int len, unsigned char *out)
{
	const char *end = p + len;
	const char *start;
	unsigned char g[16];
	int n = 0; /* bytes filled in g */
	int gap = -1; /* byte index of "::" */
	int v, d, digits;

	if(len < 2)
		return -1;
	if(p[0] == ':') {
		if(p[1] != ':')
			return -1;
		gap = 0;
		p += 2;
		if(p == end)
			goto done;
	}
	for(;;) {
		start = p;
		v = 0;
		digits = 0;
		while(p < end && (d = ip6r_hexval(*p)) >= 0) {
			if(++digits > 4)
				return -1;
			v = (v << 4) | d;
			p++;
		}
		if(p < end && *p == '.') {
			/* trailing dotted quad: the last 32 bits */
			if(n > 12 || digits == 0)
				return -1;
			if(parse_v4(start, (int)(end - start), g + n) < 0)
				return -1;
			n += 4;
			break;
		}
		if(digits == 0 || n > 14)
			return -1;
		g[n++] = (unsigned char)(v >> 8);
		g[n++] = (unsigned char)(v & 0xff);
		if(p == end)
			break;
		if(*p != ':')
			return -1;
		p++;
		if(p < end && *p == ':') {
			if(gap >= 0)
				return -1;
			gap = n;
			p++;
			if(p == end)
				break;
		} else if(p == end) {
			return -1; /* a single trailing ':' */
		}
	}
done:
	if(gap >= 0) {
		/* "::" stands for at least one zero group */
		if(n > 14)
			return -1;
		memset(out, 0, 16);
		memcpy(out, g, gap);
		memcpy(out + 16 - (n - gap), g + gap, n - gap);
	} else {
		if(n != 16)
			return -1;
		memcpy(out, g, 16);
	}
	return 0;
}

/* zone text after its delimiter; pct = percent-encoding allowed (in a
 * reference). Decoded into a->zone when a is not NULL. */
static int parse_zone(const char *p, int len, int pct, ip6r_addr_t *a)
{
	const char *end = p + len;
	int n = 0;
	int hi, lo;
	char c;

	while(p < end) {
		if(*p == '%') {
			if(!pct || end - p < 3 || (hi = ip6r_hexval(p[1])) < 0
					|| (lo = ip6r_hexval(p[2])) < 0)
				return -1;
			c = (char)((hi << 4) | lo);
			p += 3;
		} else {
			c = *p++;
		}
		if(!is_unreserved(c) || n >= IP6R_ZONE_MAX)
			return -1;
		if(a)
			a->zone[n] = c;
		n++;
	}
	if(n == 0)
		return -1;
	if(a)
		a->zone_len = (unsigned char)n;
	return 0;
}

/* full parse; addr_beg and addr_end delimit the address text without
 * brackets and zone */
static int parse_any(const char *s, int len, ip6r_addr_t *a,
		const char **addr_beg, const char **addr_end)
{
	const char *p, *end, *pct;
	ip6r_addr_t tmp;
	int ref = 0;
	int i;

	if(s == NULL || len <= 0 || len > IP6R_INPUT_MAX)
		return -1;
	if(a == NULL)
		a = &tmp;
	p = s;
	end = s + len;
	if(*p == '[') {
		if(len < 4 || end[-1] != ']')
			return -1;
		ref = 1;
		p++;
		end--;
	}
	pct = memchr(p, '%', end - p);
	*addr_beg = p;
	*addr_end = pct ? pct : end;

	a->zone_len = 0;
	a->ref = (unsigned char)ref;
	if(!ref && !pct) {
		/* an IPv6 address always has a ':' within its first 5 chars */
		for(i = 0; i < 5 && i < len && s[i] != ':'; i++)
			;
		if(i == 5 || i == len) {
			if(parse_v4(s, len, a->b + 12) < 0)
				return -1;
			memcpy(a->b, v4_prefix, 12);
			a->af = 4;
			return 0;
		}
	}
	if(parse_v6(p, (int)(*addr_end - p), a->b) < 0)
		return -1;
	a->af = 6;
	if(pct) {
		if(ref) {
			/* RFC 6874: the delimiter is a percent-encoded '%' */
			if(end - pct < 3 || pct[1] != '2' || pct[2] != '5')
				return -1;
			pct += 2;
		}
		if(parse_zone(pct + 1, (int)(end - pct - 1), ref, a) < 0)
			return -1;
	}
	return 0;
}

int ip6r_parse(const char *s, int len, ip6r_addr_t *a)
{
	const char *b, *e;

	return parse_any(s, len, a, &b, &e);
}

int ip6r_is_v4(const ip6r_addr_t *a)
{
	return ds_is_v4mapped(a->b);
}

/* the one rule: common/ds_af.c (a parsed IPv4 address is stored mapped) */
int ip6r_reach_af(const ip6r_addr_t *a)
{
	return ds_reach_af(AF_INET6, a->b);
}

int ip6r_equal(const ip6r_addr_t *a, const ip6r_addr_t *b)
{
	return memcmp(a->b, b->b, 16) == 0 && a->zone_len == b->zone_len
		   && memcmp(a->zone, b->zone, a->zone_len) == 0;
}

static char *put_dec(char *p, unsigned v)
{
	if(v >= 100)
		*p++ = (char)('0' + v / 100);
	if(v >= 10)
		*p++ = (char)('0' + (v / 10) % 10);
	*p++ = (char)('0' + v % 10);
	return p;
}

static char *put_v4(char *p, const unsigned char *q)
{
	int i;

	for(i = 0; i < 4; i++) {
		if(i)
			*p++ = '.';
		p = put_dec(p, q[i]);
	}
	return p;
}

static char *put_hex(char *p, unsigned v)
{
	static const char hex[] = "0123456789abcdef";
	int shift;

	for(shift = 12; shift > 0 && (v >> shift) == 0; shift -= 4)
		;
	for(; shift >= 0; shift -= 4)
		*p++ = hex[(v >> shift) & 0xf];
	return p;
}

/* longest run of >= 2 zero groups, first on ties; *run_len 0 if none */
static int zero_run(const unsigned char *b, int *run_len)
{
	int best = -1, best_len = 0;
	int i, j;

	for(i = 0; i < 8; i = j + 1) {
		for(j = i; j < 8 && b[2 * j] == 0 && b[2 * j + 1] == 0; j++)
			;
		if(j - i > best_len) {
			best = i;
			best_len = j - i;
		}
	}
	*run_len = best_len >= 2 ? best_len : 0;
	return best;
}

/* canonical IPv6 text (no brackets, no zone) at p */
static char *put_v6(char *p, const unsigned char *b)
{
	int run, run_len, i;

	if(ds_is_v4mapped(b)) {
		memcpy(p, "::ffff:", 7);
		return put_v4(p + 7, b + 12);
	}
	run = zero_run(b, &run_len);
	for(i = 0; i < 8; i++) {
		if(run_len && i == run) {
			*p++ = ':';
			*p++ = ':';
			i += run_len - 1;
			continue;
		}
		if(i && !(run_len && i == run + run_len))
			*p++ = ':';
		p = put_hex(p, ((unsigned)b[2 * i] << 8) | b[2 * i + 1]);
	}
	return p;
}

/* the zone with its delimiter: "%zone" bare, "%25zone" in a reference
 * (zone characters are unreserved, so no further encoding is needed) */
static char *put_zone(char *p, const char *zone, int zone_len, int ref)
{
	if(zone_len == 0)
		return p;
	*p++ = '%';
	if(ref) {
		*p++ = '2';
		*p++ = '5';
	}
	memcpy(p, zone, zone_len);
	return p + zone_len;
}

static int want_ref(const ip6r_addr_t *a, enum ip6r_brackets br)
{
	if(a->af == 4)
		return 0;
	return br == IP6R_REF || (br == IP6R_AS_PARSED && a->ref);
}

int ip6r_format(
		const ip6r_addr_t *a, enum ip6r_brackets br, char *buf, int size)
{
	char tmp[IP6R_TEXT_MAX];
	/* straight into buf when any text fits, else through tmp */
	char *start = size >= IP6R_TEXT_MAX ? buf : tmp, *p = start;
	int ref = want_ref(a, br);
	int len;

	if(a->af == 4) {
		p = put_v4(p, a->b + 12);
	} else {
		if(ref)
			*p++ = '[';
		p = put_v6(p, a->b);
		p = put_zone(p, a->zone, a->zone_len, ref);
		if(ref)
			*p++ = ']';
	}
	len = (int)(p - start);
	if(len + 1 > size)
		return -1;
	if(start == tmp)
		memcpy(buf, tmp, len);
	buf[len] = '\0';
	return len;
}

int ip6r_rebracket(
		const char *s, int len, enum ip6r_brackets br, char *buf, int size)
{
	ip6r_addr_t a;
	const char *beg, *end;
	char tmp[IP6R_TEXT_MAX];
	char *p = tmp;
	int ref, n;

	if(parse_any(s, len, &a, &beg, &end) < 0)
		return -1;
	ref = want_ref(&a, br);
	if(ref)
		*p++ = '[';
	memcpy(p, beg, end - beg);
	p += end - beg;
	p = put_zone(p, a.zone, a.zone_len, ref);
	if(ref)
		*p++ = ']';
	n = (int)(p - tmp);
	if(n + 1 > size)
		return -2;
	memcpy(buf, tmp, n);
	buf[n] = '\0';
	return n;
}
