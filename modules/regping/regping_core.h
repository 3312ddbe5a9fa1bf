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
 * \brief regping :: what the module's exports call (regping_mod.c)
 */

#ifndef _REGPING_CORE_H_
#define _REGPING_CORE_H_

#include <time.h>

#include "core/str.h"
#include "core/ip_addr.h"
#include "core/counters.h"
#include "core/parser/msg_parser.h"

#include "regping_logic.h"

typedef struct rp_params
{
	str domain;		  /* usrloc domain (table) */
	int interval;	  /* seconds between two pings of a contact */
	int tick_ms;	  /* scheduling granularity */
	str af;			  /* "all", "4", "6" */
	str method;		  /* "OPTIONS", "NOTIFY", "crlf" */
	str from;		  /* From URI of the pings */
	str socket_v4;	  /* send sockets per family */
	str socket_v6;
	int max_rate;	  /* pings per second, 0 = no cap */
	int max_failures; /* unanswered pings until dead, 0 = never */
	int remove_dead;  /* remove dead contacts from usrloc */
	int hash_size;	  /* first size of the index by ruid (it grows) */
	int extra_ping_interval; /* ms between two extra pings of a contact */
	str event_callback; /* KEMI function for the contact-dead event */
	int cluster;		   /* ownership over DMQ */
	int cluster_heartbeat; /* ms between two heartbeats */
	int cluster_timeout;   /* ms without one until a node is gone */
	str reply_socket_v4;   /* the socket the pings' Via names */
	str reply_socket_v6;
	int reply_port; /* the pings' Via port, read by regping itself */
} rp_params_t;

extern rp_params_t rp_params;

typedef struct rp_counters
{
	counter_handle_t sent_v4, sent_v6;
	counter_handle_t replied_v4, replied_v6;
	counter_handle_t timeouts_v4, timeouts_v6;
	counter_handle_t dead;
	counter_handle_t takeovers, handovers, relayed;
	counter_handle_t rport_replies, rport_dropped;
} rp_counters_t;

extern rp_counters_t rp_cnt;

/*! check params, bind usrloc, make the shared table; before fork */
int rp_init(void);

/*! reply_port: check it and bind its sockets (mod_init, before fork);
 * 0 when off or ready, -1 on error */
int rp_rport_init(void);

/*! the port the pings' Via names instead of the sending socket's, as
 * text; len 0 when reply_port is off */
extern str rp_rport_str;

/*! the timer process: wait until deadline on clk, reading the replies
 * that come to reply_port meanwhile (a plain sleep when it is off) */
void rp_rport_wait(clockid_t clk, const struct timespec *deadline);

/*! start the timer process (from child_init of PROC_MAIN) */
int rp_start_timer(void);

void rp_destroy(void);

/*! the reply seq to the contact ruid, whose rp_hash() is h (table lock
 * held): the contact's family (4 or 6) when it answered the ping awaited,
 * 0 when not (late, counted already, no such contact); the one rule for
 * both ways in */
int rp_reply_take(str *ruid, uint32_t h, uint32_t seq, uint64_t now);

/*! consume the reply to a ping: 0 when it was one (drop it), 1 if not */
int rp_reply_received(sip_msg_t *msg);

/*! ping now the contacts of aor that had no extra ping in the last
 * extra_ping_interval ms, as max_rate allows: the number of contacts of
 * aor (0: none), the number pinged now in *pinged */
int rp_ping_aor(str *aor, int *pinged);

/*! on a REGISTER's 2xx (onreply_route): usrloc's contacts of the AoR
 * become the ones the 2xx lists; those of the REGISTER are pinged where
 * it came from (the transaction's request). 1, or -1 on error */
int rp_mirror_reply(sip_msg_t *msg);

/*! the dead contact the event route runs for ($regping(name)) */
int rp_pv_get_event(str *name, str *val, int *ival);

#endif
