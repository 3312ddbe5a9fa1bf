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
 * \brief ip6ref :: the conversions that the cfg functions, KEMI, the
 * {ip6.*} transformations and the C API (api.h, bind_ip6ref) share
 */

#include "ip6ref_parser.h"
#include "ip6ref_api.h"

int ip6ref_convert(str *in, enum ip6ref_conv op, char *buf, str *out)
{
	ip6r_addr_t a;
	int n;

	switch(op) {
		case IP6REF_CANON:
			n = ip6r_parse(in->s, in->len, &a);
			if(n == 0)
				n = ip6r_format(&a, IP6R_AS_PARSED, buf, IP6R_TEXT_MAX);
			break;
		case IP6REF_TO_REF:
			n = ip6r_rebracket(in->s, in->len, IP6R_REF, buf, IP6R_TEXT_MAX);
			break;
		default:
			n = ip6r_rebracket(in->s, in->len, IP6R_BARE, buf, IP6R_TEXT_MAX);
			break;
	}
	if(n < 0) {
		*out = *in;
		return -1;
	}
	out->s = buf;
	out->len = n;
	return 1;
}

int ip6ref_af(str *in)
{
	ip6r_addr_t a;

	if(ip6r_parse(in->s, in->len, &a) < 0)
		return 0;
	return ip6r_reach_af(&a);
}

int bind_ip6ref(ip6ref_api_t *api)
{
	if(api == NULL)
		return -1;
	api->parse = ip6r_parse;
	api->reach_af = ip6r_reach_af;
	api->equal = ip6r_equal;
	api->format = ip6r_format;
	api->af = ip6ref_af;
	return 0;
}
