/*
 * libFuzzer target: ip6ref's parser, canonical form and rebracketing
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
 * \brief properties checked on every input: no crash or read past the
 * input (ASan), canon(canon(x)) == canon(x), x equals the parse of its
 * canon and of its rebracketed forms, and agreement with glibc inet_pton
 * on what both can express (no brackets, no zone, no NUL)
 */

#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ip6ref/ip6ref_parser.h"

static void check_canon(const ip6r_addr_t *a)
{
	char c1[IP6R_TEXT_MAX], c2[IP6R_TEXT_MAX];
	ip6r_addr_t b;
	int n1, n2;

	n1 = ip6r_format(a, IP6R_AS_PARSED, c1, sizeof(c1));
	if(n1 < 0 || ip6r_parse(c1, n1, &b) < 0 || !ip6r_equal(a, &b))
		abort();
	n2 = ip6r_format(&b, IP6R_AS_PARSED, c2, sizeof(c2));
	if(n2 != n1 || memcmp(c1, c2, n1) != 0)
		abort();
}

static void check_rebracket(const uint8_t *d, size_t n, const ip6r_addr_t *a)
{
	static const enum ip6r_brackets modes[] = {IP6R_REF, IP6R_BARE};
	char buf[IP6R_TEXT_MAX];
	ip6r_addr_t b;
	int i, len;

	for(i = 0; i < 2; i++) {
		len = ip6r_rebracket((const char *)d, (int)n, modes[i], buf, sizeof(buf));
		if(len < 0 || ip6r_parse(buf, len, &b) < 0 || !ip6r_equal(a, &b))
			abort();
	}
}

static void check_glibc(const uint8_t *d, size_t n, int ok, const ip6r_addr_t *a)
{
	char s[64];
	unsigned char b[16];
	int g;

	if(n == 0 || n >= sizeof(s) || memchr(d, '\0', n) || memchr(d, '[', n)
			|| memchr(d, '%', n))
		return;
	memcpy(s, d, n);
	s[n] = '\0';
	if(inet_pton(AF_INET, s, b) == 1) {
		g = 4;
	} else if(inet_pton(AF_INET6, s, b) == 1) {
		g = 6;
	} else {
		g = 0;
	}
	if((g != 0) != ok)
		abort();
	if(g == 6 && memcmp(a->b, b, 16) != 0)
		abort();
	if(g == 4 && (a->af != 4 || memcmp(a->b + 12, b, 4) != 0))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	ip6r_addr_t a;
	int ok;

	ok = ip6r_parse((const char *)d, (int)(n > 1000 ? 1000 : n), &a) == 0;
	if(n > 1000)
		return 0;
	if(ok) {
		check_canon(&a);
		check_rebracket(d, n, &a);
	}
	check_glibc(d, n, ok, &a);
	return 0;
}
