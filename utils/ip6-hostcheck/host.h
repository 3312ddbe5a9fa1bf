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
 * \brief ip6-hostcheck :: what the tool reads on the host: /proc, the cfg
 * files, the routes of ip(8)
 */

#ifndef _HC_HOST_H_
#define _HC_HOST_H_

#include "hostcheck.h"

#define HC_NAME "ip6-hostcheck"
#define HC_MAX_PIDS 64

/* --help (help.c) */
extern const char hc_help_text[];

struct hc_opts
{
	const char *cfg;
	int pids[HC_MAX_PIDS];
	int npids;
	unsigned int port;
	int no_listen;
	const char *proc;
	int json;
};

/* the whole file, NUL-terminated (malloc'ed); NULL with errno set. A
 * hc_read_fn: arg is not used */
char *hc_read_text(const char *path, void *arg);
int hc_is_dir(const char *path);

/* check 1, and 4 for each IPv6 UDP listener: the sockets of kamailio's
 * processes (o->pids, o->port, else the processes named kamailio) */
void hc_host_listen(hc_report_t *r, const struct hc_opts *o);
/* check 2, from the sys/ tree under o->proc */
void hc_host_sysctls(
		hc_report_t *r, const struct hc_opts *o, const hc_cfg_t *cfg);

#endif
