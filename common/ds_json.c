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
 * \brief JSON strings (RFC 8259) for the tools' --json output
 */

#include <stdio.h>
#include <string.h>

#include "ds_json.h"

/* the JSON text of byte c: the byte itself or its escape, in buf */
static const char *json_char(unsigned char c, char buf[8])
{
	switch(c) {
		case '"':
			return "\\\"";
		case '\\':
			return "\\\\";
		case '\n':
			return "\\n";
		case '\t':
			return "\\t";
		case '\r':
			return "\\r";
	}
	if(c < 0x20)
		snprintf(buf, 8, "\\u%04x", c);
	else {
		buf[0] = (char)c;
		buf[1] = '\0';
	}
	return buf;
}

char *ds_json_escape(const char *s, char *out, size_t size)
{
	const unsigned char *p;
	const char *add;
	char buf[8];
	size_t o = 0, alen;

	if(size == 0)
		return out;
	for(p = (const unsigned char *)s; *p; p++) {
		add = json_char(*p, buf);
		alen = strlen(add);
		if(o + alen >= size)
			break; /* truncated, never in the middle of an escape */
		memcpy(out + o, add, alen);
		o += alen;
	}
	out[o] = '\0';
	return out;
}

void ds_json_put(FILE *f, const char *s)
{
	const unsigned char *p;
	char buf[8];

	fputc('"', f);
	for(p = (const unsigned char *)s; *p; p++)
		fputs(json_char(*p, buf), f);
	fputc('"', f);
}
