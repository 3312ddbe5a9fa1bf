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

#ifndef _DS_ESCAPE_H_
#define _DS_ESCAPE_H_

/*! a peer's bytes in[0..len) made safe for a log line, NUL-terminated
 * in out[0..size): printable ASCII as it is, a backslash and every other
 * byte as \xNN; what does not fit ends in "..." (size >= 4 leaves room
 * for it). in NULL is empty. Returns the length written (0 when out is
 * NULL or size <= 0). */
int ds_escape(const char *in, int len, char *out, int size);

/*! in[0..len) escaped into one of DS_ESC_BUFS static buffers of
 * DS_ESC_MAX bytes, used in turn, so that up to DS_ESC_BUFS can appear in
 * one log line; per process (a Kamailio process has one thread) */
#define DS_ESC_MAX 256
#define DS_ESC_BUFS 4
const char *ds_esc(const char *in, int len);

#endif
