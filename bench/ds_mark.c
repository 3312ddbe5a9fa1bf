/*
 * dualstack - what one dialog mark costs
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
 * \brief ds_mark_make() (an initial INVITE of a bridged call) and
 * ds_mark_check() (each in-dialog request) on a typical Call-ID; prints
 * CSV lines
 *   case,ns_per_call,ratio_to_make
 *
 *   ds_mark [ROUNDS]
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ds_mark.h"

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	static const char cid[] = "a84b4c76e66710@pc33.example.com";
	long rounds = argc > 1 ? atol(argv[1]) : 2000000, i;
	int n = (int)strlen(cid);
	uint8_t key[16];
	char tok[DS_MARK_LEN];
	double t0, make, check;
	unsigned sink = 0;

	for(i = 0; i < 16; i++)
		key[i] = (uint8_t)i;
	if(rounds <= 0 || ds_mark_make(key, cid, n, tok) < 0) {
		fprintf(stderr, "usage: ds_mark [ROUNDS > 0] (or no SIPHASH)\n");
		return 1;
	}
	t0 = now_ns();
	for(i = 0; i < rounds; i++) {
		ds_mark_make(key, cid, n, tok);
		sink += (unsigned char)tok[i & 15];
	}
	make = (now_ns() - t0) / rounds;
	t0 = now_ns();
	for(i = 0; i < rounds; i++)
		sink += ds_mark_check(key, cid, n, tok, DS_MARK_LEN) == 1;
	check = (now_ns() - t0) / rounds;
	printf("case,ns_per_call,ratio_to_make\n");
	printf("make,%.1f,1.00\n", make);
	printf("check,%.1f,%.2f\n", check, check / make);
	/* keeps the loops from being optimised away */
	fprintf(stderr, "(%u)\n", sink);
	return 0;
}
