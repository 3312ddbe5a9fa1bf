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
 * \brief regping :: scheduling and liveness, in plain C
 */

#include <string.h>
#include <strings.h>

#include "regping_logic.h"

/* murmur3's final mix: every output bit depends on every input bit (the
 * key hash's low bits, the weight of (key, node) for each node) */
static uint32_t rp_mix(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

uint32_t rp_hash(const char *key, int len)
{
	uint32_t h = 2166136261u;
	int i;

	for(i = 0; i < len; i++) {
		h ^= (unsigned char)key[i];
		h *= 16777619u;
	}
	/* FNV's low bits are weak for short keys: mix them */
	return rp_mix(h);
}

int rp_wheel_init(rp_wheel_t *w, uint32_t interval_ms, uint32_t tick_ms)
{
	/* the wheel turns once per nslots * tick: that must be the interval */
	if(interval_ms == 0 || tick_ms == 0 || interval_ms % tick_ms != 0)
		return -1;
	w->interval_ms = interval_ms;
	w->tick_ms = tick_ms;
	w->nslots = interval_ms / tick_ms;
	return 0;
}

uint32_t rp_part(uint32_t h, uint32_t n)
{
	return (uint32_t)(((uint64_t)h * n) >> 32);
}

uint64_t rp_part_start(uint32_t i, uint32_t n)
{
	/* the first h with h * n >= i * 2^32 */
	return (((uint64_t)i << 32) + n - 1) / n;
}

uint32_t rp_wheel_slot(const rp_wheel_t *w, uint32_t h)
{
	return rp_part(h, w->nslots);
}

uint32_t rp_wheel_due(const rp_wheel_t *w, uint64_t now_ms)
{
	return (uint32_t)((now_ms / w->tick_ms) % w->nslots);
}

void rp_budget_init(rp_budget_t *b, uint32_t rate, uint32_t tick_ms,
		uint64_t now_ms)
{
	b->rate = rate;
	b->last_ms = now_ms;
	b->burst_milli = (uint64_t)rate * tick_ms;
	if(b->burst_milli < 1000)
		b->burst_milli = 1000;
	b->milli = 0;
}

uint32_t rp_budget_avail(rp_budget_t *b, uint64_t now_ms)
{
	if(b->rate == 0)
		return UINT32_MAX;
	if(now_ms > b->last_ms) {
		/* rate pings/s = rate thousandths per ms */
		b->milli += (now_ms - b->last_ms) * b->rate;
		/* keep the fraction of a ping: capping at the burst itself would
		 * lose it at every tick whose worth is not a whole number */
		if(b->milli > b->burst_milli + 999)
			b->milli = b->burst_milli + 999;
		b->last_ms = now_ms;
	}
	return (uint32_t)(b->milli / 1000);
}

void rp_budget_spend(rp_budget_t *b, uint32_t n)
{
	uint64_t m = (uint64_t)n * 1000;

	if(b->rate == 0)
		return;
	b->milli = m > b->milli ? 0 : b->milli - m;
}

/* times in the liveness record are seconds: they are only shown (RPC),
 * and 8 bytes less per contact */
static uint32_t rp_live_s(uint64_t now_ms)
{
	return (uint32_t)(now_ms / 1000);
}

static void rp_live_fail(rp_live_t *l)
{
	if(l->failures < UINT16_MAX)
		l->failures++;
}

enum rp_ping_result rp_live_ping(
		rp_live_t *l, uint64_t now_ms, int expect_reply, uint32_t max_failures)
{
	enum rp_ping_result r = RP_PING_FIRST;

	if(l->awaiting)
		r = RP_PING_TIMEOUT;
	else if(l->answered)
		r = RP_PING_ANSWERED;
	if(r == RP_PING_TIMEOUT) {
		rp_live_fail(l);
		if(max_failures > 0 && l->failures >= max_failures && !l->dead) {
			l->dead = 1;
			r = RP_PING_DEAD;
		}
	}
	l->last_ping = rp_live_s(now_ms);
	l->seq++;
	l->awaiting = expect_reply ? 1 : 0;
	l->answered = 0;
	return r;
}

int rp_live_reply(rp_live_t *l, uint32_t seq, uint64_t now_ms)
{
	if(!l->awaiting || seq != l->seq)
		return 0;
	l->awaiting = 0;
	l->answered = 1;
	l->failures = 0;
	l->dead = 0;
	l->last_reply = rp_live_s(now_ms);
	return 1;
}

void rp_live_poke(rp_live_t *l, uint64_t now_ms, int expect_reply)
{
	if(!expect_reply)
		return;
	if(!l->awaiting) {
		l->seq++;
		l->awaiting = 1;
	}
	l->answered = 0;
	l->last_ping = rp_live_s(now_ms);
}

int rp_poke_allowed(uint32_t *last, uint64_t now_ms, uint32_t spacing_ms)
{
	uint32_t now = (uint32_t)now_ms;

	/* unsigned difference: right across the wrap of the low 32 bits */
	if(spacing_ms > 0 && *last != 0 && now - *last < spacing_ms)
		return 0;
	*last = now != 0 ? now : 1;
	return 1;
}

void rp_live_sent(rp_live_t *l, uint64_t now_ms)
{
	l->failures = 0;
	l->dead = 0;
	l->answered = 1;
	l->last_reply = rp_live_s(now_ms);
}

enum rp_ping_result rp_live_send_failed(rp_live_t *l, uint32_t max_failures)
{
	l->awaiting = 0;
	rp_live_fail(l);
	if(max_failures > 0 && l->failures >= max_failures && !l->dead) {
		l->dead = 1;
		return RP_PING_DEAD;
	}
	return RP_PING_TIMEOUT;
}

/* kamailio builds modules with -minline-all-stringops: on x86 a memcpy()
 * of a length known at run time becomes "rep movsq", whose start-up cost
 * is far above the 1-60 bytes of a ping's pieces (62% of rp_put's samples);
 * without it the compiler calls the C library's memcpy() */
#if defined(__GNUC__) && !defined(__clang__) \
		&& (defined(__x86_64__) || defined(__i386__))
#define RP_LIBC_STRINGOPS __attribute__((target("no-inline-all-stringops")))
#else
#define RP_LIBC_STRINGOPS
#endif

RP_LIBC_STRINGOPS void rp_put(rp_wbuf_t *w, const char *s, int len)
{
	if(w->p == NULL || len < 0 || len > w->end - w->p) {
		w->p = NULL;
		return;
	}
	/* memcpy() may not be given a NULL source, even for 0 bytes */
	if(len > 0)
		memcpy(w->p, s, (size_t)len);
	w->p += len;
}

void rp_put_hex(rp_wbuf_t *w, uint32_t v)
{
	static const char hex[] = "0123456789abcdef";
	char d[8];
	int n = 8;

	do {
		d[--n] = hex[v & 15];
		v >>= 4;
	} while(v);
	rp_put(w, d + n, 8 - n);
}

void rp_put_callid(rp_wbuf_t *w, uint32_t seq, const char *ruid, int ruid_len)
{
	rp_put_lit(w, RP_CALLID_PREFIX);
	rp_put_hex(w, seq);
	rp_put_lit(w, "-");
	rp_put(w, ruid, ruid_len);
}

int rp_callid_print(
		uint32_t seq, const char *ruid, int ruid_len, char *buf, int size)
{
	rp_wbuf_t w;

	if(buf == NULL || size <= 0 || ruid_len < 0 || (ruid == NULL && ruid_len))
		return -1;
	/* the last byte for the NUL */
	w.p = buf;
	w.end = buf + size - 1;
	rp_put_callid(&w, seq, ruid, ruid_len);
	if(w.p == NULL)
		return -1;
	*w.p = '\0';
	return (int)(w.p - buf);
}

int rp_callid_parse(const char *cid, int len, uint32_t *seq,
		const char **ruid, int *ruid_len)
{
	const char *p, *end;
	uint32_t v = 0;
	int d, n = 0;

	if(cid == NULL || len < (int)RP_CALLID_PREFIX_LEN
			|| memcmp(cid, RP_CALLID_PREFIX, RP_CALLID_PREFIX_LEN) != 0)
		return 0;
	end = cid + len;
	for(p = cid + RP_CALLID_PREFIX_LEN; p < end && *p != '-'; p++, n++) {
		d = (*p >= '0' && *p <= '9')   ? *p - '0'
			: (*p >= 'a' && *p <= 'f') ? *p - 'a' + 10
									   : -1;
		if(d < 0 || n == 8 || (n == 1 && v == 0))
			return -1;
		v = (v << 4) | (uint32_t)d;
	}
	if(n == 0 || p + 1 >= end)
		return -1;
	*seq = v;
	*ruid = p + 1;
	*ruid_len = (int)(end - *ruid);
	return 1;
}

int rp_branch_ours(const char *branch, int len)
{
	return branch != NULL && len >= (int)RP_BRANCH_PREFIX_LEN
		   && memcmp(branch, RP_BRANCH_PREFIX, RP_BRANCH_PREFIX_LEN) == 0;
}

/* --- a reply read without the core's parser --- */

static int rp_is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* the end of the header line at p (its last byte + 1, before CRLF or LF)
 * and in *next where the next one starts; a line starting with SP or HT
 * continues it (RFC 3261 7.3.1) */
static const char *rp_hdr_end(const char *p, const char *end, const char **next)
{
	const char *nl;

	for(;;) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if(nl == NULL) {
			*next = end;
			return end;
		}
		if(nl + 1 < end && (nl[1] == ' ' || nl[1] == '\t')) {
			p = nl + 1;
			continue;
		}
		*next = nl + 1;
		return nl > p && nl[-1] == '\r' ? nl - 1 : nl;
	}
}

/* name[0..n) is one of the two spellings (case-insensitive) */
static int rp_hdr_is(const char *name, int n, const char *full, char compact)
{
	int i, flen = (int)strlen(full);

	if(n == 1)
		return (name[0] | 0x20) == compact;
	if(n != flen)
		return 0;
	for(i = 0; i < n; i++)
		if((name[i] | 0x20) != full[i])
			return 0;
	return 1;
}

static const char *rp_skip_ws(const char *p, const char *end)
{
	while(p < end && rp_is_ws(*p))
		p++;
	return p;
}

static int rp_is_token(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
		   || (c >= '0' && c <= '9') || (c && strchr("-.!%*_+`'~", c));
}

/* the start of a Via value [p, end): sent-protocol and sent-by
 * ("SIP/2.0/UDP host[:port]", LWS around the slashes and the colon as
 * RFC 3261 25.1 allows); the host and port into r. Where the Via's
 * parameters start, NULL when it does not start so. */
static const char *rp_via_sent_by(
		const char *p, const char *end, rp_reply_raw_t *r)
{
	const char *h;
	int i, port = 0, digits = 0;

	for(i = 0; i < 3; i++) {
		p = rp_skip_ws(p, end);
		if(i > 0) {
			if(p >= end || *p != '/')
				return NULL;
			p = rp_skip_ws(p + 1, end);
		}
		for(h = p; p < end && rp_is_token(*p); p++)
			;
		if(p == h)
			return NULL;
	}
	h = rp_skip_ws(p, end);
	if(h == p)
		return NULL;
	p = h;
	if(p < end && *p == '[') {
		while(p < end && *p != ']')
			p++;
		if(p == end)
			return NULL;
		p++;
	} else {
		while(p < end
				&& ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')
						|| (*p >= '0' && *p <= '9') || *p == '-' || *p == '.'))
			p++;
	}
	if(p == h)
		return NULL;
	r->host = h;
	r->host_len = (int)(p - h);
	p = rp_skip_ws(p, end);
	if(p < end && *p == ':') {
		for(p = rp_skip_ws(p + 1, end); p < end && *p >= '0' && *p <= '9';
				p++)
			if(++digits > 5 || (port = port * 10 + (*p - '0')) > 65535)
				return NULL;
		if(digits == 0 || port == 0)
			return NULL;
		p = rp_skip_ws(p, end);
	}
	r->port = port;
	return p == end || *p == ';' || *p == ',' ? p : NULL;
}

/* the sent-by (into r) and the branch of a Via value [p, end), 1 when
 * the branch is ours; 0 when it has no sent-by, no branch, another one,
 * or a second Via (a comma outside quotes) */
static int rp_via_ours(const char *p, const char *end, rp_reply_raw_t *r)
{
	const char *b = NULL, *be = NULL, *n;
	int quoted = 0;

	if((p = rp_via_sent_by(p, end, r)) == NULL)
		return 0;
	for(; p < end; p++) {
		if(*p == '"')
			quoted = !quoted;
		if(quoted)
			continue;
		if(*p == ',')
			return 0;
		if(*p != ';' || b)
			continue;
		for(n = p + 1; n < end && rp_is_ws(*n); n++)
			;
		if(end - n < 6 || strncasecmp(n, "branch", 6) != 0)
			continue;
		for(n += 6; n < end && rp_is_ws(*n); n++)
			;
		if(n >= end || *n != '=')
			continue;
		for(n++; n < end && rp_is_ws(*n); n++)
			;
		for(b = n, be = n; be < end && !rp_is_ws(*be) && *be != ';'
						   && *be != ',';
				be++)
			;
	}
	return !quoted && b && rp_branch_ours(b, (int)(be - b));
}

int rp_reply_scan(const char *buf, int len, rp_reply_raw_t *r)
{
	const char *p, *end, *next, *hend, *colon, *v, *ve;
	const char *cid = NULL, *cide = NULL;
	int vias = 0, via_ok = 0;

	if(buf == NULL || len < 12 || strncasecmp(buf, "SIP/2.0 ", 8) != 0
			|| buf[8] < '1' || buf[8] > '6' || buf[9] < '0' || buf[9] > '9'
			|| buf[10] < '0' || buf[10] > '9')
		return 0;
	end = buf + len;
	rp_hdr_end(buf, end, &p);
	while(p < end && *p != '\r' && *p != '\n') {
		hend = rp_hdr_end(p, end, &next);
		colon = memchr(p, ':', (size_t)(hend - p));
		if(colon == NULL)
			return 0;
		for(v = colon; v > p && (v[-1] == ' ' || v[-1] == '\t'); v--)
			;
		if(rp_hdr_is(p, (int)(v - p), "via", 'v')) {
			vias++;
			via_ok = rp_via_ours(colon + 1, hend, r);
		} else if(rp_hdr_is(p, (int)(v - p), "call-id", 'i')) {
			if(cid)
				return 0;
			for(v = colon + 1; v < hend && rp_is_ws(*v); v++)
				;
			for(ve = hend; ve > v && rp_is_ws(ve[-1]); ve--)
				;
			cid = v;
			cide = ve;
		}
		p = next;
	}
	if(vias != 1 || !via_ok || cid == NULL)
		return 0;
	for(v = cid; v < cide; v++)
		if(rp_is_ws(*v))
			return 0;
	return rp_callid_parse(cid, (int)(cide - cid), &r->seq, &r->ruid,
			&r->ruid_len);
}

int rp_host_needs_brackets(const char *host, int len)
{
	if(host == NULL || len <= 0 || host[0] == '[')
		return 0;
	return memchr(host, ':', (size_t)len) != NULL;
}


int rp_rendezvous(uint32_t key_hash, const int *live, int nlive)
{
	int i, best = -1;
	uint32_t w, bw = 0;

	for(i = 0; i < nlive; i++) {
		w = rp_mix(key_hash ^ rp_mix((uint32_t)live[i] * 0x9e3779b9u + 1u));
		if(best < 0 || w > bw || (w == bw && live[i] < best)) {
			best = live[i];
			bw = w;
		}
	}
	return best;
}

int rp_owner(uint32_t key_hash, int sid, int self, const int *live,
		int nlive)
{
	int i;

	if(nlive <= 0)
		return self;
	for(i = 0; i < nlive; i++)
		if(live[i] == sid)
			return sid;
	return rp_rendezvous(key_hash, live, nlive);
}

int rp_peer_heard(const rp_peer_t *p, uint64_t now, uint32_t timeout_ms)
{
	return p->heard + timeout_ms >= now;
}

int rp_live_ids(const rp_peer_t *p, int n, int self, uint64_t self_since,
		uint64_t now, uint64_t t, uint32_t timeout_ms, int *out)
{
	int i, k = 0;

	if(t >= self_since)
		out[k++] = self;
	for(i = 0; i < n; i++)
		if(p[i].id != self && rp_peer_heard(&p[i], now, timeout_ms)
				&& p[i].since <= t)
			out[k++] = p[i].id;
	return k;
}


int rp_join_agreed(const rp_view_t *v, int n, int self, uint64_t now,
		uint32_t timeout_ms)
{
	int i, k, j, me, known, any = 0;

	for(i = 0; i < n; i++) {
		if(v[i].p.id == self || !rp_peer_heard(&v[i].p, now, timeout_ms))
			continue;
		any = 1;
		me = 0;
		for(k = 0; k < v[i].nhears; k++) {
			if(v[i].hears[k] == self) {
				me = 1;
				continue;
			}
			known = 0;
			for(j = 0; j < n && !known; j++)
				known = v[j].p.id == v[i].hears[k]
						&& rp_peer_heard(&v[j].p, now, timeout_ms);
			if(!known)
				return -1;
		}
		if(!me)
			return -1;
	}
	return any;
}

/* --- the entry pool --- */

/* what an entry of size (>= 1) bytes takes: aligned, which leaves room
 * for the link a free one keeps */
static unsigned long rp_pool_round(unsigned long size)
{
	return (size + RP_POOL_ALIGN - 1) & ~(unsigned long)(RP_POOL_ALIGN - 1);
}

void rp_pool_init(rp_pool_t *p, void *(*alloc)(unsigned long size))
{
	memset(p, 0, sizeof(*p));
	p->alloc = alloc;
	p->cur = RP_POOL_BLOCK; /* no block: nothing left */
}

int rp_pool_fits(unsigned long size)
{
	return size > 0 && size <= RP_POOL_MAX;
}

static rp_ref_t rp_pool_ref(uint32_t block, uint32_t off)
{
	return ((block + 1) << RP_POOL_OFF_BITS) | (off / RP_POOL_ALIGN);
}

/* free memory links to the next of its size by its first word */
static void rp_pool_push(rp_pool_t *p, rp_ref_t r, unsigned long n)
{
	*(rp_ref_t *)rp_pool_ptr(p, r) = p->free[n / RP_POOL_ALIGN];
	p->free[n / RP_POOL_ALIGN] = r;
}

rp_ref_t rp_pool_get(rp_pool_t *p, unsigned long size)
{
	unsigned long n, left;
	rp_ref_t r;
	char *b;

	if(!rp_pool_fits(size))
		return 0;
	n = rp_pool_round(size);
	r = p->free[n / RP_POOL_ALIGN];
	if(r) {
		p->free[n / RP_POOL_ALIGN] = *(rp_ref_t *)rp_pool_ptr(p, r);
		p->in_use += n;
		return r;
	}
	left = RP_POOL_BLOCK - p->cur;
	if(left < n) {
		if(p->nblocks == RP_POOL_BLOCKS)
			return 0;
		b = p->alloc(RP_POOL_BLOCK);
		if(b == NULL)
			return 0;
		/* the rest of the newest block, too small for what is asked,
		 * serves its own size later instead of being lost */
		if(left >= RP_POOL_ALIGN)
			rp_pool_push(p, rp_pool_ref(p->nblocks - 1, p->cur), left);
		p->block[p->nblocks++] = b;
		p->bytes += RP_POOL_BLOCK;
		p->cur = 0;
	}
	r = rp_pool_ref(p->nblocks - 1, p->cur);
	p->cur += n;
	p->in_use += n;
	return r;
}

void rp_pool_put(rp_pool_t *p, rp_ref_t r, unsigned long size)
{
	unsigned long n;

	if(r == 0 || !rp_pool_fits(size))
		return;
	n = rp_pool_round(size);
	rp_pool_push(p, r, n);
	p->in_use -= n;
}

void rp_pool_destroy(rp_pool_t *p, void (*release)(void *block))
{
	uint32_t i;

	for(i = 0; i < p->nblocks; i++)
		if(release)
			release(p->block[i]);
	rp_pool_init(p, p->alloc);
}
