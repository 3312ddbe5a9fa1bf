/*
 * afbridge - address-family-aware media bridging
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
 * \brief afbridge :: module exports (params, cfg functions, counters, RPC,
 * KEMI)
 */

#include "core/sr_module.h"
#include "core/dprint.h"
#include "core/mod_fix.h"
#include "core/pvar.h"
#include "core/lvalue.h"
#include "core/kemi.h"
#include "core/rpc.h"
#include "core/rpc_lookup.h"
#include "core/counters.h"

#include "ds_kglue.h"
#include "afbridge_core.h"
#include "afbridge_rpc.h"

MODULE_VERSION

static int mod_init(void);

/* af_bridge() may run in request, branch, reply and failure routes */
#define AFB_ROUTES \
	(REQUEST_ROUTE | BRANCH_ROUTE | ONREPLY_ROUTE | FAILURE_ROUTE)

static int ki_af_bridge(sip_msg_t *msg, str *extra)
{
	return afb_bridge(msg, extra);
}

static int ki_af_bridge0(sip_msg_t *msg)
{
	return afb_bridge(msg, NULL);
}

static int ki_af_crossing(sip_msg_t *msg)
{
	return afb_crossing(msg);
}

static int ki_af_unbridge(sip_msg_t *msg)
{
	return afb_unbridge(msg);
}

static int ki_af_set_socket(sip_msg_t *msg)
{
	return afb_set_socket(msg);
}

static int afb_flags_pv(sip_msg_t *msg, pv_spec_t *dst)
{
	pv_value_t val;
	char dir[3];
	int ret;

	ret = afb_flags(msg, dir);
	memset(&val, 0, sizeof(val));
	val.flags = PV_VAL_STR;
	val.rs.s = dir;
	val.rs.len = strlen(dir);
	if(ds_set_out(msg, dst, &val) < 0)
		return -2;
	return ret;
}

static int afb_dst_pv(sip_msg_t *msg, pv_spec_t *dst)
{
	pv_value_t val;
	str host;

	if(msg->first_line.type != SIP_REQUEST) {
		LM_ERR("af_dst() works on requests\n");
		return -2;
	}
	memset(&val, 0, sizeof(val));
	val.flags = PV_TYPE_INT | PV_VAL_INT;
	val.ri = afb_dst_af(msg, &host);
	if(ds_set_out(msg, dst, &val) < 0)
		return -2;
	return val.ri ? 1 : -1;
}

static int ki_af_bridge_flags(sip_msg_t *msg, str *pvname)
{
	pv_spec_t *dst = ds_out_spec(pvname);

	return dst ? afb_flags_pv(msg, dst) : -2;
}

static int ki_af_dst(sip_msg_t *msg, str *pvname)
{
	pv_spec_t *dst = ds_out_spec(pvname);

	return dst ? afb_dst_pv(msg, dst) : -2;
}

static int w_af_bridge(sip_msg_t *msg, char *p1, char *p2)
{
	str extra;

	if(p1 == NULL)
		return ki_af_bridge0(msg);
	if(fixup_get_svalue(msg, (gparam_t *)p1, &extra) < 0) {
		LM_ERR("cannot evaluate the extra flags\n");
		return -2;
	}
	return ki_af_bridge(msg, &extra);
}

static int w_af_crossing(sip_msg_t *msg, char *p1, char *p2)
{
	return ki_af_crossing(msg);
}

static int w_af_unbridge(sip_msg_t *msg, char *p1, char *p2)
{
	return ki_af_unbridge(msg);
}

static int w_af_set_socket(sip_msg_t *msg, char *p1, char *p2)
{
	return ki_af_set_socket(msg);
}

static int w_af_bridge_flags(sip_msg_t *msg, char *p1, char *p2)
{
	return afb_flags_pv(msg, (pv_spec_t *)p1);
}

static int w_af_dst(sip_msg_t *msg, char *p1, char *p2)
{
	return afb_dst_pv(msg, (pv_spec_t *)p1);
}

/* clang-format off */
static counter_def_t afb_counter_defs[] = {
	{&afb_cnt.v6_to_v4, "v6_to_v4", 0, 0, 0,
		"offers and answers relayed from the IPv6 to the IPv4 side"},
	{&afb_cnt.v4_to_v6, "v4_to_v6", 0, 0, 0,
		"offers and answers relayed from the IPv4 to the IPv6 side"},
	{&afb_cnt.deletes, "deletes", 0, 0, 0,
		"relay sessions deleted (BYE, failed INVITE)"},
	{&afb_cnt.relay_errors, "relay_errors", 0, 0, 0,
		"relay commands that failed"},
	{&afb_cnt.bad_sdp, "bad_sdp", 0, 0, 0,
		"offers and answers kept from the relay: SDP unparsable, a connection "
		"address not of its family, too many streams"},
	{&afb_cnt.bad_marks, "bad_marks", 0, 0, 0,
		"in-dialog requests that could engage the relay without a dialog mark "
		"this proxy made (missing, made up, of another call): relay left alone"},
	{0, 0, 0, 0, 0, 0}
};

static cmd_export_t cmds[] = {
	{"af_bridge", (cmd_function)w_af_bridge, 0, 0, 0, AFB_ROUTES},
	{"af_bridge", (cmd_function)w_af_bridge, 1, fixup_spve_null,
		fixup_free_spve_null, AFB_ROUTES},
	{"af_bridge_flags", (cmd_function)w_af_bridge_flags, 1, ds_fixup_outvar,
		fixup_free_pvar_null, AFB_ROUTES},
	{"af_crossing", (cmd_function)w_af_crossing, 0, 0, 0, AFB_ROUTES},
	{"af_dst", (cmd_function)w_af_dst, 1, ds_fixup_outvar,
		fixup_free_pvar_null, REQUEST_ROUTE | BRANCH_ROUTE | FAILURE_ROUTE},
	{"af_set_socket", (cmd_function)w_af_set_socket, 0, 0, 0,
		REQUEST_ROUTE | BRANCH_ROUTE | FAILURE_ROUTE},
	/* not in failure_route: af_bridge() there deletes a failed call */
	{"af_unbridge", (cmd_function)w_af_unbridge, 0, 0, 0, REQUEST_ROUTE},
	{0, 0, 0, 0, 0, 0}
};

static param_export_t params[] = {
	{"backend", PARAM_STR, &afb_params.backend},
	{"ipv6_side", PARAM_STR, &afb_params.ipv6_side},
	{"extra_flags", PARAM_STR, &afb_params.extra_flags},
	{"sdp_af", PARAM_INT, &afb_params.sdp_af},
	{"sdp_unmap", PARAM_INT, &afb_params.sdp_unmap},
	{"max_streams", PARAM_INT, &afb_params.max_streams},
	{"socket_v4", PARAM_STR, &afb_params.socket_v4},
	{"socket_v6", PARAM_STR, &afb_params.socket_v6},
	{"mark_secret", PARAM_STR, &afb_params.mark_secret},
	{0, 0, 0}
};

struct module_exports exports = {
	"afbridge",      /* module name */
	DEFAULT_DLFLAGS, /* dlopen flags */
	cmds,            /* cfg functions */
	params,          /* params */
	0,               /* RPC methods */
	0,               /* pseudo-variables */
	0,               /* response handling function */
	mod_init,        /* module init function */
	0,               /* per-child init function */
	0                /* module destroy function */
};

#define KEMI_FN(name, fn, p1) \
	{ str_init("afbridge"), str_init(name), SR_KEMIP_INT, fn, \
		{ p1, SR_KEMIP_NONE, SR_KEMIP_NONE, \
			SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE } }

static sr_kemi_t sr_kemi_afbridge_exports[] = {
	KEMI_FN("af_bridge0", ki_af_bridge0, SR_KEMIP_NONE),
	KEMI_FN("af_bridge", ki_af_bridge, SR_KEMIP_STR),
	KEMI_FN("af_bridge_flags", ki_af_bridge_flags, SR_KEMIP_STR),
	KEMI_FN("af_crossing", ki_af_crossing, SR_KEMIP_NONE),
	KEMI_FN("af_dst", ki_af_dst, SR_KEMIP_STR),
	KEMI_FN("af_set_socket", ki_af_set_socket, SR_KEMIP_NONE),
	KEMI_FN("af_unbridge", ki_af_unbridge, SR_KEMIP_NONE),
	{ {0, 0}, {0, 0}, 0, NULL, { 0, 0, 0, 0, 0, 0 } }
};
/* clang-format on */

static int mod_init(void)
{
	if(afb_init() < 0)
		return -1;
	if(counter_register_array("afbridge", afb_counter_defs) < 0) {
		LM_ERR("cannot register the afbridge counters\n");
		return -1;
	}
	if(rpc_register_array(afb_rpc) != 0) {
		LM_ERR("cannot register the RPC commands\n");
		return -1;
	}
	return 0;
}

int mod_register(char *path, int *dlflags, void *p1, void *p2)
{
	sr_kemi_modules_add(sr_kemi_afbridge_exports);
	return 0;
}
