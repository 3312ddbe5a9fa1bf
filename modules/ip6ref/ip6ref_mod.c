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
 * \brief ip6ref :: module exports (cfg functions, transformations, KEMI)
 */

#include "core/sr_module.h"
#include "core/dprint.h"
#include "core/mod_fix.h"
#include "core/pvar.h"
#include "core/kemi.h"
#include "core/lvalue.h"

#include "ds_kglue.h"
#include "ip6ref_parser.h"
#include "ip6ref_api.h"
#include "ip6ref_trans.h"

MODULE_VERSION

/* predicates over one parsed address */
typedef int (*ip6ref_pred_f)(const ip6r_addr_t *a);

static int pred_ip6_ref(const ip6r_addr_t *a)
{
	return a->af == 6 && a->ref;
}

static int pred_ip6(const ip6r_addr_t *a)
{
	return a->af == 6;
}

static int pred_ip4(const ip6r_addr_t *a)
{
	return a->af == 4;
}

static int pred_ip4_mapped(const ip6r_addr_t *a)
{
	return a->af == 6 && ip6r_is_v4(a);
}

static int ip6ref_test(str *s, ip6ref_pred_f pred)
{
	ip6r_addr_t a;

	if(s == NULL || s->s == NULL)
		return -2;
	if(ip6r_parse(s->s, s->len, &a) < 0)
		return -1;
	return pred(&a) ? 1 : -1;
}

static int ki_is_ip6_ref(sip_msg_t *msg, str *s)
{
	return ip6ref_test(s, pred_ip6_ref);
}

static int ki_is_ip6(sip_msg_t *msg, str *s)
{
	return ip6ref_test(s, pred_ip6);
}

static int ki_is_ip4(sip_msg_t *msg, str *s)
{
	return ip6ref_test(s, pred_ip4);
}

static int ki_is_ip4_mapped(sip_msg_t *msg, str *s)
{
	return ip6ref_test(s, pred_ip4_mapped);
}

static int ki_ip_equal(sip_msg_t *msg, str *s1, str *s2)
{
	ip6r_addr_t a, b;

	if(s1 == NULL || s1->s == NULL || s2 == NULL || s2->s == NULL)
		return -2;
	if(ip6r_parse(s1->s, s1->len, &a) < 0
			|| ip6r_parse(s2->s, s2->len, &b) < 0)
		return -1;
	return ip6r_equal(&a, &b) ? 1 : -1;
}

static int ip6ref_af_pv(sip_msg_t *msg, str *s, pv_spec_t *dst)
{
	pv_value_t val;
	int af;

	if(s == NULL || s->s == NULL)
		return -2;
	af = ip6ref_af(s);
	memset(&val, 0, sizeof(val));
	val.flags = PV_TYPE_INT | PV_VAL_INT;
	val.ri = af;
	if(ds_set_out(msg, dst, &val) < 0)
		return -2;
	return af ? 1 : -1;
}

static int ip6ref_convert_pv(
		sip_msg_t *msg, str *s, pv_spec_t *dst, enum ip6ref_conv op)
{
	char buf[IP6R_TEXT_MAX];
	pv_value_t val;
	int ret;

	if(s == NULL || s->s == NULL)
		return -2;
	memset(&val, 0, sizeof(val));
	ret = ip6ref_convert(s, op, buf, &val.rs);
	val.flags = PV_VAL_STR;
	if(ds_set_out(msg, dst, &val) < 0)
		return -2;
	return ret;
}

static int ki_ip_af(sip_msg_t *msg, str *s, str *pvname)
{
	pv_spec_t *dst = ds_out_spec(pvname);

	return dst ? ip6ref_af_pv(msg, s, dst) : -2;
}

static int ki_ip6_to_ref(sip_msg_t *msg, str *s, str *pvname)
{
	pv_spec_t *dst = ds_out_spec(pvname);

	return dst ? ip6ref_convert_pv(msg, s, dst, IP6REF_TO_REF) : -2;
}

static int ki_ip6_to_addr(sip_msg_t *msg, str *s, str *pvname)
{
	pv_spec_t *dst = ds_out_spec(pvname);

	return dst ? ip6ref_convert_pv(msg, s, dst, IP6REF_TO_ADDR) : -2;
}

static int ki_ip_canon(sip_msg_t *msg, str *s, str *pvname)
{
	pv_spec_t *dst = ds_out_spec(pvname);

	return dst ? ip6ref_convert_pv(msg, s, dst, IP6REF_CANON) : -2;
}

/* cfg wrappers: resolve the parameters, then call the ki_ or _pv function */

static int ip6ref_get_str(sip_msg_t *msg, char *p, str *s)
{
	if(fixup_get_svalue(msg, (gparam_t *)p, s) < 0) {
		LM_ERR("cannot evaluate the address parameter\n");
		return -1;
	}
	return 0;
}

static int w_is_ip6_ref(sip_msg_t *msg, char *p1, char *p2)
{
	str s;

	return ip6ref_get_str(msg, p1, &s) < 0 ? -2 : ki_is_ip6_ref(msg, &s);
}

static int w_is_ip6(sip_msg_t *msg, char *p1, char *p2)
{
	str s;

	return ip6ref_get_str(msg, p1, &s) < 0 ? -2 : ki_is_ip6(msg, &s);
}

static int w_is_ip4(sip_msg_t *msg, char *p1, char *p2)
{
	str s;

	return ip6ref_get_str(msg, p1, &s) < 0 ? -2 : ki_is_ip4(msg, &s);
}

static int w_is_ip4_mapped(sip_msg_t *msg, char *p1, char *p2)
{
	str s;

	return ip6ref_get_str(msg, p1, &s) < 0 ? -2 : ki_is_ip4_mapped(msg, &s);
}

static int w_ip_equal(sip_msg_t *msg, char *p1, char *p2)
{
	str s1, s2;

	if(ip6ref_get_str(msg, p1, &s1) < 0 || ip6ref_get_str(msg, p2, &s2) < 0)
		return -2;
	return ki_ip_equal(msg, &s1, &s2);
}

static int w_ip_af(sip_msg_t *msg, char *p1, char *p2)
{
	str s;

	if(ip6ref_get_str(msg, p1, &s) < 0)
		return -2;
	return ip6ref_af_pv(msg, &s, (pv_spec_t *)p2);
}

static int w_ip6_to_ref(sip_msg_t *msg, char *p1, char *p2)
{
	str s;

	if(ip6ref_get_str(msg, p1, &s) < 0)
		return -2;
	return ip6ref_convert_pv(msg, &s, (pv_spec_t *)p2, IP6REF_TO_REF);
}

static int w_ip6_to_addr(sip_msg_t *msg, char *p1, char *p2)
{
	str s;

	if(ip6ref_get_str(msg, p1, &s) < 0)
		return -2;
	return ip6ref_convert_pv(msg, &s, (pv_spec_t *)p2, IP6REF_TO_ADDR);
}

static int w_ip_canon(sip_msg_t *msg, char *p1, char *p2)
{
	str s;

	if(ip6ref_get_str(msg, p1, &s) < 0)
		return -2;
	return ip6ref_convert_pv(msg, &s, (pv_spec_t *)p2, IP6REF_CANON);
}

/* clang-format off */
static cmd_export_t cmds[] = {
	{"is_ip6_ref", (cmd_function)w_is_ip6_ref, 1, fixup_spve_null,
		fixup_free_spve_null, ANY_ROUTE},
	{"is_ip6", (cmd_function)w_is_ip6, 1, fixup_spve_null,
		fixup_free_spve_null, ANY_ROUTE},
	{"is_ip4", (cmd_function)w_is_ip4, 1, fixup_spve_null,
		fixup_free_spve_null, ANY_ROUTE},
	{"is_ip4_mapped", (cmd_function)w_is_ip4_mapped, 1, fixup_spve_null,
		fixup_free_spve_null, ANY_ROUTE},
	{"ip_equal", (cmd_function)w_ip_equal, 2, fixup_spve_spve,
		fixup_free_spve_spve, ANY_ROUTE},
	{"ip_af", (cmd_function)w_ip_af, 2, ds_fixup_str_outvar,
		ds_fixup_free_str_outvar, ANY_ROUTE},
	{"ip6_to_ref", (cmd_function)w_ip6_to_ref, 2, ds_fixup_str_outvar,
		ds_fixup_free_str_outvar, ANY_ROUTE},
	{"ip6_to_addr", (cmd_function)w_ip6_to_addr, 2, ds_fixup_str_outvar,
		ds_fixup_free_str_outvar, ANY_ROUTE},
	{"ip_canon", (cmd_function)w_ip_canon, 2, ds_fixup_str_outvar,
		ds_fixup_free_str_outvar, ANY_ROUTE},
	{"bind_ip6ref", (cmd_function)bind_ip6ref, 0, 0, 0, 0},
	{0, 0, 0, 0, 0, 0}
};

static tr_export_t mod_trans[] = {
	{str_init("ip6"), ip6ref_tr_parse},
	{{0, 0}, 0}
};

struct module_exports exports = {
	"ip6ref",        /* module name */
	DEFAULT_DLFLAGS, /* dlopen flags */
	cmds,            /* cfg functions */
	0,               /* params */
	0,               /* RPC methods */
	0,               /* pseudo-variables */
	0,               /* response handling function */
	0,               /* module init function */
	0,               /* per-child init function */
	0                /* module destroy function */
};

#define KEMI_S1(name, fn) \
	{ str_init("ip6ref"), str_init(name), SR_KEMIP_INT, fn, \
		{ SR_KEMIP_STR, SR_KEMIP_NONE, SR_KEMIP_NONE, \
			SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE } }
#define KEMI_S2(name, fn) \
	{ str_init("ip6ref"), str_init(name), SR_KEMIP_INT, fn, \
		{ SR_KEMIP_STR, SR_KEMIP_STR, SR_KEMIP_NONE, \
			SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE } }

static sr_kemi_t sr_kemi_ip6ref_exports[] = {
	KEMI_S1("is_ip6_ref", ki_is_ip6_ref),
	KEMI_S1("is_ip6", ki_is_ip6),
	KEMI_S1("is_ip4", ki_is_ip4),
	KEMI_S1("is_ip4_mapped", ki_is_ip4_mapped),
	KEMI_S2("ip_equal", ki_ip_equal),
	KEMI_S2("ip_af", ki_ip_af),
	KEMI_S2("ip6_to_ref", ki_ip6_to_ref),
	KEMI_S2("ip6_to_addr", ki_ip6_to_addr),
	KEMI_S2("ip_canon", ki_ip_canon),
	{ {0, 0}, {0, 0}, 0, NULL, { 0, 0, 0, 0, 0, 0 } }
};
/* clang-format on */

int mod_register(char *path, int *dlflags, void *p1, void *p2)
{
	sr_kemi_modules_add(sr_kemi_ip6ref_exports);
	return register_trans_mod(path, mod_trans);
}
