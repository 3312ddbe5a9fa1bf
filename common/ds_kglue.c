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
 * \brief the kamailio glue the modules share
 */

#include <string.h>
#include <strings.h>

#include "core/dprint.h"
#include "core/lvalue.h"
#include "core/mod_fix.h"
#include "core/socket_info.h"

#include "ds_af.h"
#include "ds_kglue.h"

int ds_ip_af(struct ip_addr *ip)
{
	return ds_reach_af(ip->af, ip->u.addr);
}

int ds_su_af(union sockaddr_union *su)
{
	struct ip_addr ip;

	su2ip_addr(&ip, su);
	return ds_ip_af(&ip);
}

int ds_pref_socket(str *s, int af, struct socket_info **si)
{
	*si = NULL;
	if(s->len <= 0)
		return 0;
	*si = lookup_local_socket(s);
	if(*si == NULL) {
		LM_ERR("preferred IPv%d socket [%.*s] is not a listening socket\n", af,
				s->len, s->s);
		return -1;
	}
	if((*si)->address.af != (af == 6 ? AF_INET6 : AF_INET)) {
		LM_ERR("preferred IPv%d socket [%.*s] is not of that family\n", af,
				s->len, s->s);
		*si = NULL;
		return -1;
	}
	return 0;
}

int ds_set_out(sip_msg_t *msg, pv_spec_t *dst, pv_value_t *val)
{
	if(dst->setf(msg, &dst->pvp, (int)EQ_T, val) < 0) {
		LM_ERR("cannot set the output variable (type %d)\n", dst->type);
		return -2;
	}
	return 1;
}

pv_spec_t *ds_out_spec(str *name)
{
	pv_spec_t *sp;

	sp = name ? pv_cache_get(name) : NULL;
	if(sp == NULL || sp->setf == NULL) {
		LM_ERR("not a writable variable: [%.*s]\n", name ? name->len : 0,
				name ? name->s : "");
		return NULL;
	}
	return sp;
}

/* param (parameter param_no of the function) as a writable variable */
static int ds_fixup_var(void **param, int param_no)
{
	char *orig = (char *)*param; /* kept by the core after the fixup */

	if(fixup_pvar_null(param, 1) < 0)
		return E_CFG;
	if(((pv_spec_t *)*param)->setf == NULL) {
		LM_ERR("parameter %d must be a writable variable, not [%s]\n",
				param_no, orig);
		return E_CFG;
	}
	return 0;
}

int ds_fixup_outvar(void **param, int param_no)
{
	return param_no == 1 ? ds_fixup_var(param, 1) : E_UNSPEC;
}

int ds_fixup_str_outvar(void **param, int param_no)
{
	if(param_no == 1)
		return fixup_spve_null(param, 1);
	return param_no == 2 ? ds_fixup_var(param, 2) : E_UNSPEC;
}

int ds_fixup_free_str_outvar(void **param, int param_no)
{
	if(param_no == 1)
		return fixup_free_spve_null(param, 1);
	if(param_no == 2)
		return fixup_free_pvar_null(param, 1);
	return E_UNSPEC;
}

int ds_str_enum(const str *s, const char *const names[], int nocase)
{
	int i, n;

	for(i = 0; names[i]; i++) {
		n = (int)strlen(names[i]);
		if(s->len == n
				&& (nocase ? strncasecmp(s->s, names[i], n)
						   : strncmp(s->s, names[i], n))
						   == 0)
			return i;
	}
	return -1;
}

int ds_msg_body(sip_msg_t *msg, str *body)
{
	body->s = get_body(msg);
	body->len = body->s ? msg->len - (int)(body->s - msg->buf) : 0;
	return body->s != NULL;
}
