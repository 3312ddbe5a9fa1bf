/*
 * dualstack - plain-C helpers shared by the modules
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
 * \brief dualstack :: a peer's bytes made safe for a log line (plain C)
 */

#include <string.h>

#include "ds_escape.h"

static int ds_esc_len(unsigned char c)
{
	return (c < 0x20 || c >= 0x7f || c == '\\') ? 4 : 1;
}

int ds_escape(const char *in, int len, char *out, int size)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char c;
	int i, o = 0, k, reserve;

	if(out == NULL || size <= 0)
		return 0;
	if(in == NULL)
		len = 0;
	/* when it all does not fit, keep room for the "..." */
	for(i = 0, k = 0; i < len && k < size; i++)
		k += ds_esc_len((unsigned char)in[i]);
	reserve = k > size - 1 ? 3 : 0;
	for(i = 0; i < len; i++) {
		c = (unsigned char)in[i];
		k = ds_esc_len(c);
		if(k > size - 1 - o - reserve) {
			if(size - 1 - o >= 3) {
				memcpy(out + o, "...", 3);
				o += 3;
			}
			break;
		}
		if(k == 1) {
			out[o++] = (char)c;
		} else {
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	out[o] = '\0';
	return o;
}

const char *ds_esc(const char *in, int len)
{
	static char buf[DS_ESC_BUFS][DS_ESC_MAX];
	static unsigned int n;
	char *b = buf[n++ % DS_ESC_BUFS];

	ds_escape(in, len, b, DS_ESC_MAX);
	return b;
}
