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
 *
 * Plain C, no Kamailio headers. The tools only write JSON, a few flat
 * objects of strings and numbers: escaping is all they need of it.
 * '"', '\\' and the control characters are escaped (\n, \r, \t by name,
 * the others as \u00XX); other bytes are copied as they are.
 */

#ifndef _DS_JSON_H_
#define _DS_JSON_H_

#include <stddef.h>
#include <stdio.h>

/*! the body of s as a JSON string (no quotes) into out of size bytes,
 * cut before the character that does not fit (never inside an escape),
 * NUL-terminated when size > 0; returns out */
char *ds_json_escape(const char *s, char *out, size_t size);

/*! s as a JSON string, in quotes, to f */
void ds_json_put(FILE *f, const char *s);

#endif
