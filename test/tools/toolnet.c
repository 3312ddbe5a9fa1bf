/*
 * Shared by the test tools: numbers and socket addresses from the
 * command line.
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

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ds_num.h"
#include "toolnet.h"

int tn_sockaddr(
		const char *ip, int port, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	char host[INET6_ADDRSTRLEN + IF_NAMESIZE + 2];
	const char *zone = NULL;
	unsigned long idx = 0;
	char *end;

	memset(ss, 0, sizeof(*ss));
	if(inet_pton(AF_INET, ip, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		*len = sizeof(*s4);
		return 0;
	}
	if(strlen(ip) >= sizeof(host))
		return -1;
	strcpy(host, ip);
	if((end = strchr(host, '%')) != NULL) {
		*end = '\0';
		zone = end + 1;
		if(*zone == '\0')
			return -1;
	}
	if(inet_pton(AF_INET6, host, &s6->sin6_addr) != 1)
		return -1;
	if(zone) {
		if(*zone >= '0' && *zone <= '9') {
			errno = 0;
			idx = strtoul(zone, &end, 10);
			if(errno || *end != '\0' || idx > UINT32_MAX)
				return -1;
		} else if((idx = if_nametoindex(zone)) == 0) {
			return -1;
		}
		s6->sin6_scope_id = (uint32_t)idx;
	}
	s6->sin6_family = AF_INET6;
	s6->sin6_port = htons((uint16_t)port);
	*len = sizeof(*s6);
	return 0;
}

static const char *tn_tool = "tool";
static void (*tn_usage)(void);

void tn_set_usage(const char *tool, void (*usage)(void))
{
	tn_tool = tool;
	tn_usage = usage;
}

void tn_bad_arg(const char *what, const char *val)
{
	fprintf(stderr, "%s: invalid %s: \"%s\"\n", tn_tool, what, val);
	if(tn_usage)
		tn_usage();
	exit(2);
}

long tn_arg_long(const char *what, const char *s, long min, long max)
{
	long v;

	if(ds_long(s, min, max, &v) < 0)
		tn_bad_arg(what, s);
	return v;
}

int64_t tn_arg_seconds(const char *what, const char *s, int64_t per_second)
{
	char *end;
	double v;

	if(*s < '0' || *s > '9')
		tn_bad_arg(what, s);
	errno = 0;
	v = strtod(s, &end);
	if(errno || *end != '\0' || v < 0 || v > 86400)
		tn_bad_arg(what, s);
	return (int64_t)(v * (double)per_second + 0.5);
}
