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

#ifndef _AFBRIDGE_CORE_H_
#define _AFBRIDGE_CORE_H_

#include "core/str.h"
#include "core/parser/msg_parser.h"
#include "core/counters.h"

#include "afbridge_logic.h"

/* module parameters */
typedef struct afb_params
{
	str backend;	  /* "rtpproxy" or "rtpengine" */
	str ipv6_side;	  /* relay side facing IPv6: "e" or "i" */
	str extra_flags;  /* appended to every offer/answer */
	int sdp_af;		  /* 1: the SDP's connection family is the source's */
	int sdp_unmap;	  /* 1: IPv4-mapped c= lines not bridged become IN IP4 */
	int max_streams;  /* most m= lines given to the relay (0: any) */
	str socket_v4;	  /* preferred sockets of af_set_socket() */
	str socket_v6;
	str mark_secret;	/* key of the dialog marks; random when empty */
} afb_params_t;

extern afb_params_t afb_params;

/* counters of the "afbridge" group */
typedef struct afb_counters
{
	counter_handle_t v6_to_v4;
	counter_handle_t v4_to_v6;
	counter_handle_t deletes;
	counter_handle_t relay_errors;
	counter_handle_t bad_marks;
	counter_handle_t bad_sdp;
} afb_counters_t;

extern afb_counters_t afb_cnt;

/*! resolve the relay backend, ip6ref, tm and the preferred sockets;
 * 0 or -1 with the reason logged */
int afb_init(void);

/*! gather the facts of msg (route, method, families, SDP) */
int afb_facts(sip_msg_t *msg, afb_facts_t *f);

/*! family (4/6) of where request msg goes: $du if set, else $rd; 0 when
 * it is not an address (host is set to what was looked at) */
int afb_dst_af(sip_msg_t *msg, str *host);

/*! decide and drive the relay: 1 engaged, -1 nothing to do, -2 relay error */
int afb_bridge(sip_msg_t *msg, str *extra);

/*! the relay direction of msg into dir ("" when unknown); 1 or -1 */
int afb_flags(sip_msg_t *msg, char dir[3]);

/*! af_unbridge(): delete the relay's call of a request whose offer
 * af_bridge() gave the relay but that goes nowhere (t_relay() failed);
 * 1 deleted, -1 nothing to delete, -2 relay error */
int afb_unbridge(sip_msg_t *msg);

/*! 1 when msg crosses families, else -1 */
int afb_crossing(sip_msg_t *msg);

/*! force the send socket to one of the destination's family; 1 or -1 */
int afb_set_socket(sip_msg_t *msg);

#endif
