/*
 * dualstack - code shared by the modules and the tools
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
 * \brief decimal numbers from the command line and from /proc
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ds_num.h"

int ds_long_n(const char *s, size_t len, long min, long max, long *v)
{
	char buf[32]; /* a long has 20 characters at most */
	char *end;
	size_t i;

	if(len == 0 || len >= sizeof(buf))
		return -1;
	for(i = (s[0] == '-'); i < len; i++)
		if(s[i] < '0' || s[i] > '9')
			return -1;
	if(s[0] == '-' && len == 1)
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	errno = 0;
	*v = strtol(buf, &end, 10);
	return (errno || *end != '\0' || *v < min || *v > max) ? -1 : 0;
}

int ds_long(const char *s, long min, long max, long *v)
{
	return ds_long_n(s, strlen(s), min, max, v);
}
