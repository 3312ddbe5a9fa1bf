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
 * \brief ip6ref :: API for other modules, so that the project has one IP
 * parser: load ip6ref before the module that binds it.
 */

#ifndef _IP6REF_API_H_
#define _IP6REF_API_H_

#include "core/sr_module.h"
#include "core/str.h"

#include "ip6ref_parser.h"

typedef struct ip6ref_api
{
	/*! see ip6ref_parser.h */
	int (*parse)(const char *s, int len, ip6r_addr_t *a);
	int (*reach_af)(const ip6r_addr_t *a);
	int (*equal)(const ip6r_addr_t *a, const ip6r_addr_t *b);
	int (*format)(const ip6r_addr_t *a, enum ip6r_brackets br, char *buf,
			int size);
	/*! family used to reach the host in s: 4, 6, or 0 (not an address) */
	int (*af)(str *s);
} ip6ref_api_t;

typedef int (*bind_ip6ref_f)(ip6ref_api_t *api);

/*! fill api from the loaded ip6ref module; 0 on success, -1 (logged) when
 * ip6ref is not loaded */
static inline int ip6ref_load_api(ip6ref_api_t *api)
{
	bind_ip6ref_f bind;

	bind = (bind_ip6ref_f)find_export("bind_ip6ref", 0, 0);
	if(bind == NULL || bind(api) < 0) {
		LM_ERR("cannot bind the ip6ref API: load ip6ref.so first\n");
		return -1;
	}
	return 0;
}

#endif
