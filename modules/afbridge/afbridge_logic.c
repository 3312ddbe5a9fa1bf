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
 * \brief afbridge :: the decision, in plain C (no Kamailio headers)
 */

#include <string.h>

#include "ds_sdp.h"

#include "afbridge_logic.h"

static char side_of(int af, char ipv6_side)
{
	if(af == 6)
		return ipv6_side;
	return ipv6_side == 'e' ? 'i' : 'e';
}

void afb_direction(int from_af, int to_af, char ipv6_side, char dir[3])
{
	if((from_af != 4 && from_af != 6) || (to_af != 4 && to_af != 6)) {
		dir[0] = '\0';
		return;
	}
	dir[0] = side_of(from_af, ipv6_side);
	dir[1] = side_of(to_af, ipv6_side);
	dir[2] = '\0';
}

/* SDP in a request: INVITE/UPDATE offer, ACK/PRACK answer a late offer.
 * A CANCEL deletes nothing: its INVITE fails with 487 (deleted then), or
 * a 200 won the race and the call is up. */
static enum afb_action request_action(const afb_facts_t *f)
{
	switch(f->method) {
		case AFB_M_INVITE:
		case AFB_M_UPDATE:
			return f->has_sdp ? AFB_OFFER : AFB_NONE;
		case AFB_M_ACK:
		case AFB_M_PRACK:
			return f->has_sdp ? AFB_ANSWER : AFB_NONE;
		case AFB_M_BYE:
			return AFB_DELETE;
		default:
			return AFB_NONE;
	}
}

static enum afb_action reply_action(const afb_facts_t *f)
{
	if(f->method != AFB_M_INVITE && f->method != AFB_M_UPDATE
			&& f->method != AFB_M_PRACK)
		return AFB_NONE;
	if(f->status > 100 && f->status < 300) {
		if(!f->has_sdp)
			return AFB_NONE;
		/* SDP in a reply to a request without: the late offer */
		return f->req_had_sdp ? AFB_ANSWER : AFB_OFFER;
	}
	/* a failed initial INVITE frees the session, in failure_route if there
	 * is one (it may still route the call elsewhere); a failed re-INVITE
	 * (488, 491 on glare, 408 of a session refresh) leaves the call with
	 * the media it had */
	if(f->status >= 300 && f->method == AFB_M_INVITE && !f->failure_route
			&& !f->in_dialog)
		return AFB_DELETE;
	return AFB_NONE;
}

/* a request of an INVITE dialog that engages the relay itself (a BYE, an
 * offer or answer) or may in its reply (a re-INVITE, UPDATE or PRACK
 * without SDP gets the offer back) */
static int may_engage(const afb_facts_t *f)
{
	switch(f->method) {
		case AFB_M_INVITE:
		case AFB_M_UPDATE:
		case AFB_M_PRACK:
		case AFB_M_BYE:
			return 1;
		case AFB_M_ACK:
			return f->has_sdp;
		default:
			return 0;
	}
}

int afb_decide(const afb_facts_t *f, char ipv6_side, afb_decision_t *d)
{
	enum afb_action a;

	afb_direction(f->from_af, f->to_af, ipv6_side, d->dir);
	d->crossing = d->dir[0] != '\0' && f->from_af != f->to_af;
	d->forged = 0;
	/* every INVITE dialog this proxy Record-Routes carries a mark: a
	 * request of one without a valid mark leaves the relay alone */
	if(f->bridged == DS_MARK_BAD
			&& (f->route == AFB_RT_REQUEST || f->route == AFB_RT_BRANCH)
			&& may_engage(f)) {
		d->forged = 1;
		d->action = AFB_NONE;
		return -1;
	}
	switch(f->route) {
		case AFB_RT_REQUEST:
		case AFB_RT_BRANCH:
			a = request_action(f);
			break;
		case AFB_RT_REPLY:
			a = reply_action(f);
			break;
		case AFB_RT_FAILURE:
			a = (f->method == AFB_M_INVITE && !f->in_dialog) ? AFB_DELETE
															  : AFB_NONE;
			break;
		default:
			a = AFB_NONE;
			break;
	}
	/* the dialog's mark tells what the families of a BYE may not: with
	 * sdp_af an IPv6-signalled call can have unbridged IPv4 media, and the
	 * media of a call between two IPv4 transports can be bridged */
	if(a == AFB_DELETE && f->route != AFB_RT_FAILURE && f->route != AFB_RT_REPLY
			&& f->bridged != DS_MARK_LATE)
		d->action = f->bridged == DS_MARK_ON ? a : AFB_NONE;
	else
		d->action = d->crossing ? a : AFB_NONE;
	return d->action != AFB_NONE ? 1 : -1;
}

int afb_sdp_text_af(const char *body, int len, afb_addr_af_f reach_af)
{
	ds_sdp_line_t l;
	const char *addr;
	int pos = 0, alen;

	while(ds_sdp_next_line(body, len, &pos, &l)) {
		/* the family digit is read even without the blank after it */
		if(l.len <= 7 || memcmp(l.s, "c=IN IP", 7) != 0)
			continue;
		if(l.s[7] == '4')
			return 4;
		if(l.s[7] == '6') {
			if(reach_af && ds_sdp_conn(&l, &addr, &alen) == 6 && alen > 0
					&& reach_af(addr, alen) == 4)
				return 4;
			return 6;
		}
	}
	return 0;
}

int afb_sdp_next_conn6(const char *body, int len, int *pos, afb_conn6_t *c)
{
	ds_sdp_line_t l;
	const char *addr;
	int alen;

	if(body == NULL || *pos < 0 || *pos >= len)
		return 0;
	while(ds_sdp_next_line(body, len, pos, &l)) {
		if(ds_sdp_conn(&l, &addr, &alen) == 6 && alen > 0) {
			c->type_off = l.off + 5; /* "c=IN " */
			c->addr_off = (int)(addr - body);
			c->addr_len = alen;
			return 1;
		}
	}
	return 0;
}

enum afb_sdp_problem afb_sdp_check(const char *body, int len,
		int max_streams, afb_addr_af_f addr_af, const char **line,
		int *line_len)
{
	ds_sdp_line_t l;
	const char *addr;
	int streams = 0, pos = 0, af, alen;

	if(body == NULL || len <= 0)
		return AFB_SDP_OK;
	while(ds_sdp_next_line(body, len, &pos, &l)) {
		*line = l.s;
		*line_len = l.len;
		if(l.len >= 2 && l.s[0] == 'c' && l.s[1] == '=') {
			af = ds_sdp_conn(&l, &addr, &alen);
			if(af == 0 || alen == 0 || addr_af(addr, alen) != af)
				return AFB_SDP_BAD_CONN;
		}
		if(l.len >= 2 && l.s[0] == 'm' && l.s[1] == '=' && max_streams > 0
				&& ++streams > max_streams)
			return AFB_SDP_TOO_MANY;
	}
	return AFB_SDP_OK;
}

const char *afb_sdp_problem_name(enum afb_sdp_problem p)
{
	switch(p) {
		case AFB_SDP_BAD_CONN:
			return "connection line without an address of its family";
		case AFB_SDP_TOO_MANY:
			return "more media streams than max_streams";
		default:
			return "none";
	}
}

const char *afb_action_name(enum afb_action a)
{
	static const char *names[] = {"none", "offer", "answer", "delete"};

	return (a >= AFB_NONE && a <= AFB_DELETE) ? names[a] : "none";
}
