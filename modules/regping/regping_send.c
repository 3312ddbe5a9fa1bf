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
 * \brief regping :: where to ping a contact, building and sending a ping,
 * judging its sending
 */

#define _GNU_SOURCE /* sendmmsg */

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "core/dprint.h"
#include "core/mem/mem.h"
#include "core/rand/fortuna/random.h"
#include "core/resolve.h"
#include "core/socket_info.h"
#include "core/forward.h"
#include "core/events.h"
#include "core/cfg_core.h"
#include "core/udp_server.h"
#include "core/tcp_server.h"
#include "core/parser/parse_uri.h"

#include "ds_kglue.h"
#include "../ip6ref/ip6ref_parser.h"
#include "regping_int.h"

/* --- where to ping a contact --- */

/* 1 when host is an IP address, in brackets or not: resolving it asks
 * no DNS server */
static int rp_host_is_ip(str *host)
{
	ip6r_addr_t a;

	/* the project's one parser; the core's resolver reads no zone id, so
	 * a host with one waits for the resolver like a name */
	return ip6r_parse(host->s, host->len, &a) == 0 && a.zone_len == 0;
}

/* a URI whose host is an address (received, path hop, contact): 0 and t
 * filled; with dns 0, 1 when the host is a name (t->resolve is the URI:
 * resolve it later, with dns 1, where blocking is harmless); -1 on
 * error */
int rp_uri_target(str *uri, rp_target_t *t, const char *what, int dns)
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
int rp_target_socket(rp_target_t *t, str *uri)
{
	int af = ds_su_af(&t->dst);

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

/* --- sending --- */

int rp_expects_reply(int proto)
{
	return rp_method != RP_CRLF && proto == PROTO_UDP;
}

/* judge the previous ping of e and prepare the next one (lock held) */
rp_job_t *rp_due(rp_entry_t *e, uint64_t now)
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

/* the From tags' random bytes, drawn from the core's Fortuna generator
 * (what cryptorand() reads) a pool at a time: every draw ends in a rekey,
 * an AES key schedule, so two cryptorand() per tag cost two of them; a
 * pool is one per 512 tags. Per process, filled on first use (after the
 * fork). */
#define RP_TAG_BYTES 8
static uint8_t rp_tag_pool[512 * RP_TAG_BYTES];
static unsigned rp_tag_used = sizeof(rp_tag_pool);

/* 2 * RP_TAG_BYTES lowercase hex digits to out, no NUL */
static void rp_tag_hex(char *out)
{
	static const char hex[] = "0123456789abcdef";
	uint8_t *r;
	int i;

	if(rp_tag_used + RP_TAG_BYTES > sizeof(rp_tag_pool)) {
		sr_get_pseudo_random_bytes(rp_tag_pool, sizeof(rp_tag_pool));
		rp_tag_used = 0;
	}
	r = rp_tag_pool + rp_tag_used;
	for(i = 0; i < RP_TAG_BYTES; i++) {
		out[2 * i] = hex[r[i] >> 4];
		out[2 * i + 1] = hex[r[i] & 15];
	}
	/* a tag handed out is not kept */
	memset(r, 0, RP_TAG_BYTES);
	rp_tag_used += RP_TAG_BYTES;
}

/* the ping into buf; its length, -1 when it does not fit */
static int rp_build(rp_job_t *j, char *buf, int size)
{
	/* in a cluster the node's own address, where the replies are to
	 * come back, while the ping leaves from the anycast one */
	struct socket_info *s = j->proto == PROTO_UDP && rp_via_sock[j->af == 6]
									? rp_via_sock[j->af == 6]
									: j->sock;
	str host = s->useinfo.name.len > 0 ? s->useinfo.name : s->address_str;
	str port = s->useinfo.port_no > 0 ? s->useinfo.port_no_str
									   : s->port_no_str;
	/* reply_port: the replies come to regping's own socket (the Via);
	 * requests still to the SIP port (a NOTIFY's Contact) */
	str vport = j->proto == PROTO_UDP && rp_rport_str.len ? rp_rport_str
														  : port;
	/* from the text, not the family the name resolves to: an advertised
	 * name stays a name, "[2001:db8::1]" keeps its one pair */
	int v6 = rp_host_needs_brackets(host.s, host.len);
	int notify = rp_method == RP_NOTIFY;
	str m = notify ? (str)str_init("NOTIFY") : (str)str_init("OPTIONS");
	str proto;
	char tag[2 * RP_TAG_BYTES];
	rp_wbuf_t w = {buf, buf + size};
	/* our host and port as a Via and a Contact have them */
#define RP_PUT_HOSTPORT(port)             \
	do {                                  \
		if(v6)                            \
			rp_put_lit(&w, "[");          \
		rp_put(&w, host.s, host.len);     \
		if(v6)                            \
			rp_put_lit(&w, "]");          \
		rp_put_lit(&w, ":");              \
		rp_put(&w, (port).s, (port).len); \
	} while(0)

	get_valid_proto_string(j->proto, 1, 1, &proto);
	rp_put(&w, m.s, m.len);
	rp_put_lit(&w, " ");
	rp_put(&w, j->uri.s, j->uri.len);
	rp_put_lit(&w, " SIP/2.0\r\nVia: SIP/2.0/");
	rp_put(&w, proto.s, proto.len);
	rp_put_lit(&w, " ");
	RP_PUT_HOSTPORT(vport);
	/* the Call-ID and the branch carry the sequence number */
	rp_put_lit(&w, ";branch=" RP_BRANCH_PREFIX);
	rp_put_hex(&w, j->seq);
	rp_put_lit(&w, ".");
	rp_put(&w, j->ruid.s, j->ruid.len);
	rp_put_lit(&w, "\r\n");
	if(j->path.len) {
		rp_put_lit(&w, "Route: ");
		rp_put(&w, j->path.s, j->path.len);
		rp_put_lit(&w, "\r\n");
	}
	/* the From tag is random (unguessable) */
	rp_tag_hex(tag);
	rp_put_lit(&w, "From: <");
	rp_put(&w, rp_params.from.s, rp_params.from.len);
	rp_put_lit(&w, ">;tag=");
	rp_put(&w, tag, (int)sizeof(tag));
	rp_put_lit(&w, "\r\nTo: <");
	rp_put(&w, j->uri.s, j->uri.len);
	rp_put_lit(&w, ">\r\nCall-ID: ");
	rp_put_callid(&w, j->seq, j->ruid.s, j->ruid.len);
	rp_put_lit(&w, "\r\nCSeq: 1 ");
	rp_put(&w, m.s, m.len);
	rp_put_lit(&w, "\r\nMax-Forwards: 70\r\n");
	/* RFC 6665: a NOTIFY has a Contact and a Subscription-State; no
	 * subscription is behind a keepalive, so it is terminated */
	if(notify) {
		rp_put_lit(&w, "Contact: <sip:");
		RP_PUT_HOSTPORT(port);
		rp_put_lit(&w, ">\r\nSubscription-State: terminated\r\n"
					   "Event: keep-alive\r\n");
	}
	rp_put_lit(&w, "Content-Length: 0\r\n\r\n");
#undef RP_PUT_HOSTPORT
	return w.p ? (int)(w.p - buf) : -1;
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

/* what follows a ping's sending (ok: it went out); frees j */
static void rp_after(rp_job_t *j, int ok)
{
	if(!ok) {
		/* an extra ping judges nothing, not even by failing: whoever can
		 * make regping_ping() run must not be able to kill a contact */
		if(!j->extra)
			rp_send_failed(j);
	} else if(!rp_expects_reply(j->proto))
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

void rp_finish(rp_job_t *j)
{
	rp_after(j, rp_send(j) == 0);
}

/* --- a run's pings, a sendmmsg() at a time --- */

/* The pings of one timer run over UDP leave from the same few sockets:
 * one sendmmsg() sends up to RP_BATCH of them, where a sendto() each
 * costs a system call each. Only when nothing hooks the core's send
 * path (SREV_NET_DATA_OUT/_SENT: topoh, siptrace; IPv4 raw sockets):
 * then msg_send_buffer() would do no more than a sendto(). */
#define RP_BATCH 64
#define RP_BATCH_SOCKS 4 /* sockets with a batch open: v4 and v6, or more */
#define RP_PING_MAX 4096

typedef struct rp_batch
{
	rp_job_t *job[RP_BATCH];
	struct mmsghdr m[RP_BATCH];
	struct iovec iov[RP_BATCH];
	char buf[RP_BATCH][RP_PING_MAX];
	struct socket_info *sock;
	int n;
} rp_batch_t;

/* one batch a socket: a run's pings alternate between the families in
 * the order of the hash, and one batch for both would hold one or two */
static rp_batch_t rp_bat[RP_BATCH_SOCKS];

static int rp_batchable(rp_job_t *j)
{
	return j->proto == PROTO_UDP && j->sock && rp_method != RP_CRLF
		   && !sr_event_enabled(SREV_NET_DATA_OUT)
		   && !sr_event_enabled(SREV_NET_DATA_SENT)
		   && !(j->dst.s.sa_family == AF_INET
				   && cfg_get(core, core_cfg, udp4_raw));
}

static void rp_flush_one(rp_batch_t *b)
{
	int i = 0, k, r;
	rp_job_t *j;

	while(i < b->n) {
		r = sendmmsg(b->sock->socket, b->m + i, (unsigned)(b->n - i), 0);
		if(r < 0 && errno == EINTR)
			continue;
		/* the first one not sent fails alone, the rest are tried again */
		if(r <= 0) {
			j = b->job[i];
			LM_INFO("ping to %s (%s) for [%s] failed: %s\n",
					su2a(&j->dst, sizeof(j->dst)), get_proto_name(j->proto),
					rp_esc(&j->aor), strerror(errno));
			rp_after(j, 0);
			i++;
			continue;
		}
		for(k = i; k < i + r; k++) {
			j = b->job[k];
			counter_inc(j->af == 6 ? rp_cnt.sent_v6 : rp_cnt.sent_v4);
			rp_after(j, 1);
		}
		i += r;
	}
	b->n = 0;
}

void rp_flush(void)
{
	int i;

	for(i = 0; i < RP_BATCH_SOCKS; i++)
		if(rp_bat[i].n)
			rp_flush_one(&rp_bat[i]);
}

/* the batch of sock: its open one, an empty one, or the first emptied */
static rp_batch_t *rp_batch_of(struct socket_info *sock)
{
	int i, e = -1;

	for(i = 0; i < RP_BATCH_SOCKS; i++) {
		if(rp_bat[i].n && rp_bat[i].sock == sock)
			return &rp_bat[i];
		if(rp_bat[i].n == 0 && e < 0)
			e = i;
	}
	if(e < 0) {
		rp_flush_one(&rp_bat[0]);
		e = 0;
	}
	rp_bat[e].sock = sock;
	return &rp_bat[e];
}

void rp_finish_batched(rp_job_t *j)
{
	struct msghdr *h;
	rp_batch_t *b;
	int n;

	if(!rp_batchable(j)) {
		rp_finish(j);
		return;
	}
	b = rp_batch_of(j->sock);
	n = rp_build(j, b->buf[b->n], RP_PING_MAX);
	if(n <= 0 || n >= RP_PING_MAX) {
		LM_ERR("ping for [%s] too long\n", rp_esc(&j->uri));
		rp_after(j, 0);
		return;
	}
	b->job[b->n] = j;
	b->iov[b->n].iov_base = b->buf[b->n];
	b->iov[b->n].iov_len = (size_t)n;
	h = &b->m[b->n].msg_hdr;
	memset(h, 0, sizeof(*h));
	h->msg_name = &j->dst.s;
	h->msg_namelen = sockaddru_len(j->dst);
	h->msg_iov = &b->iov[b->n];
	h->msg_iovlen = 1;
	if(++b->n == RP_BATCH)
		rp_flush_one(b);
}
