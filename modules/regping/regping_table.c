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
 * \brief regping :: the contact table in shared memory: an index by ruid,
 * one by AoR, the wheel's slots, one lock
 */

#include <string.h>

#include "core/mem/mem.h"
#include "core/mem/shm_mem.h"
#include "core/locking.h"

#include "regping_int.h"

rp_table_t *rp_tbl = NULL;
rp_wheel_t rp_wheel;

static void *rp_shm_block(unsigned long size)
{
	return shm_malloc(size);
}

static void rp_shm_release(void *block)
{
	shm_free(block);
}

/* the bytes of e's strings in e->data, after its address (the lengths
 * never change once filled) */
static unsigned long rp_entry_strings(rp_entry_t *e)
{
	return (unsigned long)e->ruid_len + e->aor_len + e->uri_len + e->path_len
		   + e->rlen;
}

unsigned long rp_entry_size(int wide, unsigned long strings)
{
	return sizeof(rp_entry_t) + RP_ADDR_LEN(wide) + strings;
}

rp_entry_t *rp_entry_alloc(unsigned long size, rp_ref_t *r)
{
	uint32_t nblocks;

	if(!rp_pool_fits(size)) {
		LM_ERR("a contact of %lu bytes, over the %d an entry may take\n",
				size, RP_POOL_MAX);
		return NULL;
	}
	lock_get(&rp_tbl->pool_lock);
	*r = rp_pool_get(&rp_tbl->pool, size);
	nblocks = rp_tbl->pool.nblocks;
	lock_release(&rp_tbl->pool_lock);
	if(*r == 0) {
		LM_ERR("no memory for a contact of %lu bytes (%u of %d pool blocks"
			   " in use)\n",
				size, nblocks, RP_POOL_BLOCKS);
		return NULL;
	}
	/* the block table only grows: its entries stay where they are */
	return rp_pool_ptr(&rp_tbl->pool, *r);
}

void rp_entry_free(rp_ref_t r)
{
	rp_entry_t *e = rp_entry(r);

	if(e == NULL)
		return;
	lock_get(&rp_tbl->pool_lock);
	rp_pool_put(&rp_tbl->pool,
			r, rp_entry_size(e->wide, rp_entry_strings(e)));
	lock_release(&rp_tbl->pool_lock);
}

void rp_pool_usage(unsigned long *bytes, unsigned long *in_use)
{
	lock_get(&rp_tbl->pool_lock);
	*bytes = rp_tbl->pool.bytes;
	*in_use = rp_tbl->pool.in_use;
	lock_release(&rp_tbl->pool_lock);
}

int rp_table_init(void)
{
	uint32_t hs;

	for(hs = 1; hs < (uint32_t)rp_params.hash_size && hs < RP_INDEX_MAX; hs <<= 1)
		;
	rp_tbl = shm_malloc(sizeof(rp_table_t));
	if(rp_tbl == NULL) {
		SHM_MEM_ERROR;
		return -1;
	}
	memset(rp_tbl, 0, sizeof(*rp_tbl));
	rp_tbl->hmask = hs - 1;
	rp_tbl->entries = 0;
	rp_tbl->index = shm_malloc(hs * sizeof(rp_ref_t));
	if(rp_tbl->index == NULL) {
		SHM_MEM_ERROR;
		return -1;
	}
	memset(rp_tbl->index, 0, hs * sizeof(rp_ref_t));
	rp_budget_init(&rp_tbl->budget, (uint32_t)rp_params.max_rate,
			(uint32_t)rp_params.tick_ms, rp_mono_ms());
	if(lock_init(&rp_tbl->lock) == NULL || lock_init(&rp_tbl->pool_lock) == NULL) {
		LM_ERR("cannot init the locks\n");
		return -1;
	}
	rp_pool_init(&rp_tbl->pool, rp_shm_block);
	return 0;
}

void rp_table_destroy(void)
{
	if(rp_tbl == NULL)
		return;
	/* the entries go with the pool's blocks */
	if(rp_tbl->index)
		shm_free(rp_tbl->index);
	rp_pool_destroy(&rp_tbl->pool, rp_shm_release);
	lock_destroy(&rp_tbl->lock);
	lock_destroy(&rp_tbl->pool_lock);
	shm_free(rp_tbl);
	rp_tbl = NULL;
}

/* --- the table (callers hold rp_tbl->lock) --- */

/* at 1M contacts the entries lie on some 50,000 pages: each one a walk
 * or a lookup touches is a cache and TLB miss unless it was asked for
 * ahead. The head and the strings a ping is built from (the entry's
 * first three lines). Always inlined: gcc 12 takes a function that only
 * prefetches for one without effects and drops the call */
static inline __attribute__((always_inline)) void rp_entry_prefetch(
		rp_ref_t r)
{
	char *p = (char *)rp_entry(r);

	if(p == NULL)
		return;
	__builtin_prefetch(p);
	__builtin_prefetch(p + 64);
	__builtin_prefetch(p + 128);
}

rp_entry_t *rp_find(str *ruid, uint32_t h, rp_ref_t **pprev)
{
	rp_ref_t *pp = &rp_tbl->index[rp_part(h, rp_tbl->hmask + 1)];
	rp_entry_t *e;

	for(; *pp; pp = &e->hnext) {
		e = rp_entry(*pp);
		if(e->hash == h && e->ruid_len == ruid->len
				&& memcmp(e->data + RP_ADDR_LEN(e->wide), ruid->s, ruid->len)
						   == 0) {
			if(pprev)
				*pprev = pp;
			return e;
		}
	}
	return NULL;
}

void rp_find_ahead(const uint32_t *h, int n)
{
	uint32_t nb = rp_tbl->hmask + 1;
	int i;

	for(i = 0; i < n; i++)
		__builtin_prefetch(&rp_tbl->index[rp_part(h[i], nb)]);
	for(i = 0; i < n; i++)
		rp_entry_prefetch(rp_tbl->index[rp_part(h[i], nb)]);
}

void rp_unlink(rp_entry_t *e, rp_ref_t *pprev)
{
	*pprev = e->hnext;
	if(e->af)
		rp_tbl->count[e->af == 6]--;
	rp_tbl->entries--;
}

/* double the index (lock held) when there are more contacts than
 * buckets: a chain stays about one entry long whatever hash_size said,
 * and memory follows the contacts. Out of memory keeps the old size.
 * Bucket i becomes 2i and 2i + 1: the order of the hashes stays. */
static void rp_grow(void)
{
	uint32_t n = (rp_tbl->hmask + 1) * 2, i, b;
	rp_ref_t *ix, r, next;
	rp_entry_t *e;

	ix = shm_malloc(n * sizeof(rp_ref_t));
	if(ix == NULL) {
		LM_WARN("cannot grow the index to %u buckets: out of shared memory\n",
				n);
		return;
	}
	memset(ix, 0, n * sizeof(rp_ref_t));
	for(i = 0; i <= rp_tbl->hmask; i++) {
		for(r = rp_tbl->index[i]; r; r = next) {
			e = rp_entry(r);
			next = e->hnext;
			b = rp_part(e->hash, n);
			e->hnext = ix[b];
			ix[b] = r;
		}
	}
	shm_free(rp_tbl->index);
	rp_tbl->index = ix;
	rp_tbl->hmask = n - 1;
}

void rp_link(rp_entry_t *e, rp_ref_t r)
{
	rp_ref_t *head;

	if(++rp_tbl->entries > rp_tbl->hmask + 1 && rp_tbl->hmask < RP_INDEX_MAX - 1)
		rp_grow();
	head = &rp_tbl->index[rp_part(e->hash, rp_tbl->hmask + 1)];

	e->hnext = *head;
	*head = r;
	if(e->af)
		rp_tbl->count[e->af == 6]++;
}

void rp_slot_first(rp_slot_it_t *it, uint32_t slot)
{
	uint32_t n = rp_tbl->hmask + 1;

	it->slot = slot;
	it->b = rp_part((uint32_t)rp_part_start(slot, rp_wheel.nslots), n);
	it->last = rp_part(
			(uint32_t)(rp_part_start(slot + 1, rp_wheel.nslots) - 1), n);
	it->e = 0;
}

/* how many buckets ahead of the walk their entries are asked for: about
 * the misses a core keeps in flight */
#define RP_WALK_AHEAD 8

rp_entry_t *rp_slot_next(rp_slot_it_t *it)
{
	rp_entry_t *e;

	for(;;) {
		while(it->e == 0) {
			if(it->b > it->last)
				return NULL;
			if(it->last - it->b >= RP_WALK_AHEAD)
				rp_entry_prefetch(rp_tbl->index[it->b + RP_WALK_AHEAD]);
			it->e = rp_tbl->index[it->b++];
		}
		e = rp_entry(it->e);
		it->e = e->hnext;
		/* the first and last buckets may hold the neighbours' too */
		if(rp_wheel_slot(&rp_wheel, e->hash) == it->slot)
			return e;
	}
}

/* copy strings after a struct: *dst points into buf, returns past it */
char *rp_put_str(char *buf, str *dst, str *src)
{
	dst->s = buf;
	dst->len = src ? src->len : 0;
	if(dst->len)
		memcpy(buf, src->s, dst->len);
	return buf + dst->len;
}

void rp_remove(str *ruid)
{
	rp_entry_t *e;
	rp_ref_t *pprev, r = 0;

	lock_get(&rp_tbl->lock);
	e = rp_find(ruid, rp_hash(ruid->s, ruid->len), &pprev);
	if(e) {
		r = *pprev;
		rp_unlink(e, pprev);
	}
	lock_release(&rp_tbl->lock);
	rp_entry_free(r);
}

/* drop the entry of ruid if its address is still a name to resolve (a
 * re-registration may have replaced it meanwhile) */
void rp_remove_pending(str *ruid)
{
	rp_entry_t *e;
	rp_ref_t *pprev, r = 0;

	lock_get(&rp_tbl->lock);
	e = rp_find(ruid, rp_hash(ruid->s, ruid->len), &pprev);
	if(e && e->af == 0) {
		r = *pprev;
		rp_unlink(e, pprev);
	}
	lock_release(&rp_tbl->lock);
	rp_entry_free(r);
}

str rp_entry_str(rp_entry_t *e, enum rp_entry_field f)
{
	uint16_t len[] = {
			e->ruid_len, e->aor_len, e->uri_len, e->path_len, e->rlen};
	str s;
	int i;

	s.s = e->data + RP_ADDR_LEN(e->wide);
	for(i = 0; i < (int)f; i++)
		s.s += len[i];
	s.len = len[f];
	return s;
}

int rp_entry_set_dst(rp_entry_t *e, union sockaddr_union *su)
{
	struct ip_addr ip;

	su2ip_addr(&ip, su);
	if(ip.af == AF_INET6 && !e->wide) {
		LM_ERR("no room for IPv6 address %s in the entry\n", ip_addr2a(&ip));
		return -1;
	}
	e->inet6 = ip.af == AF_INET6;
	memcpy(e->data, ip.u.addr, RP_ADDR_LEN(e->inet6));
	e->port = su_getport(su);
	return 0;
}

/* the sockaddr rp_entry_set_dst() kept */
static void rp_entry_dst(rp_entry_t *e, union sockaddr_union *su)
{
	struct ip_addr ip;

	memset(&ip, 0, sizeof(ip));
	ip.af = e->inet6 ? AF_INET6 : AF_INET;
	ip.len = RP_ADDR_LEN(e->inet6);
	memcpy(ip.u.addr, e->data, ip.len);
	init_su(su, &ip, e->port);
}

rp_job_t *rp_job_new(rp_entry_t *e)
{
	rp_job_t *j;
	char *p;
	str s;

	j = pkg_malloc(sizeof(rp_job_t) + rp_entry_strings(e));
	if(j == NULL) {
		PKG_MEM_ERROR;
		return NULL;
	}
	memset(j, 0, sizeof(*j));
	s = rp_entry_str(e, RP_E_RUID);
	p = rp_put_str(j->data, &j->ruid, &s);
	s = rp_entry_str(e, RP_E_AOR);
	p = rp_put_str(p, &j->aor, &s);
	s = rp_entry_str(e, RP_E_URI);
	p = rp_put_str(p, &j->uri, &s);
	s = rp_entry_str(e, RP_E_PATH);
	p = rp_put_str(p, &j->path, &s);
	s = rp_entry_str(e, RP_E_RESOLVE);
	rp_put_str(p, &j->resolve, &s);
	if(e->af)
		rp_entry_dst(e, &j->dst);
	j->sock = e->sock;
	j->tcpconn_id = e->tcpconn_id;
	j->proto = e->proto;
	j->af = e->af;
	j->seq = e->live.seq;
	j->failures = e->live.failures;
	j->live = e->live;
	j->saver = e->saver;
	return j;
}

