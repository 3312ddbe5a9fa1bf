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
 * \brief ip6ref :: the {ip6.ref}, {ip6.addr}, {ip6.canon}, {ip6.af}
 * transformations (on the conversions of ip6ref_api.c)
 */

#include <string.h>

#include "core/dprint.h"
#include "core/trim.h"
#include "core/ut.h"

#include "ip6ref_parser.h"
#include "ip6ref_api.h"
#include "ip6ref_trans.h"

enum ip6ref_tr_type
{
	TR_IP6_REF = 1,
	TR_IP6_ADDR,
	TR_IP6_CANON,
	TR_IP6_AF
};

/* Results of chained transformations ($(x{ip6.canon}{ip6.ref})) are read
 * while the next one writes, so rotate through a few buffers. */
#define IP6REF_TR_SLOTS 4
static char ip6ref_tr_buf[IP6REF_TR_SLOTS][IP6R_TEXT_MAX];
static int ip6ref_tr_slot = 0;

static int ip6ref_tr_eval(
		struct sip_msg *msg, tr_param_t *tp, int subtype, pv_value_t *val)
{
	static const enum ip6ref_conv conv[] = {
			[TR_IP6_REF] = IP6REF_TO_REF,
			[TR_IP6_ADDR] = IP6REF_TO_ADDR,
			[TR_IP6_CANON] = IP6REF_CANON};
	char *buf;
	str in;

	if(val == NULL || !(val->flags & PV_VAL_STR) || (val->flags & PV_VAL_NULL))
		return -1;
	in = val->rs;
	if(subtype == TR_IP6_AF) {
		val->ri = ip6ref_af(&in);
		val->rs.s = int2str(val->ri, &val->rs.len);
		val->flags = PV_TYPE_INT | PV_VAL_INT | PV_VAL_STR;
		return 0;
	}
	buf = ip6ref_tr_buf[ip6ref_tr_slot];
	ip6ref_tr_slot = (ip6ref_tr_slot + 1) % IP6REF_TR_SLOTS;
	/* not an address: the value passes through, as host names do */
	ip6ref_convert(&in, conv[subtype], buf, &val->rs);
	val->flags = PV_VAL_STR;
	return 0;
}

char *ip6ref_tr_parse(str *in, trans_t *t)
{
	static const struct
	{
		str name;
		int subtype;
	} names[] = {{str_init("ref"), TR_IP6_REF}, {str_init("addr"), TR_IP6_ADDR},
			{str_init("canon"), TR_IP6_CANON}, {str_init("af"), TR_IP6_AF},
			{STR_NULL, 0}};
	char *p;
	str name;
	int i;

	if(in == NULL || in->s == NULL || t == NULL)
		return NULL;
	p = in->s;
	name.s = in->s;
	while(is_in_str(p, in) && *p != TR_PARAM_MARKER && *p != TR_RBRACKET)
		p++;
	if(!is_in_str(p, in) || *p != TR_RBRACKET) {
		LM_ERR("invalid ip6 transformation (it takes no parameters): "
			   "[%.*s]\n",
				in->len, in->s);
		return NULL;
	}
	name.len = (int)(p - name.s);
	trim(&name);
	for(i = 0; names[i].name.s; i++) {
		if(name.len == names[i].name.len
				&& strncasecmp(name.s, names[i].name.s, name.len) == 0) {
			t->subtype = names[i].subtype;
			t->trf = ip6ref_tr_eval;
			t->name = name;
			return p;
		}
	}
	LM_ERR("unknown ip6 transformation [%.*s] (known: ref, addr, canon, af)\n",
			name.len, name.s);
	return NULL;
}
