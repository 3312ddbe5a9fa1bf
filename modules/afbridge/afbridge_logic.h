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
 *
 * Given what is known of one SIP message (where it is processed, its
 * method and status, whether it and its request carry SDP, the address
 * family it comes from and goes to), decide what the relay must do and in
 * which direction. The caller gathers the facts; nothing here parses.
 */

#ifndef _AFBRIDGE_LOGIC_H_
#define _AFBRIDGE_LOGIC_H_

#include "ds_mark.h" /* enum ds_mark: what a dialog's mark says */

enum afb_route
{
	AFB_RT_REQUEST = 0, /* request_route */
	AFB_RT_BRANCH,		/* branch_route: one outgoing branch */
	AFB_RT_REPLY,		/* onreply_route */
	AFB_RT_FAILURE		/* failure_route: the transaction failed */
};

enum afb_method
{
	AFB_M_OTHER = 0,
	AFB_M_INVITE,
	AFB_M_ACK,
	AFB_M_BYE,
	AFB_M_CANCEL,
	AFB_M_UPDATE,
	AFB_M_PRACK
};

enum afb_action
{
	AFB_NONE = 0,
	AFB_OFFER,
	AFB_ANSWER,
	AFB_DELETE
};

typedef struct afb_facts
{
	enum afb_route route;
	enum afb_method method; /* of a request; a reply's CSeq method */
	int status;				/* reply status code; 0 for a request */
	int has_sdp;			/* this message carries SDP */
	int req_had_sdp;		/* reply: its request carried SDP (1 if unknown) */
	int failure_route;		/* reply: a failure_route handles a failure */
	int bridged;			/* in-dialog request: its dialog's mark (enum
							 * ds_mark): bridged, not bridged, late offer
							 * or none to read (the families decide); a
							 * mark missing or not made by this proxy */
	int from_af;			/* family the message comes from: 4, 6, 0 unknown */
	int to_af;				/* family it goes to: 4, 6, 0 unknown */
	int in_dialog;			/* the request (a reply's: its transaction's)
							 * has a To tag: a re-INVITE fails without
							 * ending the call's media */
} afb_facts_t;

typedef struct afb_decision
{
	enum afb_action action; /* AFB_NONE unless the message crosses; a delete
							 * follows the dialog's mark when it is known */
	int crossing;			/* both families known and different */
	int forged;				/* an in-dialog request that may engage the
							 * relay (a BYE, a re-INVITE, UPDATE, PRACK,
							 * an ACK with SDP) without a valid mark:
							 * action AFB_NONE */
	char dir[3];			/* relay direction, "" when a family is unknown */
} afb_decision_t;

/*! relay direction of a message from family from_af to family to_af,
 * written as the rtpproxy "e"/"i" pair: ipv6_side is the relay side ('e'
 * or 'i') that faces IPv6. "" when a family is unknown (0). */
void afb_direction(int from_af, int to_af, char ipv6_side, char dir[3]);

/*! fill *d for the message described by *f; returns 1 when the relay is
 * to be engaged (d->action != AFB_NONE), -1 otherwise */
int afb_decide(const afb_facts_t *f, char ipv6_side, afb_decision_t *d);

/*! family an address is written in (or reached by: see the callers),
 * 4 or 6, 0 not an address; s[0..len) is not NUL-terminated */
typedef int (*afb_addr_af_f)(const char *s, int len);

/*! family (4/6) of the first connection line ("c=IN IP4 ..." or
 * "c=IN IP6 ...") of the SDP text body[0..len), 0 when there is none; a
 * plain scan of the lines, so it also reads an SDP part of a multipart
 * body and never writes. With reach_af, an IP6 line whose address
 * reach_af calls 4 (IPv4-mapped, RFC 3266 5) is IPv4; NULL: the family
 * as written. */
int afb_sdp_text_af(const char *body, int len, afb_addr_af_f reach_af);

/*! a connection line "c=IN IP6 <addr>" found by afb_sdp_next_conn6():
 * offsets into the body of "IP6" and of the address, its length */
typedef struct afb_conn6
{
	int type_off;
	int addr_off;
	int addr_len;
} afb_conn6_t;

/*! the next IP6 connection line of body[0..len) at or after offset
 * *pos (a line start); fills *c and moves *pos past the line, returns 1;
 * 0 when there is none. The address ends at '/', a blank or the line end. */
int afb_sdp_next_conn6(const char *body, int len, int *pos, afb_conn6_t *c);

/*! what a relay must not be given in the SDP text body[0..len) */
enum afb_sdp_problem
{
	AFB_SDP_OK = 0,
	AFB_SDP_BAD_CONN,  /* a c= line that is not "c=IN IP4 <IPv4 address>"
						* or "c=IN IP6 <IPv6 address>" (optionally /ttl) */
	AFB_SDP_TOO_MANY   /* more m= lines than max_streams */
};

/* afb_sdp_check()'s addr_af: the family an address is written in, 4
 * (dotted quad), 6 (IPv6 text, no brackets), 0 not an address */

/*! check the SDP text body[0..len) before it goes to the relay: every
 * connection line names an address of the family it states (addr_af
 * judges), at most max_streams m= lines (0: no limit). Returns the first
 * problem found; *line and *line_len then point at the offending line (no line
 * end) inside body. Only reads body; body NULL or len <= 0 is AFB_SDP_OK. */
enum afb_sdp_problem afb_sdp_check(const char *body, int len,
		int max_streams, afb_addr_af_f addr_af, const char **line,
		int *line_len);

/*! text of a problem for logs */
const char *afb_sdp_problem_name(enum afb_sdp_problem p);

/*! name of an action for logs: "offer", "answer", "delete", "none" */
const char *afb_action_name(enum afb_action a);

#endif
