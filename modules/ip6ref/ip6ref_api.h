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
 * \brief ip6ref :: conversions shared by cfg functions, KEMI, the {ip6.*}
 * transformations and the C API; bind_ip6ref() fills the api.h table
 */

#ifndef _IP6REF_API_IMPL_H_
#define _IP6REF_API_IMPL_H_

#include "core/str.h"

#include "api.h"

enum ip6ref_conv
{
	IP6REF_CANON = 0, /* RFC 5952 text, brackets as given */
	IP6REF_TO_REF,	  /* brackets added */
	IP6REF_TO_ADDR	  /* brackets removed */
};

/*! convert in according to op into buf (IP6R_TEXT_MAX bytes) and point out
 * at the result; returns 1 when in is an IP address, -1 when it is not
 * (out then points at in, unchanged) */
int ip6ref_convert(str *in, enum ip6ref_conv op, char *buf, str *out);

/*! address family used to reach in: 4, 6, or 0 when in is not an address */
int ip6ref_af(str *in);

/*! the bind_ip6ref export (see api.h and doc/ip6ref_devel.xml) */
int bind_ip6ref(ip6ref_api_t *api);

#endif
