/*
 * ip6ref - IPv6 address and IPv6 reference helpers
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
 * \brief ip6ref :: the "ip6" transformation class
 */

#ifndef _IP6REF_TRANS_H_
#define _IP6REF_TRANS_H_

#include "core/str.h"
#include "core/pvar.h"

/*! parse function of the "ip6" transformation class */
char *ip6ref_tr_parse(str *in, trans_t *t);

#endif
