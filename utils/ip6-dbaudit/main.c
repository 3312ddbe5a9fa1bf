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
 * \brief ip6-dbaudit :: command line
 */

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <libxml/parser.h>

#include "dbaudit.h"
#include "schema.h"

static const char *help =
		"NAME\n"
		"    ip6-dbaudit - find Kamailio database columns too narrow for IPv6\n"
		"\n"
		"SYNOPSIS\n"
		"    ip6-dbaudit [--json | --sql mysql|postgres] [SCHEMA]\n"
		"    ip6-dbaudit --dsn CONNINFO [--json | --sql postgres]\n"
		"\n"
		"DESCRIPTION\n"
		"    Turning IPv6 on breaks things far from the SIP code: a column\n"
		"    sized for 255.255.255.255 truncates an IPv6 address. ip6-dbaudit\n"
		"    reads Kamailio's database schema - the XML table files of its\n"
		"    source tree (src/lib/srdb1/schema/*.xml), a folder of them or one\n"
		"    file given as SCHEMA - or the columns of a live PostgreSQL\n"
		"    database, finds every string column that stores an IP address,\n"
		"    a host, a socket, a received URI, a contact or other URI, a path\n"
		"    or route set (by its name), and reports those narrower than\n"
		"    their IPv6 worst case, with the width they need and why:\n"
		"\n"
		"      ip           45  ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255\n"
		"      host         47  the same as an IPv6 reference [...]\n"
		"      host:port    53  [IPv6]:65535\n"
		"      socket       58  sctp:[IPv6]:65535\n"
		"      address URI  72  sip:[IPv6]:65535;transport=sctp (received)\n"
		"      URI         138  sips:<64-char user>@[IPv6]:65535;transport=sctp\n"
		"      URI list    290  two Path/Route hops with lr and received\n"
		"\n"
		"OPTIONS\n"
		"    SCHEMA            a schema folder (every *.xml table file in it;\n"
		"                      entities.xml is read through them) or one table\n"
		"                      file; in this project the build fetches one to\n"
		"                      build/kamailio-*/src/lib/srdb1/schema\n"
		"    --dsn CONNINFO    audit a live PostgreSQL database (libpq\n"
		"                      connection string, e.g. \"host=127.0.0.1\n"
		"                      port=5432 dbname=kamailio user=kamailio\")\n"
		"    --json            the findings as a JSON array\n"
		"    --sql mysql|postgres\n"
		"                      the ALTER TABLE statements that widen them\n"
		"    -h, --help        this text\n"
		"\n"
		"EXIT STATUS\n"
		"    0  no column too narrow\n"
		"    1  some columns too narrow (reported)\n"
		"    2  the schema or the database could not be read (the errors name\n"
		"       the file and line)\n"
		"    3  bad usage\n"
		"\n"
		"EXAMPLES\n"
		"    ip6-dbaudit build/kamailio-5.6.3/src/lib/srdb1/schema\n"
		"    ip6-dbaudit --sql postgres --dsn \"dbname=kamailio\" | psql kamailio\n";

int main(int argc, char **argv)
{
	static const struct option opts[] = {{"dsn", required_argument, 0, 'd'},
			{"json", no_argument, 0, 'j'}, {"sql", required_argument, 0, 's'},
			{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	enum dba_format fmt = DBA_TABLE;
	const char *dsn = NULL, *path = NULL;
	dba_cols_t cols = {0};
	int o, ret, found;

	while((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch(o) {
			case 'd':
				dsn = optarg;
				break;
			case 'j':
				fmt = DBA_JSON;
				break;
			case 's':
				if(strcmp(optarg, "mysql") == 0)
					fmt = DBA_SQL_MYSQL;
				else if(strcmp(optarg, "postgres") == 0)
					fmt = DBA_SQL_POSTGRES;
				else {
					fprintf(stderr, "ip6-dbaudit: --sql mysql or postgres, "
									"not %s\n",
							optarg);
					return 3;
				}
				break;
			case 'h':
				fputs(help, stdout);
				return 0;
			default:
				fprintf(stderr, "see ip6-dbaudit --help\n");
				return 3;
		}
	}
	if(optind < argc)
		path = argv[optind++];
	if(optind < argc || (dsn && path)) {
		fprintf(stderr, "ip6-dbaudit: one SCHEMA or --dsn; see --help\n");
		return 3;
	}
	if(dsn && fmt == DBA_SQL_MYSQL) {
		fprintf(stderr, "ip6-dbaudit: --dsn reads PostgreSQL: use --sql "
						"postgres\n");
		return 3;
	}
	if(dsn == NULL && path == NULL) {
		fprintf(stderr, "ip6-dbaudit: no SCHEMA given; see --help\n");
		return 3;
	}
	ret = dsn ? pg_read(dsn, &cols) : schema_read(path, &cols);
	if(ret < 0) {
		dba_cols_free(&cols);
		xmlCleanupParser();
		return 2;
	}
	found = dba_report(stdout, cols.v, cols.n, fmt);
	dba_cols_free(&cols);
	xmlCleanupParser();
	return found ? 1 : 0;
}
