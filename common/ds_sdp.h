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
 * \brief the lines of an SDP text, walked once for every reader
 *
 * Plain C, no Kamailio headers. Only reads; the text need not be
 * NUL-terminated and may be any part of a body (an SDP part of a
 * multipart one).
 */

#ifndef _DS_SDP_H_
#define _DS_SDP_H_

/*! one line of an SDP text */
typedef struct ds_sdp_line
{
	const char *s; /* its first character, inside the text */
	int len;	   /* without its "\n" or "\r\n" */
	int off;	   /* offset of s in the text */
} ds_sdp_line_t;

/*! the line of body[0..len) that starts at offset *pos: fills *l, moves
 * *pos to the next line's start (len after the last) and returns 1; 0
 * when *pos is at or past the end, body is NULL or *pos < 0. A line ends
 * at "\n" or at the end of the text; a "\r" before that end is not part
 * of it. */
int ds_sdp_next_line(const char *body, int len, int *pos, ds_sdp_line_t *l);

/*! the connection line l ("c=IN IP4 <addr>..." or "c=IN IP6 <addr>..."):
 * returns the family it states, 4 or 6, with *addr and *alen what follows the
 * blank up to '/', a blank or the line end (*alen may be 0); 0 when l is
 * no such line */
int ds_sdp_conn(const ds_sdp_line_t *l, const char **addr, int *alen);

#endif
