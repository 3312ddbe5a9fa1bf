/*
 * ip6-hostcheck - dual-stack SIP readiness of a host
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
 * \brief ip6-hostcheck :: the command line
 *
 * Read-only: host.c reads /proc and the kamailio.cfg given, the checks of
 * hostcheck.h judge what it read, report.c prints their findings.
 */

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ds_num.h"
#include "host.h"

/* ------------------------------------------------------------------ */

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, HC_NAME ": ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (see " HC_NAME " --help)\n");
	return HC_EXIT_USAGE;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {{"cfg", required_argument, 0, 'c'},
			{"pid", required_argument, 0, 'p'},
			{"port", required_argument, 0, 'P'},
			{"no-listen", no_argument, 0, 'n'},
			{"proc", required_argument, 0, 'r'}, {"json", no_argument, 0, 'j'},
			{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	struct hc_opts o = {.proc = "/proc"};
	static hc_report_t report;
	static hc_cfg_t cfg;
	int c, have_cfg = 0, cfg_errno = 0;
	long v;

	opterr = 0;
	while((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch(c) {
			case 'c':
				o.cfg = optarg;
				break;
			case 'p':
				if(ds_long(optarg, 1, INT_MAX, &v) < 0)
					return usage_error(
							"--pid wants a process id, not '%s'", optarg);
				if(o.npids >= HC_MAX_PIDS)
					return usage_error("more than 64 --pid%s", "");
				o.pids[o.npids++] = (int)v;
				break;
			case 'P':
				if(ds_long(optarg, 1, 65535, &v) < 0)
					return usage_error(
							"--port wants 1..65535, not '%s'", optarg);
				o.port = (unsigned int)v;
				break;
			case 'n':
				o.no_listen = 1;
				break;
			case 'r':
				o.proc = optarg;
				break;
			case 'j':
				o.json = 1;
				break;
			case 'h':
				fputs(hc_help_text, stdout);
				return 0;
			case ':':
				return usage_error("%s needs a value", argv[optind - 1]);
			default:
				return usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if(optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if(!hc_is_dir(o.proc))
		return usage_error("--proc: '%s' is not a directory", o.proc);

	hc_report_init(&report);
	if(!o.no_listen)
		hc_host_listen(&report, &o);
	if(o.cfg) {
		if(hc_read_cfg(o.cfg, hc_read_text, NULL, &cfg, &report) == 0)
			have_cfg = 1;
		else
			cfg_errno = errno;
	}
	hc_host_sysctls(&report, &o, have_cfg ? &cfg : NULL);
	if(o.cfg) {
		if(have_cfg)
			hc_check_cfg(&report, &cfg);
		else
			hc_add(&report, HC_FAIL, "cfg",
					"The cfg checks could not run: give the kamailio.cfg "
					"kamailio runs with (kamailio -f), readable by this user.",
					"cannot read %s: %s", o.cfg, strerror(cfg_errno));
	}

	if(o.json)
		hc_print_json(stdout, &report);
	else
		hc_print_table(stdout, &report);
	return hc_exit_status(&report);
}
