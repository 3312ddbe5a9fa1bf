/*
 * afbridge - unit tests for the relay decision
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
 * \brief afbridge :: check suite for afbridge_logic.c
 *
 * Table driven: every row is its own loop check, so a failure names its
 * input. The decision table lists what a message asks of the relay when
 * it crosses families; each row runs with every pair of families (the
 * failure names the pair), and only a crossing pair engages the relay. Output buffers are
 * heap blocks of exactly their size, poisoned, so that the ASan build
 * catches a write past them and a test catches a field left unset.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <check.h>
#include <arpa/inet.h>

#include "unit.h"

#include "afbridge/afbridge_logic.h"

#define N_ROWS(t) ((int)(sizeof(t) / sizeof((t)[0])))

static const char *route_name(enum afb_route r)
{
	switch(r) {
		case AFB_RT_REQUEST:
			return "request";
		case AFB_RT_BRANCH:
			return "branch";
		case AFB_RT_REPLY:
			return "reply";
		case AFB_RT_FAILURE:
			return "failure";
	}
	return "route?";
}

static const char *method_name(enum afb_method m)
{
	switch(m) {
		case AFB_M_OTHER:
			return "OTHER";
		case AFB_M_INVITE:
			return "INVITE";
		case AFB_M_ACK:
			return "ACK";
		case AFB_M_BYE:
			return "BYE";
		case AFB_M_CANCEL:
			return "CANCEL";
		case AFB_M_UPDATE:
			return "UPDATE";
		case AFB_M_PRACK:
			return "PRACK";
	}
	return "method?";
}

/* the test's own names, not afb_action_name(): that one is under test */
static const char *action_str(enum afb_action a)
{
	switch(a) {
		case AFB_NONE:
			return "NONE";
		case AFB_OFFER:
			return "OFFER";
		case AFB_ANSWER:
			return "ANSWER";
		case AFB_DELETE:
			return "DELETE";
	}
	return "action?";
}

/* printable facts for failure messages; two slots so that a message can
 * show two of them */
static const char *show(const afb_facts_t *f, char side)
{
	static char out[2][160];
	static int slot;
	char *o = out[slot ^= 1];

	snprintf(o, sizeof(out[0]),
			"%s %s status %d sdp %d req_sdp %d fr %d dlg %d af %d->%d side %c",
			route_name(f->route), method_name(f->method), f->status,
			f->has_sdp, f->req_had_sdp, f->failure_route, f->in_dialog,
			f->from_af,
			f->to_af, side);
	return o;
}

/* exact-size heap block, poisoned: a write past size is an ASan error,
 * a byte left unwritten stays 'X' */
static void *alloc_poisoned(size_t size)
{
	void *d = malloc(size);

	ck_assert_ptr_nonnull(d);
	memset(d, 'X', size);
	return d;
}

/* ------------------------------------------------------------------ */
/* 1. afb_direction */

struct dir_row
{
	int from_af;
	int to_af;
	char side; /* the relay side facing IPv6 */
	const char *dir;
};

static const struct dir_row dirs[] = {
		/* IPv6 on the external side */
		{6, 4, 'e', "ei"},
		{4, 6, 'e', "ie"},
		{6, 6, 'e', "ee"},
		{4, 4, 'e', "ii"},
		/* IPv6 on the internal side: mirrored */
		{6, 4, 'i', "ie"},
		{4, 6, 'i', "ei"},
		{6, 6, 'i', "ii"},
		{4, 4, 'i', "ee"},
		/* a family unknown (0) */
		{0, 4, 'e', ""},
		{4, 0, 'e', ""},
		{0, 6, 'e', ""},
		{6, 0, 'e', ""},
		{0, 0, 'e', ""},
		{0, 4, 'i', ""},
		{4, 0, 'i', ""},
		{0, 6, 'i', ""},
		{6, 0, 'i', ""},
		{0, 0, 'i', ""},
		/* any other int is unknown, the socket constants included */
		{2, 10, 'e', ""},  /* AF_INET -> AF_INET6 */
		{10, 2, 'i', ""},  /* AF_INET6 -> AF_INET */
		{10, 4, 'e', ""},
		{6, 2, 'e', ""},
		{5, 4, 'e', ""},
		{4, 5, 'i', ""},
		{6, 7, 'e', ""},
		{46, 64, 'e', ""},
		{-4, 6, 'e', ""},
		{6, -6, 'i', ""},
		{-1, -1, 'e', ""},
		{1, 1, 'e', ""},
};

START_TEST(test_direction)
{
	const struct dir_row *r = &dirs[_i];
	char *dir = alloc_poisoned(3);

	afb_direction(r->from_af, r->to_af, r->side, dir);
	ck_assert_msg(memchr(dir, '\0', 3) != NULL,
			"afb_direction(%d, %d, '%c'): no NUL in dir[3]", r->from_af,
			r->to_af, r->side);
	ck_assert_msg(strcmp(dir, r->dir) == 0,
			"afb_direction(%d, %d, '%c') = \"%s\", want \"%s\"", r->from_af,
			r->to_af, r->side, dir, r->dir);
	free(dir);
}
END_TEST

/* ------------------------------------------------------------------ */
/* 2. afb_decide: the decision table */

/* pairs of families every decision row runs with */
struct fam_row
{
	int from_af;
	int to_af;
	char side;
	const char *dir; /* expected d->dir */
	int crossing;	 /* expected d->crossing */
};

static const struct fam_row fams[] = {
		/* crossing */
		{6, 4, 'e', "ei", 1},
		{4, 6, 'e', "ie", 1},
		{6, 4, 'i', "ie", 1},
		{4, 6, 'i', "ei", 1},
		/* same family: direction filled, relay not engaged */
		{4, 4, 'e', "ii", 0},
		{6, 6, 'e', "ee", 0},
		{4, 4, 'i', "ee", 0},
		{6, 6, 'i', "ii", 0},
		/* a family unknown */
		{0, 4, 'e', "", 0},
		{6, 0, 'i', "", 0},
		{0, 0, 'e', "", 0},
		{10, 2, 'e', "", 0},
		{5, 6, 'i', "", 0},
};

/* what a message asks of the relay when it crosses families */
struct decide_row
{
	enum afb_route route;
	enum afb_method method;
	int status;
	int has_sdp;
	int req_had_sdp;
	int failure_route;
	enum afb_action action;
	int in_dialog;
};

#define RQ(m, sdp, a) {AFB_RT_REQUEST, AFB_M_##m, 0, sdp, 0, 0, AFB_##a, 0}
#define BR(m, sdp, a) {AFB_RT_BRANCH, AFB_M_##m, 0, sdp, 0, 0, AFB_##a, 0}
#define RP(m, st, sdp, rsdp, fr, a) \
	{AFB_RT_REPLY, AFB_M_##m, st, sdp, rsdp, fr, AFB_##a, 0}
#define FL(m, st, sdp, fr, a) \
	{AFB_RT_FAILURE, AFB_M_##m, st, sdp, 1, fr, AFB_##a, 0}
/* within a dialog (a re-INVITE, its replies) */
#define DRQ(m, sdp, a) {AFB_RT_REQUEST, AFB_M_##m, 0, sdp, 0, 0, AFB_##a, 1}
#define DRP(m, st, sdp, rsdp, fr, a) \
	{AFB_RT_REPLY, AFB_M_##m, st, sdp, rsdp, fr, AFB_##a, 1}
#define DFL(m, st, sdp, fr, a) \
	{AFB_RT_FAILURE, AFB_M_##m, st, sdp, 1, fr, AFB_##a, 1}

static const struct decide_row decide[] = {
		/* request_route: an offer in INVITE/UPDATE, an answer in ACK/PRACK
		 * (to a late offer), BYE ends the session; a CANCEL leaves it to
		 * the failure of its INVITE (a 487, or a 200 that won the race) */
		RQ(INVITE, 1, OFFER),
		RQ(INVITE, 0, NONE), /* late offer: the 200 carries it */
		RQ(UPDATE, 1, OFFER),
		RQ(UPDATE, 0, NONE),
		RQ(ACK, 1, ANSWER),
		RQ(ACK, 0, NONE),
		RQ(PRACK, 1, ANSWER),
		RQ(PRACK, 0, NONE),
		RQ(BYE, 0, DELETE),
		RQ(BYE, 1, DELETE),
		RQ(CANCEL, 0, NONE),
		RQ(CANCEL, 1, NONE),
		RQ(OTHER, 0, NONE), /* OPTIONS, MESSAGE, ... */
		RQ(OTHER, 1, NONE),
		/* branch_route: the same, per branch */
		BR(INVITE, 1, OFFER),
		BR(INVITE, 0, NONE),
		BR(UPDATE, 1, OFFER),
		BR(UPDATE, 0, NONE),
		BR(ACK, 1, ANSWER),
		BR(ACK, 0, NONE),
		BR(PRACK, 1, ANSWER),
		BR(PRACK, 0, NONE),
		BR(BYE, 0, DELETE),
		BR(BYE, 1, DELETE),
		BR(CANCEL, 0, NONE),
		BR(CANCEL, 1, NONE),
		BR(OTHER, 0, NONE),
		BR(OTHER, 1, NONE),
		/* a request ignores the reply-only facts */
		{AFB_RT_REQUEST, AFB_M_INVITE, 0, 1, 1, 1, AFB_OFFER, 0},
		{AFB_RT_REQUEST, AFB_M_INVITE, 0, 0, 1, 1, AFB_NONE, 0},
		{AFB_RT_REQUEST, AFB_M_ACK, 0, 1, 1, 1, AFB_ANSWER, 0},
		{AFB_RT_REQUEST, AFB_M_BYE, 0, 0, 1, 1, AFB_DELETE, 0},
		{AFB_RT_BRANCH, AFB_M_UPDATE, 0, 1, 1, 1, AFB_OFFER, 0},
		{AFB_RT_BRANCH, AFB_M_CANCEL, 0, 0, 1, 1, AFB_NONE, 0},
		/* onreply_route, INVITE: SDP in 101..299 answers the offer of the
		 * request, or is the offer when the request had none */
		RP(INVITE, 100, 0, 1, 0, NONE),
		RP(INVITE, 100, 1, 1, 0, NONE), /* 100 Trying never counts */
		RP(INVITE, 100, 1, 0, 0, NONE),
		RP(INVITE, 101, 1, 1, 0, ANSWER),
		RP(INVITE, 180, 0, 1, 0, NONE),
		RP(INVITE, 180, 1, 1, 0, ANSWER),
		RP(INVITE, 183, 1, 1, 0, ANSWER),
		RP(INVITE, 183, 1, 0, 0, OFFER),
		RP(INVITE, 183, 0, 1, 0, NONE),
		RP(INVITE, 183, 0, 0, 0, NONE),
		RP(INVITE, 199, 1, 1, 0, ANSWER),
		RP(INVITE, 200, 1, 1, 0, ANSWER),
		RP(INVITE, 200, 1, 0, 0, OFFER), /* late offer */
		RP(INVITE, 200, 0, 1, 0, NONE),
		RP(INVITE, 200, 0, 0, 0, NONE),
		RP(INVITE, 200, 1, 1, 1, ANSWER), /* failure_route is for failures */
		RP(INVITE, 200, 1, 0, 1, OFFER),
		RP(INVITE, 202, 1, 1, 0, ANSWER),
		RP(INVITE, 299, 1, 1, 0, ANSWER),
		RP(INVITE, 299, 1, 0, 0, OFFER),
		/* INVITE failed: delete here unless a failure_route will */
		RP(INVITE, 300, 0, 1, 0, DELETE),
		RP(INVITE, 300, 0, 1, 1, NONE),
		RP(INVITE, 302, 0, 1, 0, DELETE),
		RP(INVITE, 302, 0, 1, 1, NONE),
		RP(INVITE, 404, 0, 1, 0, DELETE),
		RP(INVITE, 404, 0, 0, 0, DELETE),
		RP(INVITE, 404, 0, 1, 1, NONE),
		RP(INVITE, 408, 0, 1, 0, DELETE),
		RP(INVITE, 486, 0, 1, 0, DELETE),
		RP(INVITE, 486, 0, 1, 1, NONE),
		RP(INVITE, 487, 0, 1, 0, DELETE),
		RP(INVITE, 487, 0, 1, 1, NONE),
		RP(INVITE, 488, 1, 1, 0, DELETE), /* SDP in a failure changes nothing */
		RP(INVITE, 488, 1, 1, 1, NONE),
		RP(INVITE, 500, 0, 1, 0, DELETE),
		RP(INVITE, 503, 0, 0, 1, NONE),
		RP(INVITE, 603, 0, 1, 0, DELETE),
		RP(INVITE, 603, 0, 1, 1, NONE),
		RP(INVITE, 699, 0, 1, 0, DELETE),
		/* UPDATE and PRACK replies: answer or late offer; no delete on
		 * failure, the dialog lives on */
		RP(UPDATE, 100, 1, 1, 0, NONE),
		RP(UPDATE, 200, 1, 1, 0, ANSWER),
		RP(UPDATE, 200, 1, 0, 0, OFFER),
		RP(UPDATE, 200, 0, 1, 0, NONE),
		RP(UPDATE, 200, 0, 0, 0, NONE),
		RP(UPDATE, 491, 0, 1, 0, NONE),
		RP(UPDATE, 488, 1, 1, 0, NONE),
		RP(UPDATE, 500, 0, 1, 1, NONE),
		RP(PRACK, 200, 1, 1, 0, ANSWER),
		RP(PRACK, 200, 1, 0, 0, OFFER),
		RP(PRACK, 200, 0, 1, 0, NONE),
		RP(PRACK, 200, 0, 0, 0, NONE),
		RP(PRACK, 481, 0, 1, 0, NONE),
		RP(PRACK, 481, 0, 1, 1, NONE),
		/* replies to BYE, CANCEL, OPTIONS: nothing, SDP or not */
		RP(BYE, 200, 0, 0, 0, NONE),
		RP(BYE, 200, 1, 0, 0, NONE),
		RP(BYE, 481, 0, 0, 0, NONE),
		RP(BYE, 500, 0, 0, 1, NONE),
		RP(CANCEL, 200, 0, 0, 0, NONE),
		RP(CANCEL, 200, 1, 1, 0, NONE),
		RP(CANCEL, 481, 0, 0, 0, NONE),
		RP(OTHER, 200, 1, 0, 0, NONE), /* 200 to OPTIONS may carry SDP */
		RP(OTHER, 200, 1, 1, 0, NONE),
		RP(OTHER, 200, 0, 0, 0, NONE),
		RP(OTHER, 404, 0, 0, 0, NONE),
		RP(OTHER, 404, 0, 0, 1, NONE),
		RP(ACK, 200, 1, 1, 0, NONE), /* no such reply; still nothing */
		/* failure_route: a failed INVITE frees the session */
		FL(INVITE, 487, 0, 1, DELETE),
		FL(INVITE, 408, 0, 1, DELETE),
		FL(INVITE, 486, 0, 1, DELETE),
		FL(INVITE, 488, 1, 1, DELETE),
		FL(INVITE, 503, 0, 0, DELETE),
		FL(INVITE, 603, 1, 0, DELETE),
		FL(UPDATE, 408, 0, 1, NONE),
		FL(PRACK, 408, 0, 1, NONE),
		FL(BYE, 408, 0, 1, NONE),
		FL(CANCEL, 408, 0, 1, NONE),
		FL(ACK, 408, 0, 1, NONE),
		FL(OTHER, 408, 0, 1, NONE),
		FL(OTHER, 404, 1, 0, NONE),
		/* a re-INVITE is offered and answered as the initial INVITE was */
		DRQ(INVITE, 1, OFFER),
		DRQ(INVITE, 0, NONE),
		DRQ(ACK, 1, ANSWER),
		DRQ(BYE, 0, DELETE),
		DRP(INVITE, 200, 1, 1, 0, ANSWER),
		DRP(INVITE, 200, 1, 0, 1, OFFER),
		DRP(INVITE, 183, 1, 1, 0, ANSWER),
		/* but its failure keeps the call's media: 488 refused, 491 glare,
		 * 408 session refresh unanswered, 500, 603; with or without a
		 * failure_route */
		DRP(INVITE, 488, 1, 1, 0, NONE),
		DRP(INVITE, 491, 0, 1, 0, NONE),
		DRP(INVITE, 408, 0, 1, 0, NONE),
		DRP(INVITE, 500, 0, 1, 1, NONE),
		DRP(INVITE, 603, 0, 0, 0, NONE),
		DFL(INVITE, 488, 0, 1, NONE),
		DFL(INVITE, 491, 0, 1, NONE),
		DFL(INVITE, 408, 0, 1, NONE),
		DFL(INVITE, 487, 0, 0, NONE),
		/* UPDATE failures never deleted */
		DRP(UPDATE, 491, 0, 1, 0, NONE),
		DFL(UPDATE, 408, 0, 1, NONE),
};

/* one check per row, run with every pair of families */
START_TEST(test_decide)
{
	const struct decide_row *r = &decide[_i];
	const struct fam_row *fm;
	afb_facts_t f, copy;
	afb_decision_t *d = alloc_poisoned(sizeof(*d));
	enum afb_action want;
	const char *in;
	int i, ret;

	for(i = 0; i < N_ROWS(fams); i++) {
		fm = &fams[i];
		want = fm->crossing ? r->action : AFB_NONE;
		memset(&f, 0, sizeof(f));
		f.route = r->route;
		f.method = r->method;
		f.status = r->status;
		f.has_sdp = r->has_sdp;
		f.req_had_sdp = r->req_had_sdp;
		f.failure_route = r->failure_route;
		f.in_dialog = r->in_dialog;
		f.bridged = -1;
		f.from_af = fm->from_af;
		f.to_af = fm->to_af;
		copy = f;
		in = show(&f, fm->side);

		memset(d, 'X', sizeof(*d));
		ret = afb_decide(&f, fm->side, d);
		ck_assert_msg(
				memcmp(&f, &copy, sizeof(f)) == 0, "%s: facts changed", in);
		ck_assert_msg(d->action == want, "%s: action %s (%d), want %s", in,
				action_str(d->action), (int)d->action, action_str(want));
		ck_assert_msg(d->crossing == fm->crossing, "%s: crossing %d, want %d",
				in, d->crossing, fm->crossing);
		ck_assert_msg(ret == (want != AFB_NONE ? 1 : -1), "%s: returned %d",
				in, ret);
		ck_assert_msg(memchr(d->dir, '\0', sizeof(d->dir)) != NULL,
				"%s: no NUL in dir", in);
		ck_assert_msg(strcmp(d->dir, fm->dir) == 0,
				"%s: dir \"%s\", want \"%s\"", in, d->dir, fm->dir);
	}
	free(d);
}
END_TEST

/* ------------------------------------------------------------------ */
/* 3. afb_decide: every combination against the semantics restated */

/* the intended decision, written independently of afbridge_logic.c */
static enum afb_action expected(const afb_facts_t *f)
{
	int known = (f->from_af == 4 || f->from_af == 6)
				&& (f->to_af == 4 || f->to_af == 6);
	int sdp_dialog;

	if(!known || f->from_af == f->to_af)
		return AFB_NONE;
	if(f->route == AFB_RT_REQUEST || f->route == AFB_RT_BRANCH) {
		if(f->method == AFB_M_BYE)
			return AFB_DELETE;
		if(!f->has_sdp)
			return AFB_NONE;
		if(f->method == AFB_M_INVITE || f->method == AFB_M_UPDATE)
			return AFB_OFFER;
		if(f->method == AFB_M_ACK || f->method == AFB_M_PRACK)
			return AFB_ANSWER;
		return AFB_NONE;
	}
	/* the failure of a re-INVITE leaves the call's media */
	if(f->route == AFB_RT_FAILURE)
		return f->method == AFB_M_INVITE && !f->in_dialog ? AFB_DELETE
														  : AFB_NONE;
	/* reply */
	sdp_dialog = f->method == AFB_M_INVITE || f->method == AFB_M_UPDATE
				 || f->method == AFB_M_PRACK;
	if(f->status >= 101 && f->status <= 299) {
		if(!sdp_dialog || !f->has_sdp)
			return AFB_NONE;
		return f->req_had_sdp ? AFB_ANSWER : AFB_OFFER;
	}
	if(f->status >= 300 && f->method == AFB_M_INVITE)
		return f->failure_route || f->in_dialog ? AFB_NONE : AFB_DELETE;
	return AFB_NONE;
}

static const enum afb_route all_routes[] = {
		AFB_RT_REQUEST, AFB_RT_BRANCH, AFB_RT_REPLY, AFB_RT_FAILURE};
static const enum afb_method all_methods[] = {AFB_M_OTHER, AFB_M_INVITE,
		AFB_M_ACK, AFB_M_BYE, AFB_M_CANCEL, AFB_M_UPDATE, AFB_M_PRACK};
/* 0 is a request's; the edges of each class and common codes */
static const int all_status[] = {0, 100, 101, 180, 181, 183, 199, 200, 202,
		204, 299, 300, 301, 302, 399, 400, 401, 404, 407, 408, 480, 481, 486,
		487, 488, 491, 499, 500, 503, 599, 600, 603, 699};
static const int all_af[] = {0, 4, 6, 2, 10, 5, -1};
static const char all_sides[] = {'e', 'i'};

/* one check per route x method; inside, every status, SDP flag, failure
 * route flag, in-dialog flag, pair of families and side (51744 calls). A passing
 * ck_assert reports a mark point to the parent, so here a check asserts
 * only when something differs. */
START_TEST(test_decide_all)
{
	enum afb_route route = all_routes[_i / N_ROWS(all_methods)];
	enum afb_method method = all_methods[_i % N_ROWS(all_methods)];
	afb_facts_t f, copy;
	afb_decision_t *d = alloc_poisoned(sizeof(*d));
	char dir[3];
	int total = N_ROWS(all_status) * 2 * 2 * 2 * 2 * N_ROWS(all_af)
				* N_ROWS(all_af) * N_ROWS(all_sides);
	int k, v, st = -1, sdp, rsdp, fr, dlg, fa, ta, sd, ret, crossing;
	enum afb_action want;
	char side;

	/* k counts through all combinations, digit by digit */
	for(k = 0; k < total; k++) {
		v = k;
		sd = v % N_ROWS(all_sides);
		v /= N_ROWS(all_sides);
		ta = v % N_ROWS(all_af);
		v /= N_ROWS(all_af);
		fa = v % N_ROWS(all_af);
		v /= N_ROWS(all_af);
		fr = v % 2;
		v /= 2;
		dlg = v % 2;
		v /= 2;
		rsdp = v % 2;
		v /= 2;
		sdp = v % 2;
		v /= 2;
		st = v;
		side = all_sides[sd];
		memset(&f, 0, sizeof(f));
		f.route = route;
		f.method = method;
		f.status = all_status[st];
		f.has_sdp = sdp;
		f.req_had_sdp = rsdp;
		f.failure_route = fr;
		f.in_dialog = dlg;
		f.bridged = -1;
		f.from_af = all_af[fa];
		f.to_af = all_af[ta];
		copy = f;
		want = expected(&f);
		crossing = (f.from_af == 4 || f.from_af == 6)
				   && (f.to_af == 4 || f.to_af == 6)
				   && f.from_af != f.to_af;
		afb_direction(f.from_af, f.to_af, side, dir);

		memset(d, 'X', sizeof(*d));
		ret = afb_decide(&f, side, d);
		if(memcmp(&f, &copy, sizeof(f)) == 0 && d->action == want
				&& d->crossing == crossing
				&& ret == (want != AFB_NONE ? 1 : -1)
				&& memchr(d->dir, '\0', sizeof(d->dir)) != NULL
				&& strcmp(d->dir, dir) == 0)
			continue;
		ck_assert_msg(memcmp(&f, &copy, sizeof(f)) == 0, "%s: facts changed",
				show(&f, side));
		ck_assert_msg(d->action == want, "%s: action %s (%d), want %s",
				show(&f, side), action_str(d->action), (int)d->action,
				action_str(want));
		ck_assert_msg(d->crossing == crossing, "%s: crossing %d, want %d",
				show(&f, side), d->crossing, crossing);
		ck_assert_msg(ret == (want != AFB_NONE ? 1 : -1), "%s: returned %d",
				show(&f, side), ret);
		ck_assert_msg(memchr(d->dir, '\0', sizeof(d->dir)) != NULL,
				"%s: no NUL in dir", show(&f, side));
		ck_assert_msg(strcmp(d->dir, dir) == 0,
				"%s: dir \"%s\", afb_direction \"%s\"", show(&f, side),
				d->dir, dir);
	}
	/* the top digit got through: every combination was made */
	ck_assert_int_eq(total, 51744);
	ck_assert_int_eq(st, N_ROWS(all_status) - 1);
	free(d);
}
END_TEST

/* ------------------------------------------------------------------ */
/* 4. afb_action_name */

struct name_row
{
	int action;
	const char *name;
};

static const struct name_row names[] = {
		{AFB_NONE, "none"},
		{AFB_OFFER, "offer"},
		{AFB_ANSWER, "answer"},
		{AFB_DELETE, "delete"},
		/* out of range: still a printable name */
		{AFB_DELETE + 1, "none"},
		{100, "none"},
		{-1, "none"},
};

START_TEST(test_action_name)
{
	const struct name_row *r = &names[_i];
	const char *n = afb_action_name((enum afb_action)r->action);

	ck_assert_msg(n != NULL, "afb_action_name(%d) = NULL", r->action);
	ck_assert_msg(strcmp(n, r->name) == 0,
			"afb_action_name(%d) = \"%s\", want \"%s\"", r->action, n,
			r->name);
}
END_TEST

/* ------------------------------------------------------------------ */
/* the dialog's mark decides a BYE's delete when it is known */

struct mark_row
{
	enum afb_route route;
	enum afb_method method;
	int bridged;
	int from_af, to_af;
	enum afb_action action;
	int forged;
};

static const struct mark_row marks[] = {
		/* known bridged: delete even between two IPv4 transports */
		{AFB_RT_REQUEST, AFB_M_BYE, 1, 4, 4, AFB_DELETE, 0},
		{AFB_RT_REQUEST, AFB_M_BYE, 1, 6, 4, AFB_DELETE, 0},
		{AFB_RT_BRANCH, AFB_M_BYE, 1, 6, 6, AFB_DELETE, 0},
		{AFB_RT_REQUEST, AFB_M_BYE, 1, 0, 0, AFB_DELETE, 0},
		/* known not bridged: no delete even across families */
		{AFB_RT_REQUEST, AFB_M_BYE, 0, 6, 4, AFB_NONE, 0},
		{AFB_RT_BRANCH, AFB_M_BYE, 0, 4, 6, AFB_NONE, 0},
		/* none, or one this proxy did not make: forged, never a delete,
		 * an offer or an answer */
		{AFB_RT_REQUEST, AFB_M_BYE, -2, 6, 4, AFB_NONE, 1},
		{AFB_RT_BRANCH, AFB_M_BYE, -2, 4, 6, AFB_NONE, 1},
		{AFB_RT_REQUEST, AFB_M_BYE, -2, 4, 4, AFB_NONE, 1},
		{AFB_RT_REQUEST, AFB_M_INVITE, -2, 6, 4, AFB_NONE, 1},
		{AFB_RT_REQUEST, AFB_M_UPDATE, -2, 6, 4, AFB_NONE, 1},
		{AFB_RT_REQUEST, AFB_M_ACK, -2, 6, 4, AFB_NONE, 1},
		{AFB_RT_REQUEST, AFB_M_PRACK, -2, 4, 6, AFB_NONE, 1},
		/* requests that never engage the relay are no forgery */
		{AFB_RT_REQUEST, AFB_M_OTHER, -2, 6, 4, AFB_NONE, 0},
		{AFB_RT_REQUEST, AFB_M_CANCEL, -2, 6, 4, AFB_NONE, 0},
		/* a reply or failure is judged by its transaction */
		{AFB_RT_FAILURE, AFB_M_INVITE, -2, 6, 4, AFB_DELETE, 0},
		/* a late offer (or nothing to read): the families decide */
		{AFB_RT_REQUEST, AFB_M_BYE, -1, 6, 4, AFB_DELETE, 0},
		{AFB_RT_REQUEST, AFB_M_BYE, -1, 4, 4, AFB_NONE, 0},
		/* the mark never makes an offer or answer of a same-family one */
		{AFB_RT_REQUEST, AFB_M_INVITE, 1, 4, 4, AFB_NONE, 0},
		{AFB_RT_REQUEST, AFB_M_INVITE, 0, 6, 4, AFB_OFFER, 0},
		{AFB_RT_REQUEST, AFB_M_ACK, 1, 4, 4, AFB_NONE, 0},
		/* failures are decided by families (no dialog yet) */
		{AFB_RT_FAILURE, AFB_M_INVITE, 0, 6, 4, AFB_DELETE, 0},
		{AFB_RT_FAILURE, AFB_M_INVITE, 1, 4, 4, AFB_NONE, 0},
};

START_TEST(test_dialog_mark)
{
	const struct mark_row *r = &marks[_i];
	afb_facts_t f;
	afb_decision_t d;
	int ret;

	memset(&f, 0, sizeof(f));
	f.route = r->route;
	f.method = r->method;
	f.has_sdp = 1;
	f.req_had_sdp = 1;
	f.bridged = r->bridged;
	f.from_af = r->from_af;
	f.to_af = r->to_af;
	ret = afb_decide(&f, 'e', &d);
	ck_assert_msg(d.action == r->action,
			"row %d (method %d, bridged %d, %d->%d): action %s, want %s", _i,
			(int)r->method, r->bridged, r->from_af, r->to_af,
			action_str(d.action), action_str(r->action));
	ck_assert_int_eq(ret, r->action != AFB_NONE ? 1 : -1);
	ck_assert_msg(d.forged == r->forged, "row %d: forged %d, want %d", _i,
			d.forged, r->forged);
}
END_TEST

/* an ACK without SDP (of a failed INVITE: no Route, no mark) is no
 * forgery; with SDP (the answer to a late offer) it is */
START_TEST(test_forged_ack)
{
	afb_facts_t f;
	afb_decision_t d;

	memset(&f, 0, sizeof(f));
	f.route = AFB_RT_REQUEST;
	f.method = AFB_M_ACK;
	f.bridged = DS_MARK_BAD;
	f.from_af = 6;
	f.to_af = 4;
	afb_decide(&f, 'e', &d);
	ck_assert_int_eq(d.forged, 0);
	ck_assert_int_eq(d.action, AFB_NONE);
	f.has_sdp = 1;
	afb_decide(&f, 'e', &d);
	ck_assert_int_eq(d.forged, 1);
	ck_assert_int_eq(d.action, AFB_NONE);
}
END_TEST

/* ------------------------------------------------------------------ */
/* the family of an SDP body's first connection line */

struct sdp_row
{
	const char *body;
	int af;
	int reach; /* with a reach_af that calls IPv4-mapped 4; 0: as af */
};

/* the family that reaches an address: IPv4-mapped IPv6 is IPv4 (glibc's
 * parser, not the project's: an independent reference) */
static int glibc_reach_af(const char *s, int len)
{
	char buf[64];
	struct in6_addr a6;
	struct in_addr a4;

	if(len <= 0 || len >= (int)sizeof(buf))
		return 0;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if(inet_pton(AF_INET, buf, &a4) == 1)
		return 4;
	if(inet_pton(AF_INET6, buf, &a6) != 1)
		return 0;
	return IN6_IS_ADDR_V4MAPPED(&a6) ? 4 : 6;
}

static const struct sdp_row sdps[] = {
		{"v=0\r\no=- 1 1 IN IP6 ::1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\n", 4, 0},
		{"v=0\r\nc=IN IP6 2001:db8::1\r\nm=audio 4000 RTP/AVP 0\r\n", 6, 0},
		/* the origin line is not a connection line */
		{"v=0\no=- 1 1 IN IP4 192.0.2.1\nm=audio 4000 RTP/AVP 0\nc=IN IP6 ::1\n", 6, 0},
		/* the first c= wins, also at the very start */
		{"c=IN IP4 192.0.2.1\nc=IN IP6 ::1\n", 4, 0},
		/* a multipart body: the line scan finds the SDP part */
		{"--b\r\nContent-Type: application/sdp\r\n\r\nv=0\r\nc=IN IP6 ::1\r\n--b--\r\n", 6, 0},
		/* not at a line start, truncated, other types: none */
		{"v=0 c=IN IP4 192.0.2.1\n", 0, 0},
		{"v=0\nc=IN IP", 0, 0},
		{"v=0\nc=IN IPX 1\n", 0, 0},
		{"", 0, 0},
		{"\n\n\n", 0, 0},
		/* IPv4-mapped (RFC 5118 4.9): written IPv6, reached over IPv4 */
		{"v=0\r\nc=IN IP6 ::ffff:127.0.0.2\r\nm=audio 4000 RTP/AVP 0\r\n", 6, 4},
		{"c=IN IP6 ::FFFF:192.0.2.1/127\n", 6, 4},
		{"c=IN IP6 ::ffff:c000:201\n", 6, 4},
		/* IPv4-compatible and NAT64 are IPv6 */
		{"c=IN IP6 ::192.0.2.1\n", 6, 6},
		{"c=IN IP6 64:ff9b::192.0.2.1\n", 6, 6},
		/* the first line counts, mapped or not */
		{"c=IN IP6 ::1\nc=IN IP6 ::ffff:127.0.0.2\n", 6, 6},
		{"c=IN IP6 ::ffff:127.0.0.2\nc=IN IP6 ::1\n", 6, 4},
		/* no address: as written */
		{"c=IN IP6 \n", 6, 6},
		{"c=IN IP6", 6, 6},
};

START_TEST(test_sdp_af)
{
	const struct sdp_row *r = &sdps[_i];
	int len = strlen(r->body);
	char *copy = malloc(len ? len : 1);

	/* an exact-size copy: ASan sees any read past the body */
	memcpy(copy, r->body, len);
	ck_assert_msg(afb_sdp_text_af(copy, len, NULL) == r->af,
			"row %d: %d, want %d", _i, afb_sdp_text_af(copy, len, NULL),
			r->af);
	ck_assert_msg(afb_sdp_text_af(copy, len, glibc_reach_af)
						  == (r->reach ? r->reach : r->af),
			"row %d (reach): %d, want %d", _i,
			afb_sdp_text_af(copy, len, glibc_reach_af),
			r->reach ? r->reach : r->af);
	free(copy);
	ck_assert_int_eq(afb_sdp_text_af(NULL, 10, glibc_reach_af), 0);
}
END_TEST

/* every IP6 connection line, with its offsets */
struct conn6_row
{
	const char *body;
	int n;				  /* lines found */
	const char *addr[3]; /* their addresses */
};

static const struct conn6_row conn6s[] = {
		{"v=0\r\no=- 1 1 IN IP6 ::ffff:127.0.0.2\r\nc=IN IP6 ::ffff:127.0.0.2\r\n"
		 "m=audio 4000 RTP/AVP 0\r\nm=video 4002 RTP/AVP 96\r\nc=IN IP6 ::1/64\r\n",
				2, {"::ffff:127.0.0.2", "::1"}},
		{"c=IN IP4 127.0.0.1\nc=IN IP6 2001:db8::1 \nc=IN IP6 ::2", 2,
				{"2001:db8::1", "::2"}},
		/* not at a line start, no blank, no address: none */
		{"v=0 c=IN IP6 ::1\nc=IN IP6\nc=IN IP6x ::1\nc=IN IP6 \r\n", 0, {NULL}},
		{"", 0, {NULL}},
};

START_TEST(test_sdp_conn6)
{
	const struct conn6_row *r = &conn6s[_i];
	int len = strlen(r->body), pos = 0, n = 0;
	char *copy = malloc(len ? len : 1);
	afb_conn6_t c;

	memcpy(copy, r->body, len);
	while(n < 3 && afb_sdp_next_conn6(copy, len, &pos, &c) == 1) {
		ck_assert_msg(r->addr[n] != NULL, "row %d: line %d found", _i, n);
		ck_assert_msg(memcmp(copy + c.type_off, "IP6 ", 4) == 0,
				"row %d: type at %d", _i, c.type_off);
		ck_assert_msg(c.addr_off == c.type_off + 4
							  && c.addr_len == (int)strlen(r->addr[n])
							  && memcmp(copy + c.addr_off, r->addr[n], c.addr_len)
										 == 0,
				"row %d: address [%.*s], want [%s]", _i, c.addr_len,
				copy + c.addr_off, r->addr[n]);
		ck_assert_msg(pos > c.addr_off && pos <= len, "row %d: pos %d", _i,
				pos);
		n++;
	}
	ck_assert_msg(n == r->n, "row %d: %d lines, want %d", _i, n, r->n);
	ck_assert_int_eq(pos, len);
	free(copy);
	pos = 0;
	ck_assert_int_eq(afb_sdp_next_conn6(NULL, 5, &pos, &c), 0);
}
END_TEST

/* ------------------------------------------------------------------ */
/* what the relay must not get: bad connection lines, too many streams */

/* the family an address is written in, by glibc (the module asks ip6ref) */
static int glibc_af(const char *s, int len)
{
	char buf[64];
	unsigned char b[16];

	if(len <= 0 || len >= (int)sizeof(buf))
		return 0;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if(inet_pton(AF_INET, buf, b) == 1)
		return 4;
	return inet_pton(AF_INET6, buf, b) == 1 ? 6 : 0;
}

struct check_row
{
	const char *body;
	int max_streams;
	enum afb_sdp_problem p;
	const char *line; /* the offending line reported */
};

#define M1 "m=audio 4000 RTP/AVP 0\r\n"
static const struct check_row checks[] = {
		{"v=0\r\nc=IN IP4 192.0.2.1\r\n" M1, 16, AFB_SDP_OK, NULL},
		{"v=0\r\nc=IN IP6 2001:db8::1\r\n" M1 "c=IN IP6 ::1\r\n", 16,
				AFB_SDP_OK, NULL},
		/* multicast TTL, LF only, no final line end */
		{"v=0\nc=IN IP4 224.2.1.1/127\n" M1, 1, AFB_SDP_OK, NULL},
		{"v=0\nc=IN IP6 ::1", 0, AFB_SDP_OK, NULL},
		/* garbage, nothing, the other family, brackets, a host name */
		{"v=0\r\nc=IN IP6 ::zz\r\n" M1, 16, AFB_SDP_BAD_CONN, "c=IN IP6 ::zz"},
		{"v=0\r\nc=IN IP6\r\n" M1, 16, AFB_SDP_BAD_CONN, "c=IN IP6"},
		{"v=0\r\nc=IN IP6 \r\n" M1, 16, AFB_SDP_BAD_CONN, "c=IN IP6 "},
		{"v=0\r\nc=IN IP4 ::1\r\n" M1, 16, AFB_SDP_BAD_CONN, "c=IN IP4 ::1"},
		{"v=0\r\nc=IN IP6 127.0.0.1\r\n", 16, AFB_SDP_BAD_CONN,
				"c=IN IP6 127.0.0.1"},
		{"v=0\r\nc=IN IP6 [::1]\r\n", 16, AFB_SDP_BAD_CONN, "c=IN IP6 [::1]"},
		{"v=0\r\nc=IN IP4 media.example.net\r\n", 16, AFB_SDP_BAD_CONN,
				"c=IN IP4 media.example.net"},
		{"v=0\r\nc=\r\n", 16, AFB_SDP_BAD_CONN, "c="},
		{"v=0\r\nc=IN IPX 1.2.3.4\r\n", 16, AFB_SDP_BAD_CONN,
				"c=IN IPX 1.2.3.4"},
		/* a good session line, a bad media line: the media line */
		{"v=0\r\nc=IN IP4 192.0.2.1\r\n" M1 "c=IN IP6 1::2::3\r\n", 16,
				AFB_SDP_BAD_CONN, "c=IN IP6 1::2::3"},
		/* streams: at the limit, one over it, no limit */
		{M1 M1 M1, 3, AFB_SDP_OK, NULL},
		{M1 M1 M1 "m=video 4002 RTP/AVP 96\r\n", 3, AFB_SDP_TOO_MANY,
				"m=video 4002 RTP/AVP 96"},
		{M1 M1 M1 M1 M1, 0, AFB_SDP_OK, NULL},
		{"", 16, AFB_SDP_OK, NULL},
};

START_TEST(test_sdp_check)
{
	const struct check_row *r = &checks[_i];
	int len = strlen(r->body), ll = -1;
	char *copy = malloc(len ? len : 1);
	const char *line = NULL;
	enum afb_sdp_problem p;

	memcpy(copy, r->body, len);
	p = afb_sdp_check(copy, len, r->max_streams, glibc_af, &line, &ll);
	ck_assert_msg(p == r->p, "row %d: problem %d, want %d", _i, p, r->p);
	if(r->line) {
		ck_assert_msg(line >= copy && line + ll <= copy + len,
				"row %d: line outside the body", _i);
		ck_assert_msg(ll == (int)strlen(r->line)
							  && memcmp(line, r->line, ll) == 0,
				"row %d: line [%.*s], want [%s]", _i, ll, line, r->line);
	}
	free(copy);
	ck_assert_int_eq(afb_sdp_check(NULL, 5, 0, glibc_af, &line, &ll), AFB_SDP_OK);
	ck_assert_str_eq(afb_sdp_problem_name(AFB_SDP_OK), "none");
	ck_assert_ptr_nonnull(strstr(afb_sdp_problem_name(AFB_SDP_TOO_MANY), "max_streams"));
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("afbridge_logic");
	TCase *tc;

	tc = tcase_create("direction");
	tcase_add_loop_test(tc, test_direction, 0, N_ROWS(dirs));
	suite_add_tcase(s, tc);

	tc = tcase_create("decide");
	tcase_add_loop_test(tc, test_decide, 0, N_ROWS(decide));
	tcase_add_loop_test(tc, test_decide_all, 0,
			N_ROWS(all_routes) * N_ROWS(all_methods));
	suite_add_tcase(s, tc);

	tc = tcase_create("dialog mark");
	tcase_add_loop_test(tc, test_dialog_mark, 0, N_ROWS(marks));
	tcase_add_test(tc, test_forged_ack);
	suite_add_tcase(s, tc);

	tc = tcase_create("sdp family");
	tcase_add_loop_test(tc, test_sdp_af, 0, N_ROWS(sdps));
	tcase_add_loop_test(tc, test_sdp_conn6, 0, N_ROWS(conn6s));
	suite_add_tcase(s, tc);

	tc = tcase_create("sdp check");
	tcase_add_loop_test(tc, test_sdp_check, 0, N_ROWS(checks));
	suite_add_tcase(s, tc);

	tc = tcase_create("names");
	tcase_add_loop_test(tc, test_action_name, 0, N_ROWS(names));
	suite_add_tcase(s, tc);

	return s;
}
