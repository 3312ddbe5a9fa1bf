/*
 * floor_pinger - the least a keepalive pinger has to do, for a floor
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
 * \brief benchmark :: the machine's floor for sending keepalives and
 * taking their replies on loopback
 *
 *   floor_pinger IP PORT LOCAL_IP LOCAL_PORT COUNT INTERVAL SECONDS
 *
 * From one UDP socket bound to LOCAL_IP:LOCAL_PORT it pings COUNT
 * contacts sip:u<n>@IP:PORT once every INTERVAL seconds, for SECONDS,
 * spread as regping spreads them (one slot every 20 ms), with the bytes
 * regping sends (its Via branch and Call-ID, a From tag of 16 hex
 * digits), sendmmsg() for a slot's pings, recvmmsg() for the replies, a
 * reply matched to its contact by the number in its Call-ID. At the end:
 *
 *   pings P replies R cpu_us U
 *
 * U is the process's user + system CPU time. Exit 0, or 2 on bad
 * arguments or socket errors.
 */

#define _GNU_SOURCE /* sendmmsg, recvmmsg, memmem */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <errno.h>
#include <time.h>
#include <poll.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/resource.h>

#include "regping/regping_logic.h"

#define FP_TICK_MS 20
#define FP_BATCH 64
#define FP_MSG_MAX 768
#define FP_CID "\r\nCall-ID: " RP_CALLID_PREFIX
#define FP_CID_LEN (sizeof(FP_CID) - 1)

static int64_t fp_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int fp_addr(const char *ip, int port, struct sockaddr_storage *ss,
		socklen_t *len)
{
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if(inet_pton(AF_INET, ip, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)port);
		*len = sizeof(*a4);
		return 0;
	}
	if(inet_pton(AF_INET6, ip, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*a6);
		return 0;
	}
	return -1;
}

/* xorshift64: a From tag needs no cryptographic quality for a floor */
static uint64_t fp_rand_state = 88172645463325252ull;
static uint32_t fp_rand(void)
{
	fp_rand_state ^= fp_rand_state << 13;
	fp_rand_state ^= fp_rand_state >> 7;
	fp_rand_state ^= fp_rand_state << 17;
	return (uint32_t)fp_rand_state;
}

/* the OPTIONS regping's rp_build() writes for contact n, ping seq */
static int fp_build(char *buf, const char *host, const char *lhost,
		int lport, int port, unsigned n, uint32_t seq)
{
	char uri[128], ruid[48];

	snprintf(uri, sizeof(uri), "sip:u%u@%s:%d", n, host, port);
	snprintf(ruid, sizeof(ruid), "uloc-6749b8d2-%x-%u", 4242u, n + 1);
	return snprintf(buf, FP_MSG_MAX,
			"OPTIONS %s SIP/2.0\r\n"
			"Via: SIP/2.0/UDP %s:%d;branch=" RP_BRANCH_PREFIX "%x.%s\r\n"
			"From: <sip:regping@localhost>;tag=%08x%08x\r\n"
			"To: <%s>\r\n"
			"Call-ID: " RP_CALLID_PREFIX "%x-%s\r\n"
			"CSeq: 1 OPTIONS\r\n"
			"Max-Forwards: 70\r\n"
			"Content-Length: 0\r\n\r\n",
			uri, lhost, lport, seq, ruid, fp_rand(), fp_rand(), uri, seq,
			ruid);
}

int main(int argc, char **argv)
{
	static char out[FP_BATCH][FP_MSG_MAX], in[FP_BATCH][2048];
	struct mmsghdr omsg[FP_BATCH], imsg[FP_BATCH];
	struct iovec oiov[FP_BATCH], iiov[FP_BATCH];
	struct sockaddr_storage dst, src;
	socklen_t dlen, slen;
	struct rusage ru;
	struct pollfd pfd;
	unsigned count, nslots, slot, n, first, last, k;
	uint32_t *seq, s;
	uint64_t pings = 0, replies = 0;
	int64_t start, end, next;
	int sock, port, lport, interval, secs, i, r, wait;
	const char *rid;
	char *c, *e;

	if(argc != 8) {
		fprintf(stderr, "usage: floor_pinger IP PORT LOCAL_IP LOCAL_PORT "
						"COUNT INTERVAL SECONDS\n");
		return 2;
	}
	port = atoi(argv[2]);
	lport = atoi(argv[4]);
	count = (unsigned)strtoul(argv[5], NULL, 10);
	interval = atoi(argv[6]);
	secs = atoi(argv[7]);
	if(fp_addr(argv[1], port, &dst, &dlen) < 0
			|| fp_addr(argv[3], lport, &src, &slen) < 0 || count == 0
			|| interval <= 0 || secs <= 0) {
		fprintf(stderr, "floor_pinger: bad arguments\n");
		return 2;
	}
	sock = socket(dst.ss_family, SOCK_DGRAM, 0);
	if(sock < 0 || bind(sock, (struct sockaddr *)&src, slen) < 0) {
		perror("floor_pinger: socket");
		return 2;
	}
	seq = calloc(count, sizeof(*seq));
	if(seq == NULL)
		return 2;
	for(i = 0; i < FP_BATCH; i++) {
		oiov[i].iov_base = out[i];
		memset(&omsg[i], 0, sizeof(omsg[i]));
		omsg[i].msg_hdr.msg_name = &dst;
		omsg[i].msg_hdr.msg_namelen = dlen;
		omsg[i].msg_hdr.msg_iov = &oiov[i];
		omsg[i].msg_hdr.msg_iovlen = 1;
		iiov[i].iov_base = in[i];
		iiov[i].iov_len = sizeof(in[i]) - 1;
		memset(&imsg[i], 0, sizeof(imsg[i]));
		imsg[i].msg_hdr.msg_iov = &iiov[i];
		imsg[i].msg_hdr.msg_iovlen = 1;
	}
	nslots = (unsigned)interval * 1000 / FP_TICK_MS;
	start = fp_now_us();
	end = start + (int64_t)secs * 1000000;
	pfd.fd = sock;
	pfd.events = POLLIN;
	for(slot = 0;; slot++) {
		next = start + (int64_t)slot * FP_TICK_MS * 1000;
		/* replies until the slot is due */
		for(;;) {
			wait = (int)((next - fp_now_us()) / 1000);
			if(wait <= 0)
				break;
			if(poll(&pfd, 1, wait) <= 0)
				continue;
			while((r = recvmmsg(sock, imsg, FP_BATCH, MSG_DONTWAIT, NULL))
					> 0) {
				for(i = 0; i < r; i++) {
					in[i][imsg[i].msg_len] = '\0';
					c = memmem(in[i], imsg[i].msg_len, FP_CID, FP_CID_LEN);
					if(c == NULL)
						continue;
					/* regping-<seq>-uloc-...-<n + 1> */
					s = (uint32_t)strtoul(c + FP_CID_LEN, NULL, 16);
					e = strchr(c + 2, '\r');
					rid = e ? memrchr(c, '-', (size_t)(e - c)) : NULL;
					k = rid ? (unsigned)strtoul(rid + 1, NULL, 10) : 0;
					if(k >= 1 && k <= count && seq[k - 1] == s)
						replies++;
				}
			}
		}
		if(next >= end)
			break;
		/* the contacts whose offset falls into this slot */
		first = (unsigned)((uint64_t)(slot % nslots) * count / nslots);
		last = (unsigned)((uint64_t)(slot % nslots + 1) * count / nslots);
		for(n = first; n < last;) {
			for(k = 0; k < FP_BATCH && n < last; k++, n++) {
				seq[n]++;
				oiov[k].iov_len = (size_t)fp_build(out[k], argv[1], argv[3],
						lport, port, n, seq[n]);
			}
			for(i = 0; i < (int)k;) {
				r = sendmmsg(sock, omsg + i, k - (unsigned)i, 0);
				if(r < 0 && errno != EINTR) {
					perror("floor_pinger: sendmmsg");
					break;
				}
				if(r > 0) {
					i += r;
					pings += (uint64_t)r;
				}
			}
		}
	}
	getrusage(RUSAGE_SELF, &ru);
	printf("pings %llu replies %llu cpu_us %llu\n", (unsigned long long)pings,
			(unsigned long long)replies,
			(unsigned long long)(ru.ru_utime.tv_sec * 1000000
								 + ru.ru_utime.tv_usec
								 + ru.ru_stime.tv_sec * 1000000
								 + ru.ru_stime.tv_usec));
	free(seq);
	close(sock);
	return 0;
}
