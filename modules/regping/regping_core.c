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
 * \brief regping :: the contact table, usrloc callbacks, pinging, replies
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
 */

#include <string.h>
#include <stdio.h>
#include <sys/time.h>
#include <time.h>

#include "core/sr_module.h"
#include "core/dprint.h"
#include "core/mem/mem.h"
#include "core/mem/shm_mem.h"
#include "core/locking.h"
#include "core/rand/fastrand.h"
#include "core/rand/cryptorand.h"
#include "core/ut.h"
#include "core/resolve.h"
#include "core/socket_info.h"
#include "core/forward.h"
#include "core/udp_server.h"
#include "core/tcp_server.h"
#include "core/timer_proc.h"
#include "core/route.h"
#include "core/fmsg.h"
#include "core/kemi.h"
#include "core/script_cb.h"
#include "core/action.h"
#include "core/parser/parse_uri.h"
#include "core/parser/parse_rr.h"
#include "core/parser/contact/parse_contact.h"
#include "core/parser/parse_to.h"
#include "core/trim.h"
#include "modules/usrloc/usrloc.h"
#include "modules/tm/tm_load.h"
#include "modules/registrar/api.h"

#include "../../common/ds_escape.h"
#include "regping_core.h"

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
		.hash_size = 65536,
		.extra_ping_interval = 1000,
		.event_callback = STR_NULL};

rp_counters_t rp_cnt;

enum rp_method
{
	RP_OPTIONS = 0,
	RP_NOTIFY,
	RP_CRLF
};

/* one contact; the strings are stored after the struct */
typedef struct rp_entry
{
	struct rp_entry *hnext; /* index by ruid */
	struct rp_entry *anext; /* index by AoR */
	struct rp_entry *wprev, *wnext;
	uint32_t hash;
	uint32_t slot;
	unsigned int aorhash;
	uint32_t last_poke; /* the last extra ping (rp_poke_allowed()) */
	union sockaddr_union dst;
	/* packed into the 8 bytes between dst and sock */
	int tcpconn_id;
	uint16_t rlen; /* > 0 while af is 0: the address is a name, resolved
					* before the first ping; the URI follows path */
	uint8_t proto;
	uint8_t af : 7;
	uint8_t queued : 1; /* a ping of it waits in the timer's queue */
	struct socket_info *sock;
	rp_live_t live;
	str ruid, aor, uri, path;
	char data[];
} rp_entry_t;

typedef struct rp_table
{
	gen_lock_t lock;
	uint32_t hmask;
	rp_entry_t **index;	 /* by ruid hash */
	rp_entry_t **aindex; /* by AoR hash, same size */
	rp_entry_t **slots;
	uint32_t count[2]; /* [0] IPv4, [1] IPv6 */
	rp_budget_t budget; /* max_rate, shared by scheduled and extra pings */
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
	str ruid, aor, uri, path;
	char data[];
} rp_job_t;

static rp_table_t *rp_tbl = NULL;
static rp_wheel_t rp_wheel;
static enum rp_method rp_method;
static int rp_af_filter = 0; /* 0 all, 4, 6 */
static struct socket_info *rp_pref_sock[2];
static usrloc_api_t rp_ul;
static udomain_t *rp_udomain = NULL;
static int rp_evrt = -1;

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

/* the REGISTER this process is running the script for, so that a usrloc
 * callback inside save() knows where it came from */
static sip_msg_t *rp_cur_register = NULL;

/* regping_mirror(): the REGISTER whose 2xx is being saved (the
 * transaction's request, shared memory) and its Contact list (private
 * memory, parsed here): the contacts of that REGISTER are pinged where it
 * came from */
static sip_msg_t *rp_mirror_req = NULL;
static contact_t *rp_mirror_contacts = NULL;
static struct tm_binds rp_tmb;
static registrar_api_t rp_reg;
static int rp_mirror_bound = 0;

/* the dead contact the event route runs for */
static rp_job_t *rp_event_job = NULL;

static uint64_t rp_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint64_t rp_wall_ms(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (uint64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

/* family used to reach su: IPv4-mapped IPv6 counts as IPv4 */
static int rp_su_af(union sockaddr_union *su)
{
	if(su->s.sa_family == AF_INET6)
		return IN6_IS_ADDR_V4MAPPED(&su->sin6.sin6_addr) ? 4 : 6;
	return su->s.sa_family == AF_INET ? 4 : 0;
}

/* a peer's bytes (URIs, AoRs, Call-IDs) for a log line: escaped, cut at
 * RP_ESC_MAX; four buffers in turn, for up to four in one line */
#define RP_ESC_MAX 256
static const char *rp_esc(str *s)
{
	static char buf[4][RP_ESC_MAX];
	static unsigned int n;
	char *b = buf[n++ & 3];

	ds_escape(s->s, s->len, b, RP_ESC_MAX);
	return b;
}

static int rp_str_eq(str *a, str *b)
{
	return a->len == b->len && memcmp(a->s, b->s, a->len) == 0;
}

/* --- the table (callers hold rp_tbl->lock) --- */

static rp_entry_t *rp_find(str *ruid, uint32_t h, rp_entry_t ***pprev)
{
	rp_entry_t **pp = &rp_tbl->index[h & rp_tbl->hmask];

	for(; *pp; pp = &(*pp)->hnext) {
		if((*pp)->hash == h && rp_str_eq(&(*pp)->ruid, ruid)) {
			if(pprev)
				*pprev = pp;
			return *pp;
		}
	}
	return NULL;
}

static void rp_unlink(rp_entry_t *e, rp_entry_t **pprev)
{
	rp_entry_t **ap;

	*pprev = e->hnext;
	for(ap = &rp_tbl->aindex[e->aorhash & rp_tbl->hmask]; *ap;
			ap = &(*ap)->anext) {
		if(*ap == e) {
			*ap = e->anext;
			break;
		}
	}
	if(e->wprev)
		e->wprev->wnext = e->wnext;
	else
		rp_tbl->slots[e->slot] = e->wnext;
	if(e->wnext)
		e->wnext->wprev = e->wprev;
	if(e->af)
		rp_tbl->count[e->af == 6]--;
}

static void rp_link(rp_entry_t *e)
{
	rp_entry_t **head = &rp_tbl->index[e->hash & rp_tbl->hmask];

	e->hnext = *head;
	*head = e;
	head = &rp_tbl->aindex[e->aorhash & rp_tbl->hmask];
	e->anext = *head;
	*head = e;
	e->wprev = NULL;
	e->wnext = rp_tbl->slots[e->slot];
	if(e->wnext)
		e->wnext->wprev = e;
	rp_tbl->slots[e->slot] = e;
	if(e->af)
		rp_tbl->count[e->af == 6]++;
}

/* copy strings after a struct: *dst points into buf, returns past it */
static char *rp_put_str(char *buf, str *dst, str *src)
{
	dst->s = buf;
	dst->len = src ? src->len : 0;
	if(dst->len)
		memcpy(buf, src->s, dst->len);
	return buf + dst->len;
}

/* --- where to ping a contact --- */

typedef struct rp_target
{
	union sockaddr_union dst;
	struct socket_info *sock;
	int tcpconn_id;
	int proto;
	str resolve; /* rp_target() returned 1: this URI's host is a name */
} rp_target_t;

/* 1 when host is an IP address, in brackets or not: resolving it asks
 * no DNS server */
static int rp_host_is_ip(str *host)
{
	str h = *host;

	if(h.len >= 2 && h.s[0] == '[' && h.s[h.len - 1] == ']') {
		h.s++;
		h.len -= 2;
	}
	return str2ip(&h) != NULL || str2ip6(&h) != NULL;
}

/* a URI whose host is an address (received, path hop, contact): 0 and t
 * filled; with dns 0, 1 when the host is a name (t->resolve is the URI:
 * resolve it later, with dns 1, where blocking is harmless); -1 on
 * error */
static int rp_uri_target(str *uri, rp_target_t *t, const char *what, int dns)
{
	struct sip_uri u;
	struct hostent *he;
	char proto;

	if(parse_uri(uri->s, uri->len, &u) < 0) {
		LM_ERR("invalid %s URI [%s]\n", what, rp_esc(uri));
		return -1;
	}
	proto = u.proto != PROTO_NONE ? u.proto : PROTO_UDP;
	if(!dns && !rp_host_is_ip(&u.host)) {
		t->proto = proto;
		t->resolve = *uri;
		return 1;
	}
	if(u.port_no == 0)
		u.port_no = (proto == PROTO_TLS) ? SIPS_PORT : SIP_PORT;
	he = sip_resolvehost(&u.host, &u.port_no, &proto);
	if(he == NULL) {
		LM_ERR("cannot resolve the %s [%s]\n", what, rp_esc(uri));
		return -1;
	}
	hostent2su(&t->dst, he, 0, u.port_no);
	t->proto = proto;
	return 0;
}

/* the send socket for t->dst: socket_v4/socket_v6, the one the contact
 * came in on, or what the core picks; -1 when there is none */
static int rp_target_socket(rp_target_t *t, str *uri)
{
	int af = rp_su_af(&t->dst);

	if(rp_pref_sock[af == 6] && rp_pref_sock[af == 6]->proto == t->proto
			&& rp_pref_sock[af == 6]->address.af == t->dst.s.sa_family)
		t->sock = rp_pref_sock[af == 6];
	if(t->sock == NULL || t->sock->address.af != t->dst.s.sa_family)
		t->sock = get_send_socket(0, &t->dst, t->proto);
	if(t->sock == NULL) {
		LM_ERR("no socket to ping [%s] over %s\n", rp_esc(uri),
				get_proto_name(t->proto));
		return -1;
	}
	return 0;
}

static int rp_mirror_listed(str *uri);

/* where to ping c: 0, t filled; 1 when that is a host name (t->resolve):
 * the usrloc callback runs with usrloc's slot locked, no DNS there;
 * 2 when regping_mirror() saves a contact of another REGISTER (keep
 * what regping knows of it); -1 on error */
static int rp_target(ucontact_t *c, rp_target_t *t)
{
	sip_msg_t *m = rp_cur_register;
	str hop;
	int r = 0;

	memset(t, 0, sizeof(*t));
	if(rp_mirror_req) {
		/* a 2xx lists every contact of the AoR: only those of the
		 * REGISTER it answers came from that REGISTER's source */
		if(!rp_mirror_listed(&c->c))
			return 2;
		m = rp_mirror_req;
	}
	t->sock = c->sock;
	t->tcpconn_id = c->tcpconn_id;
	if(m && m->rcv.bind_address) {
		/* where the REGISTER came from: never what its Contact, a received
		 * parameter or a Path in it claim (a Path still goes into the
		 * pings' Route, for the hop that sent it) */
		t->dst = m->rcv.src_su;
		t->proto = m->rcv.proto;
		t->sock = m->rcv.bind_address;
		t->tcpconn_id = m->rcv.proto_reserved1;
	} else if(c->path.len > 0) {
		/* no REGISTER behind it (loaded, added by RPC): along the path */
		if(get_path_dst_uri(&c->path, &hop) < 0
				|| (r = rp_uri_target(&hop, t, "path hop", 0)) < 0)
			return -1;
	} else if(c->received.len > 0) {
		if((r = rp_uri_target(&c->received, t, "received", 0)) < 0)
			return -1;
	} else if((r = rp_uri_target(&c->c, t, "contact", 0)) < 0) {
		return -1;
	}
	if(r == 1)
		return 1;
	return rp_target_socket(t, &c->c);
}

static void rp_remove(str *ruid)
{
	rp_entry_t *e, **pprev;

	lock_get(&rp_tbl->lock);
	e = rp_find(ruid, rp_hash(ruid->s, ruid->len), &pprev);
	if(e)
		rp_unlink(e, pprev);
	lock_release(&rp_tbl->lock);
	if(e)
		shm_free(e);
}

/* add or refresh the contact c (usrloc callback, any SIP worker) */
static void rp_upsert(ucontact_t *c)
{
	rp_target_t t;
	rp_entry_t *e, *old, **pprev;
	str *aor = c->aor;
	uint32_t h;
	int af = 0, size, r;
	char *p;

	if(c->ruid.len <= 0 || aor == NULL)
		return;
	/* a contact that moved where it cannot or must not be pinged is no
	 * longer pinged at its old address either */
	r = rp_target(c, &t);
	if(r == 2) {
		/* known: pinged where it registered from; unknown (registered
		 * elsewhere, or before this LB started): pinged once it registers
		 * through this LB */
		LM_DBG("[%s] not of this REGISTER: left as it is\n", rp_esc(&c->c));
		return;
	}
	if(r < 0 || (r == 1 && t.resolve.len > 65535)) {
		rp_remove(&c->ruid);
		return;
	}
	if(r == 0)
		af = rp_su_af(&t.dst);
	/* a name: the timer process resolves it before the first ping and
	 * applies the af filter then */
	if(af && rp_af_filter && af != rp_af_filter) {
		LM_DBG("not pinging IPv%d contact [%s]\n", af, rp_esc(&c->c));
		rp_remove(&c->ruid);
		return;
	}
	size = sizeof(rp_entry_t) + c->ruid.len + aor->len + c->c.len
		   + c->path.len + (r == 1 ? t.resolve.len : 0);
	e = shm_malloc(size);
	if(e == NULL) {
		SHM_MEM_ERROR;
		return;
	}
	memset(e, 0, sizeof(*e));
	p = rp_put_str(e->data, &e->ruid, &c->ruid);
	p = rp_put_str(p, &e->aor, aor);
	p = rp_put_str(p, &e->uri, &c->c);
	p = rp_put_str(p, &e->path, &c->path);
	if(r == 1) {
		memcpy(p, t.resolve.s, t.resolve.len);
		e->rlen = (uint16_t)t.resolve.len;
	}
	h = rp_hash(c->ruid.s, c->ruid.len);
	e->hash = h;
	e->slot = rp_wheel_slot(&rp_wheel, h);
	e->aorhash = rp_ul.get_aorhash(aor);
	e->dst = t.dst;
	e->sock = t.sock;
	e->tcpconn_id = t.tcpconn_id;
	e->proto = (uint8_t)t.proto;
	e->af = (uint8_t)af;

	lock_get(&rp_tbl->lock);
	old = rp_find(&e->ruid, h, &pprev);
	if(old) {
		/* a re-REGISTER: new address, same liveness */
		e->live = old->live;
		e->queued = old->queued;
		e->last_poke = old->last_poke;
		rp_unlink(old, pprev);
	} else {
		/* the sequence number is in the pings' Call-ID and branch: start
		 * at random, so after a restart the first pings are new
		 * transactions, not retransmissions of the previous run's */
		e->live.seq = fastrand();
	}
	rp_link(e);
	lock_release(&rp_tbl->lock);
	if(old)
		shm_free(old);
	LM_DBG("%s [%s] ruid [%s] at %s\n", old ? "updated" : "added",
			rp_esc(&c->c), rp_esc(&c->ruid),
			r == 1 ? "a name, resolved before the first ping"
				   : su2a(&t.dst, sizeof(t.dst)));
}

static void rp_ul_cb(ucontact_t *c, int type, void *param)
{
	if(c->domain == NULL || !rp_str_eq(c->domain, &rp_params.domain))
		return;
	if(type & (UL_CONTACT_DELETE | UL_CONTACT_EXPIRE))
		rp_remove(&c->ruid);
	else
		rp_upsert(c);
}

static int rp_pre_request(sip_msg_t *msg, unsigned int flags, void *param)
{
	rp_cur_register =
			(msg->first_line.u.request.method_value == METHOD_REGISTER) ? msg
																		: NULL;
	return 1;
}

static int rp_post_request(sip_msg_t *msg, unsigned int flags, void *param)
{
	rp_cur_register = NULL;
	return 1;
}

/* --- sending --- */

static rp_job_t *rp_job_new(rp_entry_t *e)
{
	rp_job_t *j;
	char *p;

	j = pkg_malloc(sizeof(rp_job_t) + e->ruid.len + e->aor.len + e->uri.len
				   + e->path.len + e->rlen);
	if(j == NULL) {
		PKG_MEM_ERROR;
		return NULL;
	}
	memset(j, 0, sizeof(*j));
	p = rp_put_str(j->data, &j->ruid, &e->ruid);
	p = rp_put_str(p, &j->aor, &e->aor);
	p = rp_put_str(p, &j->uri, &e->uri);
	p = rp_put_str(p, &j->path, &e->path);
	j->resolve.s = p;
	j->resolve.len = e->rlen;
	if(e->rlen)
		memcpy(p, e->path.s + e->path.len, e->rlen);
	j->dst = e->dst;
	j->sock = e->sock;
	j->tcpconn_id = e->tcpconn_id;
	j->proto = e->proto;
	j->af = e->af;
	j->seq = e->live.seq;
	j->failures = e->live.failures;
	j->live = e->live;
	return j;
}

static int rp_expects_reply(int proto)
{
	return rp_method != RP_CRLF && proto == PROTO_UDP;
}

/* judge the previous ping of e and prepare the next one (lock held) */
static rp_job_t *rp_due(rp_entry_t *e, uint64_t now)
{
	enum rp_ping_result r;
	rp_job_t *j;

	r = rp_live_ping(&e->live, now, rp_expects_reply(e->proto),
			(uint32_t)rp_params.max_failures);
	if(r == RP_PING_TIMEOUT || r == RP_PING_DEAD)
		counter_inc(e->af == 6 ? rp_cnt.timeouts_v6 : rp_cnt.timeouts_v4);
	j = rp_job_new(e);
	if(j && r == RP_PING_DEAD) {
		j->dead = 1;
		counter_inc(rp_cnt.dead);
	}
	return j;
}

static int rp_build(rp_job_t *j, char *buf, int size)
{
	struct socket_info *s = j->sock;
	str host = s->useinfo.name.len > 0 ? s->useinfo.name : s->address_str;
	str port = s->useinfo.port_no > 0 ? s->useinfo.port_no_str
									   : s->port_no_str;
	/* from the text, not the family the name resolves to: an advertised
	 * name stays a name, "[2001:db8::1]" keeps its one pair */
	int v6 = rp_host_needs_brackets(host.s, host.len);
	int notify = rp_method == RP_NOTIFY;
	str m = notify ? (str)str_init("NOTIFY") : (str)str_init("OPTIONS");
	const char *lb = v6 ? "[" : "", *rb = v6 ? "]" : "";
	str proto;
	char contact[128];

	get_valid_proto_string(j->proto, 1, 1, &proto);
	/* RFC 6665: a NOTIFY has a Contact and a Subscription-State; no
	 * subscription is behind a keepalive, so it is terminated */
	contact[0] = '\0';
	if(notify
			&& snprintf(contact, sizeof(contact),
					   "Contact: <sip:%s%.*s%s:%.*s>\r\n"
					   "Subscription-State: terminated\r\n",
					   lb, host.len, host.s, rb, port.len, port.s)
					   >= (int)sizeof(contact))
		return -1;
	/* the From tag is random (unguessable), the Call-ID and the branch
	 * carry the sequence number */
	return snprintf(buf, size,
			"%.*s %.*s SIP/2.0\r\n"
			"Via: SIP/2.0/%.*s %s%.*s%s:%.*s;branch=" RP_BRANCH_PREFIX "%x.%.*s\r\n"
			"%s%.*s%s"
			"From: <%.*s>;tag=%08x%08x\r\n"
			"To: <%.*s>\r\n"
			"Call-ID: " RP_CALLID_PREFIX "%x-%.*s\r\n"
			"CSeq: 1 %.*s\r\n"
			"Max-Forwards: 70\r\n"
			"%s%s"
			"Content-Length: 0\r\n\r\n",
			m.len, m.s, j->uri.len, j->uri.s, proto.len, proto.s, lb, host.len,
			host.s, rb, port.len, port.s, j->seq, j->ruid.len, j->ruid.s,
			j->path.len ? "Route: " : "", j->path.len, j->path.s,
			j->path.len ? "\r\n" : "", rp_params.from.len, rp_params.from.s,
			cryptorand(), cryptorand(), j->uri.len, j->uri.s, j->seq,
			j->ruid.len, j->ruid.s, m.len, m.s, contact,
			notify ? "Event: keep-alive\r\n" : "");
}

/* send one ping; 0 or -1 */
static int rp_send(rp_job_t *j)
{
	char buf[4096];
	struct dest_info di;
	int n, ret;

	init_dest_info(&di);
	di.to = j->dst;
	di.proto = j->proto;
	di.send_sock = j->sock;
	di.id = j->tcpconn_id;
	if(j->proto == PROTO_UDP && rp_method != RP_CRLF) {
		n = rp_build(j, buf, sizeof(buf));
		if(n <= 0 || n >= (int)sizeof(buf)) {
			LM_ERR("ping for [%s] too long\n", rp_esc(&j->uri));
			return -1;
		}
		/* through the core's send path, as forwarded messages go: the
		 * network-layer hooks see it (siptrace mirroring, topoh) */
		ret = msg_send_buffer(&di, buf, n, 0);
	} else if(j->proto == PROTO_UDP) {
		ret = udp_send(&di, "\r\n\r\n", 4);
	} else if(j->proto == PROTO_TCP || j->proto == PROTO_TLS) {
		/* RFC 5626: a double CRLF on the connection the UA keeps open,
		 * and on no other: without it a device whose connection is gone
		 * would be dialled at its old NAT port, and the asynchronous
		 * connect would pass for a successful ping */
		di.send_flags.f |= SND_F_FORCE_CON_REUSE;
		ret = tcp_send(&di, 0, "\r\n\r\n", 4);
	} else {
		LM_DBG("no keepalive for %s contacts\n", get_proto_name(j->proto));
		return 0;
	}
	if(ret < 0) {
		LM_INFO("ping to %s (%s) for [%s] failed\n",
				su2a(&j->dst, sizeof(j->dst)), get_proto_name(j->proto),
				rp_esc(&j->aor));
		return -1;
	}
	counter_inc(j->af == 6 ? rp_cnt.sent_v6 : rp_cnt.sent_v4);
	return 0;
}

static void rp_send_failed(rp_job_t *j)
{
	rp_entry_t *e;

	lock_get(&rp_tbl->lock);
	e = rp_find(&j->ruid, rp_hash(j->ruid.s, j->ruid.len), NULL);
	if(e && rp_live_send_failed(&e->live, (uint32_t)rp_params.max_failures)
					== RP_PING_DEAD) {
		j->dead = 1;
		counter_inc(rp_cnt.dead);
	}
	if(e)
		j->failures = e->live.failures;
	lock_release(&rp_tbl->lock);
}

static void rp_run_event(rp_job_t *j)
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

static void rp_remove_from_usrloc(rp_job_t *j)
{
	urecord_t *r;
	ucontact_t *c;
	unsigned int aorhash = rp_ul.get_aorhash(&j->aor);

	/* found: the record's slot is left locked for us */
	if(rp_ul.get_urecord_by_ruid(rp_udomain, aorhash, &j->ruid, &r, &c)
			!= 0)
		return;
	LM_INFO("removing dead contact [%s] of [%s]\n", rp_esc(&j->uri),
			rp_esc(&j->aor));
	rp_ul.delete_ucontact(r, c);
	rp_ul.release_urecord(r);
	rp_ul.unlock_udomain(rp_udomain, &j->aor);
}

/* a keepalive that expects no reply went out: the connection is alive */
static void rp_send_ok(rp_job_t *j)
{
	rp_entry_t *e;

	lock_get(&rp_tbl->lock);
	e = rp_find(&j->ruid, rp_hash(j->ruid.s, j->ruid.len), NULL);
	if(e)
		rp_live_sent(&e->live, rp_wall_ms());
	lock_release(&rp_tbl->lock);
}

static void rp_finish(rp_job_t *j)
{
	if(rp_send(j) < 0) {
		/* an extra ping judges nothing, not even by failing: whoever can
		 * make regping_ping() run must not be able to kill a contact */
		if(!j->extra)
			rp_send_failed(j);
	}
	else if(!rp_expects_reply(j->proto))
		rp_send_ok(j);
	if(j->dead) {
		LM_NOTICE("contact [%s] of [%s] at %s is dead after %u "
				  "unanswered pings\n",
				rp_esc(&j->uri), rp_esc(&j->aor),
				su2a(&j->dst, sizeof(j->dst)), j->failures);
		rp_run_event(j);
		if(rp_params.remove_dead)
			rp_remove_from_usrloc(j);
	}
	pkg_free(j);
}

/* queue the contacts of one slot that are not queued yet (takes the lock) */
static void rp_queue_slot(uint32_t slot)
{
	rp_due_item_t *q;
	rp_entry_t *e;

	lock_get(&rp_tbl->lock);
	for(e = rp_tbl->slots[slot]; e; e = e->wnext) {
		if(e->queued)
			continue;
		q = pkg_malloc(sizeof(rp_due_item_t) + e->ruid.len);
		if(q == NULL) {
			PKG_MEM_ERROR;
			break;
		}
		q->next = NULL;
		q->hash = e->hash;
		rp_put_str(q->data, &q->ruid, &e->ruid);
		e->queued = 1;
		if(rp_queue_tail)
			rp_queue_tail->next = q;
		else
			rp_queue_head = q;
		rp_queue_tail = q;
	}
	lock_release(&rp_tbl->lock);
}

/* drop the entry of ruid if its address is still a name to resolve (a
 * re-registration may have replaced it meanwhile) */
static void rp_remove_pending(str *ruid)
{
	rp_entry_t *e, **pprev;

	lock_get(&rp_tbl->lock);
	e = rp_find(ruid, rp_hash(ruid->s, ruid->len), &pprev);
	if(e && e->af == 0)
		rp_unlink(e, pprev);
	else
		e = NULL;
	lock_release(&rp_tbl->lock);
	if(e)
		shm_free(e);
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
	af = rp_su_af(&t.dst);
	if(rp_af_filter && af != rp_af_filter) {
		LM_DBG("not pinging IPv%d contact [%s]\n", af, rp_esc(&j->uri));
		rp_remove_pending(&j->ruid);
		return -1;
	}
	lock_get(&rp_tbl->lock);
	e = rp_find(&j->ruid, rp_hash(j->ruid.s, j->ruid.len), NULL);
	if(e && e->af == 0) {
		e->dst = t.dst;
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

/* usrloc raises no callback for the contacts it loads from its database
 * at startup (db_mode 1 and 2, e.g. after a restart): take them over once,
 * when the timer starts. usrloc packs them into a buffer, a part of its
 * hash table at a time so the buffer stays small */
#define RP_LOAD_PARTS 16

static void rp_load_usrloc(void)
{
	char *buf = NULL, *p;
	int size = 64 * 1024, need, len, n = 0;
	unsigned int part, aorhash;
	urecord_t *r;
	ucontact_t *c;
	str ruid;

	if(rp_ul.db_mode == NO_DB)
		return;
	if(rp_ul.db_mode == DB_ONLY) {
		LM_NOTICE("usrloc db_mode 3 keeps no contacts in memory: only contacts"
				  " registered from now on are pinged\n");
		return;
	}
	for(part = 0; part < RP_LOAD_PARTS; part++) {
		for(;;) {
			if(buf == NULL && (buf = pkg_malloc(size)) == NULL) {
				PKG_MEM_ERROR;
				return;
			}
			need = rp_ul.get_all_ucontacts(buf, size, 0, part, RP_LOAD_PARTS, 0);
			if(need <= 0)
				break;
			pkg_free(buf);
			buf = NULL;
			size += need + 4096;
		}
		if(need < 0) {
			LM_ERR("cannot read the contacts from usrloc\n");
			break;
		}
		/* contact, received, socket, flags, path, ruid, aorhash */
		for(p = buf;;) {
			memcpy(&len, p, sizeof(len));
			if(len == 0)
				break;
			p += sizeof(len) + len;
			memcpy(&len, p, sizeof(len));
			p += sizeof(len) + len + sizeof(struct socket_info *)
				 + sizeof(unsigned int);
			memcpy(&len, p, sizeof(len));
			p += sizeof(len) + len;
			memcpy(&ruid.len, p, sizeof(ruid.len));
			ruid.s = p + sizeof(ruid.len);
			p = ruid.s + ruid.len;
			memcpy(&aorhash, p, sizeof(aorhash));
			p += sizeof(aorhash);
			/* found: the record's slot is left locked for us */
			if(rp_ul.get_urecord_by_ruid(rp_udomain, aorhash, &ruid, &r, &c)
					!= 0)
				continue;
			rp_upsert(c);
			rp_ul.unlock_udomain(rp_udomain, &r->aor);
			n++;
		}
	}
	if(buf)
		pkg_free(buf);
	LM_INFO("took over %d contacts that usrloc loaded at startup\n", n);
}

/* the timer process: queue the slots of the ticks since the last run
 * (a late run catches up, at most one interval; an early one does
 * nothing), send what the budget allows */
static void rp_timer(unsigned int ticks, void *param)
{
	uint64_t mono = rp_mono_ms(), now = rp_wall_ms();
	uint64_t tick = mono / rp_wheel.tick_ms, t;
	rp_job_t *j;

	if(!rp_started) {
		rp_load_usrloc();
		rp_last_tick = tick - 1;
		rp_started = 1;
	}
	if(tick > rp_last_tick + rp_wheel.nslots)
		rp_last_tick = tick - rp_wheel.nslots;
	for(t = rp_last_tick + 1; t <= tick; t++)
		rp_queue_slot((uint32_t)(t % rp_wheel.nslots));
	if(tick > rp_last_tick)
		rp_last_tick = tick;
	while(rp_queue_head && rp_take(mono, now, &j) == 0) {
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
	uint64_t now = rp_wall_ms(), mono = rp_mono_ms();
	unsigned int ah = rp_ul.get_aorhash(aor);
	int found = 0;

	*pinged = 0;
	/* one bucket of the AoR index; an extra ping per contact and
	 * extra_ping_interval at most, and only as max_rate allows */
	lock_get(&rp_tbl->lock);
	for(e = rp_tbl->aindex[ah & rp_tbl->hmask]; e; e = e->anext) {
		if(e->aorhash != ah || !rp_str_eq(&e->aor, aor))
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

/* --- saving a REGISTER's 2xx (regping_mirror) --- */

static int rp_listed_in(contact_t *list, str *uri)
{
	for(; list; list = list->next)
		if(rp_str_eq(&list->uri, uri))
			return 1;
	return 0;
}

static int rp_mirror_listed(str *uri)
{
	return rp_listed_in(rp_mirror_contacts, uri);
}

/* the Contact list of the transaction's request, parsed into private
 * memory: the request is shared, its parsed fields must stay as they are */
static int rp_mirror_parse_req(sip_msg_t *req, contact_t **list)
{
	hdr_field_t *hf;
	contact_t *cl, *last;
	str body;

	*list = NULL;
	for(hf = req->headers; hf; hf = hf->next) {
		if(hf->type != HDR_CONTACT_T)
			continue;
		body = hf->body;
		trim(&body);
		if(body.len == 1 && body.s[0] == '*')
			continue;
		cl = NULL;
		if(parse_contacts(&body, &cl) < 0) {
			LM_ERR("the REGISTER's Contact [%s] does not parse\n",
					rp_esc(&hf->body));
			free_contacts(list);
			return -1;
		}
		for(last = cl; last && last->next; last = last->next)
			;
		if(last) {
			last->next = *list;
			*list = cl;
		}
	}
	return 0;
}

/* 1 when the 2xx msg lists uri in a Contact */
static int rp_reply_lists(sip_msg_t *msg, str *uri)
{
	hdr_field_t *hf;

	for(hf = msg->contact; hf; hf = next_sibling_hdr(hf)) {
		if(hf->parsed
				&& rp_listed_in(((contact_body_t *)hf->parsed)->contacts, uri))
			return 1;
	}
	return 0;
}

/* the AoR of the 2xx's To as the registrar keys it in usrloc (user
 * unescaped, @domain with usrloc's use_domain, lower case: the
 * registrar's defaults, no realm_prefix) */
static int rp_reply_aor(sip_msg_t *msg, char *buf, int size, str *aor)
{
	struct to_body *to;
	struct sip_uri u;
	str user;

	if(parse_to_header(msg) < 0 || (to = get_to(msg)) == NULL
			|| parse_uri(to->uri.s, to->uri.len, &u) < 0) {
		LM_ERR("the 2xx has no valid To URI\n");
		return -1;
	}
	if(u.user.len + u.host.len + 1 >= size) {
		LM_ERR("AoR too long [%s]\n", rp_esc(&to->uri));
		return -1;
	}
	user.s = buf;
	user.len = 0;
	if(un_escape(&u.user, &user) < 0) {
		LM_ERR("cannot unescape the user of [%s]\n", rp_esc(&to->uri));
		return -1;
	}
	aor->s = buf;
	aor->len = user.len;
	if(rp_ul.use_domain) {
		if(user.len)
			buf[aor->len++] = '@';
		memcpy(buf + aor->len, u.host.s, u.host.len);
		aor->len += u.host.len;
	}
	strlower(aor);
	return 0;
}

/* remove the contacts of aor that the 2xx does not list, under usrloc's
 * lock of the AoR; the number removed */
static int rp_mirror_prune(sip_msg_t *msg, str *aor)
{
	urecord_t *r;
	ucontact_t *c, *next;
	int n = 0;

	rp_ul.lock_udomain(rp_udomain, aor);
	if(rp_ul.get_urecord(rp_udomain, aor, &r) == 0) {
		for(c = r->contacts; c; c = next) {
			next = c->next;
			if(rp_reply_lists(msg, &c->c))
				continue;
			LM_DBG("[%s] of [%s] is not in the 2xx: removed\n", rp_esc(&c->c),
					rp_esc(aor));
			if(rp_ul.delete_ucontact(r, c) == 0)
				n++;
		}
		/* frees the record when it has no contact left */
		rp_ul.release_urecord(r);
	}
	rp_ul.unlock_udomain(rp_udomain, aor);
	return n;
}

int rp_mirror_reply(sip_msg_t *msg)
{
	struct cell *t;
	sip_msg_t *req;
	char buf[512];
	str aor;
	int r;

	if(!rp_mirror_bound) {
		LM_ERR("regping_mirror() needs tm and registrar loaded\n");
		return -1;
	}
	if(msg->first_line.type != SIP_REPLY || msg->REPLY_STATUS < 200
			|| msg->REPLY_STATUS > 299) {
		LM_ERR("regping_mirror() takes a 2xx (onreply_route)\n");
		return -1;
	}
	t = rp_tmb.t_gett();
	if(t == NULL || t == T_UNDEFINED || (req = t->uas.request) == NULL
			|| req->REQ_METHOD != METHOD_REGISTER) {
		LM_ERR("regping_mirror(): not the reply of a REGISTER transaction\n");
		return -1;
	}
	if(rp_reply_aor(msg, buf, sizeof(buf), &aor) < 0)
		return -1;
	if(parse_contact_headers(msg) < 0) {
		LM_ERR("the 2xx for [%s] has a malformed Contact\n", rp_esc(&aor));
		return -1;
	}
	if(rp_mirror_parse_req(req, &rp_mirror_contacts) < 0)
		return -1;
	/* first what the core no longer lists (room for what it does),
	 * then the registrar's save of the 2xx: adds and refreshes what it
	 * lists, with its expires */
	r = rp_mirror_prune(msg, &aor);
	rp_mirror_req = req;
	if(rp_reg.save(msg, &rp_params.domain, 0x02 /* no reply */) < 0) {
		LM_ERR("the 2xx for [%s] could not be saved\n", rp_esc(&aor));
		r = -1;
	}
	rp_mirror_req = NULL;
	free_contacts(&rp_mirror_contacts);
	return r < 0 ? -1 : 1;
}

/* --- replies --- */

int rp_reply_received(sip_msg_t *msg)
{
	str cid, ruid;
	rp_entry_t *e;
	uint32_t seq = 0;
	const char *r = NULL;
	int ours, af = 0;

	if(parse_headers(msg, HDR_CALLID_F, 0) < 0 || msg->callid == NULL)
		return 1;
	cid = msg->callid->body;
	ours = rp_callid_parse(cid.s, cid.len, &seq, &r, &ruid.len);
	if(ours == 0)
		return 1;
	/* a reply to our own ping has our Via alone; with more Vias it answers
	 * another server's ping that this one relays (an LB in front of a
	 * pinging registrar): leave it to tm */
	if(msg->via1 == NULL || msg->via1->next != NULL
			|| msg->via1->branch == NULL
			|| !rp_branch_ours(msg->via1->branch->value.s,
					msg->via1->branch->value.len)
			|| parse_headers(msg, HDR_VIA2_F, 0) < 0 || msg->via2 != NULL)
		return 1;
	if(ours < 0) {
		LM_DBG("malformed ping Call-ID [%s]\n", rp_esc(&cid));
		return 0;
	}
	ruid.s = (char *)r;
	lock_get(&rp_tbl->lock);
	e = rp_find(&ruid, rp_hash(ruid.s, ruid.len), NULL);
	if(e && rp_live_reply(&e->live, seq, rp_wall_ms()))
		af = e->af;
	lock_release(&rp_tbl->lock);
	if(af)
		counter_inc(af == 6 ? rp_cnt.replied_v6 : rp_cnt.replied_v4);
	else
		LM_DBG("late or unknown ping reply [%s]\n", rp_esc(&cid));
	return 0;
}

static int rp_pre_reply(sip_msg_t *msg, unsigned int flags, void *param)
{
	return rp_reply_received(msg);
}

/* --- setup --- */

static struct socket_info *rp_pref_socket(str *s, int af)
{
	struct socket_info *si;

	if(s->len <= 0)
		return NULL;
	si = lookup_local_socket(s);
	if(si == NULL || si->address.af != (af == 6 ? AF_INET6 : AF_INET)) {
		LM_ERR("socket_v%d [%.*s] is not a listening IPv%d socket\n", af,
				s->len, s->s, af);
		return (struct socket_info *)-1;
	}
	return si;
}

int rp_init(void)
{
	bind_usrloc_t bind_usrloc;
	uint32_t hs;
	char dom[128];

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
	if(rp_params.af.len == 3 && strncmp(rp_params.af.s, "all", 3) == 0)
		rp_af_filter = 0;
	else if(rp_params.af.len == 1
			&& (rp_params.af.s[0] == '4' || rp_params.af.s[0] == '6'))
		rp_af_filter = rp_params.af.s[0] - '0';
	else {
		LM_ERR("af must be all, 4 or 6, not [%.*s]\n", rp_params.af.len,
				rp_params.af.s);
		return -1;
	}
	if(rp_params.method.len == 7
			&& strncasecmp(rp_params.method.s, "OPTIONS", 7) == 0)
		rp_method = RP_OPTIONS;
	else if(rp_params.method.len == 6
			&& strncasecmp(rp_params.method.s, "NOTIFY", 6) == 0)
		rp_method = RP_NOTIFY;
	else if(rp_params.method.len == 4
			&& strncasecmp(rp_params.method.s, "crlf", 4) == 0)
		rp_method = RP_CRLF;
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
	rp_pref_sock[0] = rp_pref_socket(&rp_params.socket_v4, 4);
	rp_pref_sock[1] = rp_pref_socket(&rp_params.socket_v6, 6);
	if(rp_pref_sock[0] == (struct socket_info *)-1
			|| rp_pref_sock[1] == (struct socket_info *)-1)
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

	for(hs = 1; hs < (uint32_t)rp_params.hash_size && hs < (1u << 24); hs <<= 1)
		;
	rp_tbl = shm_malloc(sizeof(rp_table_t));
	if(rp_tbl == NULL) {
		SHM_MEM_ERROR;
		return -1;
	}
	memset(rp_tbl, 0, sizeof(*rp_tbl));
	rp_tbl->hmask = hs - 1;
	rp_tbl->index = shm_malloc(hs * sizeof(rp_entry_t *));
	rp_tbl->aindex = shm_malloc(hs * sizeof(rp_entry_t *));
	rp_tbl->slots = shm_malloc(rp_wheel.nslots * sizeof(rp_entry_t *));
	if(rp_tbl->index == NULL || rp_tbl->aindex == NULL
			|| rp_tbl->slots == NULL) {
		SHM_MEM_ERROR;
		return -1;
	}
	memset(rp_tbl->index, 0, hs * sizeof(rp_entry_t *));
	memset(rp_tbl->aindex, 0, hs * sizeof(rp_entry_t *));
	rp_budget_init(&rp_tbl->budget, (uint32_t)rp_params.max_rate,
			(uint32_t)rp_params.tick_ms, rp_mono_ms());
	memset(rp_tbl->slots, 0, rp_wheel.nslots * sizeof(rp_entry_t *));
	if(lock_init(&rp_tbl->lock) == NULL) {
		LM_ERR("cannot init the lock\n");
		return -1;
	}

	if(register_script_cb(rp_pre_request, PRE_SCRIPT_CB | REQUEST_CB, 0) < 0
			|| register_script_cb(
					   rp_post_request, POST_SCRIPT_CB | REQUEST_CB, 0)
					   < 0
			|| register_script_cb(rp_pre_reply, PRE_SCRIPT_CB | ONREPLY_CB, 0)
					   < 0) {
		LM_ERR("cannot register script callbacks\n");
		return -1;
	}
	rp_evrt = route_lookup(&event_rt, "regping:contact-dead");
	if(rp_evrt >= 0 && event_rt.rlist[rp_evrt] == NULL)
		rp_evrt = -1;
	/* one more timer process (the core has no prototype for the utimer
	 * variant; both count the same processes) */
	register_basic_timers(1);
	return 0;
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

void rp_destroy(void)
{
	rp_entry_t *e, *n;
	uint32_t i;

	if(rp_tbl == NULL)
		return;
	if(rp_tbl->index) {
		for(i = 0; i <= rp_tbl->hmask; i++) {
			for(e = rp_tbl->index[i]; e; e = n) {
				n = e->hnext;
				shm_free(e);
			}
		}
		shm_free(rp_tbl->index);
	}
	if(rp_tbl->aindex)
		shm_free(rp_tbl->aindex);
	if(rp_tbl->slots)
		shm_free(rp_tbl->slots);
	lock_destroy(&rp_tbl->lock);
	shm_free(rp_tbl);
	rp_tbl = NULL;
}

/* --- RPC --- */

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
	return rpc->struct_add(th, "SSSssdSjjddJ", "aor", &e->aor, "contact",
			&e->uri, "ruid", &e->ruid, "address", addr, "proto",
			get_proto_name(e->proto), "af", (int)e->af, "socket",
			e->sock ? &e->sock->sock_str : &e->uri, "last_ping",
			(unsigned long)(e->live.last_ping / 1000), "last_reply",
			(unsigned long)(e->live.last_reply / 1000), "failures",
			(int)e->live.failures, "dead", (int)e->live.dead, "seq",
			(unsigned long long)e->live.seq);
}

/* copy the entries of one bucket (of the AoR index when aor is given,
 * only that AoR's) out of the table; -1 when out of memory */
static int rp_copy_bucket(uint32_t i, str *aor, unsigned int ah,
		rp_job_t **list)
{
	rp_entry_t *e;
	rp_job_t *j;

	*list = NULL;
	lock_get(&rp_tbl->lock);
	e = aor ? rp_tbl->aindex[i] : rp_tbl->index[i];
	for(; e; e = aor ? e->anext : e->hnext) {
		if(aor && (e->aorhash != ah || !rp_str_eq(&e->aor, aor)))
			continue;
		if((j = rp_job_new(e)) == NULL) {
			lock_release(&rp_tbl->lock);
			return -1;
		}
		j->next = *list;
		*list = j;
	}
	lock_release(&rp_tbl->lock);
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

void rp_rpc_list(rpc_t *rpc, void *ctx)
{
	str aor = STR_NULL;
	rp_job_t *list, *j;
	unsigned int ah = 0;
	uint32_t i, first = 0, last = rp_tbl->hmask;

	if(rpc->scan(ctx, "*S", &aor) < 1)
		aor.len = 0;
	if(aor.len > 0) {
		ah = rp_ul.get_aorhash(&aor);
		first = last = ah & rp_tbl->hmask;
	}
	/* the lock is held for one bucket at a time and never while printing:
	 * a listing is not a snapshot of one instant, each contact in it is
	 * as it was when its bucket was copied */
	for(i = first; i <= last; i++) {
		if(rp_copy_bucket(i, aor.len > 0 ? &aor : NULL, ah, &list) < 0) {
			PKG_MEM_ERROR;
			rpc->fault(ctx, 500, "Out of memory");
			return;
		}
		for(j = list; j; j = j->next) {
			if(rp_rpc_add_entry(rpc, ctx, j) < 0) {
				rp_free_jobs(list);
				rpc->fault(ctx, 500, "Internal error");
				return;
			}
		}
		rp_free_jobs(list);
	}
}

static unsigned long long rp_cnt_val(counter_handle_t h)
{
	counter_val_t v = counter_get_val(h);

	return v > 0 ? (unsigned long long)v : 0;
}

void rp_rpc_status(rpc_t *rpc, void *ctx)
{
	void *th;
	unsigned c4, c6;

	lock_get(&rp_tbl->lock);
	c4 = rp_tbl->count[0];
	c6 = rp_tbl->count[1];
	lock_release(&rp_tbl->lock);
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
}

void rp_rpc_ping(rpc_t *rpc, void *ctx)
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

int rp_pv_get_event(str *name, str *val, int *ival)
{
	static char addr[64];
	rp_job_t *j = rp_event_job;

	*ival = 0;
	if(j == NULL)
		return -1;
	if(name->len == 3 && strncmp(name->s, "aor", 3) == 0) {
		*val = j->aor;
	} else if(name->len == 7 && strncmp(name->s, "contact", 7) == 0) {
		*val = j->uri;
	} else if(name->len == 4 && strncmp(name->s, "ruid", 4) == 0) {
		*val = j->ruid;
	} else if(name->len == 4 && strncmp(name->s, "addr", 4) == 0) {
		val->len = snprintf(
				addr, sizeof(addr), "%s", su2a(&j->dst, sizeof(j->dst)));
		val->s = addr;
	} else if(name->len == 2 && strncmp(name->s, "af", 2) == 0) {
		*ival = j->af;
		return 1;
	} else if(name->len == 8 && strncmp(name->s, "failures", 8) == 0) {
		*ival = (int)j->failures;
		return 1;
	} else {
		return -1;
	}
	return 0;
}
