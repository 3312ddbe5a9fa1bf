/*
 * afbridge - address-family-aware media bridging
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
 * \brief afbridge :: facts of a SIP message, relay calls, socket choice
 */

#include <string.h>
#include <netinet/in.h>

#include "core/sr_module.h"
#include "core/dprint.h"
#include "core/route.h"
#include "core/ip_addr.h"
#include "core/socket_info.h"
#include "core/kemi.h"
#include "core/parser/parse_uri.h"
#include "core/parser/parse_cseq.h"
#include "core/parser/parse_via.h"
#include "core/parser/parse_content.h"
#include "core/parser/parse_to.h"
#include "core/parser/sdp/sdp.h"
#include "core/data_lump.h"
#include "core/mem/mem.h"
#include "core/rand/cryptorand.h"
#include "modules/tm/tm_load.h"
#include "modules/rr/api.h"
/* kamailio 6.0's rtpengine module has a C API (bind_rtpengine); 5.6's
 * exports its functions to KEMI only */
#if defined(__has_include)
#if __has_include("modules/rtpengine/api.h")
#include "modules/rtpengine/api.h"
#define AFB_RTPENGINE_API 1
#endif
#endif

#include "../ip6ref/api.h"
#include "ds_escape.h"
#include "ds_kglue.h"
#include "ds_mark.h"
#include "ds_sdp.h"
#include "afbridge_core.h"

afb_params_t afb_params = {
		.backend = str_init("rtpproxy"),
		.ipv6_side = str_init("e"),
		.extra_flags = STR_NULL,
		.sdp_af = 0,
		.sdp_unmap = 0,
		.max_streams = 16,
		.socket_v4 = STR_NULL,
		.socket_v6 = STR_NULL};

afb_counters_t afb_cnt;

enum afb_backend
{
	AFB_RTPPROXY = 0,
	AFB_RTPENGINE
};

/* what each backend calls its functions (KEMI exports, (msg, flags)) */
static const struct
{
	const char *module;
	const char *fn[4]; /* by enum afb_action */
} afb_backends[] = {
		[AFB_RTPPROXY] = {"rtpproxy",
				{NULL, "rtpproxy_offer", "rtpproxy_answer", "rtpproxy_destroy"}},
		[AFB_RTPENGINE] = {"rtpengine", {NULL, "rtpengine_offer",
												   "rtpengine_answer", "rtpengine_delete"}}};

static enum afb_backend afb_backend;
static sr_kemi_fms_f afb_relay_fn[4];
static char afb_side6;
static ip6ref_api_t afb_ip6;
static tm_api_t afb_tm;
static int afb_have_tm = 0;
static rr_api_t afb_rr;
static int afb_have_rr = 0;
/* Record-Route parameter marking a dialog whose media is bridged (the
 * keyed token of its Call-ID) or not ("0") */
static str afb_mark_name = str_init("afb");
static uint8_t afb_mark_key[16];
static struct socket_info *afb_pref_sock[2]; /* [0] IPv4, [1] IPv6 */

#ifdef AFB_RTPENGINE_API
static rtpengine_api_t afb_rtpe;

/* no via-branch: as rtpengine_offer(flags) in the script */
static int afb_rtpe_offer(sip_msg_t *msg, str *flags)
{
	return afb_rtpe.rtpengine_offer(msg, flags, NULL);
}

static int afb_rtpe_answer(sip_msg_t *msg, str *flags)
{
	return afb_rtpe.rtpengine_answer(msg, flags, NULL);
}

static int afb_rtpe_delete(sip_msg_t *msg, str *flags)
{
	return afb_rtpe.rtpengine_delete(msg, flags, NULL);
}

/* the relay functions from the rtpengine module's API */
static int afb_rtpe_bind(void)
{
	if(!find_module_by_name("rtpengine")) {
		LM_ERR("backend rtpengine: module rtpengine not found - load "
			   "rtpengine.so before afbridge\n");
		return -1;
	}
	if(rtpengine_load_api(&afb_rtpe) < 0)
		return -1;
	afb_relay_fn[AFB_OFFER] = afb_rtpe_offer;
	afb_relay_fn[AFB_ANSWER] = afb_rtpe_answer;
	afb_relay_fn[AFB_DELETE] = afb_rtpe_delete;
	return 0;
}
#endif

/* a module's KEMI function (msg, str) by name */
static sr_kemi_fms_f afb_kemi_find(const char *mod, const char *fn)
{
	sr_kemi_module_t *mods = sr_kemi_modules_get();
	int n = sr_kemi_modules_size_get();
	int mlen = strlen(mod), flen = strlen(fn);
	sr_kemi_t *k;
	int i;

	for(i = 0; i < n; i++) {
		if(mods[i].mname.len != mlen || strncmp(mods[i].mname.s, mod, mlen))
			continue;
		for(k = mods[i].kexp; k->fname.s; k++) {
			if(k->fname.len == flen && strncmp(k->fname.s, fn, flen) == 0
					&& k->rtype == SR_KEMIP_INT
					&& k->ptypes[0] == SR_KEMIP_STR
					&& k->ptypes[1] == SR_KEMIP_NONE)
				return (sr_kemi_fms_f)k->func;
		}
	}
	return NULL;
}

/* the backend's relay functions: the rtpengine module's API where it has
 * one, else the backend module's KEMI exports */
static int afb_relay_bind(void)
{
	int a;

#ifdef AFB_RTPENGINE_API
	if(afb_backend == AFB_RTPENGINE)
		return afb_rtpe_bind();
#endif
	for(a = AFB_OFFER; a <= AFB_DELETE; a++) {
		afb_relay_fn[a] = afb_kemi_find(afb_backends[afb_backend].module,
				afb_backends[afb_backend].fn[a]);
		if(afb_relay_fn[a] == NULL) {
			LM_ERR("backend %s: function %s not found - load %s.so before "
				   "afbridge\n",
					afb_backends[afb_backend].module,
					afb_backends[afb_backend].fn[a],
					afb_backends[afb_backend].module);
			return -1;
		}
	}
	return 0;
}

/* the key of the dialog marks: from mark_secret, so that every proxy of a
 * cluster and a restarted one accept the marks, else random */
static int afb_mark_key_init(void)
{
	static const uint8_t k0[16] = {0}, k1[16] = {1};
	uint64_t h[2];
	unsigned int r;
	int i;

	if(afb_params.mark_secret.len > 0) {
		if(ds_siphash(k0, afb_params.mark_secret.s,
				   afb_params.mark_secret.len, &h[0])
						< 0
				|| ds_siphash(k1, afb_params.mark_secret.s,
						   afb_params.mark_secret.len, &h[1])
						   < 0) {
			LM_ERR("cannot derive the mark key from mark_secret (libcrypto "
				   "has no SIPHASH)\n");
			return -1;
		}
		memcpy(afb_mark_key, h, sizeof(afb_mark_key));
		return 0;
	}
	for(i = 0; i < 16; i += (int)sizeof(r)) {
		r = cryptorand();
		memcpy(afb_mark_key + i, &r, sizeof(r));
	}
	return 0;
}

int afb_init(void)
{
	/* by enum afb_backend */
	static const char *const backends[] = {"rtpproxy", "rtpengine", NULL};
	static const char *const sides[] = {"e", "i", NULL};
	int b;

	if((b = ds_str_enum(&afb_params.backend, backends, 0)) < 0) {
		LM_ERR("unknown backend [%.*s] (rtpproxy or rtpengine)\n",
				afb_params.backend.len, afb_params.backend.s);
		return -1;
	}
	afb_backend = (enum afb_backend)b;
	if(afb_relay_bind() < 0)
		return -1;
	if(ds_str_enum(&afb_params.ipv6_side, sides, 0) < 0) {
		LM_ERR("ipv6_side must be \"e\" or \"i\", not [%.*s]\n",
				afb_params.ipv6_side.len, afb_params.ipv6_side.s);
		return -1;
	}
	afb_side6 = afb_params.ipv6_side.s[0];
	if(ip6ref_load_api(&afb_ip6) < 0)
		return -1;
	if(find_module_by_name("tm")) {
		if(load_tm_api(&afb_tm) < 0) {
			LM_ERR("cannot bind the tm API\n");
			return -1;
		}
		afb_have_tm = 1;
	} else {
		LM_INFO("tm is not loaded: replies are judged by their Via\n");
	}
	if(find_module_by_name("rr")) {
		if(load_rr_api(&afb_rr) < 0) {
			LM_ERR("cannot bind the rr API\n");
			return -1;
		}
		afb_have_rr = 1;
		if(afb_mark_key_init() < 0)
			return -1;
	}
	b = ds_pref_socket(&afb_params.socket_v4, 4, &afb_pref_sock[0]);
	if(ds_pref_socket(&afb_params.socket_v6, 6, &afb_pref_sock[1]) < 0 || b < 0)
		return -1;
	return 0;
}

static enum afb_method afb_method_of(int method_value)
{
	switch(method_value) {
		case METHOD_INVITE:
			return AFB_M_INVITE;
		case METHOD_ACK:
			return AFB_M_ACK;
		case METHOD_BYE:
			return AFB_M_BYE;
		case METHOD_CANCEL:
			return AFB_M_CANCEL;
		case METHOD_UPDATE:
			return AFB_M_UPDATE;
		case METHOD_PRACK:
			return AFB_M_PRACK;
		default:
			return AFB_M_OTHER;
	}
}

/* an address of an SDP into *a: 0, or -1 when it is none (brackets are
 * not SDP syntax) */
static int afb_sdp_addr(const char *s, int len, ip6r_addr_t *a)
{
	return (afb_ip6.parse(s, len, a) < 0 || a->ref) ? -1 : 0;
}

/* family used to reach an address of an SDP: IPv4-mapped IPv6 is IPv4
 * (RFC 3266 5) */
static int afb_reach_af(const char *s, int len)
{
	ip6r_addr_t a;

	return afb_sdp_addr(s, len, &a) < 0 ? 0 : afb_ip6.reach_af(&a);
}

/* family of this message's SDP; *has_sdp tells whether it has one */
static int afb_sdp_af(sip_msg_t *msg, int *has_sdp)
{
	str body;

	*has_sdp = parse_sdp(msg) == 0;
	if(!*has_sdp || !ds_msg_body(msg, &body))
		return 0;
	return afb_sdp_text_af(body.s, body.len, afb_reach_af);
}

/* family of the SDP of a transaction's request: the shared clone is only
 * read (its Content-Length was parsed with its headers); 0 without SDP */
static int afb_req_sdp_af(struct sip_msg *req)
{
	long cl = get_content_length(req);

	if(cl <= 0 || cl > req->len)
		return 0;
	return afb_sdp_text_af(req->buf + req->len - cl, (int)cl, afb_reach_af);
}

int afb_dst_af(sip_msg_t *msg, str *host)
{
	struct sip_uri u;

	host->s = NULL;
	host->len = 0;
	if(msg->dst_uri.len > 0) {
		if(parse_uri(msg->dst_uri.s, msg->dst_uri.len, &u) < 0) {
			LM_ERR("invalid destination URI [%s]\n",
					ds_esc(msg->dst_uri.s, msg->dst_uri.len));
			return 0;
		}
		*host = u.host;
	} else {
		if(parse_sip_msg_uri(msg) < 0) {
			LM_ERR("invalid request URI\n");
			return 0;
		}
		*host = msg->parsed_uri.host;
	}
	return afb_ip6.af(host);
}

/* where a request goes; a host name falls back to the forced socket */
static int afb_request_to_af(sip_msg_t *msg)
{
	str host;
	int af;

	af = afb_dst_af(msg, &host);
	if(af == 0 && msg->force_send_socket)
		af = ds_ip_af(&msg->force_send_socket->address);
	if(af == 0)
		LM_DBG("family of destination [%s] unknown\n",
				ds_esc(host.s, host.len));
	return af;
}

/* where a reply goes without a transaction: the next Via */
static int afb_via_to_af(sip_msg_t *msg)
{
	struct via_body *v;

	if(parse_headers(msg, HDR_VIA2_F, 0) < 0 || msg->via2 == NULL) {
		LM_DBG("reply without a second Via\n");
		return 0;
	}
	v = msg->via2;
	if(v->received && v->received->value.len > 0)
		return afb_ip6.af(&v->received->value);
	return afb_ip6.af(&v->host);
}

static int afb_in_dialog(sip_msg_t *msg)
{
	return parse_headers(msg, HDR_TO_F, 0) == 0 && msg->to
		   && get_to(msg)->tag_value.len > 0;
}

static str *afb_callid(sip_msg_t *msg)
{
	static str none = str_init("(none)");

	if(parse_headers(msg, HDR_CALLID_F, 0) < 0 || msg->callid == NULL)
		return &none;
	return &msg->callid->body;
}

/* the escaped Call-ID of msg, for a log line */
static const char *afb_cid_esc(sip_msg_t *msg)
{
	str *cid = afb_callid(msg);

	return ds_esc(cid->s, cid->len);
}

/* the mark of the Route of ours that loose_route() processed; 0, or -1
 * when there is none. rr keeps the params of that Route only for the
 * message it processed (check_route_param() would test the same with a
 * regex, for nothing more) */
static int afb_route_mark(sip_msg_t *msg, str *val)
{
	val->s = NULL;
	val->len = 0;
	if(afb_rr.get_route_param(msg, &afb_mark_name, val) != 0)
		return -1;
	return 0;
}

/* an in-dialog request: what the mark its initial INVITE left in our
 * Record-Route says (enum ds_mark); DS_MARK_BAD when there is none (no
 * Route of ours, or one without the mark) or it is not one this proxy
 * made for this Call-ID; DS_MARK_LATE (the families decide) for initial
 * requests and without rr */
static int afb_dialog_mark(sip_msg_t *msg)
{
	str val, *cid;

	if(!afb_have_rr || !afb_in_dialog(msg))
		return DS_MARK_LATE;
	if(afb_route_mark(msg, &val) < 0)
		return DS_MARK_BAD;
	cid = afb_callid(msg);
	return ds_mark_check(afb_mark_key, cid->s, cid->len, val.s, val.len);
}

/* a request afb_decide() found forged: logged and counted */
static void afb_forged(sip_msg_t *msg)
{
	str val;

	counter_inc(afb_cnt.bad_marks);
	if(afb_route_mark(msg, &val) < 0) {
		LM_WARN("%.*s from %s:%d for call-id [%s] carries no dialog mark "
				"(forged, or its dialog was not Record-Routed by this proxy): "
				"the relay is left alone\n",
				msg->first_line.u.request.method.len,
				msg->first_line.u.request.method.s,
				ip_addr2a(&msg->rcv.src_ip), msg->rcv.src_port,
				afb_cid_esc(msg));
		return;
	}
	LM_WARN("%.*s from %s:%d for call-id [%s] carries the dialog mark [%s] "
			"that this proxy did not make (forged, or from before a restart "
			"without mark_secret): the relay is left alone\n",
			msg->first_line.u.request.method.len,
			msg->first_line.u.request.method.s, ip_addr2a(&msg->rcv.src_ip),
			msg->rcv.src_port, afb_cid_esc(msg), ds_esc(val.s, val.len));
}

/* an initial INVITE records whether its dialog is bridged, or, without
 * SDP, that the offer comes late (in the 200: the families of each request
 * then decide) */
static void afb_mark_dialog(sip_msg_t *msg, afb_facts_t *f, int bridged)
{
	char buf[sizeof(";afb=") + DS_MARK_LEN];
	str mark, *cid;
	enum ds_mark st;

	if(!afb_have_rr || f->route == AFB_RT_REPLY || f->route == AFB_RT_FAILURE
			|| f->method != AFB_M_INVITE || afb_in_dialog(msg))
		return;
	cid = afb_callid(msg);
	st = !f->has_sdp ? DS_MARK_LATE : (bridged ? DS_MARK_ON : DS_MARK_OFF);
	memcpy(buf, ";afb=", 5);
	mark.s = buf;
	mark.len = 5 + DS_MARK_LEN;
	if(ds_mark_make_as(afb_mark_key, st, cid->s, cid->len, buf + 5) < 0
			|| afb_rr.add_rr_param(msg, &mark) < 0)
		LM_WARN("cannot mark the dialog of call-id [%s]\n", afb_cid_esc(msg));
}

static struct cell *afb_trans(void)
{
	struct cell *t;

	if(!afb_have_tm)
		return NULL;
	t = afb_tm.t_gett();
	return (t == T_UNDEFINED) ? NULL : t;
}

int afb_facts(sip_msg_t *msg, afb_facts_t *f)
{
	struct cell *t = afb_trans();
	struct sip_msg *req;
	int b, sdp, req_sdp;

	memset(f, 0, sizeof(*f));
	f->req_had_sdp = 1;
	f->bridged = -1;
	f->from_af = ds_ip_af(&msg->rcv.src_ip);
	if(msg->first_line.type == SIP_REPLY) {
		f->route = AFB_RT_REPLY;
		f->status = msg->first_line.u.reply.statuscode;
		if(parse_headers(msg, HDR_CSEQ_F, 0) < 0 || msg->cseq == NULL) {
			LM_ERR("reply without a CSeq\n");
			return -1;
		}
		f->method = afb_method_of(get_cseq(msg)->method_id);
		req = t ? t->uas.request : NULL;
		if(req) {
			f->to_af = ds_ip_af(&req->rcv.src_ip);
			/* the shared clone's To was parsed before it was cloned */
			f->in_dialog = req->to && req->to->parsed
						   && get_to(req)->tag_value.len > 0;
			if(req->content_length) {
				req_sdp = afb_req_sdp_af(req);
				f->req_had_sdp = req_sdp != 0;
				/* the answer goes to the media family the offer had */
				if(afb_params.sdp_af && req_sdp)
					f->to_af = req_sdp;
			}
			f->failure_route = t->on_failure != 0;
		} else {
			f->to_af = afb_via_to_af(msg);
		}
	} else {
		f->method = afb_method_of(msg->first_line.u.request.method_value);
		if(is_route_type(FAILURE_ROUTE)) {
			/* msg is the request; the call failed towards the branch that
			 * was picked */
			f->route = AFB_RT_FAILURE;
			f->in_dialog = afb_in_dialog(msg);
			if(afb_params.sdp_af && t && t->uas.request
					&& t->uas.request->content_length
					&& (req_sdp = afb_req_sdp_af(t->uas.request)) != 0)
				f->from_af = req_sdp;
			b = t ? afb_tm.t_get_picked_branch() : -1;
			f->to_af = (b >= 0) ? ds_su_af(&t->uac[b].request.dst.to)
								: afb_request_to_af(msg);
			return 0;
		}
		f->route =
				is_route_type(BRANCH_ROUTE) ? AFB_RT_BRANCH : AFB_RT_REQUEST;
		f->in_dialog = afb_in_dialog(msg);
		f->to_af = afb_request_to_af(msg);
		f->bridged = afb_dialog_mark(msg);
	}
	sdp = afb_sdp_af(msg, &f->has_sdp);
	if(afb_params.sdp_af && sdp)
		f->from_af = sdp;
	return 0;
}

/* the relay flags of this message: where it goes and the extra flags.
 * rtpproxy: the e/i direction pair itself. rtpengine (ng): the family the
 * recipient of the rewritten SDP gets ("address family"), from the one
 * logical interface that holds an address of each family; rtpengine
 * remembers each party's family from its SDP, and an answer names its
 * recipient's family too. */
static int afb_relay_flags(
		const char *dir, str *extra, char *buf, int size, str *out)
{
	str *e1 = &afb_params.extra_flags;
	int n;

	if(afb_backend == AFB_RTPENGINE) {
		n = snprintf(buf, size, "address-family=%s %.*s %.*s",
				dir[1] == afb_side6 ? "IP6" : "IP4", e1->len, e1->s,
				extra ? extra->len : 0, extra ? extra->s : "");
	} else {
		n = snprintf(buf, size, "%s%.*s%.*s", dir, e1->len, e1->s,
				extra ? extra->len : 0, extra ? extra->s : "");
	}
	if(n < 0 || n >= size) {
		LM_ERR("relay flags too long\n");
		return -1;
	}
	out->s = buf;
	out->len = n;
	return 0;
}

/* family an address of an SDP is written in, for afb_sdp_check() */
static int afb_text_af(const char *s, int len)
{
	ip6r_addr_t a;

	return afb_sdp_addr(s, len, &a) < 0 ? 0 : a.af;
}

/* an application/sdp body that parse_sdp() refused (afb_facts() said no
 * SDP); *line is what to show of it */
static int afb_sdp_unparsable(sip_msg_t *msg, str *line)
{
	ds_sdp_line_t l, first;
	str body;
	int pos = 0;

	if(parse_content_type_hdr(msg) != ((TYPE_APPLICATION << 16) | SUBTYPE_SDP))
		return 0;
	if(!ds_msg_body(msg, &body) || body.len <= 0
			|| !ds_sdp_next_line(body.s, body.len, &pos, &first))
		return 0;
	/* the first connection line (one that does not end the body), else
	 * the first line */
	l = first;
	while(!(l.off < body.len - 2 && l.len >= 2 && memcmp(l.s, "c=", 2) == 0))
		if(!ds_sdp_next_line(body.s, body.len, &pos, &l)) {
			l = first;
			break;
		}
	line->s = (char *)l.s;
	line->len = l.len;
	return 1;
}

/* the SDP of a message that would go to the relay is fit for it: -3 (and,
 * with report, a warning naming the call, the source and the offending
 * line) when not */
static int afb_sdp_refuse(
		sip_msg_t *msg, afb_facts_t *f, afb_decision_t *d, int report)
{
	afb_facts_t g;
	afb_decision_t e;
	enum afb_sdp_problem p;
	const char *why;
	str line, body;

	if(f->has_sdp) {
		if(d->action != AFB_OFFER && d->action != AFB_ANSWER)
			return 0;
		if(!ds_msg_body(msg, &body))
			return 0;
		p = afb_sdp_check(body.s, body.len, afb_params.max_streams,
				afb_text_af, (const char **)&line.s, &line.len);
		if(p == AFB_SDP_OK)
			return 0;
		why = afb_sdp_problem_name(p);
	} else {
		/* would it have gone to the relay with a readable SDP? */
		g = *f;
		g.has_sdp = 1;
		afb_decide(&g, afb_side6, &e);
		if((e.action != AFB_OFFER && e.action != AFB_ANSWER)
				|| !afb_sdp_unparsable(msg, &line))
			return 0;
		why = "SDP that does not parse";
	}
	if(!report)
		return -3;
	if(line.len > 80)
		line.len = 80;
	LM_WARN("%.*s %s of call-id [%s] from %s:%d: %s [%s]: relay not "
			"engaged\n",
			msg->first_line.type == SIP_REPLY ? 5 : msg->first_line.u.request.method.len,
			msg->first_line.type == SIP_REPLY ? "reply" : msg->first_line.u.request.method.s,
			afb_action_name(f->has_sdp ? d->action : e.action),
			afb_cid_esc(msg), ip_addr2a(&msg->rcv.src_ip),
			msg->rcv.src_port, why, ds_esc(line.s, line.len));
	counter_inc(afb_cnt.bad_sdp);
	return -3;
}

/* sdp_unmap: every "c=IN IP6 ::ffff:a.b.c.d" of the SDP of msg, which
 * the relay does not rewrite, becomes "c=IN IP4 a.b.c.d" (RFC 3266 5: the
 * address of an IPv4 node), so that an IPv4-only party can use it.
 * Returns the number of lines rewritten, -1 on error. */
static int afb_sdp_unmap(sip_msg_t *msg)
{
	afb_conn6_t c;
	ip6r_addr_t a;
	struct lump *l;
	char txt[IP6R_TEXT_MAX + 4], *s;
	str body;
	int pos = 0, n = 0, k;

	if(!ds_msg_body(msg, &body))
		return 0;
	while(afb_sdp_next_conn6(body.s, body.len, &pos, &c) == 1) {
		if(afb_sdp_addr(body.s + c.addr_off, c.addr_len, &a) < 0
				|| afb_ip6.reach_af(&a) != 4)
			continue;
		/* an IPv4 address is written as a dotted quad */
		a.af = 4;
		memcpy(txt, "IP4 ", 4);
		k = afb_ip6.format(&a, IP6R_BARE, txt + 4, sizeof(txt) - 4);
		if(k < 0)
			return -1;
		k += 4;
		l = del_lump(msg, (int)(body.s + c.type_off - msg->buf),
				c.addr_off + c.addr_len - c.type_off, 0);
		if(l == NULL)
			return -1;
		s = pkg_malloc(k);
		if(s == NULL) {
			PKG_MEM_ERROR;
			return -1;
		}
		memcpy(s, txt, k);
		if(insert_new_lump_after(l, s, k, 0) == NULL) {
			pkg_free(s);
			return -1;
		}
		n++;
	}
	return n;
}

int afb_bridge(sip_msg_t *msg, str *extra)
{
	afb_facts_t f;
	afb_decision_t d;
	char buf[512];
	str flags = STR_NULL;
	int ret;

	if(afb_facts(msg, &f) < 0)
		return -2;
	ret = afb_decide(&f, afb_side6, &d);
	if(d.forged) {
		afb_forged(msg);
		return -4;
	}
	/* a script may relay what the relay did not get: its dialog is then
	 * one of ours that is not bridged */
	if(afb_sdp_refuse(msg, &f, &d, 1) < 0) {
		afb_mark_dialog(msg, &f, 0);
		return -3;
	}
	if(ret < 0) {
		LM_DBG("nothing to do (IPv%d -> IPv%d, sdp %d)\n", f.from_af,
				f.to_af, f.has_sdp);
		if(afb_params.sdp_unmap && f.has_sdp && afb_sdp_unmap(msg) < 0)
			LM_ERR("cannot rewrite the IPv4-mapped connection lines of "
				   "call-id [%s]\n",
					afb_cid_esc(msg));
		afb_mark_dialog(msg, &f, 0);
		return -1;
	}
	/* a delete names the call, not a direction */
	if(d.action != AFB_DELETE
			&& afb_relay_flags(d.dir, extra, buf, sizeof(buf), &flags) < 0)
		return -2;
	LM_DBG("%s %s [%.*s] call-id [%s]\n", afb_action_name(d.action),
			d.dir, flags.len, flags.s ? flags.s : "", afb_cid_esc(msg));
	ret = afb_relay_fn[d.action](msg, &flags);
	if(ret < 0) {
		counter_inc(afb_cnt.relay_errors);
		LM_ERR("relay %s (%s, IPv%d -> IPv%d) failed with %d for call-id "
			   "[%s]\n",
				afb_action_name(d.action), afb_backends[afb_backend].module,
				f.from_af, f.to_af, ret, afb_cid_esc(msg));
		/* the relay may hold what it allocated before failing (the ports
		 * of the first streams): no transaction will delete it. A failed
		 * re-offer leaves the call with the media it had. */
		if(d.action == AFB_OFFER && !f.in_dialog
				&& afb_relay_fn[AFB_DELETE](msg, &flags) < 0)
			LM_ERR("relay delete after the failed offer failed too for "
				   "call-id [%s]\n",
					afb_cid_esc(msg));
		afb_mark_dialog(msg, &f, 0);
		return -2;
	}
	afb_mark_dialog(msg, &f, 1);
	if(d.action == AFB_DELETE)
		counter_inc(afb_cnt.deletes);
	else if(f.from_af == 6)
		counter_inc(afb_cnt.v6_to_v4);
	else
		counter_inc(afb_cnt.v4_to_v6);
	return 1;
}

int afb_unbridge(sip_msg_t *msg)
{
	afb_facts_t f;
	afb_decision_t d;
	str flags = STR_NULL;
	int ret;

	if(msg->first_line.type != SIP_REQUEST || !is_route_type(REQUEST_ROUTE)) {
		LM_ERR("af_unbridge() works on requests in request_route (in "
			   "failure_route af_bridge() deletes a failed call)\n");
		return -2;
	}
	if(afb_facts(msg, &f) < 0)
		return -2;
	/* only what af_bridge() offered for this initial request: a re-INVITE
	 * that goes nowhere leaves the call with the media it had */
	if(f.in_dialog)
		return -1;
	if(afb_decide(&f, afb_side6, &d) < 0 || d.action != AFB_OFFER
			|| afb_sdp_refuse(msg, &f, &d, 0) < 0)
		return -1;
	ret = afb_relay_fn[AFB_DELETE](msg, &flags);
	if(ret < 0) {
		counter_inc(afb_cnt.relay_errors);
		LM_ERR("relay delete (%s) failed with %d for call-id [%s]\n",
				afb_backends[afb_backend].module, ret, afb_cid_esc(msg));
		return -2;
	}
	counter_inc(afb_cnt.deletes);
	LM_DBG("deleted the offer of call-id [%s]\n", afb_cid_esc(msg));
	return 1;
}

int afb_flags(sip_msg_t *msg, char dir[3])
{
	afb_facts_t f;

	if(afb_facts(msg, &f) < 0) {
		dir[0] = '\0';
		return -1;
	}
	afb_direction(f.from_af, f.to_af, afb_side6, dir);
	return dir[0] ? 1 : -1;
}

int afb_crossing(sip_msg_t *msg)
{
	afb_facts_t f;
	afb_decision_t d;

	if(afb_facts(msg, &f) < 0)
		return -1;
	afb_decide(&f, afb_side6, &d);
	return d.crossing ? 1 : -1;
}

int afb_set_socket(sip_msg_t *msg)
{
	struct socket_info **list, *si, *pref;
	struct sip_uri u;
	ip6r_addr_t a;
	str host;
	int af, proto;

	if(msg->first_line.type != SIP_REQUEST) {
		LM_ERR("af_set_socket() works on requests\n");
		return -1;
	}
	af = afb_dst_af(msg, &host);
	if(af == 0) {
		LM_ERR("destination [%s] is not an IP address: cannot choose a "
			   "socket family\n",
				ds_esc(host.s, host.len));
		return -1;
	}
	/* the core sends to the address as written: an IPv4-mapped one as
	 * IPv6, which it does from an IPv6 socket (a forced IPv4 one is
	 * dropped as "of different af"), and that reaches no IPv4 node */
	if(afb_ip6.parse(host.s, host.len, &a) == 0 && a.af == 6
			&& afb_ip6.reach_af(&a) == 4) {
		LM_ERR("destination [%s] is IPv4-mapped: the core would send to it "
			   "as IPv6, from no socket that reaches it - set $du to its "
			   "IPv4 address\n",
				ds_esc(host.s, host.len));
		return -1;
	}
	proto = msg->rcv.proto;
	if(msg->dst_uri.len > 0
			&& parse_uri(msg->dst_uri.s, msg->dst_uri.len, &u) == 0) {
		if(u.proto != PROTO_NONE)
			proto = u.proto;
	} else if(msg->parsed_uri_ok && msg->parsed_uri.proto != PROTO_NONE) {
		proto = msg->parsed_uri.proto;
	}
	/* a socket of this family and transport chosen before stays:
	 * loose_route() forces the one of a double Record-Route (the leg's
	 * own address), the script may have forced one */
	si = msg->force_send_socket;
	if(si && si->proto == proto && ds_ip_af(&si->address) == af
			&& si->address.af == (af == 6 ? AF_INET6 : AF_INET)) {
		LM_DBG("sending to [%s] from %.*s (chosen before)\n",
				ds_esc(host.s, host.len), si->sock_str.len, si->sock_str.s);
		return 1;
	}
	pref = afb_pref_sock[af == 6];
	si = (pref && pref->proto == proto) ? pref : NULL;
	if(si == NULL && (list = get_sock_info_list(proto)) != NULL) {
		for(si = *list; si; si = si->next) {
			if(ds_ip_af(&si->address) == af
					&& si->address.af == (af == 6 ? AF_INET6 : AF_INET))
				break;
		}
	}
	if(si == NULL) {
		LM_ERR("no %s listening socket of IPv%d to send to [%s]\n",
				get_proto_name(proto), af, ds_esc(host.s, host.len));
		return -1;
	}
	LM_DBG("sending to [%s] from %.*s\n", ds_esc(host.s, host.len),
			si->sock_str.len, si->sock_str.s);
	set_force_socket(msg, si);
	return 1;
}
