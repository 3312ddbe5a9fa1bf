/*
 * dualstack - unit tests for the code the modules and tools share
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
 * \brief check suite for common/: the family rule, the SDP lines, the
 * dialog mark
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <check.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "unit.h"

#include "ds_af.h"
#include "ds_mark.h"
#include "ds_sdp.h"

#define N_ROWS(t) ((int)(sizeof(t) / sizeof((t)[0])))

/* ------------------------------------------------------------------ */
/* the family used to reach an address */

static const struct
{
	const char *addr;
	int af;
} reach[] = {
		{"::ffff:192.0.2.1", 4},
		{"::ffff:0.0.0.0", 4},
		{"::1", 6},
		{"::", 6},
		{"::192.0.2.1", 6},		   /* IPv4-compatible (deprecated): IPv6 */
		{"::fffe:192.0.2.1", 6},
		{"64:ff9b::192.0.2.1", 6}, /* NAT64: IPv6 to this host */
		{"2001:db8::1", 6},
};

START_TEST(test_reach_af)
{
	unsigned char b[16];
	struct in_addr v4;

	ck_assert_int_eq(inet_pton(AF_INET6, reach[_i].addr, b), 1);
	ck_assert_msg(ds_reach_af(AF_INET6, b) == reach[_i].af, "%s",
			reach[_i].addr);
	ck_assert_int_eq(ds_is_v4mapped(b), reach[_i].af == 4);
	ck_assert_int_eq(inet_pton(AF_INET, "192.0.2.1", &v4), 1);
	ck_assert_int_eq(ds_reach_af(AF_INET, &v4), 4);
	ck_assert_int_eq(ds_reach_af(AF_UNIX, b), 0);
}
END_TEST

/* ------------------------------------------------------------------ */
/* the lines of an SDP text */

START_TEST(test_sdp_lines)
{
	/* CRLF, LF, a bare CR kept inside a line, no line end at the end */
	static const char body[] = "v=0\r\nc=IN IP6 ::1\n\r\nm=a\rb\r\nlast";
	static const char *want[] = {"v=0", "c=IN IP6 ::1", "", "m=a\rb", "last"};
	int len = (int)strlen(body), pos = 0, i = 0;
	char *copy = malloc(len); /* exactly the body: ASan sees a read past it */
	ds_sdp_line_t l;

	memcpy(copy, body, len);
	while(ds_sdp_next_line(copy, len, &pos, &l)) {
		ck_assert_int_lt(i, N_ROWS(want));
		ck_assert_msg(l.len == (int)strlen(want[i])
							  && memcmp(l.s, want[i], l.len) == 0,
				"line %d: [%.*s]", i, l.len, l.s);
		ck_assert_int_eq(l.off, (int)(l.s - copy));
		i++;
	}
	ck_assert_int_eq(i, N_ROWS(want));
	ck_assert_int_eq(pos, len);
	ck_assert_int_eq(ds_sdp_next_line(copy, len, &pos, &l), 0);
	pos = -1;
	ck_assert_int_eq(ds_sdp_next_line(copy, len, &pos, &l), 0);
	pos = 0;
	ck_assert_int_eq(ds_sdp_next_line(NULL, len, &pos, &l), 0);
	free(copy);
}
END_TEST

static const struct
{
	const char *line;
	int af;
	const char *addr; /* NULL: no connection line */
} conns[] = {
		{"c=IN IP4 192.0.2.1", 4, "192.0.2.1"},
		{"c=IN IP6 ::1/127", 6, "::1"},
		{"c=IN IP6 ::1 x", 6, "::1"},
		{"c=IN IP6 ::1\tx", 6, "::1"},
		{"c=IN IP6 ", 6, ""},
		{"c=IN IP6", 0, NULL},
		{"c=IN IP5 ::1", 0, NULL},
		{"c=IN IP6x::1", 0, NULL},
		{"c=IN  IP6 ::1", 0, NULL},
		{"m=audio 9 RTP/AVP 0", 0, NULL},
		{"", 0, NULL},
};

START_TEST(test_sdp_conn)
{
	ds_sdp_line_t l = {conns[_i].line, (int)strlen(conns[_i].line), 0};
	const char *addr = NULL;
	int alen = -1;

	ck_assert_int_eq(ds_sdp_conn(&l, &addr, &alen), conns[_i].af);
	if(conns[_i].addr == NULL)
		return;
	ck_assert_msg(alen == (int)strlen(conns[_i].addr)
						  && memcmp(addr, conns[_i].addr, alen) == 0,
			"[%s]: [%.*s]", conns[_i].line, alen, addr);
}
END_TEST

/* ------------------------------------------------------------------ */
/* the keyed mark of bridged dialogs */

/* the reference vectors of SipHash-2-4: key 00..0f, message 00..len-1 */
static const struct
{
	int len;
	uint64_t hash;
} sips[] = {
		{0, 0x726fdb47dd0e0e31ULL},
		{1, 0x74f839c593dc67fdULL},
		{7, 0xab0200f58b01d137ULL},
		{8, 0x93f5f5799a932462ULL},
		{15, 0xa129ca6149be45e5ULL},
};

static uint8_t ref_key[16], ref_msg[64];

static void ref_setup(void)
{
	int i;

	for(i = 0; i < 16; i++)
		ref_key[i] = (uint8_t)i;
	for(i = 0; i < 64; i++)
		ref_msg[i] = (uint8_t)i;
}

START_TEST(test_siphash_vectors)
{
	uint64_t h = 0;

	ref_setup();
	ck_assert_int_eq(ds_siphash(ref_key, ref_msg, sips[_i].len, &h), 0);
	ck_assert_msg(h == sips[_i].hash, "len %d: %016llx", sips[_i].len,
			(unsigned long long)h);
}
END_TEST

START_TEST(test_mark)
{
	static const char cid[] = "a84b4c76e66710@pc33.example.com";
	char tok[DS_MARK_LEN], other[DS_MARK_LEN];
	uint8_t key2[16];
	int i, n = (int)strlen(cid);

	ref_setup();
	ck_assert_int_eq(ds_mark_make(ref_key, cid, n, tok), 0);
	/* the text the marks had with the hand-written SipHash: marks made
	 * before an upgrade (with mark_secret) stay valid */
	ck_assert_msg(memcmp(tok, "8eed4a4af0bf1a3f", DS_MARK_LEN) == 0,
			"mark [%.16s]", tok);
	for(i = 0; i < DS_MARK_LEN; i++)
		ck_assert(strchr("0123456789abcdef", tok[i]) != NULL);
	ck_assert_int_eq(ds_mark_check(ref_key, cid, n, tok, DS_MARK_LEN), 1);
	/* each state's token is its own, none another's */
	ck_assert_int_eq(ds_mark_make_as(ref_key, DS_MARK_ON, cid, n, other), 0);
	ck_assert(memcmp(other, tok, DS_MARK_LEN) == 0);
	ck_assert_int_eq(ds_mark_make_as(ref_key, DS_MARK_OFF, cid, n, other), 0);
	ck_assert(memcmp(other, tok, DS_MARK_LEN) != 0);
	ck_assert_int_eq(
			ds_mark_check(ref_key, cid, n, other, DS_MARK_LEN), DS_MARK_OFF);
	ck_assert_int_eq(ds_mark_make_as(ref_key, DS_MARK_LATE, cid, n, other), 0);
	ck_assert(memcmp(other, tok, DS_MARK_LEN) != 0);
	ck_assert_int_eq(ds_mark_check(ref_key, cid, n, other, DS_MARK_LEN),
			DS_MARK_LATE);
	/* the not-bridged token of another call is not this one's */
	ds_mark_make_as(ref_key, DS_MARK_OFF, cid, n - 1, other);
	ck_assert_int_eq(ds_mark_check(ref_key, cid, n, other, DS_MARK_LEN), -2);
	/* the token of another Call-ID, under another key, cut, or altered */
	ds_mark_make(ref_key, cid, n - 1, other);
	ck_assert_int_eq(ds_mark_check(ref_key, cid, n, other, DS_MARK_LEN), -2);
	memcpy(key2, ref_key, 16);
	key2[15] ^= 1;
	ck_assert_int_eq(ds_mark_check(key2, cid, n, tok, DS_MARK_LEN), -2);
	ck_assert_int_eq(ds_mark_check(ref_key, cid, n, tok, DS_MARK_LEN - 1), -2);
	for(i = 0; i < DS_MARK_LEN; i++) {
		memcpy(other, tok, DS_MARK_LEN);
		other[i] = other[i] == 'f' ? '0' : 'f';
		ck_assert_int_eq(
				ds_mark_check(ref_key, cid, n, other, DS_MARK_LEN), -2);
	}
	/* what the 2015 script and older marks put there ("0": the unkeyed
	 * not-bridged mark of before) */
	ck_assert_int_eq(ds_mark_check(ref_key, cid, n, "1", 1), -2);
	ck_assert_int_eq(ds_mark_check(ref_key, cid, n, "0", 1), -2);
	ck_assert_int_eq(ds_mark_check(ref_key, cid, n, "", 0), -2);
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("common");
	TCase *tc;

	tc = tcase_create("reach family");
	tcase_add_loop_test(tc, test_reach_af, 0, N_ROWS(reach));
	suite_add_tcase(s, tc);

	tc = tcase_create("sdp lines");
	tcase_add_test(tc, test_sdp_lines);
	tcase_add_loop_test(tc, test_sdp_conn, 0, N_ROWS(conns));
	suite_add_tcase(s, tc);

	tc = tcase_create("dialog mark");
	tcase_add_loop_test(tc, test_siphash_vectors, 0, N_ROWS(sips));
	tcase_add_test(tc, test_mark);
	suite_add_tcase(s, tc);

	return s;
}
