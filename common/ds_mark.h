/*
 * dualstack - code shared by the modules and the tools
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
 * \brief the keyed mark of a dialog: SipHash-2-4 (OpenSSL 3's "SIPHASH"
 * MAC) of its Call-ID
 *
 * Plain C, no Kamailio headers; links libcrypto. Each process keeps one
 * MAC context, made at its first use.
 */

#ifndef _DS_MARK_H_
#define _DS_MARK_H_

#include <stddef.h>
#include <stdint.h>

/*! SipHash-2-4 (Aumasson, Bernstein) of msg[0..len) under a 128-bit key
 * into *h (the 8 output bytes read little-endian, as the reference code
 * returns them); 0, or -1 when libcrypto fails (logged nowhere: the
 * callers say what they could not do) */
int ds_siphash(const uint8_t key[16], const void *msg, size_t len,
		uint64_t *h);

/*! what the Record-Route mark of a dialog says */
enum ds_mark
{
	DS_MARK_BAD = -2,  /* missing, or not one this proxy made */
	DS_MARK_LATE = -1, /* a late offer (INVITE without SDP): the families
						* of each request decide; also: no mark to read */
	DS_MARK_OFF = 0,   /* not bridged */
	DS_MARK_ON = 1	   /* bridged */
};

/*! the Record-Route mark of a dialog in state st (DS_MARK_ON, _OFF or
 * _LATE): a keyed hash of its Call-ID and state in DS_MARK_LEN lowercase
 * hex digits, so that only a request of that dialog (or of someone who saw
 * its Record-Route) passes, and a mark cannot be moved to another call or
 * flipped to another state. The bridged token is the hash of the Call-ID
 * alone (as marks were before there were states); the others hash that
 * hash and the state. */
#define DS_MARK_LEN 16

/*! write the mark of state st for callid[0..clen) into out (DS_MARK_LEN
 * bytes, no NUL); 0, or -1 when the hash failed (out untouched) */
int ds_mark_make_as(const uint8_t key[16], enum ds_mark st,
		const char *callid, int clen, char *out);

/*! ds_mark_make_as(key, DS_MARK_ON, ...) */
int ds_mark_make(
		const uint8_t key[16], const char *callid, int clen, char *out);

/*! read the mark val[0..vlen) of a dialog with Call-ID callid: the state
 * whose token it is, DS_MARK_BAD for anything else (also when the hash
 * failed) */
int ds_mark_check(const uint8_t key[16], const char *callid, int clen,
		const char *val, int vlen);

#endif
