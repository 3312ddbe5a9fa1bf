/*
 * libFuzzer target: regping's reply matching
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
 * \brief the first byte picks what is fuzzed:
 * 0 modulo 4: the rest is the Call-ID and the Via branch of a reply (split at the
 * first NUL); properties: the parser reads only its input, a Call-ID it
 * accepts is exactly what the pinger prints for the sequence number and
 * ruid it returns, anything without our prefix is not ours;
 * 2 modulo 4: the rest is a datagram at reply_port; properties: the
 * scanner reads only its input, a reply it takes has a ruid inside the
 * datagram and a Call-ID that reads back the same sequence number and
 * ruid, a Via sent-by host inside the datagram (brackets both or
 * neither) and a port or none, and a datagram without our Call-ID prefix
 * or branch prefix is never taken;
 * odd: the rest drives one contact's liveness through pings, replies
 * (with sequence numbers near or far from the current one), on-demand
 * pings, sent keepalives and failed sends; properties: a reply counts
 * only for the ping awaited and only once, a contact is dead only after
 * max_failures pings in a row went unanswered, a reply revives it
 */

#define _GNU_SOURCE /* memmem */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "regping/regping_logic.h"

static void fuzz_callid(const uint8_t *d, size_t n)
{
	const char *ruid = NULL, *nul;
	char *cid, buf[600];
	uint32_t seq = 0;
	int len = 0, ret, blen, m;

	nul = memchr(d, 0, n);
	len = nul ? (int)(nul - (const char *)d) : (int)n;
	/* an exact-size copy: ASan sees a read past the Call-ID */
	cid = malloc(len ? len : 1);
	memcpy(cid, d, len);
	ret = rp_callid_parse(cid, len, &seq, &ruid, &m);
	if(ret == 0 && len >= (int)RP_CALLID_PREFIX_LEN
			&& memcmp(cid, RP_CALLID_PREFIX, RP_CALLID_PREFIX_LEN) == 0)
		abort();
	if(ret == 1) {
		if(m <= 0 || ruid < cid || ruid + m != cid + len)
			abort();
		blen = rp_callid_print(seq, ruid, m, buf, sizeof(buf));
		if(blen != len || memcmp(buf, cid, len) != 0)
			abort();
	}
	if(ret < -1 || ret > 1)
		abort();
	free(cid);

	if(nul) {
		blen = (int)(n - (size_t)len - 1);
		cid = malloc(blen ? blen : 1);
		memcpy(cid, nul + 1, blen);
		if(rp_branch_ours(cid, blen)
				!= (blen >= (int)RP_BRANCH_PREFIX_LEN
						&& memcmp(cid, RP_BRANCH_PREFIX, RP_BRANCH_PREFIX_LEN)
								   == 0))
			abort();
		free(cid);
	}
}

static void fuzz_scan(const uint8_t *d, size_t n)
{
	rp_reply_raw_t r = {0, NULL, 0, NULL, 0, -1};
	char *buf, cid[4200];
	int ret, blen;

	/* an exact-size copy: ASan sees a read past the datagram */
	buf = malloc(n ? n : 1);
	memcpy(buf, d, n);
	ret = rp_reply_scan(buf, (int)n, &r);
	if(ret < -1 || ret > 1)
		abort();
	if(ret == 1) {
		if(r.ruid_len <= 0 || r.ruid < buf || r.ruid + r.ruid_len > buf + n)
			abort();
		/* the sent-by: a host inside the datagram, a port or none */
		if(r.host_len <= 0 || r.host < buf || r.host + r.host_len > buf + n
				|| r.port < 0 || r.port > 65535
				|| (r.host[0] == '[') != (r.host[r.host_len - 1] == ']'))
			abort();
		if(!memmem(buf, n, RP_CALLID_PREFIX, RP_CALLID_PREFIX_LEN)
				|| !memmem(buf, n, RP_BRANCH_PREFIX, RP_BRANCH_PREFIX_LEN))
			abort();
		/* what the pinger prints for them ends the Call-ID read */
		blen = rp_callid_print(r.seq, r.ruid, r.ruid_len, cid, sizeof(cid));
		if(blen > 0
				&& (r.ruid + r.ruid_len - blen < buf
						|| memcmp(r.ruid + r.ruid_len - blen, cid, blen) != 0))
			abort();
	}
	free(buf);
}

static void fuzz_live(const uint8_t *d, size_t n)
{
	rp_live_t l;
	uint32_t maxf, seq, before_seq;
	uint64_t now = 1000;
	enum rp_ping_result r;
	size_t i;
	int awaited, ret, op;

	if(n < 1)
		return;
	memset(&l, 0, sizeof(l));
	l.seq = (uint32_t)d[0] << 24; /* also near the wrap */
	if(d[0] & 1)
		l.seq = 0xfffffff0u;
	maxf = d[0] % 5;
	for(i = 1; i < n; i++) {
		op = d[i] & 7;
		now += (d[i] >> 3) + 1;
		awaited = l.awaiting;
		before_seq = l.seq;
		switch(op) {
			case 0:
			case 1:
				r = rp_live_ping(&l, now, op, maxf);
				if(r == RP_PING_DEAD
						&& (maxf == 0 || l.failures < maxf || !l.dead))
					abort();
				if((r == RP_PING_TIMEOUT || r == RP_PING_DEAD) != awaited)
					abort();
				if(l.seq != before_seq + 1 || l.awaiting != op)
					abort();
				break;
			case 2:
			case 3:
				/* the awaited number, or one a little off either way */
				seq = l.seq + (uint32_t)(int32_t)((int)(d[i] >> 3) % 5 - 2);
				if(op == 3)
					seq = l.seq;
				ret = rp_live_reply(&l, seq, now);
				if(ret != (awaited && seq == before_seq))
					abort();
				if(ret && (l.awaiting || l.failures || l.dead
								  || l.last_reply != (uint32_t)(now / 1000)))
					abort();
				/* the same reply again (a retransmission) counts no more */
				if(ret && rp_live_reply(&l, seq, now))
					abort();
				break;
			case 4:
				rp_live_poke(&l, now, d[i] & 8);
				if((d[i] & 8) && !l.awaiting)
					abort();
				if((d[i] & 8) && awaited && l.seq != before_seq)
					abort();
				break;
			case 5:
				rp_live_sent(&l, now);
				if(l.failures || l.dead)
					abort();
				break;
			default:
				r = rp_live_send_failed(&l, maxf);
				if(l.awaiting || (r == RP_PING_DEAD && !l.dead))
					abort();
				break;
		}
		if(l.dead && (maxf == 0 || l.failures < maxf))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	if(n < 1)
		return 0;
	if(d[0] & 1)
		fuzz_live(d + 1, n - 1);
	else if(d[0] & 2)
		fuzz_scan(d + 1, n - 1);
	else
		fuzz_callid(d + 1, n - 1);
	return 0;
}
