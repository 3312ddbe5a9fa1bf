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
 * \brief the lines of an SDP text
 */

#include <string.h>

#include "ds_sdp.h"

int ds_sdp_next_line(const char *body, int len, int *pos, ds_sdp_line_t *l)
{
	const char *p, *end, *eol;

	if(body == NULL || *pos < 0 || *pos >= len)
		return 0;
	p = body + *pos;
	end = body + len;
	eol = memchr(p, '\n', end - p);
	*pos = eol ? (int)(eol + 1 - body) : len;
	if(eol == NULL)
		eol = end;
	l->s = p;
	l->off = (int)(p - body);
	l->len = (int)(eol - p);
	if(l->len > 0 && p[l->len - 1] == '\r')
		l->len--;
	return 1;
}

int ds_sdp_conn(const ds_sdp_line_t *l, const char **addr, int *alen)
{
	static const char cl[] = "c=IN IP";
	const int n = sizeof(cl) - 1;
	const char *p, *end = l->s + l->len;

	/* "c=IN IP", the family digit, a blank */
	if(l->len < n + 2 || memcmp(l->s, cl, n) != 0
			|| (l->s[n] != '4' && l->s[n] != '6') || l->s[n + 1] != ' ')
		return 0;
	*addr = l->s + n + 2;
	for(p = *addr; p < end && *p != '/' && *p != ' ' && *p != '\t'; p++)
		;
	*alen = (int)(p - *addr);
	return l->s[n] - '0';
}
