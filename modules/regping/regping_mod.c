/*
 * regping - keepalive pinger for registered contacts
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
 * \brief regping :: module exports (params, functions, PV, counters, RPC,
 * KEMI)
 */

#include "core/sr_module.h"
#include "core/dprint.h"
#include "core/mod_fix.h"
#include "core/pvar.h"
#include "core/kemi.h"
#include "core/rpc.h"
#include "core/rpc_lookup.h"
#include "core/counters.h"

#include "regping_core.h"
#include "regping_rpc.h"

MODULE_VERSION

static int mod_init(void);
static int child_init(int rank);
static void mod_destroy(void);

static int ki_regping_ping(sip_msg_t *msg, str *aor)
{
	int pinged;

	/* true for a known AoR, even when its contacts had their extra ping
	 * lately: the caller learns nothing about the spacing */
	return rp_ping_aor(aor, &pinged) > 0 ? 1 : -1;
}

static int w_regping_ping(sip_msg_t *msg, char *p1, char *p2)
{
	str aor;

	if(fixup_get_svalue(msg, (gparam_t *)p1, &aor) < 0) {
		LM_ERR("cannot evaluate the AoR\n");
		return -2;
	}
	return ki_regping_ping(msg, &aor);
}

static int ki_regping_mirror(sip_msg_t *msg)
{
	return rp_mirror_reply(msg);
}

static int w_regping_mirror(sip_msg_t *msg, char *p1, char *p2)
{
	return ki_regping_mirror(msg);
}

/* $regping(aor|contact|ruid|addr|af|failures) in the contact-dead event */
static int pv_parse_regping(pv_spec_p sp, str *in)
{
	if(in == NULL || in->len <= 0)
		return -1;
	sp->pvp.pvn.type = PV_NAME_INTSTR;
	sp->pvp.pvn.u.isname.type = AVP_NAME_STR;
	sp->pvp.pvn.u.isname.name.s = *in;
	return 0;
}

static int pv_get_regping(sip_msg_t *msg, pv_param_t *param, pv_value_t *res)
{
	str val;
	int ival, r;

	r = rp_pv_get_event(&param->pvn.u.isname.name.s, &val, &ival);
	if(r < 0)
		return pv_get_null(msg, param, res);
	if(r == 1)
		return pv_get_sintval(msg, param, res, ival);
	return pv_get_strval(msg, param, res, &val);
}

/* clang-format off */
static counter_def_t rp_counter_defs[] = {
	{&rp_cnt.sent_v4, "sent_v4", 0, 0, 0, "pings sent to IPv4 contacts"},
	{&rp_cnt.sent_v6, "sent_v6", 0, 0, 0, "pings sent to IPv6 contacts"},
	{&rp_cnt.replied_v4, "replied_v4", 0, 0, 0,
		"pings answered by IPv4 contacts"},
	{&rp_cnt.replied_v6, "replied_v6", 0, 0, 0,
		"pings answered by IPv6 contacts"},
	{&rp_cnt.timeouts_v4, "timeouts_v4", 0, 0, 0,
		"pings to IPv4 contacts not answered within an interval"},
	{&rp_cnt.timeouts_v6, "timeouts_v6", 0, 0, 0,
		"pings to IPv6 contacts not answered within an interval"},
	{&rp_cnt.dead, "dead", 0, 0, 0,
		"contacts declared dead after max_failures unanswered pings"},
	{&rp_cnt.takeovers, "takeovers", 0, 0, 0,
		"contacts this node began to ping for a node that is gone"},
	{&rp_cnt.handovers, "handovers", 0, 0, 0,
		"contacts taken over that this node stopped pinging (their node is back)"},
	{&rp_cnt.relayed, "relayed", 0, 0, 0,
		"replies to another node's pings relayed to it"},
	{&rp_cnt.rport_replies, "reply_port_replies", 0, 0, 0,
		"replies to pings read at reply_port"},
	{&rp_cnt.rport_dropped, "reply_port_dropped", 0, 0, 0,
		"datagrams at reply_port that were no reply to a ping"},
	{0, 0, 0, 0, 0, 0}
};

static cmd_export_t cmds[] = {
	{"regping_ping", (cmd_function)w_regping_ping, 1, fixup_spve_null,
		fixup_free_spve_null, ANY_ROUTE},
	{"regping_mirror", (cmd_function)w_regping_mirror, 0, 0, 0,
		ONREPLY_ROUTE},
	{0, 0, 0, 0, 0, 0}
};

static pv_export_t mod_pvs[] = {
	{{"regping", sizeof("regping") - 1}, PVT_OTHER, pv_get_regping, 0,
		pv_parse_regping, 0, 0, 0},
	{{0, 0}, 0, 0, 0, 0, 0, 0, 0}
};

static param_export_t params[] = {
	{"domain", PARAM_STR, &rp_params.domain},
	{"interval", PARAM_INT, &rp_params.interval},
	{"tick_ms", PARAM_INT, &rp_params.tick_ms},
	{"af", PARAM_STR, &rp_params.af},
	{"method", PARAM_STR, &rp_params.method},
	{"from", PARAM_STR, &rp_params.from},
	{"socket_v4", PARAM_STR, &rp_params.socket_v4},
	{"socket_v6", PARAM_STR, &rp_params.socket_v6},
	{"max_rate", PARAM_INT, &rp_params.max_rate},
	{"max_failures", PARAM_INT, &rp_params.max_failures},
	{"remove_dead", PARAM_INT, &rp_params.remove_dead},
	{"hash_size", PARAM_INT, &rp_params.hash_size},
	{"extra_ping_interval", PARAM_INT, &rp_params.extra_ping_interval},
	{"event_callback", PARAM_STR, &rp_params.event_callback},
	{"cluster", PARAM_INT, &rp_params.cluster},
	{"cluster_heartbeat", PARAM_INT, &rp_params.cluster_heartbeat},
	{"cluster_timeout", PARAM_INT, &rp_params.cluster_timeout},
	{"reply_socket_v4", PARAM_STR, &rp_params.reply_socket_v4},
	{"reply_socket_v6", PARAM_STR, &rp_params.reply_socket_v6},
	{"reply_port", PARAM_INT, &rp_params.reply_port},
	{0, 0, 0}
};

struct module_exports exports = {
	"regping",       /* module name */
	DEFAULT_DLFLAGS, /* dlopen flags */
	cmds,            /* cfg functions */
	params,          /* params */
	0,               /* RPC methods */
	mod_pvs,         /* pseudo-variables */
	0,               /* response handling function */
	mod_init,        /* module init function */
	child_init,      /* per-child init function */
	mod_destroy      /* module destroy function */
};

static sr_kemi_t sr_kemi_regping_exports[] = {
	{ str_init("regping"), str_init("regping_ping"), SR_KEMIP_INT,
		ki_regping_ping,
		{ SR_KEMIP_STR, SR_KEMIP_NONE, SR_KEMIP_NONE,
			SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE } },
	{ str_init("regping"), str_init("regping_mirror"), SR_KEMIP_INT,
		ki_regping_mirror,
		{ SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE,
			SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE } },
	{ {0, 0}, {0, 0}, 0, NULL, { 0, 0, 0, 0, 0, 0 } }
};
/* clang-format on */

static int mod_init(void)
{
	if(rp_init() < 0)
		return -1;
	if(counter_register_array("regping", rp_counter_defs) < 0) {
		LM_ERR("cannot register the regping counters\n");
		return -1;
	}
	if(rpc_register_array(rp_rpc) != 0) {
		LM_ERR("cannot register the RPC commands\n");
		return -1;
	}
	return 0;
}

static int child_init(int rank)
{
	if(rank == PROC_MAIN)
		return rp_start_timer();
	return 0;
}

static void mod_destroy(void)
{
	rp_destroy();
}

int mod_register(char *path, int *dlflags, void *p1, void *p2)
{
	sr_kemi_modules_add(sr_kemi_regping_exports);
	return 0;
}
