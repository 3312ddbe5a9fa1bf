/*
 * ip6ref - IPv6 address and IPv6 reference parser
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
 * \brief ip6ref :: the project's one IP address parser
 *
 * Plain C, no Kamailio headers: unit tests and other modules link it as is.
 *
 * Accepted spellings (anything else is "not an IP address"):
 * - IPv4: dotted quad, decimal octets 0..255 without leading zeros.
 * - IPv6 (RFC 4291 text): 1..4 hex digits per group, at most one "::",
 *   an optional trailing dotted quad; optional zone "%zone" (RFC 4007).
 * - IPv6 reference (RFC 3986/6874): "[" IPv6 "]", the zone written
 *   "%25zone" and its characters possibly percent-encoded.
 * Zone ids are 1..IP6R_ZONE_MAX unreserved characters (ALPHA DIGIT - . _ ~)
 * after decoding. Input longer than IP6R_INPUT_MAX is rejected unread.
 */

#ifndef _IP6REF_PARSER_H_
#define _IP6REF_PARSER_H_

#define IP6R_ZONE_MAX 32
/* longest input that can be an address: "[" 45 "%25" 3*zone "]" */
#define IP6R_INPUT_MAX (1 + 45 + 3 + 3 * IP6R_ZONE_MAX + 1)
/* room for any text the formatters write, NUL included */
#define IP6R_TEXT_MAX (IP6R_INPUT_MAX + 1)

/* how ip6r_format() writes brackets around an IPv6 address */
enum ip6r_brackets
{
	IP6R_AS_PARSED = 0, /* as the input had them */
	IP6R_REF = 1,		/* always: an IPv6 reference */
	IP6R_BARE = 2		/* never: a bare address */
};

/*! a parsed address; IPv4 is stored IPv4-mapped so that equal addresses
 * have equal bytes whatever their spelling */
typedef struct ip6r_addr
{
	unsigned char b[16];	 /* network byte order */
	unsigned char af;		 /* 4 or 6: the family the text was written in */
	unsigned char ref;		 /* 1 when the text was "[...]" */
	unsigned char zone_len;	 /* 0 = no zone */
	char zone[IP6R_ZONE_MAX]; /* decoded zone id, not NUL-terminated */
} ip6r_addr_t;

/*! parse s[0..len); returns 0 and fills *a, or -1 when s is not an IPv4
 * address, an IPv6 address or an IPv6 reference. s need not be
 * NUL-terminated; a may be NULL to only validate. */
int ip6r_parse(const char *s, int len, ip6r_addr_t *a);

/*! the value of hex digit c (either case), -1 when it is none */
int ip6r_hexval(char c);

/*! 1 when the bytes are ::ffff:a.b.c.d (also for a parsed IPv4 address) */
int ip6r_is_v4(const ip6r_addr_t *a);

/*! the family used to reach a: 4 for IPv4 and IPv4-mapped IPv6, else 6 */
int ip6r_reach_af(const ip6r_addr_t *a);

/*! 1 when a and b are the same address (IPv4-mapped equals IPv4; zones
 * compared exactly), else 0 */
int ip6r_equal(const ip6r_addr_t *a, const ip6r_addr_t *b);

/*! write the canonical text of a (RFC 5952: lowercase hex, no leading
 * zeros, the longest run of two or more zero groups as "::", the first on
 * ties; IPv4-mapped as ::ffff:a.b.c.d; IPv4 as dotted quad) into buf,
 * NUL-terminated. IPv4 never gets brackets; a zone is written "%zone" bare
 * and "%25zone" in a reference. Returns the length, or -1 when size is too
 * small (IP6R_TEXT_MAX always suffices). */
int ip6r_format(
		const ip6r_addr_t *a, enum ip6r_brackets br, char *buf, int size);

/*! rewrite s[0..len) with brackets added (IP6R_REF) or removed
 * (IP6R_BARE), keeping the spelling of the address and only converting
 * the zone delimiter ("%" <-> "%25", zone percent-decoded when bare).
 * IPv4 is copied unchanged. Returns the length written (NUL-terminated),
 * -1 when s is not an address, -2 when size is too small. */
int ip6r_rebracket(
		const char *s, int len, enum ip6r_brackets br, char *buf, int size);

#endif
