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
 * \brief regping :: what its files share: the table's entries, the pings
 * copied out of it, the settings rp_init() checked
 */

#ifndef _REGPING_INT_H_
#define _REGPING_INT_H_

#include <stdint.h>

#include "core/str.h"
#include "core/ip_addr.h"
#include "core/locking.h"
#include "core/parser/msg_parser.h"
#include "modules/usrloc/usrloc.h"
#include "modules/tm/tm_load.h"
#include "modules/registrar/api.h"

#include "regping_core.h"

enum rp_method
{
	RP_OPTIONS = 0,
	RP_NOTIFY,
	RP_CRLF
};

/* one contact, in the table's pool (rp_ref_t); its address and strings
 * are stored after the struct. What a reply and the timer's walk of a
 * slot read comes first: the table is far larger than the caches, and
 * every ping and reply costs the lines of its entry it touches */
typedef struct rp_entry
{
	rp_ref_t hnext; /* index by ruid */
	uint32_t hash;
	uint8_t proto;
	uint8_t af : 3; /* 4 or 6, 0 while the address is a name */
	uint8_t queued : 1; /* a ping of it waits in the timer's queue */
	uint8_t mine : 2;	/* enum rp_mine: this node pings it (cluster) */
	uint8_t inet6 : 1;	/* the address is AF_INET6 (IPv4-mapped ones too) */
	uint8_t wide : 1;	/* data holds 16 bytes of address, else 4 */
	uint16_t rlen; /* > 0 while af is 0: the address is a name, resolved
					* before the first ping; the URI follows path */
	/* the strings in data, one after the other (rp_entry_str()) */
	uint16_t ruid_len, aor_len, uri_len, path_len;
	rp_live_t live;
	/* the rest: sending */
	uint32_t last_poke; /* the last extra ping (rp_poke_allowed()) */
	int tcpconn_id;
	uint16_t port;	/* of the address */
	uint16_t saver; /* usrloc's server_id of the contact, 0 unknown */
	struct socket_info *sock;
	/* where to ping, while af is not 0 (rp_entry_set_dst()): the
	 * address's bytes (16 if wide, else 4; an IPv4 address fills the
	 * first 4 of 16), then the strings */
	char data[];
} rp_entry_t;

/* the bytes of address at the start of data */
#define RP_ADDR_LEN(wide) ((wide) ? 16 : 4)

/* in a cluster, whether this node pings a contact (rp_entry_t.mine) */
enum rp_mine
{
	RP_MINE_NOT = 0,
	RP_MINE_OWN,  /* its saver */
	RP_MINE_TAKEN /* for a saver that is gone */
};

/* the most buckets an index grows to */
#define RP_INDEX_MAX (1u << 24)

typedef struct rp_table
{
	gen_lock_t lock;
	uint32_t hmask; /* grows with the contacts (rp_link()) */
	uint32_t entries;
	/* by ruid hash, bucket rp_part(hash, hmask + 1): in the wheel's order,
	 * a slot's contacts are a run of buckets (rp_slot_next()) */
	rp_ref_t *index;
	uint32_t count[2]; /* [0] IPv4, [1] IPv6 */
	rp_budget_t budget; /* max_rate, shared by scheduled and extra pings */
	gen_lock_t pool_lock; /* the entries' memory: its own lock, taken alone */
	rp_pool_t pool;
} rp_table_t;

/* a ping to send, copied out of the table (private memory) */
typedef struct rp_job
{
	struct rp_job *next;
	union sockaddr_union dst;
	struct socket_info *sock;
	int tcpconn_id;
	uint8_t proto;
	uint8_t af;
	uint8_t dead;
	uint8_t extra; /* an extra ping: a failed send judges nothing */
	str resolve;   /* af 0: the URI whose host is still to be resolved */
	uint32_t seq;
	uint32_t failures;
	rp_live_t live; /* for listings */
	uint16_t saver;
	str ruid, aor, uri, path;
	char data[];
} rp_job_t;

/* where to ping a contact: rp_target() (regping_usrloc.c), rp_uri_target()
 * and rp_target_socket() (regping_send.c) fill it */
typedef struct rp_target
{
	union sockaddr_union dst;
	struct socket_info *sock;
	int tcpconn_id;
	int proto;
	str resolve; /* rp_target() returned 1: this URI's host is a name */
} rp_target_t;

/* --- regping_core.c: settings (rp_init()), helpers --- */

extern enum rp_method rp_method;
extern int rp_af_filter; /* 0 all, 4, 6 */
extern struct socket_info *rp_pref_sock[2];
extern usrloc_api_t rp_ul;
extern udomain_t *rp_udomain;

uint64_t rp_mono_ms(void);
uint64_t rp_wall_ms(void);
/*! a peer's bytes for a log line, escaped; up to four in one line */
const char *rp_esc(str *s);
int rp_str_eq(str *a, str *b);

/* --- regping_table.c: the shared table; rp_find(), rp_unlink() and
 * rp_link() need rp_tbl->lock held, the others take it --- */

extern rp_table_t *rp_tbl;
extern rp_wheel_t rp_wheel;

/*! the table in shared memory: hash_size buckets to start with, the
 * wheel's slots */
int rp_table_init(void);
void rp_table_destroy(void);
/*! ruid's entry, NULL none; *pprev (when not NULL) is then the
 * reference to it, in the index or the chain */
rp_entry_t *rp_find(str *ruid, uint32_t h, rp_ref_t **pprev);
/*! the lookups of n hashes soon (lock held): their buckets, then their
 * entries, are loaded meanwhile */
void rp_find_ahead(const uint32_t *h, int n);
void rp_unlink(rp_entry_t *e, rp_ref_t *pprev);
/*! link e, which is r; may grow the index: a pprev from rp_find() is
 * stale after it */
void rp_link(rp_entry_t *e, rp_ref_t r);
/*! the entry r refers to */
static inline rp_entry_t *rp_entry(rp_ref_t r)
{
	return r ? rp_pool_ptr(&rp_tbl->pool, r) : NULL;
}
/*! copy src to buf, *dst points there; returns past it */
char *rp_put_str(char *buf, str *dst, str *src);
void rp_remove(str *ruid);
/*! drop ruid's entry if its address is still a name to resolve */
void rp_remove_pending(str *ruid);
enum rp_entry_field
{
	RP_E_RUID = 0,
	RP_E_AOR,
	RP_E_URI,
	RP_E_PATH,
	RP_E_RESOLVE /* the URI to resolve while af is 0 */
};
/*! one of the strings stored in e->data */
str rp_entry_str(rp_entry_t *e, enum rp_entry_field f);
/* the contacts of one wheel slot, bucket by bucket (lock held, table
 * unchanged meanwhile): rp_slot_first(), then rp_slot_next() until NULL */
typedef struct rp_slot_it
{
	uint32_t slot, b, last;
	rp_ref_t e;
} rp_slot_it_t;
void rp_slot_first(rp_slot_it_t *it, uint32_t slot);
rp_entry_t *rp_slot_next(rp_slot_it_t *it);
/* an entry's memory, from the table's pool: size is sizeof(rp_entry_t),
 * its address and its strings (rp_entry_size()); NULL when it does not
 * fit or memory is out (logged), else *r refers to it. rp_entry_free()
 * takes the lengths the entry was filled with. */
unsigned long rp_entry_size(int wide, unsigned long strings);
rp_entry_t *rp_entry_alloc(unsigned long size, rp_ref_t *r);
void rp_entry_free(rp_ref_t r);
/* the pool's blocks and what of them entries use, in bytes */
void rp_pool_usage(unsigned long *bytes, unsigned long *in_use);
/*! e's address and port from su; -1 when e has room for 4 bytes only
 * (allocated wide when it was a name or IPv6) */
int rp_entry_set_dst(rp_entry_t *e, union sockaddr_union *su);
/*! a private copy of e (lock held); NULL when out of memory */
rp_job_t *rp_job_new(rp_entry_t *e);

/* --- regping_usrloc.c: usrloc callbacks, startup load, regping_mirror --- */

extern struct tm_binds rp_tmb;
extern registrar_api_t rp_reg;
extern int rp_mirror_bound;

void rp_ul_cb(ucontact_t *c, int type, void *param);
int rp_pre_request(sip_msg_t *msg, unsigned int flags, void *param);
int rp_post_request(sip_msg_t *msg, unsigned int flags, void *param);
/*! take over the contacts usrloc loaded from its database */
void rp_load_usrloc(void);
void rp_remove_from_usrloc(rp_job_t *j);
/*! f(e, arg) for each contact of aor that regping keeps, found through
 * usrloc's record of the AoR (no index of regping's own by AoR): under
 * usrloc's lock of the record and the table's lock, the order in which
 * usrloc's callbacks take them. Returns how many, -1 when f failed. */
int rp_for_aor(str *aor, int (*f)(rp_entry_t *e, void *arg), void *arg);

/* --- regping_send.c: where to ping, building and sending --- */

int rp_uri_target(str *uri, rp_target_t *t, const char *what, int dns);
int rp_target_socket(rp_target_t *t, str *uri);
int rp_expects_reply(int proto);
/*! judge the previous ping of e and prepare the next one (lock held) */
rp_job_t *rp_due(rp_entry_t *e, uint64_t now);
/*! send j, judge a failure, report a dead contact; frees j */
void rp_finish(rp_job_t *j);
/*! the same, the ping sent with others of its socket in one sendmmsg()
 * when nothing hooks the core's send path; rp_flush() sends what waits
 * (at the end of each timer run) */
void rp_finish_batched(rp_job_t *j);
void rp_flush(void);

/* --- regping_reply.c --- */

int rp_pre_reply(sip_msg_t *msg, unsigned int flags, void *param);

/* --- regping_cluster.c: the nodes over DMQ --- */

extern int rp_cluster_on;
/* the sockets the pings' Via names (reply_socket_v4/_v6), NULL: the
 * sending one */
extern struct socket_info *rp_via_sock[2];

/*! bind dmq, register the regping peer (mod_init; modparam cluster) */
int rp_cluster_init(void);
void rp_cluster_destroy(void);
/*! the timer: join when due, a heartbeat every cluster_heartbeat ms */
void rp_cluster_heartbeat(uint64_t now);
/*! the nodes heard (room for RP_NODES_MAX) and self's since; the count */
int rp_cluster_snapshot(rp_peer_t *p, uint64_t *self_since);
/*! a reply buf[0..blen) to a ping whose Via's sent-by host[0..len):port
 * (0: none) names another live node: 1 when relayed there, -1 when that
 * failed, 0 when it is not for another node */
int rp_cluster_relay_to(const char *host, int len, int port, const char *buf,
		int blen);
/*! the same for a reply the core parsed (its first Via) */
int rp_cluster_relay(sip_msg_t *msg);
/*! the owner of e for the listing: -1 none live */
int rp_cluster_owner(uint32_t hash, int saver);

/* --- regping_event.c: event_route[regping:contact-dead] --- */

/*! find the event route (from rp_init()) */
void rp_event_init(void);
void rp_run_event(rp_job_t *j);

#endif
