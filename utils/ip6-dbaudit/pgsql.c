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
 * \brief ip6-dbaudit :: the columns of a live PostgreSQL database (libpq,
 * optional at build time)
 */

#include <stdio.h>
#include <stdlib.h>

#include "schema.h"

#ifdef HAVE_LIBPQ

#include <libpq-fe.h>

int pg_read(const char *dsn, dba_cols_t *cols)
{
	static const char *q =
			"SELECT table_name, column_name, character_maximum_length, "
			"is_nullable, column_default FROM information_schema.columns "
			"WHERE table_schema = current_schema() "
			"AND data_type = 'character varying' "
			"ORDER BY table_name, ordinal_position";
	PGconn *conn;
	PGresult *res;
	dba_col_t *c;
	int i, ret = 0;

	conn = PQconnectdb(dsn);
	if(PQstatus(conn) != CONNECTION_OK) {
		fprintf(stderr, "ip6-dbaudit: cannot connect to the database: %s",
				PQerrorMessage(conn));
		PQfinish(conn);
		return -1;
	}
	res = PQexec(conn, q);
	if(PQresultStatus(res) != PGRES_TUPLES_OK) {
		fprintf(stderr, "ip6-dbaudit: reading the columns failed: %s",
				PQerrorMessage(conn));
		ret = -1;
	}
	for(i = 0; ret == 0 && i < PQntuples(res); i++) {
		c = dba_cols_add(cols);
		if(c == NULL) {
			ret = -1;
			break;
		}
		snprintf(c->table, sizeof(c->table), "%s", PQgetvalue(res, i, 0));
		snprintf(c->column, sizeof(c->column), "%s", PQgetvalue(res, i, 1));
		c->size = PQgetisnull(res, i, 2) ? 0 : atoi(PQgetvalue(res, i, 2));
		c->nullable = PQgetvalue(res, i, 3)[0] == 'Y';
		c->has_default = !PQgetisnull(res, i, 4);
		snprintf(c->defval, sizeof(c->defval), "%s",
				c->has_default ? PQgetvalue(res, i, 4) : "");
		snprintf(c->where, sizeof(c->where), "database");
	}
	PQclear(res);
	PQfinish(conn);
	return ret;
}

#else

int pg_read(const char *dsn, dba_cols_t *cols)
{
	fprintf(stderr, "ip6-dbaudit: built without libpq (libpq-dev): --dsn "
					"is not available\n");
	return -1;
}

#endif
