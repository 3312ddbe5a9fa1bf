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

#include "core/dprint.h"
#include "core/mem/mem.h"
#include "core/mem/shm_mem.h"
#include "core/timer_proc.h"

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

/* the contacts of one slot that are not queued yet (takes the lock):
 * while nothing waits in the queue and max_rate allows, each is judged
 * at once and its ping appended to *jobs (sent right after, as it would
 * be from the queue; no copy of its ruid, no second lookup), at most
 * RP_DIRECT_MAX in one run (*n counts them: a late run catching up
 * holds no interval's worth of copies); the others are queued */
#define RP_DIRECT_MAX 4096
static void rp_queue_slot(uint32_t slot, uint64_t mono, uint64_t now,
		rp_job_t **jobs, rp_job_t **jtail, int *n)
{
	rp_due_item_t *q;
	rp_entry_t *e;
	rp_job_t *j;
	str ruid;

	lock_get(&rp_tbl->lock);
	for(e = rp_tbl->slots[slot]; e; e = e->wnext) {
		if(e->queued)
			continue;
		if(rp_queue_head == NULL && *n < RP_DIRECT_MAX
				&& rp_budget_avail(&rp_tbl->budget, mono) > 0) {
			(*n)++;
			j = rp_due(e, now);
			rp_budget_spend(&rp_tbl->budget, 1);
			if(j) {
				if(*jtail)
					(*jtail)->next = j;
				else
					*jobs = j;
				*jtail = j;
			}
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
	if(e && e->af == 0) {
		rp_entry_set_dst(e, &t.dst);
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
	if(e) {
		e->queued = 0;
		*j = rp_due(e, now);
		rp_budget_spend(&rp_tbl->budget, 1);
	}
	lock_release(&rp_tbl->lock);
	pkg_free(q);
	return 0;
}

/* the timer process: queue the slots of the ticks since the last run
 * (a late run catches up, at most one interval; an early one does
 * nothing), send what the budget allows */
static void rp_timer(unsigned int ticks, void *param)
{
	uint64_t mono = rp_mono_ms(), now = rp_wall_ms();
	uint64_t tick = mono / rp_wheel.tick_ms, t;
	rp_job_t *jobs = NULL, *jtail = NULL, *j;
	int n = 0;

	if(!rp_started) {
		rp_load_usrloc();
		rp_last_tick = tick - 1;
		rp_started = 1;
	}
	if(tick > rp_last_tick + rp_wheel.nslots)
		rp_last_tick = tick - rp_wheel.nslots;
	for(t = rp_last_tick + 1; t <= tick; t++)
		rp_queue_slot((uint32_t)(t % rp_wheel.nslots), mono, now, &jobs,
				&jtail, &n);
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
			rp_finish(j);
	}
}

int rp_ping_aor(str *aor, int *pinged)
{
	rp_job_t *list = NULL, *j;
	rp_entry_t *e;
	str ea;
	uint64_t now = rp_wall_ms(), mono = rp_mono_ms();
	unsigned int ah = rp_ul.get_aorhash(aor);
	int found = 0;

	*pinged = 0;
	/* one bucket of the AoR index; an extra ping per contact and
	 * extra_ping_interval at most, and only as max_rate allows */
	lock_get(&rp_tbl->lock);
	for(e = rp_tbl->aindex[ah & rp_tbl->hmask]; e; e = e->anext) {
		if(e->aorhash != ah)
			continue;
		ea = rp_entry_str(e, RP_E_AOR);
		if(!rp_str_eq(&ea, aor))
			continue;
		found++;
		/* a name not resolved yet: the timer process does that first */
		if(e->af == 0 || rp_budget_avail(&rp_tbl->budget, mono) == 0
				|| !rp_poke_allowed(&e->last_poke, mono,
						(uint32_t)rp_params.extra_ping_interval))
			continue;
		rp_budget_spend(&rp_tbl->budget, 1);
		/* an extra ping: it judges nothing, its reply counts */
		rp_live_poke(&e->live, now, rp_expects_reply(e->proto));
		j = rp_job_new(e);
		if(j) {
			j->extra = 1;
			j->next = list;
			list = j;
		}
	}
	lock_release(&rp_tbl->lock);
	while(list) {
		j = list;
		list = j->next;
		rp_finish(j);
		(*pinged)++;
	}
	return found;
}

int rp_start_timer(void)
{
	/* the utimer's period is in microseconds */
	if(fork_basic_utimer(PROC_TIMER, "regping timer", 1 /* socks */,
			   rp_timer, NULL, (unsigned int)rp_params.tick_ms * 1000)
			< 0) {
		LM_ERR("cannot start the timer process\n");
		return -1;
	}
	return 0;
}

