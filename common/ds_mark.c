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
 * \brief the keyed mark of a dialog, on OpenSSL 3's SipHash-2-4
 */

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "ds_mark.h"

/* one context per process: fetching the MAC is what costs, a new key is
 * only SipHash's own initialisation */
static EVP_MAC_CTX *ds_mac_ctx(void)
{
	static EVP_MAC_CTX *ctx;
	EVP_MAC *mac;

	if(ctx != NULL)
		return ctx;
	mac = EVP_MAC_fetch(NULL, "SIPHASH", NULL);
	if(mac == NULL)
		return NULL;
	ctx = EVP_MAC_CTX_new(mac);
	EVP_MAC_free(mac); /* the context holds its own reference */
	return ctx;
}

int ds_siphash(const uint8_t key[16], const void *msg, size_t len,
		uint64_t *h)
{
	/* OpenSSL's SIPHASH gives 16 bytes unless told 8 (SipHash-2-4) */
	size_t size = 8, n;
	OSSL_PARAM params[] = {
			OSSL_PARAM_construct_size_t(OSSL_MAC_PARAM_SIZE, &size),
			OSSL_PARAM_construct_end()};
	EVP_MAC_CTX *ctx = ds_mac_ctx();
	unsigned char out[8];
	int i;

	if(ctx == NULL || !EVP_MAC_init(ctx, key, 16, params)
			|| !EVP_MAC_update(ctx, msg, len)
			|| !EVP_MAC_final(ctx, out, &n, sizeof(out)) || n != sizeof(out))
		return -1;
	*h = 0;
	for(i = 7; i >= 0; i--)
		*h = (*h << 8) | out[i];
	return 0;
}

/* the token of state st from h, the hash of the Call-ID: h itself for
 * DS_MARK_ON, the hash of h and the state for the others */
static int ds_mark_token(const uint8_t key[16], enum ds_mark st, uint64_t h,
		char *out)
{
	static const char hex[] = "0123456789abcdef";
	uint8_t m[9];
	int i;

	if(st != DS_MARK_ON) {
		for(i = 0; i < 8; i++)
			m[i] = (uint8_t)(h >> (8 * i));
		m[8] = (uint8_t)(st + 2);
		if(ds_siphash(key, m, sizeof(m), &h) < 0)
			return -1;
	}
	for(i = DS_MARK_LEN - 1; i >= 0; i--, h >>= 4)
		out[i] = hex[h & 0xf];
	return 0;
}

int ds_mark_make_as(const uint8_t key[16], enum ds_mark st,
		const char *callid, int clen, char *out)
{
	uint64_t h;

	if(ds_siphash(key, callid, clen > 0 ? (size_t)clen : 0, &h) < 0)
		return -1;
	return ds_mark_token(key, st, h, out);
}

int ds_mark_make(
		const uint8_t key[16], const char *callid, int clen, char *out)
{
	return ds_mark_make_as(key, DS_MARK_ON, callid, clen, out);
}

int ds_mark_check(const uint8_t key[16], const char *callid, int clen,
		const char *val, int vlen)
{
	static const enum ds_mark states[] = {
			DS_MARK_ON, DS_MARK_OFF, DS_MARK_LATE};
	char tok[DS_MARK_LEN];
	uint64_t h;
	int i, s, diff;

	if(vlen != DS_MARK_LEN
			|| ds_siphash(key, callid, clen > 0 ? (size_t)clen : 0, &h) < 0)
		return DS_MARK_BAD;
	/* the Call-ID's hash once; each state's token from it */
	for(s = 0; s < (int)(sizeof(states) / sizeof(states[0])); s++) {
		if(ds_mark_token(key, states[s], h, tok) < 0)
			return DS_MARK_BAD;
		for(i = 0, diff = 0; i < DS_MARK_LEN; i++)
			diff |= tok[i] ^ val[i];
		if(!diff)
			return states[s];
	}
	return DS_MARK_BAD;
}
