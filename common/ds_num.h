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
 *
 * Plain C, no Kamailio headers.
 */

#ifndef _DS_NUM_H_
#define _DS_NUM_H_

#include <stddef.h>

/*! the len bytes at s as a decimal number in [min, max] into *v: all of
 * them digits, after an optional '-' (no spaces, no '+', no base
 * prefix); 0, or -1 with *v unspecified */
int ds_long_n(const char *s, size_t len, long min, long max, long *v);

/*! the same for the NUL-terminated s */
int ds_long(const char *s, long min, long max, long *v);

#endif
