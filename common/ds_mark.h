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

/*! the Record-Route mark of a bridged dialog: the keyed hash of its
 * Call-ID in DS_MARK_LEN lowercase hex digits, so that only a request of
 * that dialog (or of someone who saw its Record-Route) can make the proxy
 * delete its relay session; a dialog that is not bridged is marked "0" */
#define DS_MARK_LEN 16

/*! write the mark of callid[0..clen) into out (DS_MARK_LEN bytes, no
 * NUL); 0, or -1 when the hash failed (out untouched) */
int ds_mark_make(
		const uint8_t key[16], const char *callid, int clen, char *out);

/*! read the mark val of a dialog with Call-ID callid: 1 bridged (the
 * token of this Call-ID), 0 not bridged ("0"), -2 anything else (also
 * when the hash failed) */
int ds_mark_check(const uint8_t key[16], const char *callid, int clen,
		const char *val, int vlen);

#endif
