/*
 * libFuzzer target: afbridge's decision and SDP family scan
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
 * \brief the first bytes are the facts of a message, the rest an SDP body;
 * properties: the relay is engaged only for a message that crosses
 * families (or the BYE of a dialog marked as bridged), the direction names
 * the two families, the return value matches the action, and the SDP scan
 * reads only its input and answers 0, 4 or 6; the SDP check (addresses by
 * the ip6ref parser) reports an offending line inside the body; a forged
 * dialog mark never deletes, a Call-ID's own mark is accepted and an
 * altered one not
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "afbridge/afbridge_logic.h"
#include "ip6ref/ip6ref_parser.h"
#include "ds_mark.h"

/* as the module judges a connection address: by the ip6ref parser */
static int text_af(const char *s, int len)
{
	ip6r_addr_t a;

	if(ip6r_parse(s, len, &a) < 0 || a.ref)
		return 0;
	return a.af;
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	afb_facts_t f;
	afb_decision_t dec;
	char side;
	int ret, sdp, known, ll;
	const char *line;
	enum afb_sdp_problem p;

	if(n < 10)
		return 0;
	memset(&f, 0, sizeof(f));
	f.route = (enum afb_route)(d[0] % 5); /* also an unknown route */
	f.method = (enum afb_method)(d[1] % 8);
	f.status = d[2] * 3;
	f.has_sdp = d[3] & 1;
	f.req_had_sdp = (d[3] >> 1) & 1;
	f.failure_route = (d[3] >> 2) & 1;
	f.bridged = (int)(d[4] % 4) - 2;
	f.from_af = (int)(int8_t)d[5];
	f.to_af = (int)(int8_t)d[6];
	side = (d[7] & 1) ? 'e' : 'i';

	ret = afb_decide(&f, side, &dec);
	known = (f.from_af == 4 || f.from_af == 6) && (f.to_af == 4 || f.to_af == 6);
	if(dec.crossing != (known && f.from_af != f.to_af))
		abort();
	if((ret == 1) != (dec.action != AFB_NONE))
		abort();
	if(dec.action != AFB_NONE && !dec.crossing
			&& !(dec.action == AFB_DELETE && f.bridged == 1))
		abort();
	if(known != (dec.dir[0] != '\0'))
		abort();
	if(known && (strlen(dec.dir) != 2 || !strchr("ei", dec.dir[0])
						|| !strchr("ei", dec.dir[1])
						|| (dec.dir[0] == dec.dir[1]) != (f.from_af == f.to_af)))
		abort();
	if(afb_action_name(dec.action) == NULL)
		abort();
	/* a forged mark never makes the relay delete */
	if(f.bridged == -2 && dec.action == AFB_DELETE
			&& (f.route == AFB_RT_REQUEST || f.route == AFB_RT_BRANCH))
		abort();

	/* the body as a Call-ID: its own token is accepted, any other value
	 * (here: the token with the first byte changed, and the body itself)
	 * is not, unless it happens to be the token of another state */
	{
		static const uint8_t key[16] = {7, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
				12, 13, 14, 15};
		const char *cid = (const char *)d + 8;
		int clen = (int)(n - 8);
		char tok[DS_MARK_LEN];

		ds_mark_make(key, cid, clen, tok);
		if(ds_mark_check(key, cid, clen, tok, DS_MARK_LEN) != 1)
			abort();
		tok[0] = tok[0] == 'a' ? 'b' : 'a';
		if(ds_mark_check(key, cid, clen, tok, DS_MARK_LEN) != -2)
			abort();
		ret = ds_mark_check(key, cid, clen, cid, clen);
		if(ret != DS_MARK_BAD && clen != DS_MARK_LEN)
			abort();
	}

	sdp = afb_sdp_text_af((const char *)d + 8, (int)(n - 8), NULL);
	if(sdp != 0 && sdp != 4 && sdp != 6)
		abort();
	/* the offending line lies inside the body */
	p = afb_sdp_check((const char *)d + 8, (int)(n - 8), d[4] % 4, text_af,
			&line, &ll);
	if(p != AFB_SDP_OK
			&& (line < (const char *)d + 8 || ll < 0
					|| line + ll > (const char *)d + n))
		abort();
	return 0;
}
