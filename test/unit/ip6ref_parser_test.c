/*
 * ip6ref - unit tests for the IP address parser
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
 * \brief ip6ref :: check suite for ip6ref_parser.c
 *
 * Table driven: every row is its own loop check, so a failure names its
 * input. Inputs are copied into heap buffers of exactly their length so
 * that the ASan build catches any read past len.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <arpa/inet.h>
#include <check.h>

#include "unit.h"

#include "ip6ref/ip6ref_parser.h"

/* a literal with its full length, embedded NULs included */
#define L(x) x, (int)(sizeof(x) - 1)
#define N_ROWS(t) ((int)(sizeof(t) / sizeof((t)[0])))

/* zone parts for the longest inputs */
#define Z8 "AAAAAAAA"
#define Z32 Z8 Z8 Z8 Z8
#define E8 "%41%41%41%41%41%41%41%41"
#define E32 E8 E8 E8 E8
#define V6MAX "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255"
#define V6MAX_CANON "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"

/* printable form of s[0..len) for failure messages; two slots so that a
 * message can show two inputs */
static const char *show(const char *s, int len)
{
	static char out[2][4 * IP6R_INPUT_MAX + 64];
	static int slot;
	char *o = out[slot ^= 1];
	char *p = o;
	int i;

	if(s == NULL)
		return "(null)";
	*p++ = '"';
	for(i = 0; i < len && i < 2 * IP6R_INPUT_MAX; i++) {
		unsigned char c = (unsigned char)s[i];
		if(c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
			p += sprintf(p, "\\x%02x", c);
		else
			*p++ = (char)c;
	}
	p += sprintf(p, "\"/%d", len);
	return o;
}

/* exact-size heap copy: reading past len is an ASan error */
static char *dup_exact(const char *s, int len)
{
	char *d = malloc(len > 0 ? (size_t)len : 1);

	ck_assert_ptr_nonnull(d);
	if(len > 0)
		memcpy(d, s, (size_t)len);
	return d;
}

/* exact-size output buffer, poisoned: a write past size is an ASan error */
static char *alloc_exact(int size)
{
	char *d = malloc(size > 0 ? (size_t)size : 1);

	ck_assert_ptr_nonnull(d);
	memset(d, 'X', size > 0 ? (size_t)size : 1);
	return d;
}

static int parse_exact(const char *s, int len, ip6r_addr_t *a)
{
	char *d = dup_exact(s, len);
	int r = ip6r_parse(d, len, a);

	free(d);
	return r;
}

static int rebracket_exact(
		const char *s, int len, enum ip6r_brackets br, char *buf, int size)
{
	char *d = dup_exact(s, len);
	int r = ip6r_rebracket(d, len, br, buf, size);

	free(d);
	return r;
}

/* parse a NUL-terminated string that must be valid */
static ip6r_addr_t must_parse(const char *s)
{
	ip6r_addr_t a;

	ck_assert_msg(parse_exact(s, (int)strlen(s), &a) == 0,
			"parse %s failed", show(s, (int)strlen(s)));
	return a;
}

/* ------------------------------------------------------------------ */
/* 1. valid spellings */

struct valid_row
{
	const char *s;
	int len;
	int af;		  /* family as written */
	int ref;	  /* written as "[...]" */
	int reach;	  /* ip6r_reach_af() */
	const char *canon; /* ip6r_format(IP6R_AS_PARSED) */
};

static const struct valid_row valid[] = {
		/* RFC 4291 section 2.2, form 1 */
		{L("ABCD:EF01:2345:6789:ABCD:EF01:2345:6789"), 6, 0, 6,
				"abcd:ef01:2345:6789:abcd:ef01:2345:6789"},
		{L("2001:DB8:0:0:8:800:200C:417A"), 6, 0, 6,
				"2001:db8::8:800:200c:417a"},
		{L("FF01:0:0:0:0:0:0:101"), 6, 0, 6, "ff01::101"},
		{L("0:0:0:0:0:0:0:1"), 6, 0, 6, "::1"},
		{L("0:0:0:0:0:0:0:0"), 6, 0, 6, "::"},
		/* section 2.2, form 2 */
		{L("2001:DB8::8:800:200C:417A"), 6, 0, 6,
				"2001:db8::8:800:200c:417a"},
		{L("FF01::101"), 6, 0, 6, "ff01::101"},
		{L("::1"), 6, 0, 6, "::1"},
		{L("::"), 6, 0, 6, "::"},
		/* section 2.2, form 3 */
		{L("0:0:0:0:0:0:13.1.68.3"), 6, 0, 6, "::d01:4403"},
		{L("0:0:0:0:0:FFFF:129.144.52.38"), 6, 0, 4,
				"::ffff:129.144.52.38"},
		{L("::13.1.68.3"), 6, 0, 6, "::d01:4403"},
		{L("::FFFF:129.144.52.38"), 6, 0, 4, "::ffff:129.144.52.38"},
		/* section 2.3 prefix examples (address part) */
		{L("2001:0DB8:0000:CD30:0000:0000:0000:0000"), 6, 0, 6,
				"2001:db8:0:cd30::"},
		{L("2001:0DB8::CD30:0:0:0:0"), 6, 0, 6, "2001:db8:0:cd30::"},
		/* RFC 5952 section 2: many spellings of one address */
		{L("2001:db8:0:0:1:0:0:1"), 6, 0, 6, "2001:db8::1:0:0:1"},
		{L("2001:0db8:0:0:1:0:0:1"), 6, 0, 6, "2001:db8::1:0:0:1"},
		{L("2001:db8::1:0:0:1"), 6, 0, 6, "2001:db8::1:0:0:1"},
		{L("2001:db8::0:1:0:0:1"), 6, 0, 6, "2001:db8::1:0:0:1"},
		{L("2001:0db8::1:0:0:1"), 6, 0, 6, "2001:db8::1:0:0:1"},
		{L("2001:db8:0:0:1::1"), 6, 0, 6, "2001:db8::1:0:0:1"},
		{L("2001:db8:0000:0:1::1"), 6, 0, 6, "2001:db8::1:0:0:1"},
		{L("2001:DB8:0:0:1::1"), 6, 0, 6, "2001:db8::1:0:0:1"},
		{L("2001:db8:aaaa:bbbb:cccc:dddd:eeee:0001"), 6, 0, 6,
				"2001:db8:aaaa:bbbb:cccc:dddd:eeee:1"},
		{L("2001:db8:aaaa:bbbb:cccc:dddd:eeee:001"), 6, 0, 6,
				"2001:db8:aaaa:bbbb:cccc:dddd:eeee:1"},
		{L("2001:db8:aaaa:bbbb:cccc:dddd:eeee:01"), 6, 0, 6,
				"2001:db8:aaaa:bbbb:cccc:dddd:eeee:1"},
		{L("2001:db8:aaaa:bbbb:cccc:dddd::1"), 6, 0, 6,
				"2001:db8:aaaa:bbbb:cccc:dddd:0:1"},
		{L("2001:db8:0:0:0::1"), 6, 0, 6, "2001:db8::1"},
		{L("2001:db8:0:0::1"), 6, 0, 6, "2001:db8::1"},
		{L("2001:db8:0::1"), 6, 0, 6, "2001:db8::1"},
		{L("2001:db8:0:0:aaaa::1"), 6, 0, 6, "2001:db8::aaaa:0:0:1"},
		{L("2001:db8::AaAa"), 6, 0, 6, "2001:db8::aaaa"},
		/* RFC 5952 4.1: leading zeros removed, 0000 -> 0 */
		{L("2001:0db8::0001"), 6, 0, 6, "2001:db8::1"},
		{L("2001:db8::0"), 6, 0, 6, "2001:db8::"},
		/* 4.2.1: "::" to the maximum extent */
		{L("2001:db8:0:0:0:0:2:1"), 6, 0, 6, "2001:db8::2:1"},
		{L("2001:db8::0:1"), 6, 0, 6, "2001:db8::1"},
		/* 4.2.2: no "::" for a single 0 field */
		{L("2001:db8:0:1:1:1:1:1"), 6, 0, 6, "2001:db8:0:1:1:1:1:1"},
		{L("2001:db8::1:1:1:1:1"), 6, 0, 6, "2001:db8:0:1:1:1:1:1"},
		{L("1:0:1:0:1:0:1:0"), 6, 0, 6, "1:0:1:0:1:0:1:0"},
		{L("0:1:0:1:0:1:0:1"), 6, 0, 6, "0:1:0:1:0:1:0:1"},
		/* 4.2.3: longest run, first on ties */
		{L("2001:0:0:1:0:0:0:1"), 6, 0, 6, "2001:0:0:1::1"},
		{L("2001:db8:0:0:1:0:0:1"), 6, 0, 6, "2001:db8::1:0:0:1"},
		{L("1:0:0:1:1:0:0:1"), 6, 0, 6, "1::1:1:0:0:1"},
		{L("1:0:0:2:0:0:0:3"), 6, 0, 6, "1:0:0:2::3"},
		{L("0:0:1:0:0:0:0:0"), 6, 0, 6, "0:0:1::"},
		/* 4.3: lowercase */
		{L("2001:DB8::ABCD:EF"), 6, 0, 6, "2001:db8::abcd:ef"},
		/* section 5: IPv4-mapped */
		{L("::ffff:192.0.2.1"), 6, 0, 4, "::ffff:192.0.2.1"},
		{L("::FFFF:C000:0201"), 6, 0, 4, "::ffff:192.0.2.1"},
		{L("0::ffff:1.2.3.4"), 6, 0, 4, "::ffff:1.2.3.4"},
		{L("::ffff:0.0.0.0"), 6, 0, 4, "::ffff:0.0.0.0"},
		{L("::ffff:0:0"), 6, 0, 4, "::ffff:0.0.0.0"},
		/* not mapped: IPv4-compatible, SIIT, NAT64 stay hex */
		{L("::1.2.3.4"), 6, 0, 6, "::102:304"},
		{L("::0.0.0.0"), 6, 0, 6, "::"},
		{L("::0.0.0.1"), 6, 0, 6, "::1"},
		{L("::ffff:0:1.2.3.4"), 6, 0, 6, "::ffff:0:102:304"},
		{L("64:ff9b::192.0.2.33"), 6, 0, 6, "64:ff9b::c000:221"},
		{L("1:2:3:4:5:6:1.2.3.4"), 6, 0, 6, "1:2:3:4:5:6:102:304"},
		/* edges of "::" and group count */
		{L("1::"), 6, 0, 6, "1::"},
		{L("1:0:0:0:0:0:0:0"), 6, 0, 6, "1::"},
		{L("::1:0"), 6, 0, 6, "::1:0"},
		{L("1::2"), 6, 0, 6, "1::2"},
		{L("1:2:3:4:5:6:7:8"), 6, 0, 6, "1:2:3:4:5:6:7:8"},
		{L("0000:0000:0000:0000:0000:0000:0000:0001"), 6, 0, 6, "::1"},
		{L("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), 6, 0, 6,
				"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"},
		/* "::" for one group at the end is valid input, not canonical */
		{L("1:2:3:4:5:6:7::"), 6, 0, 6, "1:2:3:4:5:6:7:0"},
		{L("::2:3:4:5:6:7:8"), 6, 0, 6, "0:2:3:4:5:6:7:8"},
		{L("1:2:3::5:6:7:8"), 6, 0, 6, "1:2:3:0:5:6:7:8"},
		/* IPv4 */
		{L("0.0.0.0"), 4, 0, 4, "0.0.0.0"},
		{L("255.255.255.255"), 4, 0, 4, "255.255.255.255"},
		{L("192.0.2.1"), 4, 0, 4, "192.0.2.1"},
		{L("10.0.0.1"), 4, 0, 4, "10.0.0.1"},
		{L("100.20.3.0"), 4, 0, 4, "100.20.3.0"},
		/* references */
		{L("[::1]"), 6, 1, 6, "[::1]"},
		{L("[::]"), 6, 1, 6, "[::]"},
		{L("[2001:DB8::1]"), 6, 1, 6, "[2001:db8::1]"},
		{L("[1:2:3:4:5:6:7:8]"), 6, 1, 6, "[1:2:3:4:5:6:7:8]"},
		{L("[::ffff:192.0.2.1]"), 6, 1, 4, "[::ffff:192.0.2.1]"},
		{L("[::FFFF:1.2.3.4]"), 6, 1, 4, "[::ffff:1.2.3.4]"},
		/* zones: "%zone" bare, "%25zone" in a reference (RFC 6874) */
		{L("fe80::1%eth0"), 6, 0, 6, "fe80::1%eth0"},
		{L("[fe80::1%25eth0]"), 6, 1, 6, "[fe80::1%25eth0]"},
		{L("[fe80::1%25eth%30]"), 6, 1, 6, "[fe80::1%25eth0]"},
		{L("[FE80::1%25%65%74%68%30]"), 6, 1, 6, "[fe80::1%25eth0]"},
		{L("fe80::1%1"), 6, 0, 6, "fe80::1%1"},
		{L("ff02::1%Eth0"), 6, 0, 6, "ff02::1%Eth0"},
		{L("fe80::1%a-b.c_d~e"), 6, 0, 6, "fe80::1%a-b.c_d~e"},
		/* bare: "25eth0" is simply the zone */
		{L("fe80::1%25eth0"), 6, 0, 6, "fe80::1%25eth0"},
		{L("fe80::1%" Z32), 6, 0, 6, "fe80::1%" Z32},
		{L("[fe80::1%25" Z32 "]"), 6, 1, 6, "[fe80::1%25" Z32 "]"},
		/* the longest input: exactly IP6R_INPUT_MAX */
		{L("[" V6MAX "%25" E32 "]"), 6, 1, 6,
				"[" V6MAX_CANON "%25" Z32 "]"},
		/* only s[0..len) is read */
		{"::1x", 3, 6, 0, 6, "::1"},
		{"::1%", 3, 6, 0, 6, "::1"},
		{"1::2:3", 4, 6, 0, 6, "1::2"},
		{"1.2.3.45", 7, 4, 0, 4, "1.2.3.4"},
		{"::ffff:1.2.3.4.5", 14, 6, 0, 4, "::ffff:1.2.3.4"},
		{"[::1]]", 5, 6, 1, 6, "[::1]"},
		{"fe80::1%eth0 ", 12, 6, 0, 6, "fe80::1%eth0"},
		{"::1\0garbage", 3, 6, 0, 6, "::1"},
};

START_TEST(test_valid)
{
	const struct valid_row *r = &valid[_i];
	const char *in = show(r->s, r->len);
	ip6r_addr_t a;
	char buf[IP6R_TEXT_MAX];
	int n;

	ck_assert_msg(parse_exact(r->s, r->len, &a) == 0, "%s rejected", in);
	ck_assert_msg(parse_exact(r->s, r->len, NULL) == 0,
			"%s rejected with a == NULL", in);
	ck_assert_msg(a.af == r->af, "%s: af %d", in, a.af);
	ck_assert_msg(a.ref == r->ref, "%s: ref %d", in, a.ref);
	ck_assert_msg(ip6r_reach_af(&a) == r->reach, "%s: reach %d", in,
			ip6r_reach_af(&a));
	ck_assert_msg(ip6r_is_v4(&a) == (r->reach == 4), "%s: is_v4 %d", in,
			ip6r_is_v4(&a));
	n = ip6r_format(&a, IP6R_AS_PARSED, buf, sizeof(buf));
	ck_assert_msg(n == (int)strlen(r->canon) && strcmp(buf, r->canon) == 0,
			"%s: canonical \"%s\" (%d), want \"%s\"", in, buf, n, r->canon);
}
END_TEST

/* ------------------------------------------------------------------ */
/* 2. invalid spellings */

struct invalid_row
{
	const char *s;
	int len;
};

static const struct invalid_row invalid[] = {
		{L("")},
		/* brackets */
		{L("[")},
		{L("]")},
		{L("[]")},
		{L("[::1")},
		{L("::1]")},
		{L("[::1]]")},
		{L("[[::1]]")},
		{L("[ ::1]")},
		{L("[::1]x")},
		{L("x[::1]")},
		{L("[::1]:5060")},
		{L("[1.2.3.4]")},
		{L("[1]")},
		{L("[12]")},
		/* IPv4 */
		{L("1")},
		{L("1.2.3")},
		{L("1.2.3.4.5")},
		{L("1.2.3.4.")},
		{L(".1.2.3.4")},
		{L("1..2.3")},
		{L("1.2.3.04")},
		{L("01.2.3.4")},
		{L("00.0.0.0")},
		{L("1.2.3.00")},
		{L("256.1.1.1")},
		{L("1.2.3.256")},
		{L("1000.1.1.1")},
		{L("1.2.3.-4")},
		{L("+1.2.3.4")},
		{L("0x1.2.3.4")},
		{L("1.2.3.4/24")},
		{L("1.2.3.4:5060")},
		{L("1.2.3.4%eth0")},
		{L("1.2.3.4::")},
		/* IPv6 */
		{L(":")},
		{L("::g")},
		{L(":::")},
		{L("1:::2")},
		{L(":1::2")},
		{L(":1")},
		{L("1:")},
		{L("1:2")},
		{L("1::2:")},
		{L("1:2:3:4:5:6:7")},
		{L("1:2:3:4:5:6:7:8::")},
		{L("::1:2:3:4:5:6:7:8")},
		{L("1:2:3:4::5:6:7:8")},
		{L("1:2:3:4:5:6:7:8:9")},
		{L("12345::")},
		{L("::12345")},
		{L("1::2::3")},
		{L("::-1")},
		{L("-::1")},
		{L("0x::1")},
		/* IPv6 with a dotted quad */
		{L("::1.2.3")},
		{L("::1.2.3.04")},
		{L("::256.1.1.1")},
		{L("::1.2.3.4.5")},
		{L("::1.2.3.4:1")},
		{L("::1.2.3.4::")},
		{L("::a.2.3.4")},
		{L("::.1.2.3")},
		{L("::1234.1.2.3")},
		{L("1:2:3:4:5:6:7:1.2.3.4")},
		{L("1:2:3:4:5:6::1.2.3.4")},
		{L("::ffff:1.2.3.4%")},
		/* zones */
		{L("fe80::1%")},
		{L("%eth0")},
		{L("[%25eth0]")},
		{L("[fe80::1%eth0]")}, /* a reference needs %25 */
		{L("[fe80::1%25]")},
		{L("[fe80::1%2]")},
		{L("[fe80::1%2eth0]")},
		{L("[fe80::1%25eth0")},
		{L("[fe80::1%25eth%3]")},
		{L("[fe80::1%25eth%zz]")},
		{L("[fe80::1%25eth%2F]")}, /* '/' is not unreserved */
		{L("[fe80::1%25eth%25]")}, /* nor is '%' */
		{L("fe80::1%et h0")},
		{L("fe80::1%eth%30")}, /* no percent-encoding when bare */
		{L("fe80::1%eth0%")},
		{L("fe80::1%%eth0")},
		{L("fe80::1%eth/0")},
		{L("fe80::1%eth0]")},
		{L("fe80::1%" Z32 "A")},
		{L("[fe80::1%25" Z32 "A]")},
		{L("[fe80::1%25" E32 "%41]")},
		/* whitespace and control characters */
		{L(" ::1")},
		{L("::1 ")},
		{L("::1\n")},
		{L("\t::1")},
		{L("1.2.3.4 ")},
		/* embedded NUL, explicit length */
		{L("::1\0")},
		{L("::\0" "1")},
		{L("\0::1")},
		{L("1.2.3.4\0")},
		{L("1.2\0.3.4")},
		{L("[::1\0]")},
		{L("fe80::1%eth\0")},
		/* hostnames */
		{L("example.com")},
		{L("localhost")},
		{L("cafe")},
		{L("dead:beef")},
		/* IP6R_INPUT_MAX + 1 characters */
		{L("[" V6MAX "%25" E32 "A]")},
		{L("[" V6MAX "%25" E32 "]]")},
};

START_TEST(test_invalid)
{
	const struct invalid_row *r = &invalid[_i];
	const char *in = show(r->s, r->len);
	ip6r_addr_t a;
	char buf[IP6R_TEXT_MAX];

	ck_assert_msg(parse_exact(r->s, r->len, &a) == -1, "%s accepted", in);
	ck_assert_msg(parse_exact(r->s, r->len, NULL) == -1,
			"%s accepted with a == NULL", in);
	ck_assert_msg(rebracket_exact(r->s, r->len, IP6R_AS_PARSED, buf,
						  sizeof(buf))
						  == -1,
			"%s: rebracket AS_PARSED", in);
	ck_assert_msg(
			rebracket_exact(r->s, r->len, IP6R_REF, buf, sizeof(buf)) == -1,
			"%s: rebracket REF", in);
	ck_assert_msg(
			rebracket_exact(r->s, r->len, IP6R_BARE, buf, sizeof(buf)) == -1,
			"%s: rebracket BARE", in);
}
END_TEST

/* NULL, negative lengths and the input limit */
START_TEST(test_limits)
{
	static const char max[] = "[" V6MAX "%25" E32 "]";
	ip6r_addr_t a;
	char buf[IP6R_TEXT_MAX];
	char *tiny;

	ck_assert_int_eq(ip6r_parse(NULL, 0, &a), -1);
	ck_assert_int_eq(ip6r_parse(NULL, 3, &a), -1);
	ck_assert_int_eq(ip6r_parse(NULL, 0, NULL), -1);
	ck_assert_int_eq(ip6r_parse("::1", -1, &a), -1);
	ck_assert_int_eq(ip6r_parse("::1", -3, &a), -1);
	ck_assert_int_eq(ip6r_parse("::1", 0, &a), -1);
	ck_assert_int_eq(ip6r_rebracket(NULL, 0, IP6R_REF, buf, sizeof(buf)), -1);
	ck_assert_int_eq(
			ip6r_rebracket("::1", -1, IP6R_REF, buf, sizeof(buf)), -1);
	/* the bound is exact: IP6R_INPUT_MAX chars parse, one more does not */
	ck_assert_int_eq((int)sizeof(max) - 1, IP6R_INPUT_MAX);
	ck_assert_int_eq(parse_exact(max, IP6R_INPUT_MAX, &a), 0);
	/* "rejected unread": a 3 byte buffer claimed to be longer than
	 * IP6R_INPUT_MAX must not be touched (ASan would report it) */
	tiny = dup_exact("::1", 3);
	ck_assert_int_eq(ip6r_parse(tiny, IP6R_INPUT_MAX + 1, &a), -1);
	ck_assert_int_eq(ip6r_rebracket(tiny, IP6R_INPUT_MAX + 1, IP6R_BARE, buf,
							 sizeof(buf)),
			-1);
	free(tiny);
}
END_TEST

/* ------------------------------------------------------------------ */
/* 3. ip6r_equal */

struct equal_row
{
	const char *a;
	const char *b;
	int eq;
};

static const struct equal_row equal[] = {
		{"::1", "[::1]", 1},
		{"::1", "0:0:0:0:0:0:0:1", 1},
		{"[::1]", "0000::0001", 1},
		{"0:0:0:0:0:0:0:1", "0000::0001", 1},
		{"2001:DB8::1", "2001:db8:0::1", 1},
		{"2001:db8::1:0:0:1", "2001:DB8:0:0:1::1", 1},
		{"::ffff:192.0.2.1", "192.0.2.1", 1},
		{"192.0.2.1", "::FFFF:c000:201", 1},
		{"::FFFF:c000:201", "[::ffff:192.0.2.1]", 1},
		{"[::ffff:192.0.2.1]", "192.0.2.1", 1},
		{"fe80::1%eth0", "[fe80::1%25eth0]", 1},
		{"fe80::1%eth0", "[fe80::1%25eth%30]", 1},
		{"fe80::1%eth0", "fe80::1%eth1", 0},
		{"fe80::1%eth0", "fe80::1", 0},
		{"fe80::1%eth1", "fe80::1", 0},
		{"fe80::1%eth0", "fe80::1%Eth0", 0}, /* zones compared exactly */
		{"fe80::1%eth0", "fe80::1%eth00", 0},
		{"::1", "::2", 0},
		{"::1", "1::", 0},
		{"::", "0.0.0.0", 0},
		{"::1.2.3.4", "1.2.3.4", 0}, /* IPv4-compatible is not IPv4 */
		{"::ffff:0:1.2.3.4", "1.2.3.4", 0},
		{"1.2.3.4", "1.2.3.5", 0},
};

START_TEST(test_equal)
{
	const struct equal_row *r = &equal[_i];
	ip6r_addr_t a = must_parse(r->a);
	ip6r_addr_t b = must_parse(r->b);

	ck_assert_msg(ip6r_equal(&a, &b) == r->eq, "equal(%s, %s) != %d",
			r->a, r->b, r->eq);
	ck_assert_msg(ip6r_equal(&b, &a) == r->eq, "equal(%s, %s) != %d",
			r->b, r->a, r->eq);
	ck_assert_msg(ip6r_equal(&a, &a) == 1, "%s != itself", r->a);
}
END_TEST

/* ------------------------------------------------------------------ */
/* 4. ip6r_format with explicit bracket modes */

struct format_row
{
	const char *s;
	enum ip6r_brackets br;
	const char *out;
};

static const struct format_row format[] = {
		{"::1", IP6R_REF, "[::1]"},
		{"::1", IP6R_BARE, "::1"},
		{"::1", IP6R_AS_PARSED, "::1"},
		{"[::1]", IP6R_BARE, "::1"},
		{"[::1]", IP6R_REF, "[::1]"},
		{"[::1]", IP6R_AS_PARSED, "[::1]"},
		{"[2001:DB8::0001]", IP6R_BARE, "2001:db8::1"},
		{"::ffff:1.2.3.4", IP6R_REF, "[::ffff:1.2.3.4]"},
		{"[::ffff:1.2.3.4]", IP6R_BARE, "::ffff:1.2.3.4"},
		/* IPv4 never gets brackets */
		{"1.2.3.4", IP6R_REF, "1.2.3.4"},
		{"1.2.3.4", IP6R_BARE, "1.2.3.4"},
		{"1.2.3.4", IP6R_AS_PARSED, "1.2.3.4"},
		/* the zone delimiter follows the brackets */
		{"fe80::1%eth0", IP6R_REF, "[fe80::1%25eth0]"},
		{"fe80::1%eth0", IP6R_BARE, "fe80::1%eth0"},
		{"[fe80::1%25eth0]", IP6R_BARE, "fe80::1%eth0"},
		{"[fe80::1%25eth0]", IP6R_REF, "[fe80::1%25eth0]"},
		{"[fe80::1%25eth%30]", IP6R_BARE, "fe80::1%eth0"},
		{"[fe80::1%25eth%30]", IP6R_REF, "[fe80::1%25eth0]"},
		{"fe80::1%25eth0", IP6R_REF, "[fe80::1%2525eth0]"},
};

START_TEST(test_format)
{
	const struct format_row *r = &format[_i];
	ip6r_addr_t a = must_parse(r->s);
	ip6r_addr_t b;
	char buf[IP6R_TEXT_MAX];
	int n;

	n = ip6r_format(&a, r->br, buf, sizeof(buf));
	ck_assert_msg(n == (int)strlen(r->out) && strcmp(buf, r->out) == 0,
			"format(%s, %d) = \"%s\" (%d), want \"%s\"", r->s, r->br, buf, n,
			r->out);
	/* and back: the output is the same address */
	ck_assert_msg(parse_exact(buf, n, &b) == 0 && ip6r_equal(&a, &b),
			"format(%s, %d) does not parse back", r->s, r->br);
}
END_TEST

/* every valid row in every mode: sizes 0..len fail, len + 1 fits */
START_TEST(test_format_size)
{
	const struct valid_row *r = &valid[_i];
	const char *in = show(r->s, r->len);
	enum ip6r_brackets br;
	ip6r_addr_t a;
	char full[IP6R_TEXT_MAX];
	char *buf;
	int len, size, n;

	ck_assert_int_eq(parse_exact(r->s, r->len, &a), 0);
	for(br = IP6R_AS_PARSED; br <= IP6R_BARE; br++) {
		len = ip6r_format(&a, br, full, sizeof(full));
		ck_assert_msg(len > 0 && len < IP6R_TEXT_MAX, "%s: %d", in, len);
		for(size = 0; size <= len + 1; size++) {
			buf = alloc_exact(size);
			n = ip6r_format(&a, br, buf, size);
			if(size <= len) {
				ck_assert_msg(n == -1, "%s mode %d size %d: %d", in, br, size,
						n);
			} else {
				ck_assert_msg(n == len && strcmp(buf, full) == 0,
						"%s mode %d size %d: %d", in, br, size, n);
			}
			free(buf);
		}
	}
}
END_TEST

/* ------------------------------------------------------------------ */
/* 5. ip6r_rebracket keeps the spelling */

struct rebracket_row
{
	const char *s;
	int len;
	enum ip6r_brackets br;
	const char *out;
};

static const struct rebracket_row rebracket[] = {
		{L("::FFFF:1.2.3.4"), IP6R_REF, "[::FFFF:1.2.3.4]"},
		{L("::FFFF:1.2.3.4"), IP6R_BARE, "::FFFF:1.2.3.4"},
		{L("::FFFF:1.2.3.4"), IP6R_AS_PARSED, "::FFFF:1.2.3.4"},
		{L("[2001:DB8::0001]"), IP6R_BARE, "2001:DB8::0001"},
		{L("[2001:DB8::0001]"), IP6R_REF, "[2001:DB8::0001]"},
		{L("[2001:DB8::0001]"), IP6R_AS_PARSED, "[2001:DB8::0001]"},
		{L("0:0:0:0:0:0:13.1.68.3"), IP6R_REF, "[0:0:0:0:0:0:13.1.68.3]"},
		{L("[0:0::1]"), IP6R_BARE, "0:0::1"},
		/* IPv4 unchanged in any mode */
		{L("1.2.3.4"), IP6R_REF, "1.2.3.4"},
		{L("1.2.3.4"), IP6R_BARE, "1.2.3.4"},
		{L("1.2.3.4"), IP6R_AS_PARSED, "1.2.3.4"},
		/* zones: delimiter converted, zone decoded */
		{L("[fe80::1%25eth%30]"), IP6R_BARE, "fe80::1%eth0"},
		{L("[fe80::1%25eth%30]"), IP6R_AS_PARSED, "[fe80::1%25eth0]"},
		{L("[FE80::1%25eth0]"), IP6R_BARE, "FE80::1%eth0"},
		{L("FE80::1%eth0"), IP6R_REF, "[FE80::1%25eth0]"},
		{L("fe80::1%eth0"), IP6R_BARE, "fe80::1%eth0"},
		{L("fe80::1%eth0"), IP6R_AS_PARSED, "fe80::1%eth0"},
		/* only s[0..len) is used */
		{"::1x", 3, IP6R_REF, "[::1]"},
		{"[::1]]", 5, IP6R_BARE, "::1"},
};

START_TEST(test_rebracket)
{
	const struct rebracket_row *r = &rebracket[_i];
	const char *in = show(r->s, r->len);
	int want = (int)strlen(r->out);
	char buf[IP6R_TEXT_MAX];
	char *small;
	int n, size;

	n = rebracket_exact(r->s, r->len, r->br, buf, sizeof(buf));
	ck_assert_msg(n == want && strcmp(buf, r->out) == 0,
			"rebracket(%s, %d) = \"%s\" (%d), want \"%s\"", in, r->br,
			n >= 0 ? buf : "", n, r->out);
	for(size = 0; size <= want + 1; size++) {
		small = alloc_exact(size);
		n = rebracket_exact(r->s, r->len, r->br, small, size);
		ck_assert_msg(n == (size <= want ? -2 : want),
				"rebracket(%s, %d) size %d: %d", in, r->br, size, n);
		free(small);
	}
}
END_TEST

/* every valid row in every mode: same address, brackets as asked */
START_TEST(test_rebracket_valid)
{
	const struct valid_row *r = &valid[_i];
	const char *in = show(r->s, r->len);
	enum ip6r_brackets br;
	ip6r_addr_t a, b;
	char buf[IP6R_TEXT_MAX];
	int n, ref;

	ck_assert_int_eq(parse_exact(r->s, r->len, &a), 0);
	for(br = IP6R_AS_PARSED; br <= IP6R_BARE; br++) {
		n = rebracket_exact(r->s, r->len, br, buf, sizeof(buf));
		ck_assert_msg(n > 0 && n < IP6R_TEXT_MAX, "%s mode %d: %d", in, br, n);
		ck_assert_msg(parse_exact(buf, n, &b) == 0 && ip6r_equal(&a, &b),
				"%s mode %d: \"%s\" is another address", in, br, buf);
		ref = a.af == 6 && (br == IP6R_REF || (br == IP6R_AS_PARSED && a.ref));
		ck_assert_msg(b.ref == ref && b.af == a.af, "%s mode %d: \"%s\"", in,
				br, buf);
	}
}
END_TEST

/* ------------------------------------------------------------------ */
/* 6. properties */

/* canonical text is a fixed point and the same address */
START_TEST(test_canon_props)
{
	const struct valid_row *r = &valid[_i];
	const char *in = show(r->s, r->len);
	ip6r_addr_t a, b;
	char c1[IP6R_TEXT_MAX], c2[IP6R_TEXT_MAX];
	int n1, n2;

	ck_assert_int_eq(parse_exact(r->s, r->len, &a), 0);
	n1 = ip6r_format(&a, IP6R_AS_PARSED, c1, sizeof(c1));
	ck_assert_msg(parse_exact(c1, n1, &b) == 0, "%s: \"%s\" rejected", in, c1);
	ck_assert_msg(ip6r_equal(&a, &b), "%s: \"%s\" differs", in, c1);
	ck_assert_msg(b.af == a.af && b.ref == a.ref, "%s: \"%s\" af/ref", in, c1);
	n2 = ip6r_format(&b, IP6R_AS_PARSED, c2, sizeof(c2));
	ck_assert_msg(n1 == n2 && strcmp(c1, c2) == 0,
			"%s: canon \"%s\" -> \"%s\"", in, c1, c2);
}
END_TEST

/* one row as glibc sees it; 0 when glibc cannot express it */
static int glibc_row(const char *s, int len, char *txt)
{
	if(len < 0 || len >= 2 * IP6R_INPUT_MAX)
		return 0;
	/* inet_pton stops at a NUL and knows no brackets or zones */
	if(memchr(s, '\0', len) || memchr(s, '[', len) || memchr(s, '%', len))
		return 0;
	memcpy(txt, s, len);
	txt[len] = '\0';
	return 1;
}

/* glibc's inet_pton of either family, IPv4 stored mapped */
static int glibc_pton(const char *txt, unsigned char *b)
{
	static const unsigned char pfx[12] = {
			0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

	if(inet_pton(AF_INET6, txt, b) == 1)
		return 6;
	if(inet_pton(AF_INET, txt, b + 12) == 1) {
		memcpy(b, pfx, 12);
		return 4;
	}
	return 0;
}

/* accepted iff glibc accepts, with the same bytes. No row needs to be
 * listed as an allowed difference: glibc 2.36 inet_pton also rejects
 * leading zeros in IPv4 (also inside IPv6), "::" standing for no group,
 * a dotted quad beyond the last 32 bits, >4 hex digits and whitespace. */
static void glibc_agree(const char *s, int len)
{
	char txt[2 * IP6R_INPUT_MAX + 1];
	unsigned char gb[16];
	ip6r_addr_t a, b;
	char canon[IP6R_TEXT_MAX];
	int ours, theirs, n;

	if(!glibc_row(s, len, txt))
		return;
	ours = parse_exact(s, len, &a) == 0;
	theirs = glibc_pton(txt, gb);
	ck_assert_msg(ours == (theirs != 0), "%s: ours %d, inet_pton %d",
			show(s, len), ours, theirs);
	if(!ours)
		return;
	ck_assert_msg(theirs == a.af, "%s: af %d, inet_pton %d", show(s, len),
			a.af, theirs);
	ck_assert_msg(memcmp(a.b, gb, 16) == 0, "%s: bytes differ from inet_pton",
			show(s, len));
	/* our canonical text reads back the same through glibc */
	b = a;
	b.zone_len = 0;
	n = ip6r_format(&b, IP6R_BARE, canon, sizeof(canon));
	ck_assert_msg(n > 0 && glibc_pton(canon, gb) && memcmp(a.b, gb, 16) == 0,
			"%s: inet_pton(\"%s\") differs", show(s, len), canon);
}

START_TEST(test_glibc_valid)
{
	ip6r_addr_t a, b;
	char canon[IP6R_TEXT_MAX];
	unsigned char gb[16];
	int n;

	glibc_agree(valid[_i].s, valid[_i].len);
	/* rows with brackets or a zone: the bare zoneless text still is
	 * glibc's address */
	ck_assert_int_eq(parse_exact(valid[_i].s, valid[_i].len, &a), 0);
	b = a;
	b.zone_len = 0;
	n = ip6r_format(&b, IP6R_BARE, canon, sizeof(canon));
	ck_assert_msg(n > 0 && glibc_pton(canon, gb) && memcmp(a.b, gb, 16) == 0,
			"%s: inet_pton(\"%s\") differs", show(valid[_i].s, valid[_i].len),
			canon);
}
END_TEST

START_TEST(test_glibc_invalid)
{
	glibc_agree(invalid[_i].s, invalid[_i].len);
}
END_TEST

/* splitmix64: fixed seed, same sequence on every run */
static uint64_t rnd_state;

static uint64_t rnd(void)
{
	uint64_t z = (rnd_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void rnd_addr(unsigned char *b)
{
	unsigned v;
	int i, j, k;

	for(i = 0; i < 8; i++) {
		v = (unsigned)rnd() & 0xffff;
		switch(rnd() % 6) {
			case 0:
			case 1:
				v = 0; /* zero groups make runs and ties */
				break;
			case 2:
				v >>= 4 * (rnd() % 4); /* short groups */
				break;
		}
		b[2 * i] = (unsigned char)(v >> 8);
		b[2 * i + 1] = (unsigned char)v;
	}
	switch(rnd() % 8) {
		case 0: /* IPv4-mapped */
			memset(b, 0, 10);
			b[10] = b[11] = 0xff;
			break;
		case 1: /* IPv4-compatible */
			memset(b, 0, 12);
			break;
		case 2: /* a forced zero run */
			i = (int)(rnd() % 8);
			j = i + 1 + (int)(rnd() % (8 - i));
			for(k = i; k < j; k++)
				b[2 * k] = b[2 * k + 1] = 0;
			break;
	}
}

#define RND_CHUNKS 8
#define RND_PER_CHUNK 25000 /* 200000 in all */

/* GLIBC DIFFERENCE: glibc 2.36 inet_ntop writes an IPv4-compatible
 * address (first 96 bits zero, 7th group non-zero; deprecated by RFC 4291
 * 2.5.5.1) as "::a.b.c.d", e.g. "::1.2.3.4"; the contract uses dotted form
 * only for IPv4-mapped and gives "::102:304". For those, glibc's text is
 * checked to be exactly that form; all other output, IPv4-mapped
 * "::ffff:a.b.c.d" included, must equal inet_ntop's. */
START_TEST(test_random)
{
	ip6r_addr_t a, b;
	char ours[IP6R_TEXT_MAX], theirs[INET6_ADDRSTRLEN];
	char v4[INET_ADDRSTRLEN], compat[INET6_ADDRSTRLEN];
	unsigned char gb[16];
	int it, n, compat_seen = 0;

	rnd_state = 0x5eed6ef00dULL + (uint64_t)_i;
	for(it = 0; it < RND_PER_CHUNK; it++) {
		memset(&a, 0, sizeof(a));
		rnd_addr(a.b);
		a.af = 6;
		if(ip6r_is_v4(&a) && (rnd() & 1))
			a.af = 4;
		n = ip6r_format(&a, IP6R_AS_PARSED, ours, sizeof(ours));
		ck_assert_msg(n > 0, "format failed");
		ck_assert_msg(parse_exact(ours, n, &b) == 0, "\"%s\" rejected", ours);
		ck_assert_msg(memcmp(a.b, b.b, 16) == 0 && b.af == a.af
							  && b.zone_len == 0,
				"\"%s\" parses to another address", ours);
		if(a.af == 4) {
			ck_assert_ptr_nonnull(inet_ntop(AF_INET, a.b + 12, v4, sizeof(v4)));
			ck_assert_str_eq(ours, v4);
			continue;
		}
		ck_assert_msg(inet_pton(AF_INET6, ours, gb) == 1
							  && memcmp(gb, a.b, 16) == 0,
				"inet_pton(\"%s\") differs", ours);
		ck_assert_ptr_nonnull(
				inet_ntop(AF_INET6, a.b, theirs, sizeof(theirs)));
		if(memcmp(a.b, "\0\0\0\0\0\0\0\0\0\0\0\0", 12) == 0
				&& (a.b[12] || a.b[13])) {
			ck_assert_ptr_nonnull(
					inet_ntop(AF_INET, a.b + 12, v4, sizeof(v4)));
			snprintf(compat, sizeof(compat), "::%s", v4);
			ck_assert_msg(strcmp(theirs, compat) == 0,
					"glibc \"%s\" for compat, expected \"%s\"", theirs, compat);
			ck_assert_msg(strchr(ours, '.') == NULL, "ours \"%s\"", ours);
			compat_seen++;
			continue;
		}
		ck_assert_msg(strcmp(ours, theirs) == 0, "ours \"%s\", glibc \"%s\"",
				ours, theirs);
	}
	/* the generator reaches the documented difference */
	ck_assert_int_gt(compat_seen, 0);
}
END_TEST

/* every byte's value as a hex digit, against the definition */
START_TEST(test_hexval)
{
	int c, want;

	for(c = 0; c < 256; c++) {
		if(c >= '0' && c <= '9')
			want = c - '0';
		else if(c >= 'a' && c <= 'f')
			want = c - 'a' + 10;
		else if(c >= 'A' && c <= 'F')
			want = c - 'A' + 10;
		else
			want = -1;
		ck_assert_msg(ip6r_hexval((char)c) == want, "byte 0x%02x: %d, want %d",
				c, ip6r_hexval((char)c), want);
	}
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("ip6ref_parser");
	TCase *tc;

	tc = tcase_create("valid");
	tcase_add_loop_test(tc, test_valid, 0, N_ROWS(valid));
	suite_add_tcase(s, tc);

	tc = tcase_create("invalid");
	tcase_add_loop_test(tc, test_invalid, 0, N_ROWS(invalid));
	tcase_add_test(tc, test_limits);
	tcase_add_test(tc, test_hexval);
	suite_add_tcase(s, tc);

	tc = tcase_create("equal");
	tcase_add_loop_test(tc, test_equal, 0, N_ROWS(equal));
	suite_add_tcase(s, tc);

	tc = tcase_create("format");
	tcase_add_loop_test(tc, test_format, 0, N_ROWS(format));
	tcase_add_loop_test(tc, test_format_size, 0, N_ROWS(valid));
	suite_add_tcase(s, tc);

	tc = tcase_create("rebracket");
	tcase_add_loop_test(tc, test_rebracket, 0, N_ROWS(rebracket));
	tcase_add_loop_test(tc, test_rebracket_valid, 0, N_ROWS(valid));
	suite_add_tcase(s, tc);

	tc = tcase_create("props");
	tcase_add_loop_test(tc, test_canon_props, 0, N_ROWS(valid));
	tcase_add_loop_test(tc, test_glibc_valid, 0, N_ROWS(valid));
	tcase_add_loop_test(tc, test_glibc_invalid, 0, N_ROWS(invalid));
	suite_add_tcase(s, tc);

	tc = tcase_create("random");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_random, 0, RND_CHUNKS);
	suite_add_tcase(s, tc);

	return s;
}
