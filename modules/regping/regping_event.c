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
 * \brief regping :: event_route[regping:contact-dead] (or the KEMI
 * event_callback) and the $regping(name) of the contact it runs for
 */

#include <string.h>
#include <stdio.h>

#include "core/dprint.h"
#include "core/route.h"
#include "core/fmsg.h"
#include "core/kemi.h"
#include "core/action.h"

#include "ds_kglue.h"
#include "regping_int.h"

static int rp_evrt = -1;

/* the dead contact the event route runs for */
static rp_job_t *rp_event_job = NULL;

void rp_event_init(void)
{
	rp_evrt = route_lookup(&event_rt, "regping:contact-dead");
	if(rp_evrt >= 0 && event_rt.rlist[rp_evrt] == NULL)
		rp_evrt = -1;
}

void rp_run_event(rp_job_t *j)
{
	static str evname = str_init("regping:contact-dead");
	sr_kemi_eng_t *keng;
	struct run_act_ctx ctx;
	sip_msg_t *fmsg;
	int rtb;

	if(rp_evrt < 0 && rp_params.event_callback.len <= 0)
		return;
	/* the core's faked request, parsed once per process (done already
	 * when another module used it here) */
	if(faked_msg_init() < 0) {
		LM_ERR("cannot make the faked message for the event route\n");
		return;
	}
	fmsg = faked_msg_next();
	rp_event_job = j;
	rtb = get_route_type();
	set_route_type(EVENT_ROUTE);
	init_run_actions_ctx(&ctx);
	if(rp_evrt >= 0) {
		run_top_route(event_rt.rlist[rp_evrt], fmsg, &ctx);
	} else if((keng = sr_kemi_eng_get()) != NULL) {
		if(sr_kemi_route(keng, fmsg, EVENT_ROUTE, &rp_params.event_callback,
				   &evname)
				< 0)
			LM_ERR("error running the event callback [%.*s]\n",
					rp_params.event_callback.len, rp_params.event_callback.s);
	}
	set_route_type(rtb);
	rp_event_job = NULL;
}

int rp_pv_get_event(str *name, str *val, int *ival)
{
	static const char *const names[] = {
			"aor", "contact", "ruid", "addr", "af", "failures", NULL};
	static char addr[64];
	rp_job_t *j = rp_event_job;

	*ival = 0;
	if(j == NULL)
		return -1;
	switch(ds_str_enum(name, names, 0)) {
		case 0:
			*val = j->aor;
			return 0;
		case 1:
			*val = j->uri;
			return 0;
		case 2:
			*val = j->ruid;
			return 0;
		case 3:
			val->len = snprintf(
					addr, sizeof(addr), "%s", su2a(&j->dst, sizeof(j->dst)));
			val->s = addr;
			return 0;
		case 4:
			*ival = j->af;
			return 1;
		case 5:
			*ival = (int)j->failures;
			return 1;
		default:
			return -1;
	}
}
