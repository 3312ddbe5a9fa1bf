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
 * \brief regping :: settings, setup and teardown
 *
 * The table lives in shared memory under one lock: an index by usrloc ruid,
 * one by AoR (usrloc's AoR hash) and a wheel of slots (regping_logic.h).
 * Nothing reachable from SIP traffic walks the whole table under the lock:
 * regping_ping() walks one AoR bucket, listings copy a bucket at a time. usrloc callbacks keep it in step
 * with the registrations; the timer process takes the due slot each tick,
 * judges the previous ping of each contact and copies what it needs to
 * send into a private queue, then sends outside the lock (at most max_rate
 * per second). Replies are matched by Call-ID in a pre-script callback
 * and dropped there, before the script's onreply_route.
 *
 * regping_table.c: the table; regping_usrloc.c: usrloc callbacks, the
 * startup load, regping_mirror(); regping_send.c: where to ping, building
 * and sending; regping_timer.c: the timer process, regping_ping();
 * regping_reply.c; regping_event.c: the contact-dead event, $regping;
 * regping_rpc.c.
 */

#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "core/sr_module.h"
#include "core/dprint.h"
#include "core/socket_info.h"
#include "core/timer_proc.h"
#include "core/script_cb.h"
#include "modules/usrloc/usrloc.h"
#include "modules/tm/tm_load.h"
#include "modules/registrar/api.h"

#include "ds_escape.h"
#include "ds_kglue.h"
#include "regping_int.h"

rp_params_t rp_params = {
		.domain = str_init("location"),
		.interval = 30,
		.tick_ms = 20,
		.af = str_init("all"),
		.method = str_init("OPTIONS"),
		.from = str_init("sip:regping@localhost"),
		.socket_v4 = STR_NULL,
		.socket_v6 = STR_NULL,
		.max_rate = 0,
		.max_failures = 3,
		.remove_dead = 0,
		.hash_size = 1024,
		.extra_ping_interval = 1000,
		.event_callback = STR_NULL,
		.cluster = 0,
		.cluster_heartbeat = 1000,
		.cluster_timeout = 3000,
		.reply_socket_v4 = STR_NULL,
		.reply_socket_v6 = STR_NULL,
		.reply_port = 0};

rp_counters_t rp_cnt;

enum rp_method rp_method;
int rp_af_filter = 0; /* 0 all, 4, 6 */
struct socket_info *rp_pref_sock[2];
usrloc_api_t rp_ul;
udomain_t *rp_udomain = NULL;

uint64_t rp_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

uint64_t rp_wall_ms(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (uint64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

/* a peer's bytes (URIs, AoRs, Call-IDs) of a str for a log line (ds_esc) */
const char *rp_esc(str *s)
{
	return ds_esc(s->s, s->len);
}

int rp_str_eq(str *a, str *b)
{
	return a->len == b->len && memcmp(a->s, b->s, a->len) == 0;
}

/* --- setup --- */

int rp_init(void)
{
	static const char *const afs[] = {"all", "4", "6", NULL};
	static const int af_filter[] = {0, 4, 6};
	static const char *const methods[] = {"OPTIONS", "NOTIFY", "crlf", NULL};
	static const enum rp_method method[] = {RP_OPTIONS, RP_NOTIFY, RP_CRLF};
	bind_usrloc_t bind_usrloc;
	char dom[128];
	int i;

	if(rp_params.interval <= 0 || rp_params.tick_ms <= 0
			|| rp_wheel_init(&rp_wheel, (uint32_t)rp_params.interval * 1000,
					   (uint32_t)rp_params.tick_ms)
					   < 0) {
		LM_ERR("invalid interval %d s / tick_ms %d (the tick must divide "
			   "the interval)\n",
				rp_params.interval,
				rp_params.tick_ms);
		return -1;
	}
	if((i = ds_str_enum(&rp_params.af, afs, 0)) >= 0)
		rp_af_filter = af_filter[i];
	else {
		LM_ERR("af must be all, 4 or 6, not [%.*s]\n", rp_params.af.len,
				rp_params.af.s);
		return -1;
	}
	if((i = ds_str_enum(&rp_params.method, methods, 1)) >= 0)
		rp_method = method[i];
	else {
		LM_ERR("method must be OPTIONS, NOTIFY or crlf, not [%.*s]\n",
				rp_params.method.len, rp_params.method.s);
		return -1;
	}
	if(rp_params.max_failures < 0 || rp_params.max_rate < 0
			|| rp_params.extra_ping_interval < 0) {
		LM_ERR("max_failures, max_rate and extra_ping_interval must not be "
			   "negative\n");
		return -1;
	}
	i = ds_pref_socket(&rp_params.socket_v4, 4, &rp_pref_sock[0]);
	if(ds_pref_socket(&rp_params.socket_v6, 6, &rp_pref_sock[1]) < 0 || i < 0)
		return -1;
	i = ds_pref_socket(&rp_params.reply_socket_v4, 4, &rp_via_sock[0]);
	if(ds_pref_socket(&rp_params.reply_socket_v6, 6, &rp_via_sock[1]) < 0
			|| i < 0)
		return -1;
	if(rp_cluster_init() < 0 || rp_rport_init() < 0)
		return -1;

	bind_usrloc = (bind_usrloc_t)find_export("ul_bind_usrloc", 1, 0);
	if(bind_usrloc == NULL || bind_usrloc(&rp_ul) < 0) {
		LM_ERR("cannot bind usrloc: load usrloc.so before regping\n");
		return -1;
	}
	if(rp_params.domain.len >= (int)sizeof(dom)) {
		LM_ERR("domain name too long\n");
		return -1;
	}
	memcpy(dom, rp_params.domain.s, rp_params.domain.len);
	dom[rp_params.domain.len] = '\0';
	if(rp_ul.register_udomain(dom, &rp_udomain) < 0) {
		LM_ERR("cannot use usrloc domain [%s]\n", dom);
		return -1;
	}
	/* regping_mirror() saves through the registrar, in a tm reply */
	if(find_export("load_tm", NO_SCRIPT, 0)
			&& find_export("bind_registrar", 0, 0))
		rp_mirror_bound =
				load_tm_api(&rp_tmb) == 0 && registrar_load_api(&rp_reg) == 0;
	if(rp_ul.register_ulcb(UL_CONTACT_INSERT | UL_CONTACT_UPDATE
								   | UL_CONTACT_DELETE | UL_CONTACT_EXPIRE,
			   rp_ul_cb, 0)
			< 0) {
		LM_ERR("cannot register usrloc callbacks\n");
		return -1;
	}

	if(rp_table_init() < 0)
		return -1;
	if(register_script_cb(rp_pre_request, PRE_SCRIPT_CB | REQUEST_CB, 0) < 0
			|| register_script_cb(
					   rp_post_request, POST_SCRIPT_CB | REQUEST_CB, 0)
					   < 0
			|| register_script_cb(rp_pre_reply, PRE_SCRIPT_CB | ONREPLY_CB, 0)
					   < 0) {
		LM_ERR("cannot register script callbacks\n");
		return -1;
	}
	rp_event_init();
	/* one more timer process (the core has no prototype for the utimer
	 * variant; both count the same processes) */
	register_basic_timers(1);
	return 0;
}

void rp_destroy(void)
{
	rp_table_destroy();
	rp_cluster_destroy();
}
