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
 * \brief regping :: replies to the pings, matched by Call-ID and dropped
 * before the script's onreply_route
 */

#include "core/dprint.h"
#include "core/counters.h"
#include "core/parser/msg_parser.h"

#include "regping_int.h"

int rp_reply_take(str *ruid, uint32_t h, uint32_t seq, uint64_t now)
{
	rp_entry_t *e = rp_find(ruid, h, NULL);

	return e && rp_live_reply(&e->live, seq, now) ? e->af : 0;
}

int rp_reply_received(sip_msg_t *msg)
{
	str cid, ruid;
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
	/* the ping of another node (its reply came to this one by the
	 * anycast route): to that node */
	if(rp_cluster_on && rp_cluster_relay(msg) != 0)
		return 0;
	if(ours < 0) {
		LM_DBG("malformed ping Call-ID [%s]\n", rp_esc(&cid));
		return 0;
	}
	ruid.s = (char *)r;
	lock_get(&rp_tbl->lock);
	af = rp_reply_take(&ruid, rp_hash(ruid.s, ruid.len), seq, rp_wall_ms());
	lock_release(&rp_tbl->lock);
	if(af)
		counter_inc(af == 6 ? rp_cnt.replied_v6 : rp_cnt.replied_v4);
	else
		LM_DBG("late or unknown ping reply [%s]\n", rp_esc(&cid));
	return 0;
}

int rp_pre_reply(sip_msg_t *msg, unsigned int flags, void *param)
{
	return rp_reply_received(msg);
}

