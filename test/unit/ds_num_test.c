/*
 * Unit tests for common/: decimal numbers
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

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <check.h>

#include "unit.h"
#include "ds_num.h"

#define N_ROWS(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const struct
{
	const char *s;
	long min, max;
	int ret;
	long v;
} nums[] = {
		{"5060", 1, 65535, 0, 5060},
		{"1", 1, 65535, 0, 1},
		{"65535", 1, 65535, 0, 65535},
		{"0", 0, 10, 0, 0},
		{"007", 0, 10, 0, 7},
		{"-1", LONG_MIN, LONG_MAX, 0, -1},
		{"9223372036854775807", LONG_MIN, LONG_MAX, 0, LONG_MAX},
		/* out of range */
		{"0", 1, 65535, -1, 0},
		{"65536", 1, 65535, -1, 0},
		{"-1", 0, 10, -1, 0},
		{"9223372036854775808", LONG_MIN, LONG_MAX, -1, 0},
		/* nothing but the digits */
		{"", 0, 10, -1, 0},
		{"-", LONG_MIN, LONG_MAX, -1, 0},
		{" 5", 0, 10, -1, 0},
		{"5 ", 0, 10, -1, 0},
		{"+5", 0, 10, -1, 0},
		{"5x", 0, 10, -1, 0},
		{"0x5", 0, 10, -1, 0},
		{"abc", 0, 10, -1, 0},
		{"1e3", 0, 10000, -1, 0},
		{"00000000000000000000000000000000001", 0, 10, -1, 0},
};

START_TEST(test_long)
{
	long v = 12345;
	int r = ds_long(nums[_i].s, nums[_i].min, nums[_i].max, &v);

	ck_assert_msg(r == nums[_i].ret, "\"%s\": %d, want %d", nums[_i].s, r,
			nums[_i].ret);
	if(r == 0)
		ck_assert_msg(v == nums[_i].v, "\"%s\": %ld", nums[_i].s, v);
}
END_TEST

/* a number inside a longer text: only its len bytes count */
START_TEST(test_long_n)
{
	long v;

	ck_assert_int_eq(ds_long_n("600\n", 3, 0, 1000, &v), 0);
	ck_assert_int_eq(v, 600);
	ck_assert_int_eq(ds_long_n("600\n", 4, 0, 1000, &v), -1);
	ck_assert_int_eq(ds_long_n("12345", 2, 0, 1000, &v), 0);
	ck_assert_int_eq(v, 12);
	ck_assert_int_eq(ds_long_n("", 0, 0, 1000, &v), -1);
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("ds_num");
	TCase *tc = tcase_create("ds_num");

	tcase_add_loop_test(tc, test_long, 0, N_ROWS(nums));
	tcase_add_test(tc, test_long_n);
	suite_add_tcase(s, tc);
	return s;
}
