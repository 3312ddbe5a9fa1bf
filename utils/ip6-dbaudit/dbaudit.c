/*
 * ip6-dbaudit - IPv6 field-width audit of Kamailio database schemas
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
 * \brief ip6-dbaudit :: classification, widths and the report
 */

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "ds_json.h"
#include "dbaudit.h"

/* the IPv6 worst cases; 45 = ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255 */
static const struct
{
	const char *name;
	int needed;
	const char *why;
} dba_kinds[] = {
		[DBA_NONE] = {"-", 0, ""},
		[DBA_IP] = {"ip", 45,
				"an IPv6 address with an embedded IPv4 "
				"(ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255) is 45 "
				"characters"},
		[DBA_HOST] = {"host", 47,
				"an IPv6 reference [ffff:...:255.255.255.255] is 47 "
				"characters"},
		[DBA_HOSTPORT] = {"host:port", 53,
				"[IPv6]:65535 is 47 + 6 = 53 characters"},
		[DBA_SOCKET] = {"socket", 58,
				"sctp:[IPv6]:65535 is 5 + 47 + 6 = 58 characters"},
		[DBA_ADDRURI] = {"address URI", 72,
				"sip:[IPv6]:65535;transport=sctp is 4 + 47 + 6 + 15 = 72 "
				"characters"},
		[DBA_URI] = {"URI", 138,
				"sips:<64-character user>@[IPv6]:65535;transport=sctp is 138 "
				"characters"},
		[DBA_PATH] = {"URI list", 290,
				"two <sip:[IPv6]:65535;lr;received=sip:[IPv6]:65535;"
				"transport=sctp> hops are 2 x 145 = 290 characters"}};

dba_col_t *dba_cols_add(dba_cols_t *c)
{
	dba_col_t *v;

	if(c->n == c->cap) {
		v = realloc(c->v, (c->cap ? 2 * c->cap : 64) * sizeof(dba_col_t));
		if(v == NULL) {
			fprintf(stderr, "ip6-dbaudit: out of memory\n");
			return NULL;
		}
		c->v = v;
		c->cap = c->cap ? 2 * c->cap : 64;
	}
	memset(&c->v[c->n], 0, sizeof(dba_col_t));
	return &c->v[c->n++];
}

void dba_cols_free(dba_cols_t *c)
{
	free(c->v);
	c->v = NULL;
	c->n = c->cap = 0;
}

/* name contains needle (lowercase) */
static int has(const char *name, const char *needle)
{
	return strstr(name, needle) != NULL;
}

static int ends(const char *name, const char *suffix)
{
	size_t n = strlen(name), m = strlen(suffix);

	return n >= m && strcmp(name + n - m, suffix) == 0;
}

enum dba_kind dba_classify(const char *column)
{
	char n[64];
	size_t i;

	for(i = 0; column[i] && i < sizeof(n) - 1; i++)
		n[i] = (char)tolower((unsigned char)column[i]);
	n[i] = '\0';

	/* user parts and match patterns are not addresses */
	if(has(n, "user") || has(n, "pattern"))
		return DBA_NONE;
	if(has(n, "received") || has(n, "srcaddr"))
		return DBA_ADDRURI;
	/* siptrace's fromip/toip hold proto:ip:port; relay URLs udp:host:port */
	if(has(n, "sock") || !strcmp(n, "fromip") || !strcmp(n, "toip")
			|| !strcmp(n, "url") || ends(n, "_url"))
		return DBA_SOCKET;
	if(!strcmp(n, "path") || ends(n, "_path") || has(n, "route_set"))
		return DBA_PATH;
	if(!strcmp(n, "ip") || !strcmp(n, "ip_addr") || ends(n, "_ip")
			|| !strncmp(n, "ip_", 3))
		return DBA_IP;
	if(has(n, "host"))
		return DBA_HOST;
	if(!strcmp(n, "address"))
		return DBA_HOSTPORT;
	if(has(n, "uri") || has(n, "contact") || ends(n, "_addr")
			|| !strcmp(n, "destination") || has(n, "proxy"))
		return DBA_URI;
	return DBA_NONE;
}

const char *dba_kind_name(enum dba_kind k)
{
	return dba_kinds[k].name;
}

int dba_needed(enum dba_kind k)
{
	return dba_kinds[k].needed;
}

const char *dba_why(enum dba_kind k)
{
	return dba_kinds[k].why;
}

int dba_too_narrow(const dba_col_t *c)
{
	int need = dba_needed(dba_classify(c->column));

	return need > 0 && c->size > 0 && c->size < need;
}

/* SQL string literal for a default value */
static void sql_lit(FILE *out, const char *s)
{
	fputc('\'', out);
	for(; *s; s++) {
		if(*s == '\'')
			fputc('\'', out);
		fputc(*s, out);
	}
	fputc('\'', out);
}

static void report_one(
		FILE *out, const dba_col_t *c, enum dba_format f, int first)
{
	enum dba_kind k = dba_classify(c->column);
	int need = dba_needed(k);

	switch(f) {
		case DBA_JSON:
			fprintf(out, "%s\n  {\"table\": ", first ? "" : ",");
			ds_json_put(out, c->table);
			fprintf(out, ", \"column\": ");
			ds_json_put(out, c->column);
			fprintf(out, ", \"kind\": ");
			ds_json_put(out, dba_kind_name(k));
			fprintf(out, ", \"size\": %d, \"needed\": %d, \"why\": ", c->size,
					need);
			ds_json_put(out, dba_why(k));
			fprintf(out, ", \"where\": ");
			ds_json_put(out, c->where);
			fprintf(out, "}");
			break;
		case DBA_SQL_MYSQL:
			/* MODIFY restates the column: keep its NULL and default */
			fprintf(out, "ALTER TABLE `%s` MODIFY `%s` VARCHAR(%d)", c->table,
					c->column, need);
			if(c->nullable) {
				fprintf(out, " DEFAULT NULL");
			} else {
				fprintf(out, " NOT NULL");
				if(c->has_default) {
					fprintf(out, " DEFAULT ");
					sql_lit(out, c->defval);
				}
			}
			fprintf(out, ";\n");
			break;
		case DBA_SQL_POSTGRES:
			fprintf(out, "ALTER TABLE %s ALTER COLUMN %s TYPE VARCHAR(%d);\n",
					c->table, c->column, need);
			break;
		default:
			fprintf(out, "%-22s %-20s %-12s %5d %6d  %s\n", c->table, c->column,
					dba_kind_name(k), c->size, need, dba_why(k));
			break;
	}
}

int dba_report(FILE *out, const dba_col_t *cols, int n, enum dba_format f)
{
	int i, found = 0;

	if(f == DBA_TABLE)
		fprintf(out, "%-22s %-20s %-12s %5s %6s  %s\n", "TABLE", "COLUMN",
				"HOLDS", "SIZE", "NEEDS", "WHY");
	if(f == DBA_JSON)
		fprintf(out, "[");
	for(i = 0; i < n; i++) {
		if(!dba_too_narrow(&cols[i]))
			continue;
		report_one(out, &cols[i], f, found == 0);
		found++;
	}
	if(f == DBA_JSON)
		fprintf(out, "%s]\n", found ? "\n" : "");
	if(f == DBA_TABLE)
		fprintf(out, "%d column(s) too narrow for IPv6\n", found);
	return found;
}
