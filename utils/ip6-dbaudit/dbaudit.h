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
 * \brief ip6-dbaudit :: which columns hold addresses, how wide IPv6 makes
 * them, and the report (plain C: no libxml2, no libpq)
 */

#ifndef _DBAUDIT_H_
#define _DBAUDIT_H_

#include <stdio.h>

/* what a column stores, by its name */
enum dba_kind
{
	DBA_NONE = 0,
	DBA_IP,		  /* a bare address */
	DBA_HOST,	  /* a host name or an IPv6 reference */
	DBA_HOSTPORT, /* host:port */
	DBA_SOCKET,	  /* proto:host:port */
	DBA_ADDRURI,  /* sip:host:port;transport=x (received, source) */
	DBA_URI,	  /* a SIP URI with a user part */
	DBA_PATH	  /* a list of URIs (Path, route set) */
};

/* one column of one table, from a schema file or a live database */
typedef struct dba_col
{
	char table[64];
	char column[64];
	int size;	  /* characters, 0 = unlimited (text) */
	int nullable; /* NULL allowed */
	int has_default;
	char defval[64]; /* the default, when has_default and not NULL */
	char where[128]; /* file:line or "database" */
} dba_col_t;

/* a growing array of columns */
typedef struct dba_cols
{
	dba_col_t *v;
	int n, cap;
} dba_cols_t;

/*! a new zeroed column at the end, NULL (logged) when out of memory */
dba_col_t *dba_cols_add(dba_cols_t *c);
void dba_cols_free(dba_cols_t *c);

/*! the kind of a column by its (case-insensitive) name */
enum dba_kind dba_classify(const char *column);

const char *dba_kind_name(enum dba_kind k);

/*! characters the IPv6 worst case of the kind needs, 0 for DBA_NONE */
int dba_needed(enum dba_kind k);

/*! why, in one line: the worst-case text and its length */
const char *dba_why(enum dba_kind k);

/*! 1 when c stores addresses and is narrower than their IPv6 worst case */
int dba_too_narrow(const dba_col_t *c);

enum dba_format
{
	DBA_TABLE = 0,
	DBA_JSON,
	DBA_SQL_MYSQL,
	DBA_SQL_POSTGRES
};

/*! print the columns of cols[0..n) that are too narrow in the format;
 * returns how many there were */
int dba_report(FILE *out, const dba_col_t *cols, int n, enum dba_format f);

#endif
