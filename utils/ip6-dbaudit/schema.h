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
 * \brief ip6-dbaudit :: the two sources of columns
 */

#ifndef _DBAUDIT_SCHEMA_H_
#define _DBAUDIT_SCHEMA_H_

#include "dbaudit.h"

/*! the string columns of a table file, or of every *.xml table file of a
 * folder (in name order); 0, or -1 after printing the errors (file:line) */
int schema_read(const char *path, dba_cols_t *cols);

/*! the varchar columns of a live PostgreSQL database (libpq connection
 * string); 0, or -1 after printing the error; -1 when built without libpq */
int pg_read(const char *dsn, dba_cols_t *cols);

#endif
