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
 * \brief regping :: RPC commands (regping.status, regping.list,
 * regping.ping)
 */

#include <stdio.h>

#include "core/dprint.h"
#include "core/mem/mem.h"
#include "core/counters.h"
#include "core/rpc.h"

#include "regping_int.h"
#include "regping_rpc.h"

static int rp_rpc_add_entry(rpc_t *rpc, void *ctx, rp_job_t *e)
{
	void *th;
	char addr[64];

	if(rpc->add(ctx, "{", &th) < 0)
		return -1;
	/* su2a(): address and port, IPv6 in brackets */
	snprintf(addr, sizeof(addr), "%s",
			e->af ? su2a(&e->dst, sizeof(e->dst)) : "unresolved");
	/* seq is unsigned 32-bit and starts at random: not an int */
	if(rp_cluster_on
			&& rpc->struct_add(th, "dd", "saver", (int)e->saver, "owner",
					   rp_cluster_owner(rp_hash(e->ruid.s, e->ruid.len),
							   e->saver))
					   < 0)
		return -1;
	return rpc->struct_add(th, "SSSssdSjjddJ", "aor", &e->aor, "contact",
			&e->uri, "ruid", &e->ruid, "address", addr, "proto",
			get_proto_name(e->proto), "af", (int)e->af, "socket",
			e->sock ? &e->sock->sock_str : &e->uri, "last_ping",
			(unsigned long)e->live.last_ping, "last_reply",
			(unsigned long)e->live.last_reply, "failures",
			(int)e->live.failures, "dead", (int)e->live.dead, "seq",
			(unsigned long long)e->live.seq);
}

/* copy the entries of the bucket that holds hash *at out of the table
 * (takes the lock); *at becomes the first hash of the next bucket, 2^32
 * after the last. Buckets are in hash order and growing splits one in two
 * adjacent ones, so a walk by hash lists each contact once while the index
 * grows. -1 when out of memory. */
static int rp_copy_bucket(uint64_t *at, rp_job_t **list)
{
	rp_entry_t *e;
	rp_job_t *j;
	uint32_t b, n;

	*list = NULL;
	lock_get(&rp_tbl->lock);
	n = rp_tbl->hmask + 1;
	b = rp_part((uint32_t)*at, n);
	for(e = rp_entry(rp_tbl->index[b]); e; e = rp_entry(e->hnext)) {
		if((j = rp_job_new(e)) == NULL) {
			lock_release(&rp_tbl->lock);
			return -1;
		}
		j->next = *list;
		*list = j;
	}
	lock_release(&rp_tbl->lock);
	*at = rp_part_start(b + 1, n);
	return 0;
}

/* a copy of one contact of an AoR (rp_for_aor()) */
static int rp_copy_one(rp_entry_t *e, void *arg)
{
	rp_job_t **list = arg, *j;

	if((j = rp_job_new(e)) == NULL)
		return -1;
	j->next = *list;
	*list = j;
	return 0;
}

static void rp_free_jobs(rp_job_t *list)
{
	rp_job_t *j;

	while((j = list) != NULL) {
		list = j->next;
		pkg_free(j);
	}
}

/* add the copies in list to the reply and free them; -1 on failure */
static int rp_rpc_add_list(rpc_t *rpc, void *ctx, rp_job_t *list)
{
	rp_job_t *j;

	for(j = list; j; j = j->next) {
		if(rp_rpc_add_entry(rpc, ctx, j) < 0) {
			rp_free_jobs(list);
			rpc->fault(ctx, 500, "Internal error");
			return -1;
		}
	}
	rp_free_jobs(list);
	return 0;
}

static void rp_rpc_list(rpc_t *rpc, void *ctx)
{
	str aor = STR_NULL;
	rp_job_t *list = NULL;
	uint64_t at = 0;

	if(rpc->scan(ctx, "*S", &aor) >= 1 && aor.len > 0) {
		/* the contacts of one AoR, as usrloc lists them */
		if(rp_for_aor(&aor, rp_copy_one, &list) < 0) {
			rp_free_jobs(list);
			PKG_MEM_ERROR;
			rpc->fault(ctx, 500, "Out of memory");
			return;
		}
		rp_rpc_add_list(rpc, ctx, list);
		return;
	}
	/* the lock is held for one bucket at a time and never while printing:
	 * a listing is not a snapshot of one instant, each contact in it is
	 * as it was when its bucket was copied (one added or removed meanwhile
	 * may be in it or not) */
	while(at < ((uint64_t)1 << 32)) {
		if(rp_copy_bucket(&at, &list) < 0) {
			PKG_MEM_ERROR;
			rpc->fault(ctx, 500, "Out of memory");
			return;
		}
		if(rp_rpc_add_list(rpc, ctx, list) < 0)
			return;
	}
}

static unsigned long long rp_cnt_val(counter_handle_t h)
{
	counter_val_t v = counter_get_val(h);

	return v > 0 ? (unsigned long long)v : 0;
}

static void rp_rpc_status(rpc_t *rpc, void *ctx)
{
	void *th;
	unsigned c4, c6;
	unsigned long pool, used;

	lock_get(&rp_tbl->lock);
	c4 = rp_tbl->count[0];
	c6 = rp_tbl->count[1];
	lock_release(&rp_tbl->lock);
	rp_pool_usage(&pool, &used);
	if(rpc->add(ctx, "{", &th) < 0) {
		rpc->fault(ctx, 500, "Internal error");
		return;
	}
	/* counters in 64 bits: at 3000 pings/s an int wraps within a day */
	rpc->struct_add(th, "SddddSSddJJJJJJJ", "domain", &rp_params.domain,
			"contacts", (int)(c4 + c6), "contacts_v4", (int)c4, "contacts_v6",
			(int)c6, "interval", rp_params.interval, "af", &rp_params.af,
			"method", &rp_params.method, "max_rate", rp_params.max_rate,
			"max_failures", rp_params.max_failures, "sent_v4",
			rp_cnt_val(rp_cnt.sent_v4), "sent_v6", rp_cnt_val(rp_cnt.sent_v6),
			"replied_v4", rp_cnt_val(rp_cnt.replied_v4), "replied_v6",
			rp_cnt_val(rp_cnt.replied_v6), "timeouts_v4",
			rp_cnt_val(rp_cnt.timeouts_v4), "timeouts_v6",
			rp_cnt_val(rp_cnt.timeouts_v6), "dead", rp_cnt_val(rp_cnt.dead));
	/* the entries' memory (their pool's blocks, and what entries hold of
	 * them; larger entries and the indexes come from shm apart) */
	rpc->struct_add(th, "JJ", "pool_bytes", (unsigned long long)pool,
			"pool_used", (unsigned long long)used);
	/* reply_port: where the replies come, and what came there */
	rpc->struct_add(th, "dJJ", "reply_port", rp_params.reply_port,
			"reply_port_replies", rp_cnt_val(rp_cnt.rport_replies),
			"reply_port_dropped", rp_cnt_val(rp_cnt.rport_dropped));
}

static void rp_rpc_ping(rpc_t *rpc, void *ctx)
{
	str aor;
	int pinged;

	if(rpc->scan(ctx, "S", &aor) < 1) {
		rpc->fault(ctx, 400, "AoR expected");
		return;
	}
	if(rp_ping_aor(&aor, &pinged) <= 0) {
		rpc->fault(ctx, 404, "No contact of that AoR is pinged");
		return;
	}
	rpc->add(ctx, "d", pinged);
}

static const char *rp_rpc_status_doc[] = {
		"Contacts pinged (by family), settings and counters", 0};
static const char *rp_rpc_list_doc[] = {
		"Pinged contacts, all or those of one AoR: address, family, socket, "
		"last ping and reply (unix time), failures",
		0};
static const char *rp_rpc_nodes_doc[] = {
		"The cluster's nodes: this one and those heard over DMQ (id, "
		"state, since when they ping, last heard)",
		0};
static const char *rp_rpc_ping_doc[] = {"Ping the contacts of an AoR now", 0};

/* clang-format off */
rpc_export_t rp_rpc[] = {
	{"regping.status", rp_rpc_status, rp_rpc_status_doc, 0},
	{"regping.list", rp_rpc_list, rp_rpc_list_doc, RET_ARRAY},
	{"regping.ping", rp_rpc_ping, rp_rpc_ping_doc, 0},
	{"regping.nodes", rp_cluster_rpc_nodes, rp_rpc_nodes_doc, RET_ARRAY},
	{0, 0, 0, 0}
};
/* clang-format on */
