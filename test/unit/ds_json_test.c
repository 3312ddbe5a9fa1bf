/*
 * Unit tests for common/: JSON strings
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

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <check.h>

#include "unit.h"
#include "ds_json.h"

#define N_ROWS(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const struct
{
	const char *in;
	size_t size;
	const char *out;
} jsons[] = {
		{"plain", 64, "plain"},
		{"a\"b", 64, "a\\\"b"},
		{"a\\b", 64, "a\\\\b"},
		{"l1\nl2\tx\r", 64, "l1\\nl2\\tx\\r"},
		{"\x01", 64, "\\u0001"},
		{"[::1]:5060", 64, "[::1]:5060"},
		/* cut, never inside an escape */
		{"abc\"", 5, "abc"},
		{"ab\"", 5, "ab\\\""},
		{"\x01\x01", 8, "\\u0001"},
		{"abc", 1, ""},
};

START_TEST(test_json)
{
	char out[64];

	memset(out, 'X', sizeof(out));
	ds_json_escape(jsons[_i].in, out, jsons[_i].size);
	ck_assert_msg(strcmp(out, jsons[_i].out) == 0,
			"row %d: \"%s\", want \"%s\"", _i, out, jsons[_i].out);
	ck_assert_msg(strlen(out) < jsons[_i].size, "row %d: past the buffer", _i);
}
END_TEST

/* ds_json_put(): the same escapes, in quotes, uncut */
START_TEST(test_json_put)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	ds_json_put(f, "t\"1 a\\b\n\x01");
	ds_json_put(f, "");
	fclose(f);
	ck_assert_str_eq(buf, "\"t\\\"1 a\\\\b\\n\\u0001\"\"\"");
	free(buf);
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("ds_json");
	TCase *tc = tcase_create("ds_json");

	tcase_add_loop_test(tc, test_json, 0, N_ROWS(jsons));
	tcase_add_test(tc, test_json_put);
	suite_add_tcase(s, tc);
	return s;
}
