/*
 * regping - unit tests for the scheduling and liveness logic
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
 * \brief regping :: check suite for regping_logic.c
 *
 * Table driven: every row is its own loop check, so a failure names its
 * input. The big simulations (100000 keys, three intervals of ticks, a
 * bucket driven for seconds) run inside one check each and assert only
 * when something is wrong, so the suite stays fast under ASan. Keys are
 * shaped like usrloc's ruids (sruid: "ulcx-<time>-<pid>-<counter>"):
 * realistic and highly similar, the hard case for an even spread.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <check.h>

#include "unit.h"

#include "regping/regping_logic.h"

/* a literal with its full length, embedded NULs included */
#define L(x) x, (int)(sizeof(x) - 1)
#define N_ROWS(t) ((int)(sizeof(t) / sizeof((t)[0])))

#define KEY_MAX 64

/* exact-size heap copy: reading past len is an ASan error */
static char *dup_exact(const char *s, int len)
{
	char *d = malloc(len > 0 ? (size_t)len : 1);

	ck_assert_ptr_nonnull(d);
	if(len > 0)
		memcpy(d, s, (size_t)len);
	return d;
}

/* the hash of an exact-size copy of key[0..len) */
static uint32_t hash_exact(const char *key, int len)
{
	char *d = dup_exact(key, len);
	uint32_t h = rp_hash(d, len);

	free(d);
	return h;
}

/* printable form of s[0..len) for failure messages; two slots so that a
 * message can show two keys */
static const char *show(const char *s, int len)
{
	static char out[2][4 * KEY_MAX + 16];
	static int slot;
	char *o = out[slot ^= 1];
	char *p = o;
	int i;

	*p++ = '"';
	for(i = 0; i < len && i < KEY_MAX; i++) {
		unsigned char c = (unsigned char)s[i];
		if(c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
			p += sprintf(p, "\\x%02x", c);
		else
			*p++ = (char)c;
	}
	sprintf(p, "\"/%d", len);
	return o;
}

/* key shapes for the simulations */
enum key_shape
{
	KEY_ULOC,	/* "uloc-5f2a3b1c-<pid>-<decimal counter>", 8 pids */
	KEY_ONEPID, /* the same from one process: only the counter varies */
	KEY_SRUID	/* usrloc's own: "ulcx-<time>-<pid>-<counter>", the counter
				 * in hex, least significant digit first, 8 pids */
};

static const char *shape_name(enum key_shape s)
{
	switch(s) {
		case KEY_ULOC:
			return "uloc";
		case KEY_ONEPID:
			return "uloc-onepid";
		case KEY_SRUID:
			return "sruid";
	}
	return "shape?";
}

/* the i-th key of a shape into buf[KEY_MAX]; returns its length */
static int make_key(enum key_shape shape, int i, char *buf)
{
	unsigned int pid = 0x3e8 + (unsigned int)i % 8;
	unsigned int cnt = (unsigned int)i / 8 + 1;
	int n;

	switch(shape) {
		case KEY_ULOC:
			return snprintf(buf, KEY_MAX, "uloc-5f2a3b1c-%x-%u", pid, cnt);
		case KEY_ONEPID:
			return snprintf(buf, KEY_MAX, "uloc-5f2a3b1c-3e8-%d", i + 1);
		case KEY_SRUID:
			n = snprintf(buf, KEY_MAX, "ulcx-5f2a3b1c-%x-", pid);
			while(cnt != 0) {
				buf[n++] = "0123456789abcdef"[cnt & 0x0f];
				cnt >>= 4;
			}
			buf[n] = '\0';
			return n;
	}
	return 0;
}

static uint32_t key_hash(enum key_shape shape, int i)
{
	char buf[KEY_MAX];
	int len = make_key(shape, i, buf);

	return rp_hash(buf, len);
}

static rp_wheel_t must_wheel(uint32_t interval, uint32_t tick)
{
	rp_wheel_t w;

	ck_assert_msg(rp_wheel_init(&w, interval, tick) == 0,
			"rp_wheel_init(%u, %u) rejected", interval, tick);
	return w;
}

/* ------------------------------------------------------------------ */
/* 1. rp_hash */

/* pinned values, computed once outside this code (FNV-1a, then the
 * murmur3 finaliser): a changed hash moves every contact's phase */
struct hash_row
{
	const char *key;
	int len;
	uint32_t h;
};

static const struct hash_row hashes[] = {
		{L(""), 0xab3e7c0bu},
		{L("a"), 0x1a80b1b3u},
		{L("\0"), 0x0578ab1bu},
		{L("a\0b"), 0x5d40db2du},
		{L("\xff\xfe"), 0x817421d0u},
		{L("uloc-5f2a3b1c-3e8-1"), 0xfe28d52cu},
		{L("ulcx-5f2a3b1c-3e8-1"), 0x6217726du},
		{L("ulcx-5f2a3b1c-3e8-a0186"), 0xce19e1a9u},
};

START_TEST(test_hash_pinned)
{
	const struct hash_row *r = &hashes[_i];
	uint32_t h1 = hash_exact(r->key, r->len);
	uint32_t h2 = hash_exact(r->key, r->len);

	ck_assert_msg(h1 == r->h, "rp_hash(%s) = 0x%08x, want 0x%08x",
			show(r->key, r->len), h1, r->h);
	ck_assert_msg(h2 == h1, "rp_hash(%s): 0x%08x, then 0x%08x",
			show(r->key, r->len), h1, h2);
}
END_TEST

/* keys that differ a little: their hashes differ */
struct differ_row
{
	const char *a;
	int alen;
	const char *b;
	int blen;
};

static const struct differ_row differ[] = {
		{L("a"), L("b")},
		{L("ab"), L("ba")},
		{L(""), L("\0")},
		{L("x"), L("x\0")},
		{L("abc"), L("abd")},
		{L("abc"), L("Abc")},
		{L("uloc-5f2a3b1c-3e8-1"), L("uloc-5f2a3b1c-3e8-2")},
		{L("uloc-5f2a3b1c-3e8-1"), L("uloc-5f2a3b1c-3e9-1")},
		{L("uloc-5f2a3b1c-3e8-1"), L("uloc-5f2a3b1c-3e8-10")},
		{L("uloc-5f2a3b1c-3e8-12"), L("uloc-5f2a3b1c-3e8-21")},
		{L("uloc-5f2a3b1c-3e8-1"), L("uloc-5f2a3b1d-3e8-1")},
		{L("ulcx-5f2a3b1c-3e8-1"), L("uloc-5f2a3b1c-3e8-1")},
};

START_TEST(test_hash_differ)
{
	const struct differ_row *r = &differ[_i];
	uint32_t ha = hash_exact(r->a, r->alen);
	uint32_t hb = hash_exact(r->b, r->blen);

	ck_assert_msg(ha != hb, "rp_hash(%s) == rp_hash(%s) = 0x%08x",
			show(r->a, r->alen), show(r->b, r->blen), ha);
}
END_TEST

/* longer keys for the length and bit-flip checks */
static const struct
{
	const char *key;
	int len;
} longkeys[] = {
		{L("uloc-5f2a3b1c-3e8-123456")},
		{L("ulcx-5f2a3b1c-3ef-a0186")},
		{L("sip:alice@[2001:db8::1]:5060;transport=tcp")},
		{L("\0\0\0\0\0\0\0\0")},
};

/* only key[0..len) counts: an exact-size copy of every prefix hashes
 * like the prefix of the whole key, and all the prefixes differ */
START_TEST(test_hash_len)
{
	const char *key = longkeys[_i].key;
	int len = longkeys[_i].len;
	uint32_t seen[KEY_MAX + 1];
	int n, m;

	ck_assert_int_le(len, KEY_MAX);
	for(n = 0; n <= len; n++) {
		seen[n] = hash_exact(key, n);
		ck_assert_msg(seen[n] == rp_hash(key, n),
				"rp_hash(%s): exact copy 0x%08x, in place 0x%08x", show(key, n),
				seen[n], rp_hash(key, n));
		for(m = 0; m < n; m++)
			ck_assert_msg(seen[m] != seen[n],
					"rp_hash(%s) == rp_hash(%s) = 0x%08x", show(key, m),
					show(key, n), seen[n]);
	}
}
END_TEST

/* every single-bit change of a key changes its hash (FNV-1a's steps and
 * the finaliser are bijections, so this holds for any key), and on
 * average it flips about half of the hash's bits */
START_TEST(test_hash_bitflip)
{
	const char *key = longkeys[_i].key;
	int len = longkeys[_i].len;
	uint32_t h0 = rp_hash(key, len);
	char buf[KEY_MAX];
	long flipped = 0;
	int n = 0;
	int i, b;
	double mean;

	memcpy(buf, key, (size_t)len);
	for(i = 0; i < len; i++) {
		for(b = 0; b < 8; b++) {
			uint32_t h;

			buf[i] ^= (char)(1 << b);
			h = hash_exact(buf, len);
			buf[i] ^= (char)(1 << b);
			ck_assert_msg(h != h0, "%s: byte %d bit %d keeps 0x%08x",
					show(key, len), i, b, h0);
			flipped += __builtin_popcount(h ^ h0);
			n++;
		}
	}
	mean = (double)flipped / n;
	ck_assert_msg(mean > 13.0 && mean < 19.0,
			"%s: a one-bit change flips %.2f of 32 bits on average",
			show(key, len), mean);
}
END_TEST

/* ------------------------------------------------------------------ */
/* 2. wheel geometry */

struct init_row
{
	uint32_t interval;
	uint32_t tick;
	int ret;
	uint32_t nslots;
};

static const struct init_row inits[] = {
		{0, 100, -1, 0},
		{30000, 0, -1, 0},
		{0, 0, -1, 0},
		{100, 101, -1, 0},
		{1, 2, -1, 0},
		{30000, UINT32_MAX, -1, 0},
		{1, 1, 0, 1},
		{100, 100, 0, 1},
		{30000, 100, 0, 300},
		{30000, 1000, 0, 30},
		{30000, 30000, 0, 1},
		/* the tick must divide the interval: the wheel turns once per
		 * interval */
		{1000, 300, -1, 0},
		{1000, 999, -1, 0},
		{1000, 501, -1, 0},
		{1000, 250, 0, 4},
		{3600000, 1, 0, 3600000},
		{UINT32_MAX, 1, 0, UINT32_MAX},
		{UINT32_MAX, UINT32_MAX, 0, 1},
};

START_TEST(test_wheel_init)
{
	const struct init_row *r = &inits[_i];
	rp_wheel_t w;
	int ret;

	ret = rp_wheel_init(&w, r->interval, r->tick);
	ck_assert_msg(ret == r->ret, "rp_wheel_init(%u, %u) = %d, want %d",
			r->interval, r->tick, ret, r->ret);
	if(ret != 0)
		return;
	ck_assert_msg(w.interval_ms == r->interval && w.tick_ms == r->tick
						  && w.nslots == r->nslots,
			"rp_wheel_init(%u, %u): %u/%u/%u, want nslots %u", r->interval,
			r->tick, w.interval_ms, w.tick_ms, w.nslots, r->nslots);
}
END_TEST

/* the slot of a hash: its part of nslots, h * nslots / 2^32 */
struct slot_row
{
	uint32_t interval;
	uint32_t tick;
	uint32_t h;
	uint32_t slot;
};

static const struct slot_row slots[] = {
		{30000, 100, 0, 0},
		{30000, 100, 0xda740du, 0},
		{30000, 100, 0xda740eu, 1},
		{30000, 100, 0x80000000u, 150},
		{30000, 100, 0xffffffffu, 299},
		{30000, 1000, 0x80000000u, 15},
		{30000, 1000, 0xffffffffu, 29},
		{30000, 30000, 0xffffffffu, 0},
		{1000, 250, 0, 0},
		{1000, 250, 0x3fffffffu, 0},
		{1000, 250, 0x40000000u, 1},
		{1000, 250, 0xbfffffffu, 2},
		{1000, 250, 0xc0000000u, 3},
		{1000, 250, 0xffffffffu, 3},
		{1000, 1000, 0xffffffffu, 0},
		{UINT32_MAX, 1, 0xfffffffeu, 0xfffffffdu},
		{UINT32_MAX, 1, 0xffffffffu, 0xfffffffeu},
		{UINT32_MAX, 1, 0, 0},
};

/* part i of n starts at rp_part_start(i, n): the hash before it is in
 * part i - 1, and the parts tile all 2^32 hashes */
START_TEST(test_part_start)
{
	static const uint32_t ns[] = {1, 2, 3, 4, 300, 1500, 30000, 65536,
			1u << 20, 1000003, 0x80000000u, 0xffffffffu};
	uint32_t n = ns[_i], i, k;
	uint64_t st;

	ck_assert_uint_eq(rp_part_start(0, n), 0);
	ck_assert_uint_eq(rp_part_start(n, n), (uint64_t)1 << 32);
	ck_assert_uint_eq(rp_part(0xffffffffu, n), n - 1);
	for(k = 0; k < 2000; k++) {
		/* the first and last parts, and some in between */
		i = k < 1000 ? k % n : (uint32_t)(((uint64_t)n * (k - 1000)) / 1000);
		if(i == 0)
			continue;
		st = rp_part_start(i, n);
		ck_assert_msg(rp_part((uint32_t)st, n) == i
							  && rp_part((uint32_t)(st - 1), n) == i - 1,
				"n %u: part %u starts at %llu", n, i, (unsigned long long)st);
	}
}
END_TEST

START_TEST(test_wheel_slot)
{
	const struct slot_row *r = &slots[_i];
	rp_wheel_t w = must_wheel(r->interval, r->tick);
	uint32_t s = rp_wheel_slot(&w, r->h);

	ck_assert_msg(s == r->slot, "wheel %u/%u: slot(0x%08x) = %u, want %u",
			r->interval, r->tick, r->h, s, r->slot);
}
END_TEST

struct geom_row
{
	uint32_t interval;
	uint32_t tick;
	uint64_t base; /* the clock when the simulation starts */
};

static const struct geom_row geoms[] = {
		{30000, 100, 0},
		{30000, 100, 987654321},
		{30000, 1000, 0},
		{30000, 1000, 1234567},
		{60000, 250, 42},
		{1000, 250, 5},
		{100, 100, 0}, /* one slot */
		{10, 1, 3},
		/* not covered: a tick that does not divide the interval; the wheel
		 * then turns every nslots * tick ms, not every interval */
};

/* the slots of 6000 keys: the same across calls, from a copy of the key,
 * and in a second wheel of the same geometry; all in [0, nslots) */
START_TEST(test_wheel_stable)
{
	const struct geom_row *r = &geoms[_i];
	rp_wheel_t w1 = must_wheel(r->interval, r->tick);
	rp_wheel_t w2, other;
	char key[KEY_MAX];
	int i, len;

	/* a different wheel in between, then the same geometry again */
	other = must_wheel(9, 3);
	(void)other;
	w2 = must_wheel(r->interval, r->tick);
	for(i = 0; i < 6000; i++) {
		enum key_shape shape = (enum key_shape)(i % 3);
		uint32_t s1, s2, s3;

		len = make_key(shape, i, key);
		s1 = rp_wheel_slot(&w1, rp_hash(key, len));
		s2 = rp_wheel_slot(&w1, rp_hash(key, len));
		s3 = rp_wheel_slot(&w2, hash_exact(key, len));
		if(s1 >= w1.nslots || s1 != s2 || s1 != s3)
			ck_abort_msg("wheel %u/%u: %s in slots %u, %u, %u of %u",
					r->interval, r->tick, show(key, len), s1, s2, s3,
					w1.nslots);
	}
}
END_TEST

/* rp_wheel_due(): one slot per tick, in order, every slot once per
 * interval, the same slot for every time inside a tick */
START_TEST(test_wheel_due)
{
	const struct geom_row *r = &geoms[_i];
	rp_wheel_t w = must_wheel(r->interval, r->tick);
	uint64_t start = r->base - r->base % r->tick; /* its tick's start */
	uint32_t first = rp_wheel_due(&w, r->base);
	uint32_t j, n = 3 * w.nslots;
	uint32_t *seen = calloc(w.nslots, sizeof(*seen));

	ck_assert_ptr_nonnull(seen);
	if(r->base == 0)
		ck_assert_msg(first == 0, "wheel %u/%u: due(0) = %u", r->interval,
				r->tick, first);
	for(j = 0; j < n; j++) {
		uint64_t t = start + (uint64_t)j * r->tick;
		uint32_t want = (first + j) % w.nslots;
		uint32_t a = rp_wheel_due(&w, t);
		uint32_t b = rp_wheel_due(&w, t + r->tick - 1);

		if(a != want || b != want)
			ck_abort_msg("wheel %u/%u: due(%llu) = %u, due(%llu) = %u, "
						 "want %u",
					r->interval, r->tick, (unsigned long long)t, a,
					(unsigned long long)(t + r->tick - 1), b, want);
		seen[a]++;
		if(j % w.nslots == w.nslots - 1) {
			uint32_t k;

			/* one full turn: every slot exactly once more */
			for(k = 0; k < w.nslots; k++)
				if(seen[k] != j / w.nslots + 1)
					ck_abort_msg("wheel %u/%u: slot %u due %u times in %u "
								 "turns",
							r->interval, r->tick, k, seen[k], j / w.nslots + 1);
		}
	}
	free(seen);
}
END_TEST

/* time runs over three intervals in tick steps, the due slot's keys are
 * pinged: every key once per interval, exactly one interval apart */
START_TEST(test_wheel_once_per_interval)
{
	const struct geom_row *r = &geoms[_i];
	rp_wheel_t w = must_wheel(r->interval, r->tick);
	const int nkeys = 3000;
	uint32_t *slot = malloc(nkeys * sizeof(*slot));
	uint32_t *start = calloc(w.nslots + 1, sizeof(*start));
	uint32_t *fill = calloc(w.nslots, sizeof(*fill));
	int *order = malloc(nkeys * sizeof(*order));
	int *pings = calloc((size_t)nkeys * 3, sizeof(*pings));
	uint64_t *last = malloc(nkeys * sizeof(*last));
	uint64_t t, end = r->base + 3 * (uint64_t)r->interval;
	char key[KEY_MAX];
	int i, k, len;

	ck_assert(slot && start && fill && order && pings && last);
	/* the keys sorted by slot */
	for(i = 0; i < nkeys; i++) {
		last[i] = UINT64_MAX; /* not pinged yet */
		slot[i] = rp_wheel_slot(&w, key_hash(KEY_SRUID, i));
		ck_assert_uint_lt(slot[i], w.nslots);
		start[slot[i] + 1]++;
	}
	for(k = 0; k < (int)w.nslots; k++)
		start[k + 1] += start[k];
	for(i = 0; i < nkeys; i++)
		order[start[slot[i]] + fill[slot[i]]++] = i;

	for(t = r->base; t < end; t += r->tick) {
		uint32_t due = rp_wheel_due(&w, t);
		int window = (int)((t - r->base) / r->interval);

		for(k = (int)start[due]; k < (int)start[due + 1]; k++) {
			i = order[k];
			pings[i * 3 + window]++;
			if(last[i] != UINT64_MAX && t - last[i] != r->interval) {
				len = make_key(KEY_SRUID, i, key);
				ck_abort_msg("wheel %u/%u from %llu: %s pinged at %llu and "
							 "%llu",
						r->interval, r->tick, (unsigned long long)r->base,
						show(key, len), (unsigned long long)last[i],
						(unsigned long long)t);
			}
			last[i] = t;
		}
	}
	for(i = 0; i < nkeys; i++) {
		for(k = 0; k < 3; k++) {
			if(pings[i * 3 + k] != 1) {
				len = make_key(KEY_SRUID, i, key);
				ck_abort_msg("wheel %u/%u from %llu: %s pinged %d times in "
							 "interval %d",
						r->interval, r->tick, (unsigned long long)r->base,
						show(key, len), pings[i * 3 + k], k);
			}
		}
	}
	free(slot);
	free(start);
	free(fill);
	free(order);
	free(pings);
	free(last);
}
END_TEST

/* ------------------------------------------------------------------ */
/* 3. even spread */

struct spread_row
{
	enum key_shape shape;
	int nkeys;
	uint32_t interval;
	uint32_t tick;
	double max_ratio;	 /* largest slot over the mean, at most */
	double min_ratio;	 /* smallest slot over the mean, at least */
	double window_ratio; /* most offsets in any 100 ms over the mean,
						   * at most; 0: not checked */
};

static const struct spread_row spreads[] = {
		{KEY_ULOC, 100000, 30000, 100, 1.3, 0.7, 1.5},
		{KEY_ONEPID, 100000, 30000, 100, 1.3, 0.7, 1.5},
		{KEY_SRUID, 100000, 30000, 100, 1.3, 0.7, 1.5},
		/* 33 keys per 100 ms: the window is too small to judge */
		{KEY_ULOC, 10000, 30000, 1000, 1.3, 0.7, 0},
		{KEY_ONEPID, 10000, 30000, 1000, 1.3, 0.7, 0},
		{KEY_SRUID, 10000, 30000, 1000, 1.3, 0.7, 0},
};

struct spread
{
	double max_ratio;
	double min_ratio;
	double window_ratio; /* the most offsets in any 100 ms window */
};

/* the spread of a row's keys over the slots and over the interval (the
 * offset h mod interval, in any 100 ms window, wrapping around) */
static struct spread measure_spread(const struct spread_row *r)
{
	rp_wheel_t w = must_wheel(r->interval, r->tick);
	uint32_t *per_slot = calloc(w.nslots, sizeof(*per_slot));
	uint32_t *per_ms = calloc(r->interval, sizeof(*per_ms));
	uint32_t lo = UINT32_MAX, hi = 0, win = 0, win_max = 0;
	double mean = (double)r->nkeys / w.nslots;
	struct spread sp;
	uint32_t k, span = r->interval < 100 ? r->interval : 100;
	int i;

	ck_assert(per_slot && per_ms);
	for(i = 0; i < r->nkeys; i++) {
		uint32_t h = key_hash(r->shape, i);

		per_slot[rp_wheel_slot(&w, h)]++;
		per_ms[h % r->interval]++;
	}
	for(k = 0; k < w.nslots; k++) {
		if(per_slot[k] < lo)
			lo = per_slot[k];
		if(per_slot[k] > hi)
			hi = per_slot[k];
	}
	/* sliding window of 100 ms over the offsets */
	for(k = 0; k < span; k++)
		win += per_ms[k];
	for(k = 0; k < r->interval; k++) {
		if(win > win_max)
			win_max = win;
		win += per_ms[(k + span) % r->interval];
		win -= per_ms[k];
	}
	sp.max_ratio = hi / mean;
	sp.min_ratio = lo / mean;
	sp.window_ratio = win_max / ((double)r->nkeys * span / r->interval);
	free(per_slot);
	free(per_ms);
	return sp;
}

START_TEST(test_spread)
{
	const struct spread_row *r = &spreads[_i];
	struct spread sp = measure_spread(r);

	ck_assert_msg(sp.max_ratio <= r->max_ratio && sp.min_ratio >= r->min_ratio,
			"%d %s keys, wheel %u/%u: slots from %.3f to %.3f of the mean",
			r->nkeys, shape_name(r->shape), r->interval, r->tick, sp.min_ratio,
			sp.max_ratio);
	if(r->window_ratio > 0)
		ck_assert_msg(sp.window_ratio <= r->window_ratio,
				"%d %s keys, interval %u: %.3f of the mean in a 100 ms "
				"window",
				r->nkeys, shape_name(r->shape), r->interval, sp.window_ratio);
}
END_TEST

/* ------------------------------------------------------------------ */
/* 4. rate cap */

/* one tick's worth of pings, rounded up, at least one */
static uint32_t tick_worth(uint32_t rate, uint32_t tick)
{
	uint64_t n = ((uint64_t)rate * tick + 999) / 1000;

	return n > 0 ? (uint32_t)n : 1;
}

START_TEST(test_budget_unlimited)
{
	static const uint64_t times[] = {
			1000, 1000, 1100, 0, 5000, 4999, UINT64_MAX, 1};
	rp_budget_t b;
	int i;

	rp_budget_init(&b, 0, 100, 1000);
	for(i = 0; i < N_ROWS(times); i++) {
		uint32_t a = rp_budget_avail(&b, times[i]);

		ck_assert_msg(a == UINT32_MAX, "rate 0: avail(%llu) = %u",
				(unsigned long long)times[i], a);
		rp_budget_spend(&b, i % 2 ? a : 1000000);
		ck_assert_msg(rp_budget_avail(&b, times[i]) == UINT32_MAX,
				"rate 0: avail(%llu) after a spend",
				(unsigned long long)times[i]);
	}
}
END_TEST

struct rate_row
{
	uint32_t rate;
	uint32_t tick;
	uint32_t seconds;
	uint64_t t0;
};

static const struct rate_row rates[] = {
		{1, 1000, 30, 0},
		{7, 1000, 30, 5000},
		{250, 1000, 10, 123456789},
		{3000, 1000, 5, 0},
		{10, 100, 10, 0},
		{100, 100, 10, 777},
		{1000, 100, 10, 0},
		{10000, 100, 3, 0},
		{5, 100, 20, 0}, /* half a ping per tick */
		{1, 100, 30, 0},
		{2, 250, 30, 0},
		{20, 50, 10, 0},
		{40, 25, 10, 0},
		{100, 20, 10, 0},
		/* a tick's worth that is not a whole number of pings */
		{15, 100, 30, 0},
		{3, 100, 30, 0},
		{7, 300, 30, 0},
		{155, 100, 30, 0},
};

/* spending all that is available at every tick for the row's seconds
 * sends rate * seconds, within one tick's worth; no step sends more than
 * one tick's worth */
START_TEST(test_budget_rate)
{
	const struct rate_row *r = &rates[_i];
	uint32_t cap = tick_worth(r->rate, r->tick);
	uint64_t want = (uint64_t)r->rate * r->seconds;
	uint64_t t, end = r->t0 + (uint64_t)r->seconds * 1000;
	uint64_t sent = 0;
	rp_budget_t b;

	rp_budget_init(&b, r->rate, r->tick, r->t0);
	for(t = r->t0; t <= end; t += r->tick) {
		uint32_t a = rp_budget_avail(&b, t);

		if(a > cap)
			ck_abort_msg("rate %u tick %u: %u at %llu ms, more than %u",
					r->rate, r->tick, a, (unsigned long long)(t - r->t0), cap);
		rp_budget_spend(&b, a);
		if(rp_budget_avail(&b, t) != 0)
			ck_abort_msg("rate %u tick %u: tokens left after spending all "
						 "at %llu ms",
					r->rate, r->tick, (unsigned long long)(t - r->t0));
		sent += a;
	}
	ck_assert_msg(sent + cap >= want && sent <= want + cap,
			"rate %u tick %u: %llu sent in %u s, want %llu +- %u", r->rate,
			r->tick, (unsigned long long)sent, r->seconds,
			(unsigned long long)want, cap);
}
END_TEST

/* after an idle gap of any length one tick's worth at most (at least one
 * ping): the backlog is not sent as a burst */
START_TEST(test_budget_no_burst)
{
	static const uint64_t gaps[] = {
			1, 100, 1000, 30000, 3600000, 86400000ull * 365};
	const struct rate_row *r = &rates[_i];
	uint32_t cap = tick_worth(r->rate, r->tick);
	int i;

	for(i = 0; i < N_ROWS(gaps); i++) {
		uint64_t t = r->t0 + gaps[i];
		rp_budget_t b;
		uint32_t a;

		rp_budget_init(&b, r->rate, r->tick, r->t0);
		a = rp_budget_avail(&b, t);
		ck_assert_msg(a <= cap,
				"rate %u tick %u: %u after %llu ms idle, "
				"more than %u",
				r->rate, r->tick, a, (unsigned long long)gaps[i], cap);
		if(gaps[i] >= 1000)
			ck_assert_msg(a >= 1, "rate %u tick %u: none after %llu ms idle",
					r->rate, r->tick, (unsigned long long)gaps[i]);
		/* asking again at the same time adds nothing */
		ck_assert_msg(rp_budget_avail(&b, t) == a,
				"rate %u tick %u: avail twice at %llu ms differs", r->rate,
				r->tick, (unsigned long long)gaps[i]);
		rp_budget_spend(&b, a);
		/* and after the next long gap again one tick's worth at most */
		a = rp_budget_avail(&b, t + gaps[i]);
		ck_assert_msg(a <= cap,
				"rate %u tick %u: %u after a second gap of "
				"%llu ms",
				r->rate, r->tick, a, (unsigned long long)gaps[i]);
	}
}
END_TEST

/* a clock going backwards adds no tokens (and does not crash or wrap) */
START_TEST(test_budget_backwards)
{
	const struct rate_row *r = &rates[_i];
	uint32_t cap = tick_worth(r->rate, r->tick);
	uint64_t t0 = r->t0 + 10000;
	rp_budget_t b;
	uint32_t a;

	rp_budget_init(&b, r->rate, r->tick, t0);
	a = rp_budget_avail(&b, t0 + 1000);
	ck_assert_uint_ge(a, 1);
	rp_budget_spend(&b, a);
	ck_assert_msg(rp_budget_avail(&b, t0) == 0,
			"rate %u tick %u: tokens 1 s back", r->rate, r->tick);
	ck_assert_msg(rp_budget_avail(&b, 0) == 0,
			"rate %u tick %u: tokens at time 0", r->rate, r->tick);
	ck_assert_msg(rp_budget_avail(&b, t0 + 1000) == 0,
			"rate %u tick %u: tokens back at the last refill", r->rate,
			r->tick);
	a = rp_budget_avail(&b, t0 + 1000 + 1000);
	ck_assert_msg(a >= 1 && a <= cap,
			"rate %u tick %u: %u one second later, want 1..%u", r->rate,
			r->tick, a, cap);

	/* backwards right after init: none, and none at the init time */
	rp_budget_init(&b, r->rate, r->tick, t0);
	ck_assert_uint_eq(rp_budget_avail(&b, t0 - 5000), 0);
	ck_assert_uint_eq(rp_budget_avail(&b, t0), 0);
}
END_TEST

/* spending more than is available empties the bucket, no wrap */
START_TEST(test_budget_overspend)
{
	static const uint32_t extra[] = {1, 5, 1000, UINT32_MAX / 2};
	const struct rate_row *r = &rates[_i];
	uint32_t cap = tick_worth(r->rate, r->tick);
	int i;

	for(i = 0; i < N_ROWS(extra); i++) {
		uint64_t t = r->t0 + 60000;
		rp_budget_t b;
		uint32_t a;

		rp_budget_init(&b, r->rate, r->tick, r->t0);
		a = rp_budget_avail(&b, t);
		rp_budget_spend(&b, a + extra[i]);
		ck_assert_msg(rp_budget_avail(&b, t) == 0,
				"rate %u tick %u: %u + %u spent, %u left", r->rate, r->tick, a,
				extra[i], rp_budget_avail(&b, t));
		rp_budget_spend(&b, UINT32_MAX);
		ck_assert_uint_eq(rp_budget_avail(&b, t), 0);
		a = rp_budget_avail(&b, t + 60000);
		ck_assert_msg(a >= 1 && a <= cap,
				"rate %u tick %u: %u a minute after overspending", r->rate,
				r->tick, a);
	}
}
END_TEST

/* ------------------------------------------------------------------ */
/* 5. liveness */

/* a script of events on one contact, one second apart from t = 1000 */
#define ANY_OK (-1) /* a ping that counts no failure: FIRST or ANSWERED */

struct live_step
{
	char op;  /* 'P' ping, 'R' reply, 'F' sending failed, 0 end */
	int arg;  /* 'R': the seq replied, relative to the last ping's */
	int want; /* the result */
	uint32_t failures;
	uint8_t dead;
};

struct live_row
{
	const char *name;
	int expect_reply;
	uint32_t max_failures;
	struct live_step steps[16];
};

#define P(w, f, d)                \
	{                             \
		'P', 0, RP_PING_##w, f, d \
	}
#define PANY(f, d)           \
	{                        \
		'P', 0, ANY_OK, f, d \
	}
#define R(s, w, f, d)   \
	{                   \
		'R', s, w, f, d \
	}
#define F(w, f, d)                \
	{                             \
		'F', 0, RP_PING_##w, f, d \
	}

static const struct live_row lives[] = {
		{"first ping", 1, 3, {P(FIRST, 0, 0)}},
		{"answered", 1, 3,
				{P(FIRST, 0, 0), R(0, 1, 0, 0), P(ANSWERED, 0, 0),
						R(0, 1, 0, 0), P(ANSWERED, 0, 0)}},
		{"wrong seq", 1, 3,
				{P(FIRST, 0, 0), R(1, 0, 0, 0), R(-1, 0, 0, 0),
						R(1000, 0, 0, 0), P(TIMEOUT, 1, 0),
						R(-1, 0, 1, 0), /* the first ping's, too late */
						R(0, 1, 0, 0), R(0, 0, 0, 0), /* duplicate */
						P(ANSWERED, 0, 0)}},
		{"reply before any ping", 1, 3,
				{R(0, 0, 0, 0), R(1, 0, 0, 0), P(FIRST, 0, 0)}},
		{"three unanswered", 1, 3,
				{P(FIRST, 0, 0), P(TIMEOUT, 1, 0), P(TIMEOUT, 2, 0),
						P(DEAD, 3, 1), P(TIMEOUT, 4, 1), P(TIMEOUT, 5, 1),
						R(-1, 0, 5, 1)}},
		{"revived", 1, 3,
				{P(FIRST, 0, 0), P(TIMEOUT, 1, 0), P(TIMEOUT, 2, 0),
						P(DEAD, 3, 1), P(TIMEOUT, 4, 1), R(0, 1, 0, 0),
						P(ANSWERED, 0, 0), P(TIMEOUT, 1, 0),
						P(TIMEOUT, 2, 0), P(DEAD, 3, 1)}},
		{"a reply breaks the row", 1, 3,
				{P(FIRST, 0, 0), P(TIMEOUT, 1, 0), P(TIMEOUT, 2, 0),
						R(0, 1, 0, 0), P(ANSWERED, 0, 0), P(TIMEOUT, 1, 0),
						P(TIMEOUT, 2, 0)}},
		{"max_failures 1", 1, 1,
				{P(FIRST, 0, 0), P(DEAD, 1, 1), P(TIMEOUT, 2, 1),
						R(0, 1, 0, 0), P(ANSWERED, 0, 0), P(DEAD, 1, 1)}},
		{"max_failures 0", 1, 0,
				{P(FIRST, 0, 0), P(TIMEOUT, 1, 0), P(TIMEOUT, 2, 0),
						P(TIMEOUT, 3, 0), P(TIMEOUT, 4, 0), P(TIMEOUT, 5, 0),
						P(TIMEOUT, 6, 0), F(TIMEOUT, 7, 0), F(TIMEOUT, 8, 0),
						PANY(8, 0)}},
		/* no reply is awaited: nothing outstanding, nothing answered */
		{"crlf", 0, 3,
				{P(FIRST, 0, 0), P(FIRST, 0, 0), P(FIRST, 0, 0),
						P(FIRST, 0, 0), P(FIRST, 0, 0),
						R(0, 0, 0, 0), P(FIRST, 0, 0)}},
		{"crlf, max_failures 1", 0, 1,
				{P(FIRST, 0, 0), P(FIRST, 0, 0), P(FIRST, 0, 0)}},
		{"send failed", 1, 3,
				{P(FIRST, 0, 0), F(TIMEOUT, 1, 0), R(0, 0, 1, 0),
						PANY(1, 0), F(TIMEOUT, 2, 0), PANY(2, 0),
						F(DEAD, 3, 1), PANY(3, 1), F(TIMEOUT, 4, 1),
						PANY(4, 1), R(0, 1, 0, 0)}},
		{"send failed after a timeout", 1, 3,
				{P(FIRST, 0, 0), P(TIMEOUT, 1, 0), F(TIMEOUT, 2, 0),
						PANY(2, 0), F(DEAD, 3, 1), PANY(3, 1),
						R(0, 1, 0, 0)}},
		{"send failed, max_failures 1", 0, 1,
				{P(FIRST, 0, 0), F(DEAD, 1, 1), PANY(1, 1),
						F(TIMEOUT, 2, 1)}},
		{"send failed, max_failures 0", 1, 0,
				{F(TIMEOUT, 1, 0), F(TIMEOUT, 2, 0), F(TIMEOUT, 3, 0),
						F(TIMEOUT, 4, 0), F(TIMEOUT, 5, 0)}},
};

static const char *result_name(int r)
{
	switch(r) {
		case RP_PING_FIRST:
			return "FIRST";
		case RP_PING_ANSWERED:
			return "ANSWERED";
		case RP_PING_TIMEOUT:
			return "TIMEOUT";
		case RP_PING_DEAD:
			return "DEAD";
		case ANY_OK:
			return "FIRST/ANSWERED";
	}
	return "result?";
}

START_TEST(test_live)
{
	const struct live_row *r = &lives[_i];
	rp_live_t l;
	int i;

	memset(&l, 0, sizeof(l));
	for(i = 0; i < N_ROWS(r->steps) && r->steps[i].op != 0; i++) {
		const struct live_step *s = &r->steps[i];
		uint64_t now = 1000 * (uint64_t)(i + 1);
		rp_live_t before = l;
		int got;

		switch(s->op) {
			case 'P':
				got = rp_live_ping(&l, now, r->expect_reply, r->max_failures);
				if(s->want == ANY_OK)
					ck_assert_msg(
							got == RP_PING_FIRST || got == RP_PING_ANSWERED,
							"%s, step %d: ping %s, want FIRST or ANSWERED",
							r->name, i, result_name(got));
				else
					ck_assert_msg(got == s->want,
							"%s, step %d: ping %s, want %s", r->name, i,
							result_name(got), result_name(s->want));
				ck_assert_msg(l.last_ping == now / 1000,
						"%s, step %d: last_ping %llu, want %llu", r->name, i,
						(unsigned long long)l.last_ping,
						(unsigned long long)now / 1000);
				ck_assert_msg(l.seq != before.seq, "%s, step %d: seq stays %u",
						r->name, i, l.seq);
				ck_assert_msg(l.awaiting == (r->expect_reply ? 1 : 0),
						"%s, step %d: awaiting %d", r->name, i, l.awaiting);
				ck_assert_msg(l.last_reply == before.last_reply,
						"%s, step %d: a ping moved last_reply", r->name, i);
				break;
			case 'R':
				got = rp_live_reply(&l, l.seq + (uint32_t)s->arg, now);
				ck_assert_msg(got == s->want,
						"%s, step %d: reply to seq%+d = %d, want %d", r->name,
						i, s->arg, got, s->want);
				if(got) {
					ck_assert_msg(l.last_reply == now / 1000 && !l.awaiting
										  && l.seq == before.seq
										  && l.last_ping == before.last_ping,
							"%s, step %d: after the reply last_reply %llu, "
							"awaiting %d",
							r->name, i, (unsigned long long)l.last_reply,
							l.awaiting);
				} else {
					ck_assert_msg(memcmp(&l, &before, sizeof(l)) == 0,
							"%s, step %d: a rejected reply changed the state",
							r->name, i);
				}
				break;
			case 'F':
				got = rp_live_send_failed(&l, r->max_failures);
				ck_assert_msg(got == s->want,
						"%s, step %d: send failed %s, want %s", r->name, i,
						result_name(got), result_name(s->want));
				ck_assert_msg(!l.awaiting && l.seq == before.seq
									  && l.last_ping == before.last_ping
									  && l.last_reply == before.last_reply,
						"%s, step %d: send failed: awaiting %d, times or seq "
						"moved",
						r->name, i, l.awaiting);
				break;
		}
		ck_assert_msg(l.failures == s->failures && l.dead == s->dead,
				"%s, step %d (%c): failures %u dead %d, want %u and %d",
				r->name, i, s->op, l.failures, l.dead, s->failures, s->dead);
	}
}
END_TEST

/* the sequence number wraps; a reply to seq 0 answers the ping after
 * UINT32_MAX */
START_TEST(test_live_seq_wrap)
{
	rp_live_t l;

	memset(&l, 0, sizeof(l));
	l.seq = UINT32_MAX - 1;
	ck_assert_int_eq(rp_live_ping(&l, 1000, 1, 3), RP_PING_FIRST);
	ck_assert_uint_eq(l.seq, UINT32_MAX);
	ck_assert_int_eq(rp_live_reply(&l, UINT32_MAX, 1500), 1);
	ck_assert_int_eq(rp_live_ping(&l, 2000, 1, 3), RP_PING_ANSWERED);
	ck_assert_uint_eq(l.seq, 0);
	ck_assert_int_eq(rp_live_reply(&l, UINT32_MAX, 2500), 0);
	ck_assert_int_eq(rp_live_reply(&l, 0, 2500), 1);
	ck_assert_uint_eq(l.last_reply, 2);
}
END_TEST

/* the times are seconds; what was answered is a flag, not a comparison
 * of them: a ping whose sending failed in the second of the last reply
 * is not taken for answered at the next one */
START_TEST(test_live_same_second)
{
	rp_live_t l;

	memset(&l, 0, sizeof(l));
	ck_assert_int_eq(rp_live_ping(&l, 10000, 1, 3), RP_PING_FIRST);
	ck_assert_int_eq(rp_live_reply(&l, l.seq, 10100), 1);
	ck_assert_int_eq(rp_live_ping(&l, 10500, 1, 3), RP_PING_ANSWERED);
	ck_assert_int_eq(rp_live_send_failed(&l, 3), RP_PING_TIMEOUT);
	ck_assert_uint_eq(l.last_ping, 10);
	ck_assert_uint_eq(l.last_reply, 10);
	ck_assert_int_eq(rp_live_ping(&l, 10900, 1, 3), RP_PING_FIRST);
	ck_assert_int_eq(l.failures, 1);
}
END_TEST

/* consecutive failures stay at the largest count the record holds */
START_TEST(test_live_failures_saturate)
{
	rp_live_t l;

	memset(&l, 0, sizeof(l));
	rp_live_ping(&l, 1000, 1, 0);
	l.failures = UINT16_MAX - 1;
	ck_assert_int_eq(rp_live_ping(&l, 2000, 1, 0), RP_PING_TIMEOUT);
	ck_assert_uint_eq(l.failures, UINT16_MAX);
	ck_assert_int_eq(rp_live_ping(&l, 3000, 1, 0), RP_PING_TIMEOUT);
	ck_assert_uint_eq(l.failures, UINT16_MAX);
	ck_assert_int_eq(rp_live_send_failed(&l, 0), RP_PING_TIMEOUT);
	ck_assert_uint_eq(l.failures, UINT16_MAX);
}
END_TEST

/* ------------------------------------------------------------------ */
/* on-demand pings judge nothing; a sent keepalive is a sign of life */

START_TEST(test_live_poke)
{
	rp_live_t l;

	memset(&l, 0, sizeof(l));
	/* answered scheduled ping, then a poke: a new ping to wait for */
	rp_live_ping(&l, 1000, 1, 3);
	ck_assert_int_eq(rp_live_reply(&l, l.seq, 1100), 1);
	rp_live_poke(&l, 1200, 1);
	ck_assert_int_eq(l.seq, 2);
	ck_assert_int_eq(l.awaiting, 1);
	ck_assert_int_eq(l.failures, 0);
	ck_assert_uint_eq(l.last_ping, 1);
	/* an unanswered ping keeps its number when poked: many pokes never
	 * make failures, the next scheduled ping judges once */
	rp_live_poke(&l, 1300, 1);
	rp_live_poke(&l, 1400, 1);
	ck_assert_int_eq(l.seq, 2);
	ck_assert_int_eq(l.failures, 0);
	ck_assert_int_eq(rp_live_ping(&l, 3000, 1, 3), RP_PING_TIMEOUT);
	ck_assert_int_eq(l.failures, 1);
	/* a poke's reply answers the outstanding ping */
	rp_live_poke(&l, 3100, 1);
	ck_assert_int_eq(rp_live_reply(&l, l.seq, 3200), 1);
	ck_assert_int_eq(l.failures, 0);
	/* without a reply to wait for, a poke changes nothing */
	memset(&l, 0, sizeof(l));
	rp_live_poke(&l, 100, 0);
	ck_assert_int_eq(l.seq, 0);
	ck_assert_int_eq(l.awaiting, 0);
	ck_assert_uint_eq(l.last_ping, 0);
}
END_TEST

START_TEST(test_live_sent)
{
	rp_live_t l;

	memset(&l, 0, sizeof(l));
	rp_live_ping(&l, 1000, 0, 2);
	ck_assert_int_eq(rp_live_send_failed(&l, 2), RP_PING_TIMEOUT);
	ck_assert_int_eq(rp_live_send_failed(&l, 2), RP_PING_DEAD);
	ck_assert_int_eq(l.dead, 1);
	/* the connection works again: alive, failures start over */
	rp_live_sent(&l, 5000);
	ck_assert_int_eq(l.failures, 0);
	ck_assert_int_eq(l.dead, 0);
	ck_assert_uint_eq(l.last_reply, 5);
	ck_assert_int_eq(rp_live_send_failed(&l, 2), RP_PING_TIMEOUT);
}
END_TEST

/* extra pings: at most one per spacing, across the wrap of 32-bit ms */
START_TEST(test_poke_spacing)
{
	uint32_t last = 0;
	uint64_t t0 = 0xfffffc18ull; /* 1000 ms before the low bits wrap */
	uint64_t t;
	int n = 0;

	/* 100 pokes a second for 10 s at a 1 s spacing: 10 go out */
	for(t = t0; t < t0 + 10000; t += 10)
		n += rp_poke_allowed(&last, t, 1000);
	ck_assert_int_eq(n, 10);
	/* exactly at the spacing: allowed; just before: not */
	last = 0;
	ck_assert_int_eq(rp_poke_allowed(&last, 5000, 1000), 1);
	ck_assert_int_eq(rp_poke_allowed(&last, 5999, 1000), 0);
	ck_assert_int_eq(rp_poke_allowed(&last, 6000, 1000), 1);
	/* a time whose low bits are 0 still counts as a poke */
	last = 0;
	ck_assert_int_eq(rp_poke_allowed(&last, 1ull << 32, 1000), 1);
	ck_assert_uint_ne(last, 0);
	ck_assert_int_eq(rp_poke_allowed(&last, (1ull << 32) + 10, 1000), 0);
	/* spacing 0: no limit */
	ck_assert_int_eq(rp_poke_allowed(&last, (1ull << 32) + 10, 0), 1);
	ck_assert_int_eq(rp_poke_allowed(&last, (1ull << 32) + 10, 0), 1);
}
END_TEST

/* --- the Via host of a ping --- */

static const struct
{
	const char *host;
	int len;
	int brackets;
} vhosts[] = {
		{L("2001:db8::1"), 1},
		{L("::1"), 1},
		{L("[2001:db8::1]"), 0},
		{L("[::1]"), 0},
		{L("sip6.example.net"), 0}, /* a name, even one with AAAA only */
		{L("192.0.2.1"), 0},
		{L("::ffff:192.0.2.1"), 1},
		{"", 0, 0},
		{L("a"), 0},
		/* the length bounds the search: a ':' past it does not count */
		{"host:5060", 4, 0},
};

START_TEST(test_host_needs_brackets)
{
	char *d = dup_exact(vhosts[_i].host, vhosts[_i].len);

	ck_assert_msg(rp_host_needs_brackets(d, vhosts[_i].len)
						  == vhosts[_i].brackets,
			"host %s: expected %d", show(vhosts[_i].host, vhosts[_i].len),
			vhosts[_i].brackets);
	free(d);
}
END_TEST

/* --- reply matching --- */

static const struct
{
	const char *cid;
	int ret;
	uint32_t seq;
	const char *ruid;
} callids[] = {
		{"regping-0-r", 1, 0, "r"},
		{"regping-1f-uloc-5f3a-1b2c-1", 1, 0x1f, "uloc-5f3a-1b2c-1"},
		{"regping-ffffffff-x", 1, 0xffffffffu, "x"},
		{"regping-a--", 1, 0xa, "-"},
		/* not ours */
		{"", 0, 0, NULL},
		{"regping", 0, 0, NULL},
		{"Regping-1-r", 0, 0, NULL},
		{"abc@127.0.0.1", 0, 0, NULL},
		/* ours, but not as we print them */
		{"regping-", -1, 0, NULL},
		{"regping--r", -1, 0, NULL},
		{"regping-1", -1, 0, NULL},
		{"regping-1-", -1, 0, NULL},
		{"regping-01-r", -1, 0, NULL},
		{"regping-00-r", -1, 0, NULL},
		{"regping-1F-r", -1, 0, NULL},
		{"regping-1g-r", -1, 0, NULL},
		{"regping-100000000-r", -1, 0, NULL},
		{"regping- 1-r", -1, 0, NULL},
};

START_TEST(test_callid_parse)
{
	const char *ruid = NULL;
	uint32_t seq = 12345;
	int len = -7, ret;

	ret = rp_callid_parse(callids[_i].cid, (int)strlen(callids[_i].cid), &seq,
			&ruid, &len);
	ck_assert_msg(ret == callids[_i].ret, "[%s]: %d, expected %d",
			callids[_i].cid, ret, callids[_i].ret);
	if(ret == 1) {
		ck_assert_uint_eq(seq, callids[_i].seq);
		ck_assert_int_eq(len, (int)strlen(callids[_i].ruid));
		ck_assert(memcmp(ruid, callids[_i].ruid, len) == 0);
	} else {
		ck_assert_uint_eq(seq, 12345);
		ck_assert_int_eq(len, -7);
	}
}
END_TEST

/* the parser reads exactly what the pinger prints, and only the given
 * bytes: a Call-ID is not NUL-terminated in a SIP message */
START_TEST(test_callid_roundtrip)
{
	static const uint32_t seqs[] = {0, 1, 9, 0xa, 0x10, 0xdeadbeef, 0xffffffffu};
	char buf[64], *copy;
	const char *ruid;
	uint32_t seq;
	unsigned k;
	int n, len;

	for(k = 0; k < sizeof(seqs) / sizeof(seqs[0]); k++) {
		n = rp_callid_print(seqs[k], "uloc-1-2", 8, buf, sizeof(buf));
		copy = malloc(n);
		memcpy(copy, buf, n);
		ck_assert_int_eq(rp_callid_parse(copy, n, &seq, &ruid, &len), 1);
		ck_assert_uint_eq(seq, seqs[k]);
		ck_assert_int_eq(len, 8);
		ck_assert(memcmp(ruid, "uloc-1-2", 8) == 0);
		ck_assert_int_eq(rp_callid_parse(copy, n - 8, &seq, &ruid, &len), -1);
		free(copy);
	}
	ck_assert_int_eq(rp_callid_parse(NULL, 0, &seq, &ruid, &len), 0);
	/* the printer: what it writes, and no byte past size */
	ck_assert_int_eq(rp_callid_print(0x1f, "r", 1, buf, sizeof(buf)), 12);
	ck_assert_str_eq(buf, "regping-1f-r");
	ck_assert_int_eq(rp_callid_print(0x1f, "r", 1, buf, 13), 12);
	ck_assert_int_eq(rp_callid_print(0x1f, "r", 1, buf, 12), -1);
	ck_assert_int_eq(rp_callid_print(0, "", 0, buf, sizeof(buf)), 10);
	ck_assert_str_eq(buf, "regping-0-");
	ck_assert_int_eq(rp_callid_print(1, "r", -1, buf, sizeof(buf)), -1);
	ck_assert_int_eq(rp_callid_print(1, "r", 1, NULL, 0), -1);
}
END_TEST

/* a reply read at reply_port without the core's parser: what it takes
 * for ours and what it leaves */
#define RS_VIA "Via: SIP/2.0/UDP 192.0.2.1:5070;branch=z9hG4bKrp.1f.r-1\r\n"
#define RS_CID "Call-ID: regping-1f-r-1\r\n"
#define RS_END "CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
static const struct
{
	const char *msg;
	int ret;
	uint32_t seq;
	const char *ruid;
	const char *host; /* the sent-by taken: RS_VIA's when NULL */
	int port;
} rscans[] = {
		{"SIP/2.0 200 OK\r\n" RS_VIA RS_CID RS_END, 1, 0x1f, "r-1", NULL, 0},
		/* any final or provisional reply proves the device is there */
		{"SIP/2.0 404 Not Found\r\n" RS_VIA RS_CID RS_END, 1, 0x1f, "r-1", NULL, 0},
		/* compact forms, any case, LF alone, space before the colon */
		{"SIP/2.0 200 OK\nv : SIP/2.0/UDP h;BRANCH = z9hG4bKrp.2.x\n"
		 "I:regping-2-x\n\n",
				1, 2, "x", "h", 0},
		{"SIP/2.0 200 OK\r\nVIA: SIP/2.0/UDP h;rport=5;branch=z9hG4bKrp.2\r\n"
		 "CALL-ID: regping-a-uloc-1\r\n\r\n",
				1, 0xa, "uloc-1", "h", 0},
		/* folded lines (RFC 3261 7.3.1) */
		{"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h\r\n ;branch=z9hG4bKrp.1\r\n"
		 "Call-ID:\r\n\tregping-3-y\r\n\r\n",
				1, 3, "y", "h", 0},
		/* the body is not read: a Call-ID in it is not one */
		{"SIP/2.0 200 OK\r\n" RS_VIA "\r\n" RS_CID, 0, 0, NULL, NULL, 0},
		/* a truncated datagram is read to its end */
		{"SIP/2.0 200 OK\r\n" RS_VIA RS_CID "CSeq: 1 OPT", 1, 0x1f, "r-1", NULL, 0},
		/* not a reply */
		{"OPTIONS sip:a@h SIP/2.0\r\n" RS_VIA RS_CID RS_END, 0, 0, NULL, NULL, 0},
		{"SIP/2.0 20 OK\r\n" RS_VIA RS_CID RS_END, 0, 0, NULL, NULL, 0},
		{"SIP/2.0 700 X\r\n" RS_VIA RS_CID RS_END, 0, 0, NULL, NULL, 0},
		{"", 0, 0, NULL, NULL, 0},
		{"\r\n\r\n", 0, 0, NULL, NULL, 0},
		/* another server's reply relayed by us has two Vias */
		{"SIP/2.0 200 OK\r\n" RS_VIA RS_VIA RS_CID RS_END, 0, 0, NULL, NULL, 0},
		{"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKrp.1, "
		 "SIP/2.0/UDP g;branch=z9hG4bK1\r\n" RS_CID RS_END,
				0, 0, NULL, NULL, 0},
		/* a comma in quotes is no second Via */
		{"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;x=\"a,b\";branch=z9hG4bKrp.1\r\n"
		 RS_CID RS_END,
				1, 0x1f, "r-1", "h", 0},
		/* no Via, another branch, no branch, a branch only in a quote */
		{"SIP/2.0 200 OK\r\n" RS_CID RS_END, 0, 0, NULL, NULL, 0},
		{"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK77\r\n" RS_CID
		 RS_END,
				0, 0, NULL, NULL, 0},
		{"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;rport\r\n" RS_CID RS_END, 0,
				0, NULL, NULL, 0},
		{"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;x=\";branch=z9hG4bKrp.1\"\r\n"
		 RS_CID RS_END,
				0, 0, NULL, NULL, 0},
		/* a header name that only starts like ours */
		{"SIP/2.0 200 OK\r\nVias: SIP/2.0/UDP h;branch=z9hG4bKrp.1\r\n" RS_CID
		 RS_END,
				0, 0, NULL, NULL, 0},
		/* Call-ID missing, twice, another one, not ours in form, spaced */
		{"SIP/2.0 200 OK\r\n" RS_VIA RS_END, 0, 0, NULL, NULL, 0},
		{"SIP/2.0 200 OK\r\n" RS_VIA RS_CID RS_CID RS_END, 0, 0, NULL, NULL, 0},
		{"SIP/2.0 200 OK\r\n" RS_VIA "Call-ID: abc@h\r\n" RS_END, 0, 0, NULL, NULL, 0},
		{"SIP/2.0 200 OK\r\n" RS_VIA "Call-ID: regping-01-r\r\n" RS_END, -1,
				0, NULL, NULL, 0},
		{"SIP/2.0 200 OK\r\n" RS_VIA "Call-ID: regping-1 r\r\n" RS_END, 0, 0,
				NULL, NULL, 0},
		/* a line without a colon */
		{"SIP/2.0 200 OK\r\n" RS_VIA "garbage\r\n" RS_CID RS_END, 0, 0, NULL, NULL, 0},
		/* the sent-by (in a cluster, the node the reply is for): an IPv6
		 * reference, LWS around slashes and colon, no port, a name */
		{"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP [2001:db8::1]:5071;branch="
		 "z9hG4bKrp.1\r\n" RS_CID RS_END,
				1, 0x1f, "r-1", "[2001:db8::1]", 5071},
		{"SIP/2.0 200 OK\r\nv:SIP / 2.0 / UDP  lb-2.example : 65535 ;branch="
		 "z9hG4bKrp.1\r\n" RS_CID RS_END,
				1, 0x1f, "r-1", "lb-2.example", 65535},
		{"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 192.0.2.7;branch=z9hG4bKrp.1\r\n"
		 RS_CID RS_END,
				1, 0x1f, "r-1", "192.0.2.7", 0},
		/* no sent-by: not a Via of ours */
		{"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP ;branch=z9hG4bKrp.1\r\n" RS_CID
		 RS_END,
				0, 0, NULL, NULL, 0},
		{"SIP/2.0 200 OK\r\nVia: SIP/2.0 h;branch=z9hG4bKrp.1\r\n" RS_CID
		 RS_END,
				0, 0, NULL, NULL, 0},
		{"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDPh;branch=z9hG4bKrp.1\r\n" RS_CID
		 RS_END,
				0, 0, NULL, NULL, 0},
		{"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP [2001:db8::1;branch=z9hG4bKrp.1"
		 "\r\n" RS_CID RS_END,
				0, 0, NULL, NULL, 0},
		{"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h:65536;branch=z9hG4bKrp.1\r\n"
		 RS_CID RS_END,
				0, 0, NULL, NULL, 0},
		{"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h:;branch=z9hG4bKrp.1\r\n"
		 RS_CID RS_END,
				0, 0, NULL, NULL, 0},
		{"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h:0;branch=z9hG4bKrp.1\r\n"
		 RS_CID RS_END,
				0, 0, NULL, NULL, 0},
		{"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h@x;branch=z9hG4bKrp.1\r\n"
		 RS_CID RS_END,
				0, 0, NULL, NULL, 0},
		{"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h:5060x;branch=z9hG4bKrp.1\r\n"
		 RS_CID RS_END,
				0, 0, NULL, NULL, 0},
};

START_TEST(test_reply_scan)
{
	const char *m = rscans[_i].msg;
	rp_reply_raw_t r = {0, NULL, 0, NULL, 0, -1};
	const char *host = rscans[_i].host ? rscans[_i].host : "192.0.2.1";
	int port = rscans[_i].host ? rscans[_i].port : 5070;
	char *copy;
	int n = (int)strlen(m), ret;

	/* an exact-size copy: no NUL to lean on */
	copy = malloc(n ? n : 1);
	ck_assert_ptr_nonnull(copy);
	memcpy(copy, m, n);
	ret = rp_reply_scan(copy, n, &r);
	ck_assert_msg(ret == rscans[_i].ret, "row %d: %d, expected %d", _i, ret,
			rscans[_i].ret);
	if(ret == 1) {
		ck_assert_uint_eq(r.seq, rscans[_i].seq);
		ck_assert_int_eq(r.ruid_len, (int)strlen(rscans[_i].ruid));
		ck_assert(memcmp(r.ruid, rscans[_i].ruid, r.ruid_len) == 0);
		ck_assert(r.ruid >= copy && r.ruid + r.ruid_len <= copy + n);
		ck_assert_msg(r.host_len == (int)strlen(host)
							  && memcmp(r.host, host, r.host_len) == 0,
				"row %d: host [%.*s], expected [%s]", _i, r.host_len, r.host,
				host);
		ck_assert(r.host >= copy && r.host + r.host_len <= copy + n);
		ck_assert_int_eq(r.port, port);
	}
	free(copy);
}
END_TEST

/* the ping writer: hex as printf's %x writes it, a put that does not fit
 * writes nothing and stops every later put, no byte past end */
START_TEST(test_wbuf)
{
	static const uint32_t vals[] = {0, 1, 0xf, 0x10, 0xabc, 0x7fffffff,
			0x80000000u, 0xdeadbeef, 0xffffffffu};
	char buf[16], want[16];
	rp_wbuf_t w;
	unsigned k;

	for(k = 0; k < sizeof(vals) / sizeof(vals[0]); k++) {
		w = (rp_wbuf_t){buf, buf + sizeof(buf)};
		rp_put_hex(&w, vals[k]);
		ck_assert_ptr_nonnull(w.p);
		snprintf(want, sizeof(want), "%x", vals[k]);
		ck_assert_int_eq(w.p - buf, strlen(want));
		ck_assert(memcmp(buf, want, w.p - buf) == 0);
	}
	memset(buf, '#', sizeof(buf));
	w = (rp_wbuf_t){buf, buf + 5};
	rp_put_lit(&w, "abc");
	rp_put_lit(&w, "def");
	ck_assert_ptr_null(w.p);
	rp_put_lit(&w, "g");
	ck_assert_ptr_null(w.p);
	ck_assert(memcmp(buf, "abc##", 5) == 0);
	w = (rp_wbuf_t){buf, buf + 5};
	rp_put_lit(&w, "abcde");
	ck_assert_ptr_eq(w.p, buf + 5);
	rp_put(&w, "", 0);
	ck_assert_ptr_eq(w.p, buf + 5);
	rp_put_hex(&w, 0);
	ck_assert_ptr_null(w.p);
	ck_assert_int_eq(buf[5], '#');
	/* nothing from nowhere is nothing; a negative length does not fit */
	w = (rp_wbuf_t){buf, buf + 5};
	rp_put(&w, NULL, 0);
	ck_assert_ptr_eq(w.p, buf);
	rp_put(&w, "ab", -1);
	ck_assert_ptr_null(w.p);
}
END_TEST

START_TEST(test_branch_ours)
{
	ck_assert(rp_branch_ours("z9hG4bKrp.1f.uloc-1", 18));
	ck_assert(rp_branch_ours("z9hG4bKrp.", 10));
	ck_assert(!rp_branch_ours("z9hG4bKrp.", 9));
	ck_assert(!rp_branch_ours("z9hG4bKrq.1", 11));
	ck_assert(!rp_branch_ours("z9hG4bK-sipp", 12));
	ck_assert(!rp_branch_ours(NULL, 0));
	ck_assert(!rp_branch_ours("", 0));
}
END_TEST


/* ownership: a live saver keeps its contacts; a dead one's go to the
 * live nodes evenly, and only its contacts move */
START_TEST(test_owner_rows)
{
	int all[3] = {1, 2, 3}, two[2] = {1, 3};
	uint32_t h = rp_hash(L("ulcx-5f0-1-7"));

	ck_assert_int_eq(rp_owner(h, 2, 1, NULL, 0), 1); /* no cluster: self */
	ck_assert_int_eq(rp_owner(h, 2, 1, all, 3), 2);	/* saver live */
	ck_assert_int_ne(rp_owner(h, 2, 1, two, 2), 2);	/* saver gone */
	ck_assert_int_eq(rp_owner(h, 2, 3, two, 2), rp_owner(h, 2, 1, two, 2));
	ck_assert_int_eq(rp_rendezvous(h, NULL, 0), -1);
}
END_TEST

/* who pings the slot due at t: a peer counts from its since on and
 * while heard within the timeout; self from its own since on */
START_TEST(test_live_ids)
{
	rp_peer_t p[3] = {{2, 1000, 5000}, {3, 6000, 5000}, {4, 0, 1000}};
	int out[4], n;

	/* at now 5500, t 5500: self (since 2000), 2 (heard 500 ms ago);
	 * not 3 (pings from 6000 on), not 4 (heard 4500 ms ago) */
	n = rp_live_ids(p, 3, 1, 2000, 5500, 5500, 3000, out);
	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(out[0], 1);
	ck_assert_int_eq(out[1], 2);
	/* the slot at 6000: 3 joins there, on every node alike */
	n = rp_live_ids(p, 3, 1, 2000, 5500, 6000, 3000, out);
	ck_assert_int_eq(n, 3);
	ck_assert_int_eq(out[2], 3);
	/* a joining self pings nothing before its since */
	n = rp_live_ids(p, 3, 1, 9000, 5500, 5500, 3000, out);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(out[0], 2);
	/* exactly at the timeout still live, one ms later gone */
	ck_assert_int_eq(rp_live_ids(p, 3, 1, 9000, 8000, 8000, 3000, out), 2);
	ck_assert_int_eq(rp_live_ids(p, 3, 1, 9000, 8001, 8000, 3000, out), 0);
	/* a peer with our own id (a misconfigured twin) is not counted */
	p[0].id = 1;
	ck_assert_int_eq(rp_live_ids(p, 1, 1, 0, 5500, 5500, 3000, out), 1);
}
END_TEST

/* a node joins when every node it hears hears it and hears no node it
 * does not */
START_TEST(test_join_agreed)
{
	rp_view_t v[3];

	memset(v, 0, sizeof(v));
	ck_assert_int_eq(rp_join_agreed(v, 0, 1, 5000, 3000), 0); /* alone */
	v[0].p.id = 2;
	v[0].p.heard = 4000;
	ck_assert_int_eq(rp_join_agreed(v, 1, 1, 5000, 3000), -1); /* 2 hears none */
	v[0].nhears = 1;
	v[0].hears[0] = 1;
	ck_assert_int_eq(rp_join_agreed(v, 1, 1, 5000, 3000), 1);
	/* 2 hears 3, whom 1 has not heard yet */
	v[0].nhears = 2;
	v[0].hears[1] = 3;
	ck_assert_int_eq(rp_join_agreed(v, 1, 1, 5000, 3000), -1);
	v[1].p.id = 3;
	v[1].p.heard = 4500;
	v[1].nhears = 2;
	v[1].hears[0] = 2;
	v[1].hears[1] = 1;
	ck_assert_int_eq(rp_join_agreed(v, 2, 1, 5000, 3000), 1);
	/* 3 heard too long ago: as if unknown, and 2 still hears it */
	v[1].p.heard = 1000;
	ck_assert_int_eq(rp_join_agreed(v, 2, 1, 5000, 3000), -1);
	/* a node not heard for the timeout does not count */
	v[1].p.heard = 4500;
	v[0].p.heard = 1000;
	v[1].nhears = 1;
	v[1].hears[0] = 1;
	ck_assert_int_eq(rp_join_agreed(v, 2, 1, 5000, 3000), 1);
	/* an entry with self's own id is ignored */
	v[2].p.id = 1;
	v[2].p.heard = 5000;
	ck_assert_int_eq(rp_join_agreed(v, 3, 1, 5000, 3000), 1);
}
END_TEST

START_TEST(test_owner_spread)
{
	int all[3] = {1, 2, 3}, two[2] = {1, 3}, rev[2] = {3, 1};
	int cnt[4] = {0, 0, 0, 0}, i, o, n = 30000;
	char key[KEY_MAX];

	for(i = 0; i < n; i++) {
		int len = snprintf(key, sizeof(key), "ulcx-5f0e1a2b-%d-%d", 100, i);
		uint32_t h = rp_hash(key, len);
		o = rp_owner(h, 2, 1, two, 2);
		/* every node decides alike, whatever the order of its list */
		if(o != rp_owner(h, 2, 3, rev, 2))
			ck_abort_msg("key %s: order changes the owner", key);
		cnt[o]++;
		/* a contact not saved by the dead node never moves */
		if(rp_owner(h, 1, 3, two, 2) != 1 || rp_owner(h, 3, 1, all, 3) != 3)
			ck_abort_msg("key %s: a live saver lost its contact", key);
		/* rendezvous over all three: removing node 2 moves only its keys */
		if(rp_rendezvous(h, all, 3) != 2
				&& rp_rendezvous(h, all, 3) != rp_rendezvous(h, two, 2))
			ck_abort_msg("key %s: moved though its node stayed", key);
	}
	ck_assert_int_eq(cnt[2], 0);
	ck_assert_msg(cnt[1] > n * 45 / 100 && cnt[3] > n * 45 / 100,
			"uneven takeover: %d / %d", cnt[1], cnt[3]);
}
END_TEST

/* --- the entry pool --- */

/* blocks from malloc, counted; fail_after >= 0 refuses the next ones */
static int pool_blocks, pool_released, pool_fail_after = -1;

static void *pool_alloc(unsigned long size)
{
	if(pool_fail_after >= 0 && pool_blocks >= pool_fail_after)
		return NULL;
	pool_blocks++;
	return malloc(size);
}

static void pool_release(void *b)
{
	pool_released++;
	free(b);
}

static void pool_reset(rp_pool_t *p)
{
	pool_blocks = pool_released = 0;
	pool_fail_after = -1;
	rp_pool_init(p, pool_alloc);
}

/* the pools are too large for a test's stack */
static rp_pool_t pool;

START_TEST(test_pool_fits)
{
	rp_pool_t *p = &pool;

	pool_reset(p);
	ck_assert(!rp_pool_fits(0));
	ck_assert(rp_pool_fits(1));
	ck_assert(rp_pool_fits(RP_POOL_MAX));
	ck_assert(!rp_pool_fits(RP_POOL_MAX + 1));
	ck_assert_uint_eq(rp_pool_get(p, 0), 0);
	ck_assert_uint_eq(rp_pool_get(p, RP_POOL_MAX + 1), 0);
	ck_assert_int_eq(pool_blocks, 0);
	ck_assert_uint_eq(p->in_use, 0);
}
END_TEST

/* a freed entry serves the next of its rounded size, and only that */
START_TEST(test_pool_reuse)
{
	rp_pool_t *p = &pool;
	rp_ref_t a, b, c, d;

	pool_reset(p);
	a = rp_pool_get(p, 100);
	b = rp_pool_get(p, 100);
	ck_assert_uint_ne(a, 0);
	ck_assert_uint_ne(b, 0);
	ck_assert_uint_ne(a, b);
	ck_assert_ptr_eq((char *)rp_pool_ptr(p, b), (char *)rp_pool_ptr(p, a) + 104);
	ck_assert_uint_eq(p->in_use, 208);
	rp_pool_put(p, a, 100);
	ck_assert_uint_eq(p->in_use, 104);
	c = rp_pool_get(p, 105); /* 112: not a's size */
	ck_assert_uint_ne(c, a);
	d = rp_pool_get(p, 97); /* 104: a's */
	ck_assert_uint_eq(d, a);
	ck_assert_int_eq(pool_blocks, 1);
	rp_pool_destroy(p, pool_release);
	ck_assert_int_eq(pool_released, 1);
	ck_assert_uint_eq(p->bytes, 0);
	ck_assert_uint_eq(p->in_use, 0);
}
END_TEST

/* entries fill blocks back to back, aligned, never overlapping, each
 * reference to its own memory; what a block cannot fit any more serves
 * its own size */
START_TEST(test_pool_carve)
{
	enum { N = 20000, BIG = 2048 };
	static rp_ref_t r[N];
	static unsigned long sz[N];
	rp_pool_t *p = &pool;
	unsigned long total = 0, size;
	unsigned char *m;
	int i, j;

	pool_reset(p);
	srand(7);
	for(i = 0; i < N; i++) {
		/* mostly contacts' sizes, some up to the largest */
		sz[i] = 1 + (unsigned long)rand() % (i % 100 ? BIG : RP_POOL_MAX);
		r[i] = rp_pool_get(p, sz[i]);
		ck_assert_uint_ne(r[i], 0);
		m = rp_pool_ptr(p, r[i]);
		ck_assert_uint_eq((uintptr_t)m % RP_POOL_ALIGN, 0);
		memset(m, i & 0xff, sz[i]);
		total += (sz[i] + RP_POOL_ALIGN - 1) / RP_POOL_ALIGN * RP_POOL_ALIGN;
	}
	ck_assert_uint_eq(p->in_use, total);
	ck_assert_uint_eq(p->bytes, (unsigned long)pool_blocks * RP_POOL_BLOCK);
	ck_assert_uint_eq(p->nblocks, pool_blocks);
	/* no more than a largest entry lost per block */
	ck_assert_uint_le(p->bytes,
			total + (unsigned long)pool_blocks * RP_POOL_MAX + RP_POOL_BLOCK);
	for(i = 0; i < N; i++) {
		m = rp_pool_ptr(p, r[i]);
		for(j = 0; j < (int)sz[i]; j++)
			if(m[j] != (i & 0xff))
				ck_abort_msg("entry %d overwritten at byte %d", i, j);
	}
	/* a block's rest: ask for more than is left, then for what was left */
	size = RP_POOL_BLOCK - p->cur;
	if(size >= 8 && size < RP_POOL_MAX) {
		char *rest = p->block[p->nblocks - 1] + p->cur;
		ck_assert_uint_ne(rp_pool_get(p, size + 8), 0);
		ck_assert_ptr_eq(rp_pool_ptr(p, rp_pool_get(p, size)), rest);
	}
	for(i = 0; i < N; i++)
		rp_pool_put(p, r[i], sz[i]);
	ck_assert_uint_le(p->in_use, 2 * RP_POOL_MAX);
	rp_pool_destroy(p, pool_release);
	ck_assert_int_eq(pool_released, pool_blocks);
}
END_TEST

/* out of memory: 0, and the pool as it was */
START_TEST(test_pool_no_memory)
{
	rp_pool_t *p = &pool;
	unsigned long n = 0;
	rp_ref_t r = 0, last = 0;

	pool_reset(p);
	pool_fail_after = 1;
	while((r = rp_pool_get(p, RP_POOL_MAX))) {
		last = r;
		n++;
	}
	ck_assert_uint_eq(n, RP_POOL_BLOCK / RP_POOL_MAX);
	ck_assert_uint_eq(p->in_use, n * RP_POOL_MAX);
	ck_assert_uint_eq(p->bytes, RP_POOL_BLOCK);
	/* the block is full: nothing fits without another one */
	ck_assert_uint_eq(rp_pool_get(p, 8), 0);
	ck_assert_uint_eq(p->in_use, n * RP_POOL_MAX);
	/* what is given back serves again */
	rp_pool_put(p, last, RP_POOL_MAX);
	ck_assert_uint_eq(rp_pool_get(p, RP_POOL_MAX - 7), last);
	rp_pool_destroy(p, pool_release);
	ck_assert_int_eq(pool_released, 1);
}
END_TEST

/* every block a reference can name, then no more: 0, not a reference
 * that wraps onto the first block. The blocks share one buffer: only
 * the references are looked at. */
static char pool_one_block[RP_POOL_BLOCK];
static void *pool_alloc_same(unsigned long size)
{
	(void)size;
	pool_blocks++;
	return pool_one_block;
}

START_TEST(test_pool_all_blocks)
{
	enum { PER_BLOCK = RP_POOL_BLOCK / RP_POOL_MAX };
	rp_pool_t *p = &pool;
	rp_ref_t r, first = 0, last = 0;
	unsigned long n = 0;

	pool_reset(p);
	rp_pool_init(p, pool_alloc_same);
	while((r = rp_pool_get(p, RP_POOL_MAX))) {
		ck_assert_uint_gt(r, last);
		if(n == 0)
			first = r;
		ck_assert_ptr_eq(rp_pool_ptr(p, r),
				pool_one_block + (n % PER_BLOCK) * RP_POOL_MAX);
		last = r;
		n++;
	}
	ck_assert_uint_eq(n, (unsigned long)PER_BLOCK * RP_POOL_BLOCKS);
	ck_assert_int_eq(pool_blocks, RP_POOL_BLOCKS);
	ck_assert_uint_eq(p->nblocks, RP_POOL_BLOCKS);
	ck_assert_uint_ne(first, 0);
	/* what is freed still serves */
	rp_pool_put(p, first, RP_POOL_MAX);
	ck_assert_uint_eq(rp_pool_get(p, RP_POOL_MAX), first);
	rp_pool_destroy(p, NULL);
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("regping_logic");
	TCase *tc;

	tc = tcase_create("hash");
	tcase_add_loop_test(tc, test_hash_pinned, 0, N_ROWS(hashes));
	tcase_add_loop_test(tc, test_hash_differ, 0, N_ROWS(differ));
	tcase_add_loop_test(tc, test_hash_len, 0, N_ROWS(longkeys));
	tcase_add_loop_test(tc, test_hash_bitflip, 0, N_ROWS(longkeys));
	suite_add_tcase(s, tc);

	tc = tcase_create("wheel");
	tcase_add_loop_test(tc, test_wheel_init, 0, N_ROWS(inits));
	tcase_add_loop_test(tc, test_wheel_slot, 0, N_ROWS(slots));
	tcase_add_loop_test(tc, test_part_start, 0, 12);
	tcase_add_loop_test(tc, test_wheel_stable, 0, N_ROWS(geoms));
	tcase_add_loop_test(tc, test_wheel_due, 0, N_ROWS(geoms));
	tcase_add_loop_test(tc, test_wheel_once_per_interval, 0, N_ROWS(geoms));
	suite_add_tcase(s, tc);

	tc = tcase_create("spread");
	tcase_add_loop_test(tc, test_spread, 0, N_ROWS(spreads));
	suite_add_tcase(s, tc);

	tc = tcase_create("rate cap");
	tcase_add_test(tc, test_budget_unlimited);
	tcase_add_loop_test(tc, test_budget_rate, 0, N_ROWS(rates));
	tcase_add_loop_test(tc, test_budget_no_burst, 0, N_ROWS(rates));
	tcase_add_loop_test(tc, test_budget_backwards, 0, N_ROWS(rates));
	tcase_add_loop_test(tc, test_budget_overspend, 0, N_ROWS(rates));
	suite_add_tcase(s, tc);

	tc = tcase_create("liveness");
	tcase_add_loop_test(tc, test_live, 0, N_ROWS(lives));
	tcase_add_test(tc, test_live_seq_wrap);
	tcase_add_test(tc, test_live_same_second);
	tcase_add_test(tc, test_live_failures_saturate);
	suite_add_tcase(s, tc);

	tc = tcase_create("poke and sent");
	tcase_add_test(tc, test_live_poke);
	tcase_add_test(tc, test_live_sent);
	tcase_add_test(tc, test_poke_spacing);
	suite_add_tcase(s, tc);

	tc = tcase_create("reply matching");
	tcase_add_loop_test(tc, test_callid_parse, 0, N_ROWS(callids));
	tcase_add_test(tc, test_callid_roundtrip);
	tcase_add_test(tc, test_wbuf);
	tcase_add_test(tc, test_branch_ours);
	tcase_add_loop_test(tc, test_reply_scan, 0, N_ROWS(rscans));
	tcase_add_loop_test(tc, test_host_needs_brackets, 0, N_ROWS(vhosts));
	suite_add_tcase(s, tc);

	tc = tcase_create("cluster ownership");
	tcase_add_test(tc, test_owner_rows);
	tcase_add_test(tc, test_owner_spread);
	tcase_add_test(tc, test_live_ids);
	tcase_add_test(tc, test_join_agreed);
	suite_add_tcase(s, tc);

	tc = tcase_create("entry pool");
	tcase_add_test(tc, test_pool_fits);
	tcase_add_test(tc, test_pool_reuse);
	tcase_add_test(tc, test_pool_carve);
	tcase_add_test(tc, test_pool_no_memory);
	tcase_add_test(tc, test_pool_all_blocks);
	suite_add_tcase(s, tc);

	return s;
}
