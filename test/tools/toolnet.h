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

#ifndef _TOOLNET_H_
#define _TOOLNET_H_

#include <stdint.h>
#include <sys/socket.h>

/*! an IPv4 or IPv6 literal (no brackets; an IPv6 zone as %ifname or
 * %index) and a port into *ss / *len; 0, or -1 when ip is not one */
int tn_sockaddr(
		const char *ip, int port, struct sockaddr_storage *ss, socklen_t *len);

/*! the tool's name and its usage text (which exits), for tn_bad_arg() */
void tn_set_usage(const char *tool, void (*usage)(void));

/*! an invalid command line argument: says which, then the usage text */
void tn_bad_arg(const char *what, const char *val);

/*! a decimal integer argument in [min, max], else tn_bad_arg() */
long tn_arg_long(const char *what, const char *s, long min, long max);

/*! seconds, decimal with an optional fraction ("5", "0.5", "2.25"), at
 * most a day, in units of 1/per_second s (1000: ms), else tn_bad_arg() */
int64_t tn_arg_seconds(const char *what, const char *s, int64_t per_second);

#endif
