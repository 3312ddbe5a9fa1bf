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
 * \brief regping :: scheduling and liveness, in plain C (no Kamailio headers)
 *
 * Scheduling: every contact gets a stable offset inside the interval from a
 * hash of its key (usrloc's ruid), so pings are spread evenly and each
 * contact is pinged once per interval at the same phase. Time is cut into
 * ticks; a wheel of interval/tick slots holds the contacts, one slot is due
 * per tick. A token bucket caps the pings per second when asked to.
 *
 * Liveness: per contact the last ping and reply, the sequence number of
 * the last ping and the consecutive unanswered pings.
 */

#ifndef _REGPING_LOGIC_H_
#define _REGPING_LOGIC_H_

#include <stdint.h>

/*! stable 32-bit hash of key[0..len): FNV-1a, then murmur3's final mix
 * (similar keys, like usrloc ruids, differ in their low bits) */
uint32_t rp_hash(const char *key, int len);

/*! wheel geometry: nslots = interval_ms / tick_ms */
typedef struct rp_wheel
{
	uint32_t interval_ms;
	uint32_t tick_ms;
	uint32_t nslots;
} rp_wheel_t;

/*! 0 and *w filled, or -1 when interval or tick is 0 or the tick does not
 * divide the interval (the wheel must turn once per interval) */
int rp_wheel_init(rp_wheel_t *w, uint32_t interval_ms, uint32_t tick_ms);

/*! which of n parts h falls in, by its top bits: h * n / 2^32. Ordered
 * by h, so the hashes of one part are one range (rp_part_start()) */
uint32_t rp_part(uint32_t h, uint32_t n);

/*! the smallest hash in part i of n (i <= n; 2^32 for i == n) */
uint64_t rp_part_start(uint32_t i, uint32_t n);

/*! the slot of a contact with key hash h, in [0, nslots): its part of
 * the interval. The index orders contacts the same way (regping_table.c),
 * so a slot's contacts are a run of its buckets: no list of their own */
uint32_t rp_wheel_slot(const rp_wheel_t *w, uint32_t h);

/*! the slot due at time now_ms (ms on any monotonic clock) */
uint32_t rp_wheel_due(const rp_wheel_t *w, uint64_t now_ms);

/*! token bucket for max_rate pings per second; rate 0 = no cap */
typedef struct rp_budget
{
	uint32_t rate;		 /* pings per second, 0: unlimited */
	uint64_t last_ms;	 /* time of the last refill */
	uint64_t milli;		 /* tokens in thousandths */
	uint64_t burst_milli; /* the bucket's size */
} rp_budget_t;

/*! start a bucket at now_ms; it holds at most one tick's worth of tokens
 * (at least one ping) plus the fraction of a ping, so a backlog is never
 * sent as a burst and the rate holds for any tick */
void rp_budget_init(rp_budget_t *b, uint32_t rate, uint32_t tick_ms,
		uint64_t now_ms);

/*! how many pings may go out now (refilled for the time since the last
 * call); UINT32_MAX when there is no cap */
uint32_t rp_budget_avail(rp_budget_t *b, uint64_t now_ms);

/*! spend n tokens (n <= what rp_budget_avail() returned) */
void rp_budget_spend(rp_budget_t *b, uint32_t n);

/*! liveness of one contact */
typedef struct rp_live
{
	uint32_t last_ping;	 /* unix time, s, 0 = never (shown by RPC) */
	uint32_t last_reply; /* unix time, s, 0 = never */
	uint32_t seq;		 /* sequence number of the last ping */
	uint16_t failures;	 /* consecutive pings without a reply (stays at
						  * its maximum) */
	uint8_t awaiting : 1; /* the last ping is not answered yet */
	uint8_t answered : 1; /* ... it was, or needed no answer */
	uint8_t dead : 1;	  /* failures reached max_failures */
} rp_live_t;

enum rp_ping_result
{
	RP_PING_FIRST = 0, /* nothing was outstanding (nor answered) */
	RP_PING_ANSWERED,  /* the previous ping was answered */
	RP_PING_TIMEOUT,   /* the previous ping was not answered */
	RP_PING_DEAD	   /* ... and that made the contact dead */
};

/*! a ping goes out now: judge the previous one, start waiting for this
 * one (l->seq is its sequence number); expect_reply 0 (CRLF keepalives)
 * does not wait. max_failures 0 never declares a contact dead. */
enum rp_ping_result rp_live_ping(
		rp_live_t *l, uint64_t now_ms, int expect_reply, uint32_t max_failures);

/*! a reply with sequence number seq arrived: 1 when it answers the last
 * ping (the contact is alive again), 0 when it is late or unknown */
int rp_live_reply(rp_live_t *l, uint32_t seq, uint64_t now_ms);

/*! an extra ping (on demand) goes out now: it judges nothing; when
 * expect_reply, its reply counts like that of a scheduled one (an
 * unanswered scheduled ping keeps its sequence number, so either ping's
 * reply answers it) */
void rp_live_poke(rp_live_t *l, uint64_t now_ms, int expect_reply);

/*! extra pings of a contact are spaced: 1 when one may go out at now_ms
 * (and *last records it), 0 when the last one went out less than
 * spacing_ms before. *last holds the low 32 bits of the time, 0 = never
 * (a time whose low bits are 0 is stored as 1); spacing_ms 0 lets every
 * extra ping through. */
int rp_poke_allowed(uint32_t *last, uint64_t now_ms, uint32_t spacing_ms);

/*! a keepalive that expects no reply was sent (TCP/TLS, CRLF): the
 * connection is alive, failures start over */
void rp_live_sent(rp_live_t *l, uint64_t now_ms);

/*! sending failed (e.g. the TCP connection is gone): counts as a failure;
 * returns RP_PING_DEAD when that made the contact dead, else
 * RP_PING_TIMEOUT */
enum rp_ping_result rp_live_send_failed(rp_live_t *l, uint32_t max_failures);

/*! 1 when host[0..len) is an IPv6 literal without brackets (it has a
 * ':' and does not start with '['): a Via needs them added. Names and
 * IPv4 addresses (whatever their name resolves to) and bracketed
 * literals go in as they are, as in the core's Via builder. */
int rp_host_needs_brackets(const char *host, int len);

/*! pings carry these, so replies can be told from other traffic: the
 * Call-ID "regping-<seq in lowercase hex>-<ruid>", a Via branch starting
 * with "z9hG4bKrp." */
#define RP_CALLID_PREFIX "regping-"
#define RP_CALLID_PREFIX_LEN (sizeof(RP_CALLID_PREFIX) - 1)
#define RP_BRANCH_PREFIX "z9hG4bKrp."
#define RP_BRANCH_PREFIX_LEN (sizeof(RP_BRANCH_PREFIX) - 1)

/*! a bounded writer for the pings: puts into [p, end); p becomes NULL
 * when a put does not fit and every later put is a no-op, so a message is
 * built without a check after each piece. Replaces snprintf() on the send
 * path (its format parsing was 5% of kamailio's samples). */
typedef struct rp_wbuf
{
	char *p;
	char *end;
} rp_wbuf_t;

/*! s[0..len); a negative len does not fit */
void rp_put(rp_wbuf_t *w, const char *s, int len);
/*! v in lowercase hex without leading zeros ("0" for 0) */
void rp_put_hex(rp_wbuf_t *w, uint32_t v);
/* "" lit "": only a string literal compiles (sizeof of a pointer would not
 * be its length) */
#define rp_put_lit(w, lit) rp_put((w), "" lit "", (int)sizeof(lit) - 1)
/*! the Call-ID of ping seq to the contact ruid[0..ruid_len), as
 * rp_callid_print() prints it, without a NUL */
void rp_put_callid(rp_wbuf_t *w, uint32_t seq, const char *ruid, int ruid_len);

/*! print the Call-ID of ping seq to the contact ruid[0..ruid_len) into
 * buf (size bytes), NUL-terminated: RP_CALLID_PREFIX, seq in lowercase
 * hex without leading zeros, "-", the ruid. Returns its length, or -1
 * when it does not fit. rp_callid_parse() reads exactly what this prints. */
int rp_callid_print(
		uint32_t seq, const char *ruid, int ruid_len, char *buf, int size);

/*! read the Call-ID of a reply: 1 when it is one of ours, with the
 * sequence number in *seq and the contact's ruid pointing into cid; 0 when
 * it is not ours (another prefix); -1 when it has our prefix but not our
 * form (the sequence number must be printed as we print it: 1-8 lowercase
 * hex digits, no leading zero, and a non-empty ruid follows) */
int rp_callid_parse(const char *cid, int len, uint32_t *seq,
		const char **ruid, int *ruid_len);

/*! 1 when a Via branch is that of one of our pings */
int rp_branch_ours(const char *branch, int len);

/*! what rp_reply_scan() found in a datagram */
typedef struct rp_reply_raw
{
	uint32_t seq;	  /* the ping's sequence number */
	const char *ruid; /* the contact's ruid, in the datagram */
	int ruid_len;
	const char *host; /* the Via's sent-by host ("[...]" for IPv6), in it */
	int host_len;
	int port; /* the sent-by port, 0 when the Via names none */
} rp_reply_raw_t;

/*! read a datagram that came to reply_port without the core's parser:
 * 1 when it is a reply to one of our pings (a status line, exactly one
 * Via, with a sent-by and our branch, and our Call-ID), r filled (in a
 * cluster the sent-by names the node whose ping it answers); 0 when it
 * is not (a request, no or more Vias, a Via without a sent-by, another
 * branch or Call-ID, a header twice); -1 when it has our Call-ID prefix but not our form. Header
 * names are case-insensitive, compact forms (v, i) and folded lines are
 * read as RFC 3261 writes them; lines end in CRLF or LF; the body is
 * not read (a truncated datagram is read up to its end). */
int rp_reply_scan(const char *buf, int len, rp_reply_raw_t *r);

/*! cluster ownership: the live node that pings a contact. key_hash is
 * rp_hash() of something every node holds identically for the contact
 * (its ruid). Rendezvous (highest random weight) over the live ids: when a
 * node leaves, only its contacts move, spread evenly over the others; when
 * it returns, exactly those come back. Ties go to the lower id. -1 when
 * nlive is 0. */
int rp_rendezvous(uint32_t key_hash, const int *live, int nlive);

/*! the owner of a contact saved by node sid (usrloc's server_id): sid
 * itself while it is live, else the rendezvous choice among the live ids.
 * No live list (nlive 0: no cluster) means every contact is self's. */
int rp_owner(uint32_t key_hash, int sid, int self, const int *live,
		int nlive);

/*! a cluster node as the timer sees it: its id (server_id), the wall
 * time (ms) from which it pings its contacts, the last time it was heard */
typedef struct rp_peer
{
	int id;
	uint64_t since;
	uint64_t heard;
} rp_peer_t;

/* the most nodes of a cluster */
#define RP_NODES_MAX 64

/*! a node as heard, with the ids its last heartbeat said it hears */
typedef struct rp_view
{
	rp_peer_t p;
	int nhears;
	int hears[RP_NODES_MAX];
} rp_view_t;

/*! may node self join, given the nodes v[0..n) as heard? 1 when it hears
 * one (within timeout_ms of now) and every node it hears hears it and
 * hears no node self does not: a heartbeat of self's start then reaches
 * them all. 0 when it hears none, -1 while they disagree (a node the
 * others hear is not heard by self yet, or one does not hear self yet:
 * its DMQ list may not have it). */
int rp_join_agreed(const rp_view_t *v, int n, int self, uint64_t now,
		uint32_t timeout_ms);

/*! p was heard within timeout_ms of now: it is not gone */
int rp_peer_heard(const rp_peer_t *p, uint64_t now, uint32_t timeout_ms);

/*! the ids that ping the contacts of the slot due at wall time t, into
 * out (room for n + 1): self when t >= self_since, and each peer heard
 * within timeout_ms of now whose since is at most t. Every node decides
 * the slot at t alike, so a returning node and the one handing its
 * contacts back switch at the same slot. Returns the count. */
int rp_live_ids(const rp_peer_t *p, int n, int self, uint64_t self_since,
		uint64_t now, uint64_t t, uint32_t timeout_ms, int *out);

/*! entries carved from large blocks: one allocator header per block, not
 * per contact (Debian's kamailio keeps ~48-88 bytes of header and debug
 * data per shm fragment), and a 32-bit reference (rp_ref_t) to each where
 * a pointer takes 64 bits. Sizes are rounded to RP_POOL_ALIGN; a freed
 * entry waits in its size's list for the next of that size. Blocks stay
 * with the pool until rp_pool_destroy(). Not locked: the caller locks. */
#define RP_POOL_ALIGN 8
#define RP_POOL_MAX (16 * 1024) /* the largest entry */
#define RP_POOL_BLOCK (256 * 1024)
#define RP_POOL_BLOCKS 8192 /* 2 GB of entries, some 16M contacts */
/* a reference: the block's number + 1 above the offset / RP_POOL_ALIGN */
#define RP_POOL_OFF_BITS 15 /* RP_POOL_BLOCK / RP_POOL_ALIGN = 2^15 */

typedef uint32_t rp_ref_t; /* an entry of the pool, 0 none */

typedef struct rp_pool
{
	void *(*alloc)(unsigned long size); /* a block, NULL when out of memory */
	uint32_t nblocks;
	uint32_t cur;  /* the unused rest of the newest block: its offset */
	rp_ref_t free[RP_POOL_MAX / RP_POOL_ALIGN + 1]; /* by size / RP_POOL_ALIGN */
	unsigned long bytes;  /* in blocks */
	unsigned long in_use; /* handed out */
	char *block[RP_POOL_BLOCKS];
} rp_pool_t;

/*! an empty pool getting its blocks from alloc */
void rp_pool_init(rp_pool_t *p, void *(*alloc)(unsigned long size));

/*! whether an entry of size bytes fits the pool (1 <= size <= RP_POOL_MAX) */
int rp_pool_fits(unsigned long size);

/*! size bytes (aligned for any pointer); 0 when size does not fit, a new
 * block could not be allocated or the pool has RP_POOL_BLOCKS */
rp_ref_t rp_pool_get(rp_pool_t *p, unsigned long size);

/*! give back what rp_pool_get(p, size) returned, with the same size */
void rp_pool_put(rp_pool_t *p, rp_ref_t r, unsigned long size);

/*! the memory of r (not 0) */
static inline void *rp_pool_ptr(const rp_pool_t *p, rp_ref_t r)
{
	return p->block[(r >> RP_POOL_OFF_BITS) - 1]
		   + ((r & ((1u << RP_POOL_OFF_BITS) - 1)) * RP_POOL_ALIGN);
}

/*! hand every block to release (NULL: forget them); the pool is empty */
void rp_pool_destroy(rp_pool_t *p, void (*release)(void *block));

#endif
