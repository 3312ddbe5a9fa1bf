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
 * \brief regping :: a cluster over DMQ: heartbeats between the nodes, the
 * nodes heard, replies relayed to the node that sent the ping
 *
 * Every node (usrloc's server_id) broadcasts a heartbeat to the regping
 * DMQ peer every cluster_heartbeat ms: its id, the wall time from which it
 * pings its contacts, and the address its pings' Via names. A node not
 * heard for cluster_timeout ms is gone. The timer (regping_timer.c) decides
 * who pings a contact from that list (rp_live_ids(), rp_owner()).
 */

#include <stdio.h>
#include <string.h>

#include "core/dprint.h"
#include "core/globals.h"
#include "core/mem/shm_mem.h"
#include "core/locking.h"
#include "core/counters.h"
#include "core/rpc.h"
#include "core/forward.h"
#include "core/ip_addr.h"
#include "core/socket_info.h"
#include "core/parser/msg_parser.h"
#include "core/parser/parse_via.h"
#include "modules/dmq/bind_dmq.h"

#include "../ip6ref/ip6ref_parser.h"
#include "ds_kglue.h"
#include "ds_num.h"
#include "regping_int.h"

typedef struct rp_node
{
	ip6r_addr_t via[2]; /* [0] IPv4, [1] IPv6: where its pings' replies go */
	uint16_t via_port[2];
	uint8_t has_via[2];
	uint64_t sent; /* the send time of its last heartbeat */
} rp_node_t;

typedef struct rp_nodes
{
	gen_lock_t lock;
	uint64_t self_since; /* UINT64_MAX while joining */
	int n;
	rp_view_t view[RP_NODES_MAX]; /* id, since, heard, the ids it hears */
	rp_node_t node[RP_NODES_MAX]; /* the rest of the same node */
} rp_nodes_t;

int rp_cluster_on = 0;
struct socket_info *rp_via_sock[2];
static rp_nodes_t *rp_nodes = NULL;
static dmq_api_t rp_dmq;
static dmq_peer_t *rp_dmq_peer = NULL;
static str rp_dmq_ctype = str_init("text/plain");
static str rp_dmq_ok = str_init("OK");
static str rp_dmq_bad = str_init("Bad Request");

/* a heartbeat's address: "-", or host:port as the Via has them */
static int rp_put_via(char *buf, int size, struct socket_info *s)
{
	if(s == NULL)
		return snprintf(buf, size, "-");
	return snprintf(buf, size,
			s->address.af == AF_INET6 ? "[%.*s]:%d" : "%.*s:%d",
			s->address_str.len, s->address_str.s, (int)s->port_no);
}

static int rp_hb_apply(str *body);

/* a heartbeat's reply carries the answering node's own heartbeat: a node
 * hears every node it reaches even where dmq sends it nothing back (dmq
 * disables a node whose dmq ping went unanswered and keeps it so until
 * its next ping, 60 s by default, though the node is back). A node that
 * does not answer is judged by its own heartbeats. */
static int rp_dmq_sent(sip_msg_t *msg, int code, dmq_node_t *node, void *param)
{
	str body;

	if(code != 200 || msg == NULL || msg == FAKED_REPLY)
		return 0;
	ds_msg_body(msg, &body);
	if(body.len > 0 && rp_hb_apply(&body) == -1)
		LM_ERR("malformed regping heartbeat in a reply [%s]\n", rp_esc(&body));
	return 0;
}
static dmq_resp_cback_t rp_dmq_resp = {rp_dmq_sent, 0};

/* heard within cluster_timeout of now (lock held) */
static int rp_heard(rp_view_t *v, uint64_t now)
{
	return rp_peer_heard(&v->p, now, (uint32_t)rp_params.cluster_timeout);
}

/* this node's heartbeat at now into buf (1024 bytes): "id sent since
 * via4 via6 heard-ids", sent and since in unix ms (since 0: joining); the
 * ids are those it hears, for the others' rp_join_agreed() */
static int rp_hb_build(char *buf, int size, uint64_t now)
{
	char v4[80], v6[80], hears[640];
	uint64_t since;
	int i, hlen = 0;

	lock_get(&rp_nodes->lock);
	since = rp_nodes->self_since;
	for(i = 0; i < rp_nodes->n && hlen < (int)sizeof(hears) - 12; i++)
		if(rp_heard(&rp_nodes->view[i], now))
			hlen += snprintf(hears + hlen, sizeof(hears) - hlen, "%s%d",
					hlen ? "," : "", rp_nodes->view[i].p.id);
	lock_release(&rp_nodes->lock);
	rp_put_via(v4, sizeof(v4), rp_via_sock[0]);
	rp_put_via(v6, sizeof(v6), rp_via_sock[1]);
	return snprintf(buf, size, "%d %llu %llu %s %s %s", server_id,
			(unsigned long long)now,
			since == UINT64_MAX ? 0ULL : (unsigned long long)since, v4, v6,
			hlen ? hears : "-");
}

void rp_cluster_heartbeat(uint64_t now)
{
	static uint64_t last = 0, start = 0, warned = 0;
	char body[1024];
	int heard, alone;
	str b;

	if(!rp_cluster_on)
		return;
	if(start == 0)
		start = now;
	lock_get(&rp_nodes->lock);
	/* a node joins once the cluster agrees on it (rp_join_agreed()), or after
	 * two timeouts alone; for one timeout more the others still ping its
	 * contacts, and they switch at the same slot */
	if(rp_nodes->self_since == UINT64_MAX) {
		heard = rp_join_agreed(rp_nodes->view, rp_nodes->n, server_id, now,
				(uint32_t)rp_params.cluster_timeout);
		/* (a node it never hears that the others do keeps it out: the
		 * others ping its contacts meanwhile; say so, every minute) */
		if(heard < 0 && now - start >= 5 * (uint64_t)rp_params.cluster_timeout
				&& now - warned >= 60000) {
			warned = now;
			LM_WARN("node %d has not joined after %llu ms: the nodes it hears "
					"do not all hear it, or hear one it does not (see "
					"regping.nodes on each)\n",
					server_id, (unsigned long long)(now - start));
		}
		alone = heard == 0
				&& now - start >= 2 * (uint64_t)rp_params.cluster_timeout;
		if(heard > 0 || alone) {
			rp_nodes->self_since = now + (uint64_t)rp_params.cluster_timeout;
			LM_INFO("node %d pings its contacts from %llu (unix ms) on, "
					"%llu ms from now\n",
					server_id, (unsigned long long)rp_nodes->self_since,
					(unsigned long long)(rp_nodes->self_since - now));
		}
	}
	lock_release(&rp_nodes->lock);
	if(last && now - last < (uint64_t)rp_params.cluster_heartbeat)
		return;
	last = now;
	b.s = body;
	b.len = rp_hb_build(body, sizeof(body), now);
	if(rp_dmq.bcast_message(rp_dmq_peer, &b, NULL, &rp_dmq_resp, 1,
			   &rp_dmq_ctype)
			< 0)
		LM_WARN("cannot broadcast the heartbeat\n");
}

/* "-" or host:port (an IPv6 host in brackets) into a and *port */
static int rp_parse_via(str *s, ip6r_addr_t *a, uint16_t *port)
{
	int i;
	long p;

	if(s->len == 1 && s->s[0] == '-')
		return 0;
	for(i = s->len - 1; i > 0 && s->s[i] != ':'; i--)
		;
	if(i <= 0 || ip6r_parse(s->s, i, a) < 0
			|| ds_long_n(s->s + i + 1, s->len - i - 1, 1, 65535, &p) < 0)
		return -1;
	*port = (uint16_t)p;
	return 1;
}

/* the next space-separated word of b from *pos */
static str rp_word(str *b, int *pos)
{
	str w;

	while(*pos < b->len && b->s[*pos] == ' ')
		(*pos)++;
	w.s = b->s + *pos;
	while(*pos < b->len && b->s[*pos] != ' ')
		(*pos)++;
	w.len = (int)(b->s + *pos - w.s);
	return w;
}

/* "-" or ids separated by commas into ids (room for RP_NODES_MAX): the
 * count, -1 when malformed */
static int rp_parse_ids(str *s, int *ids)
{
	int i = 0, n = 0, st;
	long v;

	if(s->len == 1 && s->s[0] == '-')
		return 0;
	while(i < s->len) {
		for(st = i; i < s->len && s->s[i] != ','; i++)
			;
		if(n == RP_NODES_MAX
				|| ds_long_n(s->s + st, i - st, 1, 0x7fffffff, &v) < 0)
			return -1;
		ids[n++] = (int)v;
		i++;
	}
	return n;
}

/* a heartbeat, of a request or of a reply, into the node table: 0, -1
 * when malformed, -2 when it names this node's own id */
static int rp_hb_apply(str *body)
{
	str w[6];
	long id, since, sent;
	int hears[RP_NODES_MAX], nhears;
	ip6r_addr_t via[2];
	uint16_t port[2] = {0, 0};
	int has[2], i, pos = 0;
	rp_node_t *n = NULL;
	rp_view_t *v = NULL;
	uint64_t now;

	for(i = 0; i < 6; i++)
		w[i] = rp_word(body, &pos);
	if(ds_long_n(w[0].s, w[0].len, 1, 0x7fffffff, &id) < 0
			|| ds_long_n(w[1].s, w[1].len, 0, 0x7fffffffffffffffL, &sent) < 0
			|| ds_long_n(w[2].s, w[2].len, 0, 0x7fffffffffffffffL, &since) < 0
			|| (has[0] = rp_parse_via(&w[3], &via[0], &port[0])) < 0
			|| (has[1] = rp_parse_via(&w[4], &via[1], &port[1])) < 0
			|| (nhears = rp_parse_ids(&w[5], hears)) < 0)
		return -1;
	if(id == server_id)
		return -2;
	lock_get(&rp_nodes->lock);
	for(i = 0; i < rp_nodes->n && n == NULL; i++)
		if(rp_nodes->view[i].p.id == id) {
			n = &rp_nodes->node[i];
			v = &rp_nodes->view[i];
		}
	if(n == NULL && rp_nodes->n < RP_NODES_MAX) {
		v = &rp_nodes->view[rp_nodes->n];
		n = &rp_nodes->node[rp_nodes->n++];
		memset(n, 0, sizeof(*n));
		memset(v, 0, sizeof(*v));
		v->p.id = (int)id;
		LM_INFO("node %ld heard\n", id);
	}
	if(n && (uint64_t)sent < n->sent) {
		/* a retransmission or a late copy: its since may be older */
		lock_release(&rp_nodes->lock);
		return 0;
	}
	if(n) {
		now = rp_wall_ms();
		n->sent = (uint64_t)sent;
		if(v->p.heard && !rp_heard(v, now))
			LM_INFO("node %ld heard again after %llu ms, pinging from %llu "
					"(unix ms) on\n",
					id, (unsigned long long)(now - v->p.heard),
					(unsigned long long)since);
		v->p.heard = now;
		v->p.since = since ? (uint64_t)since : UINT64_MAX;
		v->nhears = nhears;
		memcpy(v->hears, hears, nhears * sizeof(int));
		for(i = 0; i < 2; i++) {
			n->has_via[i] = (uint8_t)has[i];
			if(has[i]) {
				n->via[i] = via[i];
				n->via_port[i] = port[i];
			}
		}
	}
	lock_release(&rp_nodes->lock);
	if(n == NULL)
		LM_ERR("more than %d nodes: node %ld ignored\n", RP_NODES_MAX, id);
	return 0;
}

/* a heartbeat request (a SIP or DMQ worker): answered 200 with this
 * node's own heartbeat, 400 when malformed */
static int rp_dmq_msg(sip_msg_t *msg, peer_reponse_t *resp, dmq_node_t *dn)
{
	static char own[1024]; /* until dmq sends the reply, in this process */
	str body;
	int r;

	/* dmq replies only with a reason: without one the sender's tm would
	 * retransmit the heartbeat until it times out */
	resp->resp_code = 400;
	resp->reason = rp_dmq_bad;
	ds_msg_body(msg, &body);
	r = rp_hb_apply(&body);
	if(r == -1) {
		LM_ERR("malformed regping heartbeat [%s]\n", rp_esc(&body));
		return 0;
	}
	resp->resp_code = 200;
	resp->reason = rp_dmq_ok;
	if(r == -2) {
		LM_ERR("a heartbeat of node %d, this node's own server_id: every "
			   "node needs its own\n",
				server_id);
		return 0;
	}
	resp->body.s = own;
	resp->body.len = rp_hb_build(own, sizeof(own), rp_wall_ms());
	resp->content_type = rp_dmq_ctype;
	return 0;
}

int rp_cluster_init(void)
{
	dmq_peer_t peer;
	struct socket_info *si;
	int f;

	if(!rp_params.cluster)
		return 0;
	if(rp_params.cluster_heartbeat <= 0
			|| rp_params.cluster_timeout <= rp_params.cluster_heartbeat) {
		LM_ERR("cluster_timeout (%d ms) must be longer than "
			   "cluster_heartbeat (%d ms), both positive\n",
				rp_params.cluster_timeout, rp_params.cluster_heartbeat);
		return -1;
	}
	if(server_id <= 0) {
		LM_ERR("a cluster needs server_id (a number unique in the "
			   "cluster, above 0), not %d\n",
				server_id);
		return -1;
	}
	/* replies come back to the node's own address: the first UDP socket
	 * of each family unless reply_socket_v4/_v6 say */
	for(f = 0; f < 2; f++) {
		for(si = *get_sock_info_list(PROTO_UDP); si && !rp_via_sock[f];
				si = si->next)
			if(si->address.af == (f ? AF_INET6 : AF_INET))
				rp_via_sock[f] = si;
	}
	if(dmq_load_api(&rp_dmq) < 0) {
		LM_ERR("cluster mode needs dmq: load dmq.so before regping\n");
		return -1;
	}
	rp_nodes = shm_malloc(sizeof(rp_nodes_t));
	if(rp_nodes == NULL) {
		SHM_MEM_ERROR;
		return -1;
	}
	memset(rp_nodes, 0, sizeof(*rp_nodes));
	rp_nodes->self_since = UINT64_MAX;
	if(lock_init(&rp_nodes->lock) == NULL) {
		LM_ERR("cannot init the lock\n");
		return -1;
	}
	memset(&peer, 0, sizeof(peer));
	peer.peer_id.s = "regping";
	peer.peer_id.len = 7;
	peer.description.s = "regping";
	peer.description.len = 7;
	peer.callback = rp_dmq_msg;
	rp_dmq_peer = rp_dmq.register_dmq_peer(&peer);
	if(rp_dmq_peer == NULL) {
		LM_ERR("cannot register the regping DMQ peer\n");
		return -1;
	}
	rp_cluster_on = 1;
	return 0;
}

void rp_cluster_destroy(void)
{
	if(rp_nodes) {
		lock_destroy(&rp_nodes->lock);
		shm_free(rp_nodes);
		rp_nodes = NULL;
	}
}

int rp_cluster_snapshot(rp_peer_t *p, uint64_t *self_since)
{
	int i, n;

	lock_get(&rp_nodes->lock);
	n = rp_nodes->n;
	for(i = 0; i < n; i++)
		p[i] = rp_nodes->view[i].p;
	*self_since = rp_nodes->self_since;
	lock_release(&rp_nodes->lock);
	return n;
}

int rp_cluster_relay_to(const char *host, int len, int port, const char *buf,
		int blen)
{
	ip6r_addr_t a;
	struct dest_info di;
	rp_node_t *n;
	uint64_t now = rp_wall_ms();
	int i, f, found = 0;

	if(port == 0)
		port = SIP_PORT;
	if(ip6r_parse(host, len, &a) < 0)
		return 0;
	f = !ip6r_is_v4(&a);
	/* only to a live node's announced address, at its SIP port or
	 * reply_port (the cluster's nodes share it): no reflection elsewhere */
	lock_get(&rp_nodes->lock);
	for(i = 0; i < rp_nodes->n && !found; i++) {
		n = &rp_nodes->node[i];
		found = rp_nodes->view[i].p.id != server_id && n->has_via[f]
				&& rp_heard(&rp_nodes->view[i], now)
				&& (n->via_port[f] == port
						|| (rp_params.reply_port > 0
								&& port == rp_params.reply_port))
				&& ip6r_equal(&n->via[f], &a);
	}
	lock_release(&rp_nodes->lock);
	if(!found)
		return 0;
	init_dest_info(&di);
	di.proto = PROTO_UDP;
	if(f) {
		di.to.sin6.sin6_family = AF_INET6;
		memcpy(&di.to.sin6.sin6_addr, a.b, 16);
		di.to.sin6.sin6_port = htons(port);
	} else {
		di.to.sin.sin_family = AF_INET;
		memcpy(&di.to.sin.sin_addr, a.b + 12, 4);
		di.to.sin.sin_port = htons(port);
	}
	/* from this node's own address: the anycast one is the receiving
	 * node's too, and its kernel drops what claims to come from itself */
	di.send_sock = rp_via_sock[f] ? rp_via_sock[f]
								  : get_send_socket(0, &di.to, PROTO_UDP);
	if(di.send_sock == NULL || udp_send(&di, (char *)buf, blen) < 0) {
		LM_WARN("cannot relay a ping's reply to %s\n",
				su2a(&di.to, sizeof(di.to)));
		return -1;
	}
	counter_inc(rp_cnt.relayed);
	return 1;
}

int rp_cluster_relay(sip_msg_t *msg)
{
	struct via_body *v = msg->via1;

	return rp_cluster_relay_to(
			v->host.s, v->host.len, (int)v->port, msg->buf, msg->len);
}

/* regping.nodes: this node and the others heard */
void rp_cluster_rpc_nodes(rpc_t *rpc, void *ctx)
{
	rp_peer_t p[RP_NODES_MAX];
	uint64_t since, now = rp_wall_ms();
	void *th;
	int i, n;

	if(!rp_cluster_on) {
		rpc->fault(ctx, 500, "Not in a cluster (modparam cluster)");
		return;
	}
	n = rp_cluster_snapshot(p, &since);
	if(rpc->add(ctx, "{", &th) < 0)
		return;
	rpc->struct_add(th, "dsJ", "id", server_id, "state",
			since > now ? "joining" : "self", "since",
			(unsigned long long)(since == UINT64_MAX ? 0 : since));
	for(i = 0; i < n; i++) {
		if(rpc->add(ctx, "{", &th) < 0)
			return;
		rpc->struct_add(th, "dsJJ", "id", p[i].id, "state",
				!rp_peer_heard(&p[i], now, (uint32_t)rp_params.cluster_timeout)
						? "gone"
						: (p[i].since > now ? "joining" : "live"),
				"since",
				(unsigned long long)(p[i].since == UINT64_MAX ? 0 : p[i].since),
				"heard_ms_ago", (unsigned long long)(now - p[i].heard));
	}
}

int rp_cluster_owner(uint32_t hash, int saver)
{
	rp_peer_t p[RP_NODES_MAX];
	int ids[RP_NODES_MAX + 1], n, k;
	uint64_t since, now = rp_wall_ms();

	if(!rp_cluster_on)
		return server_id;
	n = rp_cluster_snapshot(p, &since);
	k = rp_live_ids(p, n, server_id, since, now, now,
			(uint32_t)rp_params.cluster_timeout, ids);
	return k > 0 ? rp_owner(hash, saver, server_id, ids, k) : -1;
}
