/*
 * Unit tests for ip6-dbaudit's classification, widths and report
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

#include <check.h>

#include "unit.h"
#include <stdlib.h>
#include <string.h>

#include "ip6-dbaudit/dbaudit.h"

#define N_ROWS(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* the columns of Kamailio's schema that hold addresses, and some that
 * do not */
static const struct
{
	const char *column;
	enum dba_kind kind;
} kinds[] = {
		{"received", DBA_ADDRURI},
		{"a_srcaddr", DBA_ADDRURI},
		{"socket", DBA_SOCKET},
		{"caller_sock", DBA_SOCKET},
		{"socket_info", DBA_SOCKET},
		{"fromip", DBA_SOCKET}, /* siptrace: proto:ip:port */
		{"toip", DBA_SOCKET},
		{"url", DBA_SOCKET}, /* rtpproxy/rtpengine: udp:host:port */
		{"path", DBA_PATH},
		{"caller_route_set", DBA_PATH},
		{"ip_addr", DBA_IP},
		{"src_ip", DBA_IP},
		{"IP", DBA_IP},
		{"rewrite_host", DBA_HOST},
		{"hostname", DBA_HOST},
		{"address", DBA_HOSTPORT},
		{"contact", DBA_URI},
		{"callee_contact", DBA_URI},
		{"req_uri", DBA_URI},
		{"destination", DBA_URI},
		{"auth_proxy", DBA_URI},
		{"dst_addr", DBA_URI},
		/* not addresses */
		{"username", DBA_NONE},
		{"uri_user", DBA_NONE},
		{"ruri_pattern", DBA_NONE},
		{"callid", DBA_NONE},
		{"description", DBA_NONE},
		{"domain", DBA_NONE},
		{"", DBA_NONE},
};

START_TEST(test_classify)
{
	ck_assert_msg(dba_classify(kinds[_i].column) == kinds[_i].kind,
			"%s: %s, want %s", kinds[_i].column,
			dba_kind_name(dba_classify(kinds[_i].column)),
			dba_kind_name(kinds[_i].kind));
}
END_TEST

/* the widths are the lengths of the worst-case texts */
START_TEST(test_widths)
{
	ck_assert_int_eq(dba_needed(DBA_IP),
			(int)strlen("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255"));
	ck_assert_int_eq(dba_needed(DBA_HOST),
			(int)strlen("[ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255]"));
	ck_assert_int_eq(dba_needed(DBA_HOSTPORT),
			(int)strlen("[ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255]:65535"));
	ck_assert_int_eq(dba_needed(DBA_SOCKET),
			(int)strlen("sctp:[ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255]"
						":65535"));
	ck_assert_int_eq(dba_needed(DBA_ADDRURI),
			(int)strlen("sip:[ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255]"
						":65535;transport=sctp"));
	ck_assert_int_eq(dba_needed(DBA_NONE), 0);
	ck_assert(dba_needed(DBA_URI) > dba_needed(DBA_ADDRURI));
	ck_assert(dba_needed(DBA_PATH) >= 2 * dba_needed(DBA_ADDRURI));
}
END_TEST

static dba_col_t col(const char *t, const char *c, int size, int nullable,
		const char *defval)
{
	dba_col_t x;

	memset(&x, 0, sizeof(x));
	snprintf(x.table, sizeof(x.table), "%s", t);
	snprintf(x.column, sizeof(x.column), "%s", c);
	x.size = size;
	x.nullable = nullable;
	if(defval) {
		x.has_default = 1;
		snprintf(x.defval, sizeof(x.defval), "%s", defval);
	}
	snprintf(x.where, sizeof(x.where), "t.xml:1");
	return x;
}

START_TEST(test_too_narrow)
{
	dba_col_t c;

	c = col("location", "socket", 57, 1, NULL);
	ck_assert(dba_too_narrow(&c));
	c.size = 58;
	ck_assert(!dba_too_narrow(&c));
	c = col("trusted", "src_ip", 15, 0, NULL); /* sized for 255.255.255.255 */
	ck_assert(dba_too_narrow(&c));
	c = col("t", "description", 1, 0, NULL); /* not an address */
	ck_assert(!dba_too_narrow(&c));
	c = col("t", "contact", 0, 0, NULL); /* text: unlimited */
	ck_assert(!dba_too_narrow(&c));
}
END_TEST

/* the report in each format, into a memory stream */
static char *report(const dba_col_t *cols, int n, enum dba_format f, int *found)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	*found = dba_report(out, cols, n, f);
	fclose(out);
	return buf;
}

START_TEST(test_report)
{
	dba_col_t cols[3];
	char *s;
	int found;

	cols[0] = col("legacy", "socket", 32, 1, NULL);
	cols[1] = col("legacy", "received", 64, 0, "it's");
	cols[2] = col("legacy", "note", 10, 0, NULL);

	s = report(cols, 3, DBA_TABLE, &found);
	ck_assert_int_eq(found, 2);
	ck_assert_msg(strstr(s, "legacy                 socket") != NULL, "%s", s);
	ck_assert_msg(strstr(s, "2 column(s) too narrow for IPv6") != NULL, "%s", s);
	free(s);

	/* MySQL restates NULL / default (quotes doubled); PostgreSQL keeps them */
	s = report(cols, 3, DBA_SQL_MYSQL, &found);
	ck_assert_str_eq(s,
			"ALTER TABLE `legacy` MODIFY `socket` VARCHAR(58) DEFAULT NULL;\n"
			"ALTER TABLE `legacy` MODIFY `received` VARCHAR(72) NOT NULL "
			"DEFAULT 'it''s';\n");
	free(s);
	s = report(cols, 3, DBA_SQL_POSTGRES, &found);
	ck_assert_str_eq(s,
			"ALTER TABLE legacy ALTER COLUMN socket TYPE VARCHAR(58);\n"
			"ALTER TABLE legacy ALTER COLUMN received TYPE VARCHAR(72);\n");
	free(s);

	s = report(cols, 3, DBA_JSON, &found);
	ck_assert_msg(strncmp(s, "[\n  {\"table\": \"legacy\", \"column\": \"socket\"", 42)
						  == 0,
			"%s", s);
	ck_assert_msg(strstr(s, "\"size\": 64, \"needed\": 72") != NULL, "%s", s);
	ck_assert_msg(s[strlen(s) - 2] == ']', "%s", s);
	free(s);

	/* nothing narrow: an empty array, a zero count */
	s = report(cols + 2, 1, DBA_JSON, &found);
	ck_assert_int_eq(found, 0);
	ck_assert_str_eq(s, "[]\n");
	free(s);
}
END_TEST

START_TEST(test_json_escape)
{
	dba_col_t c = col("t\"1", "socket", 1, 1, NULL);
	char *s;
	int found;

	snprintf(c.where, sizeof(c.where), "a\\b\n");
	s = report(&c, 1, DBA_JSON, &found);
	ck_assert_msg(strstr(s, "\"t\\\"1\"") != NULL, "%s", s);
	ck_assert_msg(strstr(s, "\"a\\\\b\\n\"") != NULL, "%s", s);
	free(s);
}
END_TEST

START_TEST(test_cols)
{
	dba_cols_t cs = {0};
	int i;

	for(i = 0; i < 1000; i++) {
		dba_col_t *c = dba_cols_add(&cs);
		ck_assert_ptr_nonnull(c);
		ck_assert_int_eq(c->size, 0);
		c->size = i;
	}
	ck_assert_int_eq(cs.n, 1000);
	ck_assert_int_eq(cs.v[999].size, 999);
	dba_cols_free(&cs);
	ck_assert_int_eq(cs.n, 0);
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("dbaudit");
	TCase *tc = tcase_create("dbaudit");

	tcase_add_loop_test(tc, test_classify, 0, N_ROWS(kinds));
	tcase_add_test(tc, test_widths);
	tcase_add_test(tc, test_too_narrow);
	tcase_add_test(tc, test_report);
	tcase_add_test(tc, test_json_escape);
	tcase_add_test(tc, test_cols);
	suite_add_tcase(s, tc);
	return s;
}
