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
 * \brief regping :: the table kept in step with usrloc: its callbacks, the
 * contacts it loaded at startup, a REGISTER's 2xx saved (regping_mirror)
 */

#include <string.h>

#include "core/dprint.h"
#include "core/mem/mem.h"
#include "core/mem/shm_mem.h"
#include "core/rand/fastrand.h"
#include "core/ut.h"
#include "core/trim.h"
#include "core/parser/parse_uri.h"
#include "core/parser/parse_rr.h"
#include "core/parser/contact/parse_contact.h"
#include "core/parser/parse_to.h"
#include "modules/usrloc/usrloc.h"
#include "modules/tm/tm_load.h"
#include "modules/registrar/api.h"

#include "ds_kglue.h"
#include "regping_int.h"

/* the REGISTER this process is running the script for, so that a usrloc
 * callback inside save() knows where it came from */
static sip_msg_t *rp_cur_register = NULL;

/* regping_mirror(): the REGISTER whose 2xx is being saved (the
 * transaction's request, shared memory) and its Contact list (private
 * memory, parsed here): the contacts of that REGISTER are pinged where it
 * came from */
static sip_msg_t *rp_mirror_req = NULL;
static contact_t *rp_mirror_contacts = NULL;
struct tm_binds rp_tmb;
registrar_api_t rp_reg;
int rp_mirror_bound = 0;

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

/* add or refresh the contact c (usrloc callback, any SIP worker) */
static void rp_upsert(ucontact_t *c)
{
	rp_target_t t;
	rp_entry_t *e, *old;
	rp_ref_t *pprev, ref, oref = 0;
	str *aor = c->aor;
	uint32_t h;
	unsigned long size;
	int af = 0, r, i, wide;
	char *p;
	str *src[4];
	uint16_t *len[4];

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
	/* an entry keeps 16-bit lengths */
	if(c->ruid.len > 65535 || aor->len > 65535 || c->c.len > 65535
			|| c->path.len > 65535) {
		LM_ERR("contact [%s] too long to ping (%d bytes of Path)\n",
				rp_esc(&c->c), c->path.len);
		rp_remove(&c->ruid);
		return;
	}
	if(r == 0)
		af = ds_su_af(&t.dst);
	/* a name: the timer process resolves it before the first ping and
	 * applies the af filter then */
	if(af && rp_af_filter && af != rp_af_filter) {
		LM_DBG("not pinging IPv%d contact [%s]\n", af, rp_esc(&c->c));
		rp_remove(&c->ruid);
		return;
	}
	/* room for an IPv6 address, unless it is known to be IPv4 */
	wide = r == 1 || t.dst.s.sa_family == AF_INET6;
	size = rp_entry_size(wide,
			(unsigned long)c->ruid.len + aor->len + c->c.len + c->path.len
					+ (r == 1 ? t.resolve.len : 0));
	e = rp_entry_alloc(size, &ref);
	if(e == NULL) {
		LM_ERR("contact [%s] not pinged\n", rp_esc(&c->c));
		rp_remove(&c->ruid);
		return;
	}
	memset(e, 0, sizeof(*e));
	e->wide = (uint8_t)wide;
	src[0] = &c->ruid;
	src[1] = aor;
	src[2] = &c->c;
	src[3] = &c->path;
	len[0] = &e->ruid_len;
	len[1] = &e->aor_len;
	len[2] = &e->uri_len;
	len[3] = &e->path_len;
	p = e->data + RP_ADDR_LEN(wide);
	for(i = 0; i < 4; i++) {
		*len[i] = (uint16_t)src[i]->len;
		if(src[i]->len)
			memcpy(p, src[i]->s, src[i]->len);
		p += src[i]->len;
	}
	if(r == 1) {
		memcpy(p, t.resolve.s, t.resolve.len);
		e->rlen = (uint16_t)t.resolve.len;
	}
	h = rp_hash(c->ruid.s, c->ruid.len);
	e->hash = h;
	if(af)
		rp_entry_set_dst(e, &t.dst); /* wide when IPv6 */
	e->sock = t.sock;
	e->tcpconn_id = t.tcpconn_id;
	e->proto = (uint8_t)t.proto;
	e->af = (uint8_t)af;
	/* the node that took its REGISTER (dmq_usrloc replicates it) */
	e->saver = c->server_id > 0 && c->server_id <= 65535
					   ? (uint16_t)c->server_id
					   : 0;

	lock_get(&rp_tbl->lock);
	old = rp_find(&c->ruid, h, &pprev);
	if(old) {
		/* a re-REGISTER: new address, same liveness */
		e->live = old->live;
		e->queued = old->queued;
		e->last_poke = old->last_poke;
		e->mine = old->mine;
		oref = *pprev;
		rp_unlink(old, pprev);
	} else {
		/* the sequence number is in the pings' Call-ID and branch: start
		 * at random, so after a restart the first pings are new
		 * transactions, not retransmissions of the previous run's */
		e->live.seq = fastrand();
	}
	rp_link(e, ref);
	lock_release(&rp_tbl->lock);
	rp_entry_free(oref);
	LM_DBG("%s [%s] ruid [%s] at %s\n", old ? "updated" : "added",
			rp_esc(&c->c), rp_esc(&c->ruid),
			r == 1 ? "a name, resolved before the first ping"
				   : su2a(&t.dst, sizeof(t.dst)));
}

void rp_ul_cb(ucontact_t *c, int type, void *param)
{
	if(c->domain == NULL || !rp_str_eq(c->domain, &rp_params.domain))
		return;
	if(type & (UL_CONTACT_DELETE | UL_CONTACT_EXPIRE))
		rp_remove(&c->ruid);
	else
		rp_upsert(c);
}

int rp_pre_request(sip_msg_t *msg, unsigned int flags, void *param)
{
	rp_cur_register =
			(msg->first_line.u.request.method_value == METHOD_REGISTER) ? msg
																		: NULL;
	return 1;
}

int rp_post_request(sip_msg_t *msg, unsigned int flags, void *param)
{
	rp_cur_register = NULL;
	return 1;
}

int rp_for_aor(str *aor, int (*f)(rp_entry_t *e, void *arg), void *arg)
{
	urecord_t *r;
	ucontact_t *c;
	rp_entry_t *e;
	int n = 0;

	rp_ul.lock_udomain(rp_udomain, aor);
	if(rp_ul.get_urecord(rp_udomain, aor, &r) == 0) {
		lock_get(&rp_tbl->lock);
		for(c = r->contacts; c && n >= 0; c = c->next) {
			e = rp_find(&c->ruid, rp_hash(c->ruid.s, c->ruid.len), NULL);
			if(e)
				n = f(e, arg) < 0 ? -1 : n + 1;
		}
		lock_release(&rp_tbl->lock);
		rp_ul.release_urecord(r);
	}
	rp_ul.unlock_udomain(rp_udomain, aor);
	return n;
}

void rp_remove_from_usrloc(rp_job_t *j)
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

/* usrloc raises no callback for the contacts it loads from its database
 * at startup (db_mode 1 and 2, e.g. after a restart): take them over once,
 * when the timer starts. usrloc packs them into a buffer, a part of its
 * hash table at a time so the buffer stays small */
#define RP_LOAD_PARTS 16

void rp_load_usrloc(void)
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

/* the 2xx's parsed Contact lists as they were, while narrowed */
typedef struct rp_narrowed
{
	int h, n;		   /* Contact headers, contacts of the 2xx */
	contact_t **heads; /* each header's list */
	contact_t **nodes; /* each contact, in order */
	contact_t **nexts; /* its next */
	param_t **rcvs;	   /* its received param */
	param_t *prm;	   /* the received params put in */
} rp_narrowed_t;

/* the 2xx msg as the registrar's save must see it: only the contacts of
 * the REGISTER it answers (all in the first Contact header's list), each
 * with the REGISTER's source src as received param. The registrar gives
 * every contact of one save the same socket and received, so the others
 * (other devices of the AoR, refreshed by their own REGISTERs) are left
 * out: a copy of them elsewhere (dmq_usrloc) keeps their own. What was
 * there goes to *out (pkg), for rp_mirror_restore(); -1 on error */
static int rp_mirror_narrow(sip_msg_t *msg, str *src, rp_narrowed_t **out)
{
	hdr_field_t *hf;
	contact_t *ct, **last = NULL;
	contact_body_t *cb;
	rp_narrowed_t *nw;
	int n = 0, h = 0, i = 0, j = 0;

	for(hf = msg->contact; hf; hf = next_sibling_hdr(hf), h++)
		for(ct = hf->parsed ? ((contact_body_t *)hf->parsed)->contacts : NULL;
				ct; ct = ct->next)
			n++;
	nw = pkg_malloc(
			sizeof(*nw) + (h + 3 * n) * sizeof(void *) + n * sizeof(param_t));
	if(nw == NULL) {
		PKG_MEM_ERROR;
		return -1;
	}
	nw->h = h;
	nw->n = n;
	nw->heads = (contact_t **)(nw + 1);
	nw->nodes = nw->heads + h;
	nw->nexts = nw->nodes + n;
	nw->rcvs = (param_t **)(nw->nexts + n);
	nw->prm = (param_t *)(nw->rcvs + n);
	memset(nw->prm, 0, n * sizeof(param_t));
	h = 0;
	for(hf = msg->contact; hf; hf = next_sibling_hdr(hf), h++) {
		cb = hf->parsed;
		nw->heads[h] = cb ? cb->contacts : NULL;
		for(ct = nw->heads[h]; ct; ct = ct->next, i++) {
			nw->nodes[i] = ct;
			nw->nexts[i] = ct->next;
			nw->rcvs[i] = ct->received;
		}
		if(cb)
			cb->contacts = NULL;
	}
	for(i = 0; i < n; i++) {
		ct = nw->nodes[i];
		if(!rp_mirror_listed(&ct->uri))
			continue;
		nw->prm[j].name.s = "received";
		nw->prm[j].name.len = 8;
		nw->prm[j].type = P_RECEIVED;
		nw->prm[j].body = *src;
		ct->received = &nw->prm[j++];
		ct->next = NULL;
		if(last)
			*last = ct;
		else
			((contact_body_t *)msg->contact->parsed)->contacts = ct;
		last = &ct->next;
	}
	*out = nw;
	return 0;
}

static void rp_mirror_restore(sip_msg_t *msg, rp_narrowed_t *nw)
{
	hdr_field_t *hf;
	int h = 0, i;

	for(hf = msg->contact; hf && h < nw->h; hf = next_sibling_hdr(hf), h++)
		if(hf->parsed)
			((contact_body_t *)hf->parsed)->contacts = nw->heads[h];
	for(i = 0; i < nw->n; i++) {
		nw->nodes[i]->next = nw->nexts[i];
		nw->nodes[i]->received = nw->rcvs[i];
	}
	pkg_free(nw);
}

int rp_mirror_reply(sip_msg_t *msg)
{
	struct cell *t;
	sip_msg_t *req;
	struct receive_info rcv;
	char buf[512], srcbuf[MAX_URI_SIZE];
	rp_narrowed_t *nw;
	str aor, src;
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
	if(get_src_uri(req, 0, &src) < 0 || src.len > (int)sizeof(srcbuf)) {
		LM_ERR("no source URI of the REGISTER for [%s]\n", rp_esc(&aor));
		free_contacts(&rp_mirror_contacts);
		return -1;
	}
	memcpy(srcbuf, src.s, src.len);
	src.s = srcbuf;
	r = rp_mirror_prune(msg, &aor);
	if(rp_mirror_narrow(msg, &src, &nw) < 0) {
		free_contacts(&rp_mirror_contacts);
		return -1;
	}
	rp_mirror_req = req;
	/* the registrar stores the socket (and TCP connection) a message
	 * came in on: the REGISTER's, not the one of the core's reply, so
	 * that a copy of the contact elsewhere (dmq_usrloc) names the socket
	 * the device registered through */
	rcv = msg->rcv;
	msg->rcv = req->rcv;
	if(rp_reg.save(msg, &rp_params.domain, 0x02 /* no reply */) < 0) {
		LM_ERR("the 2xx for [%s] could not be saved\n", rp_esc(&aor));
		r = -1;
	}
	msg->rcv = rcv;
	rp_mirror_restore(msg, nw);
	rp_mirror_req = NULL;
	free_contacts(&rp_mirror_contacts);
	return r < 0 ? -1 : 1;
}

