/*
 * rtpcheck - send and count RTP packets, for media tests
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
 * \brief test tool :: send a stream of RTP packets, or count the ones
 * that arrive
 *
 *   rtpcheck send SRC_IP SRC_PORT DST_IP DST_PORT COUNT [INTERVAL_MS]
 *   rtpcheck recv IP PORT SECONDS [MIN_COUNT]
 *   rtpcheck talk IP PORT PEER_IP PEER_PORT COUNT SECONDS [MIN_COUNT
 *                 [FROM_PORT]]
 *
 * talk sends COUNT packets (20 ms apart) from IP:PORT to the peer and counts
 * the packets arriving on IP:PORT for SECONDS; it prints "sent N, received
 * M [from ADDR]" and exits 0 when M >= MIN_COUNT (default COUNT/2). With
 * FROM_PORT only the packets of the stream another rtpcheck sent from that
 * port count (the SSRC names the sender's port; a relay passes it on), the
 * others are printed as ", other K" and fail the check: a stream of a
 * multi-stream call that landed on the wrong port.
 *
 * Addresses are IPv4 or IPv6 literals without brackets (an IPv6 zone as
 * "%ifname" or "%index" is allowed). send prints "sent N" and exits 0;
 * recv prints "received N from ADDR" or "received 0" and exits 0 when
 * enough packets arrived, 1 when not. Bad arguments and socket errors
 * exit 2.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <time.h>
#include <poll.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include "toolnet.h"

#define RTP_HDR_LEN 12
#define RTP_PAYLOAD_LEN 160 /* 20 ms of PCMU at 8 kHz */
#define RTP_TS_STEP 160
#define RTP_SSRC_BASE 0x5ca1ab1eU /* xor the source port */
#define RTP_SEQ_BASE 0x3a5cU
#define RTP_TS_BASE 0x1f2e3d4cU

/* an address as given on the command line, and as a socket address */
typedef struct rc_addr
{
	const char *ip;
	int port;
	struct sockaddr_storage ss;
	socklen_t len;
} rc_addr_t;

static void usage(void)
{
	fprintf(stderr,
			"usage: rtpcheck send SRC_IP SRC_PORT DST_IP DST_PORT COUNT "
			"[INTERVAL_MS]\n"
			"       rtpcheck recv IP PORT SECONDS [MIN_COUNT]\n"
			"       rtpcheck talk IP PORT PEER_IP PEER_PORT COUNT SECONDS "
			"[MIN_COUNT [FROM_PORT]]\n"
			"  send: COUNT RTP packets (PCMU, 160 byte payload) every "
			"INTERVAL_MS (20)\n"
			"        from SRC_IP:SRC_PORT (port 0: any) to "
			"DST_IP:DST_PORT; prints \"sent N\"\n"
			"  recv: counts RTP v2 datagrams to IP:PORT for SECONDS "
			"(may be fractional)\n"
			"        or until MIN_COUNT arrived; prints \"received N "
			"from ADDR\"\n"
			"        exit 0 if N >= MIN_COUNT (or N > 0 without it), "
			"1 if not\n"
			"  talk: sends COUNT packets from IP:PORT to the peer while "
			"counting\n"
			"        what arrives on IP:PORT for SECONDS; exit 0 if at "
			"least\n"
			"        MIN_COUNT (COUNT/2) arrived; with FROM_PORT only the "
			"stream\n"
			"        sent from that port counts (its SSRC); any other "
			"fails\n"
			"  addresses: IPv4 or IPv6 literals without brackets; "
			"exit 2 on bad\n"
			"  arguments or socket errors\n");
	exit(2);
}

/* "IP:PORT", IPv6 as "[IP]:PORT", for messages */
static const char *addr_text(const char *ip, int port)
{
	static char out[2][INET6_ADDRSTRLEN + IF_NAMESIZE + 16];
	static int slot;
	char *o = out[slot ^= 1];

	if(strchr(ip, ':'))
		snprintf(o, sizeof(out[0]), "[%s]:%d", ip, port);
	else
		snprintf(o, sizeof(out[0]), "%s:%d", ip, port);
	return o;
}

/* the source of a datagram, in the same form */
static const char *sockaddr_text(const struct sockaddr_storage *ss)
{
	char ip[INET6_ADDRSTRLEN];
	const struct sockaddr_in *s4;
	const struct sockaddr_in6 *s6;

	if(ss->ss_family == AF_INET) {
		s4 = (const struct sockaddr_in *)ss;
		if(!inet_ntop(AF_INET, &s4->sin_addr, ip, sizeof(ip)))
			return "?";
		return addr_text(ip, ntohs(s4->sin_port));
	}
	if(ss->ss_family == AF_INET6) {
		s6 = (const struct sockaddr_in6 *)ss;
		if(!inet_ntop(AF_INET6, &s6->sin6_addr, ip, sizeof(ip)))
			return "?";
		return addr_text(ip, ntohs(s6->sin6_port));
	}
	return "?";
}

/* fill a from the literal ip and the port text; exits 2 when invalid */
static void parse_addr(rc_addr_t *a, const char *what_ip, const char *ip,
		const char *what_port, const char *port, int min_port)
{
	memset(a, 0, sizeof(*a));
	a->ip = ip;
	a->port = (int)tn_arg_long(what_port, port, min_port, 65535);
	if(tn_sockaddr(ip, a->port, &a->ss, &a->len) < 0)
		tn_bad_arg(what_ip, ip);
}

static void die_sock(const char *op, const rc_addr_t *a)
{
	int err = errno;

	fprintf(stderr, "rtpcheck: %s %s: %s\n", op, addr_text(a->ip, a->port),
			strerror(err));
	exit(2);
}

/* a UDP socket bound to a; exits 2 on failure */
static int bound_socket(const rc_addr_t *a, int reuse)
{
	int fd, on = 1;

	fd = socket(a->ss.ss_family, SOCK_DGRAM, 0);
	if(fd < 0)
		die_sock("socket", a);
	if(reuse && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) < 0)
		die_sock("setsockopt SO_REUSEADDR", a);
	/* "::" means IPv6 only: an IPv4 test must not be caught here */
	if(a->ss.ss_family == AF_INET6
			&& setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on)) < 0)
		die_sock("setsockopt IPV6_V6ONLY", a);
	if(bind(fd, (const struct sockaddr *)&a->ss, a->len) < 0)
		die_sock("bind", a);
	return fd;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* sleep until the monotonic time t (ms) */
static void sleep_until(int64_t t)
{
	struct timespec ts;

	ts.tv_sec = (time_t)(t / 1000);
	ts.tv_nsec = (long)(t % 1000) * 1000000;
	while(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

static void put16(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 8);
	p[1] = (unsigned char)v;
}

static void put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

/* RTP packet number i of the stream ssrc, into pkt (header + payload) */
static void rtp_fill(unsigned char *pkt, long i, uint32_t ssrc)
{
	if(i == 0) {
		memset(pkt, 0xff, RTP_HDR_LEN + RTP_PAYLOAD_LEN);
		pkt[0] = 0x80; /* V=2, no padding, extension or CSRC */
		pkt[1] = 0x00; /* no marker, PT 0 (PCMU) */
		put32(pkt + 8, ssrc);
	}
	put16(pkt + 2, (RTP_SEQ_BASE + (uint32_t)i) & 0xffff);
	put32(pkt + 4, RTP_TS_BASE + (uint32_t)i * RTP_TS_STEP);
}

/* RTP v2: version bits 10, at least a fixed header */
static int rtp_is(const unsigned char *buf, ssize_t len)
{
	return len >= RTP_HDR_LEN && (buf[0] & 0xc0) == 0x80;
}

static void rtp_send(int fd, const unsigned char *pkt, const rc_addr_t *src,
		const rc_addr_t *dst)
{
	while(sendto(fd, pkt, RTP_HDR_LEN + RTP_PAYLOAD_LEN, 0,
				  (const struct sockaddr *)&dst->ss, dst->len)
			< 0) {
		if(errno == EINTR)
			continue;
		fprintf(stderr, "rtpcheck: send from %s to %s: %s\n",
				addr_text(src->ip, src->port), addr_text(dst->ip, dst->port),
				strerror(errno));
		exit(2);
	}
}

/* wait up to wait_ms for a datagram on fd; 1 when an RTP packet arrived
 * (its source in *from), 0 otherwise; socket errors end the program */
/* one datagram: 1 if it is RTP (its SSRC in *ssrc), 0 if not or none came */
static int rtp_recv_one(int fd, const rc_addr_t *a, int64_t wait_ms,
		struct sockaddr_storage *from, uint32_t *ssrc)
{
	unsigned char buf[65536];
	struct pollfd pfd;
	socklen_t flen = sizeof(*from);
	ssize_t len;
	int r;

	pfd.fd = fd;
	pfd.events = POLLIN;
	r = poll(&pfd, 1,
			wait_ms < 0 ? 0 : (wait_ms > INT_MAX ? INT_MAX : (int)wait_ms));
	if(r < 0 && errno != EINTR)
		die_sock("poll on", a);
	if(r <= 0)
		return 0;
	len = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)from, &flen);
	if(len < 0) {
		/* an ICMP error queued for the socket: not fatal */
		if(errno == EINTR || errno == EAGAIN || errno == ECONNREFUSED)
			return 0;
		die_sock("recv on", a);
	}
	if(!rtp_is(buf, len))
		return 0;
	*ssrc = ((uint32_t)buf[8] << 24) | ((uint32_t)buf[9] << 16)
			| ((uint32_t)buf[10] << 8) | buf[11];
	return 1;
}

static int cmd_send(int argc, char **argv)
{
	rc_addr_t src, dst;
	unsigned char pkt[RTP_HDR_LEN + RTP_PAYLOAD_LEN];
	long count, interval = 20, i;
	uint32_t ssrc;
	int64_t start;
	int fd;

	if(argc != 7 && argc != 8)
		usage();
	parse_addr(&src, "SRC_IP", argv[2], "SRC_PORT", argv[3], 0);
	parse_addr(&dst, "DST_IP", argv[4], "DST_PORT", argv[5], 1);
	count = tn_arg_long("COUNT", argv[6], 0, 10000000);
	if(argc == 8)
		interval = tn_arg_long("INTERVAL_MS", argv[7], 0, 3600000);
	if(src.ss.ss_family != dst.ss.ss_family) {
		fprintf(stderr,
				"rtpcheck: SRC_IP %s and DST_IP %s are not of one "
				"family\n",
				argv[2], argv[4]);
		usage();
	}

	fd = bound_socket(&src, 0);
	ssrc = RTP_SSRC_BASE ^ (uint32_t)src.port;
	start = now_ms();
	for(i = 0; i < count; i++) {
		if(i > 0 && interval > 0)
			sleep_until(start + i * interval);
		rtp_fill(pkt, i, ssrc);
		rtp_send(fd, pkt, &src, &dst);
	}
	close(fd);
	printf("sent %ld\n", count);
	return 0;
}

static int cmd_recv(int argc, char **argv)
{
	rc_addr_t a;
	struct sockaddr_storage from, first;
	int64_t deadline, left;
	long min_count = 0, n = 0;
	uint32_t ssrc;
	int fd;

	if(argc != 5 && argc != 6)
		usage();
	parse_addr(&a, "IP", argv[2], "PORT", argv[3], 1);
	deadline = now_ms() + tn_arg_seconds("SECONDS", argv[4], 1000);
	if(argc == 6)
		min_count = tn_arg_long("MIN_COUNT", argv[5], 1, LONG_MAX);

	fd = bound_socket(&a, 1);
	memset(&first, 0, sizeof(first));
	while(min_count == 0 || n < min_count) {
		left = deadline - now_ms();
		if(left <= 0)
			break;
		if(!rtp_recv_one(fd, &a, left, &from, &ssrc))
			continue;
		if(n == 0)
			first = from;
		n++;
	}
	close(fd);
	if(n > 0)
		printf("received %ld from %s\n", n, sockaddr_text(&first));
	else
		printf("received 0\n");
	if(min_count > 0)
		return n >= min_count ? 0 : 1;
	return n > 0 ? 0 : 1;
}

/* both ends of a call at once: send a stream from the port the SDP
 * advertised (relays latch onto it) and count what comes back to it */
static int cmd_talk(int argc, char **argv)
{
	rc_addr_t a, peer;
	struct sockaddr_storage from, first;
	unsigned char pkt[RTP_HDR_LEN + RTP_PAYLOAD_LEN];
	int64_t start, deadline, next, wait;
	long count, min_count, sent = 0, n = 0, other = 0;
	uint32_t ssrc, want_ssrc = 0;
	int fd, only = 0;

	if(argc < 8 || argc > 10)
		usage();
	parse_addr(&a, "IP", argv[2], "PORT", argv[3], 1);
	parse_addr(&peer, "PEER_IP", argv[4], "PEER_PORT", argv[5], 1);
	count = tn_arg_long("COUNT", argv[6], 1, 10000000);
	start = now_ms();
	deadline = start + tn_arg_seconds("SECONDS", argv[7], 1000);
	min_count = argc >= 9 ? tn_arg_long("MIN_COUNT", argv[8], 1, LONG_MAX)
						  : (count + 1) / 2;
	if(argc == 10) {
		only = 1;
		want_ssrc = RTP_SSRC_BASE
					^ (uint32_t)tn_arg_long("FROM_PORT", argv[9], 1, 65535);
	}
	if(a.ss.ss_family != peer.ss.ss_family) {
		fprintf(stderr, "rtpcheck: IP %s and PEER_IP %s are not of one family\n",
				argv[2], argv[4]);
		usage();
	}
	fd = bound_socket(&a, 0);
	memset(&first, 0, sizeof(first));
	for(;;) {
		next = start + sent * 20;
		if(sent < count && now_ms() >= next) {
			rtp_fill(pkt, sent, RTP_SSRC_BASE ^ (uint32_t)a.port);
			rtp_send(fd, pkt, &a, &peer);
			sent++;
			continue;
		}
		wait = (sent < count ? next : deadline) - now_ms();
		if(sent >= count && wait <= 0)
			break;
		if(!rtp_recv_one(fd, &a, wait, &from, &ssrc))
			continue;
		if(only && ssrc != want_ssrc) {
			other++;
			continue;
		}
		if(n == 0)
			first = from;
		n++;
	}
	close(fd);
	printf("sent %ld, received %ld", sent, n);
	if(n > 0)
		printf(" from %s", sockaddr_text(&first));
	if(only)
		printf(", other %ld", other);
	printf("\n");
	return n >= min_count && other == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	tn_set_usage("rtpcheck", usage);
	if(argc < 2)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	if(strcmp(argv[1], "send") == 0)
		return cmd_send(argc, argv);
	if(strcmp(argv[1], "recv") == 0)
		return cmd_recv(argc, argv);
	if(strcmp(argv[1], "talk") == 0)
		return cmd_talk(argc, argv);
	usage();
	return 2;
}
