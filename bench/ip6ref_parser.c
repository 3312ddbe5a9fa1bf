/*
 * Benchmark: ip6ref's parser + canonical form vs glibc inet_pton + inet_ntop
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
 * \brief parse + canonicalize a mixed corpus (bare, references, mapped,
 * zones, invalid) with both, in the same run; prints CSV lines
 *   corpus,impl,ns_per_op,ratio_to_glibc
 * The glibc side gets the same strings; what it cannot express (brackets,
 * zones) it rejects, as it would in a script.
 *
 *   ip6ref_parser [ROUNDS]
 */

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ip6ref/ip6ref_parser.h"

static const char *corpus_mixed[] = {"::1", "[::1]", "2001:db8::1",
		"[2001:DB8:0:0:8:800:200C:417A]", "2001:0db8:0000:0000:0000:0000:0000:0001",
		"::ffff:192.0.2.1", "[::FFFF:c000:201]", "192.0.2.1", "10.0.0.254",
		"255.255.255.255", "fe80::1%eth0", "[fe80::1%25eth0]",
		"2001:db8:0:0:1:0:0:1", "1:2:3:4:5:6:7:8", "::", "[::1", "1.2.3.04",
		"::g", "1:2:3:4:5:6:7:8::", "sip.example.com", "",
		"2001:db8:85a3:8d3:1319:8a2e:370:7348", "::13.1.68.3",
		"fd00:1234:5678:9abc:def0:1234:5678:9abc"};

/* the bare addresses both can parse: the like-for-like comparison */
static const char *corpus_plain[] = {"::1", "2001:db8::1",
		"2001:0db8:0000:0000:0000:0000:0000:0001", "::ffff:192.0.2.1",
		"192.0.2.1", "10.0.0.254", "255.255.255.255", "2001:db8:0:0:1:0:0:1",
		"1:2:3:4:5:6:7:8", "::", "2001:db8:85a3:8d3:1319:8a2e:370:7348",
		"fd00:1234:5678:9abc:def0:1234:5678:9abc"};

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

static volatile size_t sink;

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void run_ip6ref(const char **c, const int *len, int n)
{
	char buf[IP6R_TEXT_MAX];
	ip6r_addr_t a;
	int i;

	for(i = 0; i < n; i++) {
		if(ip6r_parse(c[i], len[i], &a) == 0)
			sink += ip6r_format(&a, IP6R_AS_PARSED, buf, sizeof(buf));
	}
}

static void run_glibc(const char **c, const int *len, int n)
{
	char buf[INET6_ADDRSTRLEN];
	unsigned char b[16];
	int i;

	(void)len;
	for(i = 0; i < n; i++) {
		if(inet_pton(AF_INET6, c[i], b) == 1) {
			if(inet_ntop(AF_INET6, b, buf, sizeof(buf)))
				sink += strlen(buf);
		} else if(inet_pton(AF_INET, c[i], b) == 1) {
			if(inet_ntop(AF_INET, b, buf, sizeof(buf)))
				sink += strlen(buf);
		}
	}
}

/* best of 7 runs of rounds passes over the corpus, in ns per string */
static double measure(void (*f)(const char **, const int *, int),
		const char **c, const int *len, int n, long rounds)
{
	double best = 0, t;
	long r;
	int k;

	for(k = 0; k < 7; k++) {
		t = now_ns();
		for(r = 0; r < rounds; r++)
			f(c, len, n);
		t = (now_ns() - t) / ((double)rounds * n);
		if(k == 0 || t < best)
			best = t;
	}
	return best;
}

static void bench(const char *name, const char **c, int n, long rounds)
{
	int *len = malloc(n * sizeof(int));
	double g, o;
	int i;

	for(i = 0; i < n; i++)
		len[i] = (int)strlen(c[i]);
	g = measure(run_glibc, c, len, n, rounds);
	o = measure(run_ip6ref, c, len, n, rounds);
	printf("%s,glibc,%.1f,1.00\n", name, g);
	printf("%s,ip6ref,%.1f,%.2f\n", name, o, o / g);
	free(len);
}

int main(int argc, char **argv)
{
	long rounds = argc > 1 ? atol(argv[1]) : 200000;

	if(rounds <= 0) {
		fprintf(stderr, "usage: ip6ref_parser [ROUNDS]\n");
		return 2;
	}
	printf("corpus,impl,ns_per_op,ratio_to_glibc\n");
	bench("plain", corpus_plain, N(corpus_plain), rounds);
	bench("mixed", corpus_mixed, N(corpus_mixed), rounds);
	return sink == 0;
}
