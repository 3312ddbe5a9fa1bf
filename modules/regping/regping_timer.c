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
 * \brief regping :: the timer process (the wheel's due contacts queued,
 * judged and sent as max_rate allows) and the extra pings of
 * regping_ping()
 */

#include <string.h>
#include <errno.h>
#include <time.h>

#include "core/dprint.h"
#include "core/mem/mem.h"
#include "core/mem/shm_mem.h"
#include "core/pt.h"
#include "core/cfg/cfg_struct.h"
#include "core/globals.h"
#include "core/counters.h"

#include "ds_kglue.h"
#include "regping_int.h"

/* timer process state */
static uint64_t rp_last_tick; /* the last tick (mono ms / tick_ms) queued */
static int rp_started = 0;
/* contacts due for a ping, by ruid: judged and copied when sent, so that
 * a backlog under max_rate judges each ping when it really goes out */
typedef struct rp_due_item
{
	struct rp_due_item *next;
	uint32_t hash;
	str ruid;
	char data[];
} rp_due_item_t;
static rp_due_item_t *rp_queue_head = NULL, *rp_queue_tail = NULL;

/* in a cluster: the nodes as last read, and the ids that pinged the last
 * slot sent (rp_live_ids()); unused without a cluster (rp_mine()) */
static rp_peer_t rp_peers[RP_NODES_MAX];
static int rp_npeers = 0;
static uint64_t rp_self_since = 0;
static int rp_ids[RP_NODES_MAX + 1], rp_nids = 0;

/* the ids that ping the slot due at wall time t, into ids */
static int rp_ids_at(uint64_t now, uint64_t t, int *ids)
{
	return rp_live_ids(rp_peers, rp_npeers, server_id, rp_self_since, now, t,
			(uint32_t)rp_params.cluster_timeout, ids);
}

/* whether this node pings e in a slot pinged by ids[0..n) (lock held);
 * counts what changes hands. A contact another node pings has nothing of
 * this node's outstanding: its first ping here judges nothing. */
static int rp_mine(rp_entry_t *e, const int *ids, int n)
{
	if(!rp_cluster_on)
		return 1;
	if(n > 0 && rp_owner(e->hash, e->saver, server_id, ids, n) == server_id) {
		if(e->mine == RP_MINE_NOT && e->saver != server_id) {
			e->mine = RP_MINE_TAKEN;
			counter_inc(rp_cnt.takeovers);
		} else if(e->mine == RP_MINE_NOT) {
			e->mine = RP_MINE_OWN;
		}
		return 1;
	}
	if(e->mine == RP_MINE_TAKEN)
		counter_inc(rp_cnt.handovers);
	e->mine = RP_MINE_NOT;
	e->live.awaiting = 0;
	return 0;
}

/* append j to the jobs */
static void rp_add_job(rp_job_t *j, rp_job_t **jobs, rp_job_t **jtail)
{
	if(j == NULL)
		return;
	if(*jtail)
		(*jtail)->next = j;
	else
		*jobs = j;
	*jtail = j;
}

/* the contacts of one slot that are not queued yet (takes the lock):
 * while nothing waits in the queue and max_rate allows, each is judged
 * at once and its ping appended to *jobs (sent right after, as it would
 * be from the queue; no copy of its ruid, no second lookup), at most
 * RP_DIRECT_MAX in one run (*n counts them: a late run catching up
 * holds no interval's worth of copies); the others are queued */
#define RP_DIRECT_MAX 4096
static void rp_queue_slot(uint32_t slot, uint64_t mono, uint64_t now,
		const int *ids, int nids, rp_job_t **jobs, rp_job_t **jtail, int *n)
{
	rp_due_item_t *q;
	rp_slot_it_t it;
	rp_entry_t *e;
	str ruid;

	lock_get(&rp_tbl->lock);
	for(rp_slot_first(&it, slot); (e = rp_slot_next(&it)) != NULL;) {
		if(e->queued || !rp_mine(e, ids, nids))
			continue;
		if(rp_queue_head == NULL && *n < RP_DIRECT_MAX
				&& rp_budget_avail(&rp_tbl->budget, mono) > 0) {
			(*n)++;
			rp_add_job(rp_due(e, now), jobs, jtail);
			rp_budget_spend(&rp_tbl->budget, 1);
			continue;
		}
		ruid = rp_entry_str(e, RP_E_RUID);
		q = pkg_malloc(sizeof(rp_due_item_t) + ruid.len);
		if(q == NULL) {
			PKG_MEM_ERROR;
			break;
		}
		q->next = NULL;
		q->hash = e->hash;
		rp_put_str(q->data, &q->ruid, &ruid);
		e->queued = 1;
		if(rp_queue_tail)
			rp_queue_tail->next = q;
		else
			rp_queue_head = q;
		rp_queue_tail = q;
	}
	lock_release(&rp_tbl->lock);
}

/* the timer process resolves a contact's host name before its first ping
 * (blocking DNS, but under no lock: usrloc callbacks never resolve) and
 * keeps the address, as if it had been resolved when saved; -1 when it
 * is not to be pinged (unresolvable, no socket, af filter) */
static int rp_resolve(rp_job_t *j)
{
	rp_target_t t;
	rp_entry_t *e;
	int af, ok = 0;

	memset(&t, 0, sizeof(t));
	if(rp_uri_target(&j->resolve, &t, "contact address", 1) < 0
			|| rp_target_socket(&t, &j->uri) < 0) {
		rp_remove_pending(&j->ruid);
		return -1;
	}
	af = ds_su_af(&t.dst);
	if(rp_af_filter && af != rp_af_filter) {
		LM_DBG("not pinging IPv%d contact [%s]\n", af, rp_esc(&j->uri));
		rp_remove_pending(&j->ruid);
		return -1;
	}
	lock_get(&rp_tbl->lock);
	e = rp_find(&j->ruid, rp_hash(j->ruid.s, j->ruid.len), NULL);
	if(e && e->af == 0 && rp_entry_set_dst(e, &t.dst) == 0) {
		e->sock = t.sock;
		e->proto = (uint8_t)t.proto;
		e->af = (uint8_t)af;
		rp_tbl->count[af == 6]++;
		ok = 1;
	}
	lock_release(&rp_tbl->lock);
	if(!ok)
		return -1;
	j->dst = t.dst;
	j->sock = t.sock;
	j->proto = (uint8_t)t.proto;
	j->af = (uint8_t)af;
	return 0;
}

/* the ping of the first queued contact, judged now, in *j (NULL when the
 * contact is gone); -1 when max_rate lets no ping out now (it stays
 * queued) */
static int rp_take(uint64_t mono, uint64_t now, rp_job_t **j)
{
	rp_due_item_t *q;
	rp_entry_t *e;

	*j = NULL;
	lock_get(&rp_tbl->lock);
	if(rp_budget_avail(&rp_tbl->budget, mono) == 0) {
		lock_release(&rp_tbl->lock);
		return -1;
	}
	q = rp_queue_head;
	rp_queue_head = q->next;
	if(rp_queue_head == NULL)
		rp_queue_tail = NULL;
	e = rp_find(&q->ruid, q->hash, NULL);
	if(e)
		e->queued = 0;
	if(e && rp_mine(e, rp_ids, rp_nids)) {
		*j = rp_due(e, now);
		rp_budget_spend(&rp_tbl->budget, 1);
	}
	lock_release(&rp_tbl->lock);
	pkg_free(q);
	return 0;
}

/* a node that pinged the slots up to the last one is gone (last heard
 * at heard): the contacts it pinged that are this node's now, in the
 * slots since then, are pinged at once rather than an interval later */
static int rp_catch_up(int gone, uint64_t heard, uint64_t now,
		const int *old, int nold, rp_job_t **jobs, rp_job_t **jtail)
{
	uint64_t t = heard / rp_wheel.tick_ms;
	rp_slot_it_t it;
	rp_entry_t *e;
	int n = 0;

	if(t + rp_wheel.nslots <= rp_last_tick)
		t = rp_last_tick - rp_wheel.nslots + 1;
	/* the lock is taken for one slot at a time */
	for(; t <= rp_last_tick; t++) {
		lock_get(&rp_tbl->lock);
		for(rp_slot_first(&it, (uint32_t)(t % rp_wheel.nslots));
				(e = rp_slot_next(&it)) != NULL;) {
			if(e->queued
					|| rp_owner(e->hash, e->saver, server_id, old, nold)
							   != gone
					|| !rp_mine(e, rp_ids, rp_nids))
				continue;
			rp_add_job(rp_due(e, now), jobs, jtail);
			rp_budget_spend(&rp_tbl->budget, 1);
			n++;
		}
		lock_release(&rp_tbl->lock);
	}
	return n;
}

/* a cluster's nodes read again; the nodes that pinged until now and are
 * gone have their contacts caught up */
static void rp_read_nodes(
		uint64_t now, uint64_t tick, rp_job_t **jobs, rp_job_t **jtail)
{
	rp_peer_t prev[RP_NODES_MAX];
	int old[RP_NODES_MAX + 1], nold = rp_nids, nprev = rp_npeers, i, k, n;
	uint64_t heard;

	rp_cluster_heartbeat(now);
	memcpy(old, rp_ids, sizeof(int) * nold);
	memcpy(prev, rp_peers, sizeof(rp_peer_t) * nprev);
	rp_npeers = rp_cluster_snapshot(rp_peers, &rp_self_since);
	rp_nids = rp_ids_at(now, tick * rp_wheel.tick_ms, rp_ids);
	for(i = 0; i < nold; i++) {
		for(k = 0; k < rp_nids && rp_ids[k] != old[i]; k++)
			;
		if(k < rp_nids || old[i] == server_id)
			continue;
		for(k = 0; k < nprev && prev[k].id != old[i]; k++)
			;
		heard = k < nprev ? prev[k].heard : now;
		n = rp_catch_up(old[i], heard, now, old, nold, jobs, jtail);
		LM_INFO("node %d is gone (last heard %llu ms ago): its contacts are "
				"pinged by the live nodes, %d of them now\n",
				old[i], (unsigned long long)(now - heard), n);
	}
}

/* the timer process: queue the slots of the ticks since the last run
 * (a late run catches up, at most one interval; an early one does
 * nothing), send what the budget allows. In a cluster the wheel turns on
 * the wall clock: every node has a slot at the same time (NTP-synced
 * clocks), so a contact changes hands at one slot. */
static void rp_timer(void)
{
	uint64_t mono = rp_mono_ms(), now = rp_wall_ms();
	uint64_t tick = (rp_cluster_on ? now : mono) / rp_wheel.tick_ms, t;
	rp_job_t *jobs = NULL, *jtail = NULL, *j;
	int n = 0, ids[RP_NODES_MAX + 1], nids = 0;

	if(!rp_started) {
		rp_load_usrloc();
		rp_last_tick = tick - 1;
		rp_started = 1;
	}
	if(tick > rp_last_tick + rp_wheel.nslots)
		rp_last_tick = tick - rp_wheel.nslots;
	if(rp_cluster_on)
		rp_read_nodes(now, tick, &jobs, &jtail);
	for(t = rp_last_tick + 1; t <= tick; t++) {
		if(rp_cluster_on)
			nids = rp_ids_at(now, t * rp_wheel.tick_ms, ids);
		rp_queue_slot((uint32_t)(t % rp_wheel.nslots), mono, now, ids, nids,
				&jobs, &jtail, &n);
	}
	if(tick > rp_last_tick)
		rp_last_tick = tick;
	for(;;) {
		if(jobs) {
			j = jobs;
			jobs = j->next;
		} else if(rp_queue_head == NULL || rp_take(mono, now, &j) < 0) {
			break;
		}
		if(j && j->af == 0 && rp_resolve(j) < 0) {
			pkg_free(j);
			continue;
		}
		if(j)
			rp_finish_batched(j);
	}
	rp_flush();
}

/* an extra ping of e, as extra_ping_interval and max_rate allow (both
 * locks held, rp_for_aor()) */
struct rp_poke_arg
{
	rp_job_t *list;
	uint64_t now, mono;
};

static int rp_poke_one(rp_entry_t *e, void *arg)
{
	struct rp_poke_arg *a = arg;
	rp_job_t *j;

	/* a name not resolved yet: the timer process does that first */
	if(e->af == 0 || rp_budget_avail(&rp_tbl->budget, a->mono) == 0
			|| !rp_poke_allowed(&e->last_poke, a->mono,
					(uint32_t)rp_params.extra_ping_interval))
		return 0;
	rp_budget_spend(&rp_tbl->budget, 1);
	/* an extra ping: it judges nothing, its reply counts */
	rp_live_poke(&e->live, a->now, rp_expects_reply(e->proto));
	j = rp_job_new(e);
	if(j) {
		j->extra = 1;
		j->next = a->list;
		a->list = j;
	}
	return 0;
}

int rp_ping_aor(str *aor, int *pinged)
{
	struct rp_poke_arg a = {NULL, rp_wall_ms(), rp_mono_ms()};
	rp_job_t *j;
	int found;

	*pinged = 0;
	found = rp_for_aor(aor, rp_poke_one, &a);
	while(a.list) {
		j = a.list;
		a.list = j->next;
		rp_finish(j);
		(*pinged)++;
	}
	return found;
}

/* the timer process: wakes at each tick's start by the clock the wheel
 * turns on (absolute deadlines). A basic utimer sleeps its period after
 * each run, so its runs drift later by each run's length and every so
 * often one takes two slots at once: a burst of twice a slot's pings. */
static void rp_timer_loop(void)
{
	clockid_t clk = rp_cluster_on ? CLOCK_REALTIME : CLOCK_MONOTONIC;
	uint64_t step = (uint64_t)rp_params.tick_ms * 1000000, ns;
	struct timespec ts;

	for(;;) {
		clock_gettime(clk, &ts);
		ns = (uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec;
		ns = (ns / step + 1) * step;
		ts.tv_sec = (time_t)(ns / 1000000000);
		ts.tv_nsec = (long)(ns % 1000000000);
		rp_rport_wait(clk, &ts);
		cfg_update();
		rp_timer();
	}
}

int rp_start_timer(void)
{
	int pid;

	pid = fork_process(PROC_TIMER, "regping timer", 1 /* socks */);
	if(pid < 0) {
		LM_ERR("cannot start the timer process\n");
		return -1;
	}
	if(pid == 0) {
		if(cfg_child_init())
			return -1;
		rp_timer_loop();
	}
	return 0;
}

