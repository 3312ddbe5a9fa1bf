/*
 * Unit tests for common/: a peer's bytes in a log line
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

#include <stdlib.h>
#include <string.h>
#include <check.h>

#include "unit.h"
#include "ds_escape.h"

#define L(x) x, (int)(sizeof(x) - 1)
#define N_ROWS(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const struct
{
	const char *in;
	int len;
	int size;
	const char *out;
} escs[] = {
		{L("sip:alice@[::1]:5060"), 64, "sip:alice@[::1]:5060"},
		{L("a\x1b[31mb"), 64, "a\\x1b[31mb"},
		{L("a\r\nb"), 64, "a\\x0d\\x0ab"},
		{L("nul\0in"), 64, "nul\\x00in"},
		{L("\\"), 64, "\\x5c"},
		{L("\x7f\xff"), 64, "\\x7f\\xff"},
		{"", 0, 64, ""},
		/* fits exactly: no ellipsis */
		{L("abcdef"), 7, "abcdef"},
		/* one byte too many: cut, with the mark */
		{L("abcdefg"), 7, "abc..."},
		/* an escape that would not fit is not cut in half */
		{L("ab\x01" "cdefg"), 9, "ab..."},
		{L("abc"), 3, ""},
		{L("abc"), 4, "abc"},
		{L("abcd"), 4, "..."},
		{L("abc"), 1, ""},
};

START_TEST(test_escape)
{
	/* an exact-size copy, so that a read past the end is caught (SAN=1) */
	char *in = malloc(escs[_i].len > 0 ? (size_t)escs[_i].len : 1);
	char *out = malloc((size_t)escs[_i].size);
	int n;

	ck_assert_ptr_nonnull(in);
	ck_assert_ptr_nonnull(out);
	if(escs[_i].len > 0)
		memcpy(in, escs[_i].in, (size_t)escs[_i].len);
	n = ds_escape(in, escs[_i].len, out, escs[_i].size);
	ck_assert_msg(strcmp(out, escs[_i].out) == 0, "row %d in %d: [%s]", _i,
			escs[_i].size, out);
	ck_assert_int_eq(n, (int)strlen(out));
	free(out);
	free(in);
}
END_TEST

/* ds_esc: DS_ESC_BUFS results alive at once, each cut at DS_ESC_MAX */
START_TEST(test_esc_buffers)
{
	const char *r[DS_ESC_BUFS];
	char in[2 * DS_ESC_MAX], want[2];
	int i;

	for(i = 0; i < DS_ESC_BUFS; i++) {
		want[0] = (char)('a' + i);
		r[i] = ds_esc(want, 1);
	}
	for(i = 0; i < DS_ESC_BUFS; i++) {
		want[0] = (char)('a' + i);
		want[1] = '\0';
		ck_assert_str_eq(r[i], want);
	}
	memset(in, 'x', sizeof(in));
	r[0] = ds_esc(in, (int)sizeof(in));
	ck_assert_int_eq((int)strlen(r[0]), DS_ESC_MAX - 1);
	ck_assert(strcmp(r[0] + DS_ESC_MAX - 4, "...") == 0);
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("ds_escape");
	TCase *tc = tcase_create("ds_escape");

	tcase_add_loop_test(tc, test_escape, 0, N_ROWS(escs));
	tcase_add_test(tc, test_esc_buffers);
	suite_add_tcase(s, tc);
	return s;
}
