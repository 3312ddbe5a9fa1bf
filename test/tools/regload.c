/*
 * regload - register many users and answer the keepalives that follow
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
 * \brief test tool :: load generator and keepalive sink for benchmarking
 * registrar keepalive pingers
 *
 *   regload IP PORT SERVER_IP SERVER_PORT COUNT RATE SECONDS OUTFILE
 *           [USER_PREFIX]
 *
 * From one UDP socket bound to IP:PORT it registers the users
 * <prefix>0 .. <prefix>COUNT-1 (prefix "u") at SERVER_IP:SERVER_PORT,
 * RATE REGISTERs per second in batches every millisecond, each with the
 * contact sip:<user>@IP:PORT and Expires 3600. A REGISTER unanswered for
 * 2 s is retransmitted, at most 3 times. Registration ends when every user
 * got a final reply or gave up; from then on, for SECONDS, every request
 * that arrives is recorded (its arrival time in microseconds since the end
 * of registration, one a line in OUTFILE). Every request, before and after,
 * is answered with a 200 OK (ACK excepted); datagrams made of CR and LF
 * only are counted as CRLF keepalives. At the end it prints
 *
 *   registered N of COUNT in S.SSS s; pings P in T.TTT s (R/s);
 *   distinct_targets D; crlf C
 *
 * (one line). P, D and C count what arrived after registration ended; D is
 * the number of distinct users (Request-URI user, else To user, as prefix
 * and number) pinged. COUNT 0 makes a pure sink: registration ends at once.
 * SIGTERM or SIGINT ends the run early, with the same line (SECONDS then
 * bounds a run whose end is decided by whoever started it).
 *
 * REGLOAD_LOG=users in the environment makes each OUTFILE line
 * "<realtime_us> <user>": the arrival as CLOCK_REALTIME microseconds, the
 * kernel's receive timestamp (SO_TIMESTAMPNS) (to
 * line up with the logs of other instances and with events of a test)
 * and the user pinged (as counted for D: prefix and number, "-" for a
 * request to none of ours). Which requests are recorded is the same.
 *
 * Where a reply goes: by default to the address and port the request came
 * from. REGLOAD_REPLY_TO=via answers as an RFC 3261 18.2.2 UDP server
 * does: to the source address (what a "received" parameter would say) at
 * the port of the top Via's sent-by (5060 when it has none), or at the
 * source port when the top Via has an rport parameter (RFC 3581). A
 * request whose top Via cannot be read is not answered (counted as not
 * understood). REGLOAD_REPLY_TO=source is the default said aloud. In via
 * mode the end adds a line on stderr: "regload: replies to the Via's
 * port N, to the source port (rport) M".
 *
 * The server may answer from another address than SERVER_IP (an anycast
 * service address answered by whichever node took the REGISTER, a node's
 * own one): replies are matched by Call-ID and CSeq, not by their source.
 * Exit 0 when all COUNT users registered, 1 when not, 2 on bad arguments,
 * socket or file errors.
 */

#define _GNU_SOURCE /* recvmmsg, sendmmsg, ppoll, SO_RCVBUFFORCE */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <time.h>
#include <signal.h>
#include <poll.h>
#include <fcntl.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include "toolnet.h"

#define RL_BATCH 64		  /* datagrams per recvmmsg/sendmmsg */
#define RL_RECV_MAX 65536 /* largest datagram read */
/* a reply copies lines of the request, each with CR LF (a bare LF in the
 * request may grow to CR LF), and adds a status line, a tag, Content-Length */
#define RL_REPLY_MAX (2 * RL_RECV_MAX + 64)
#define RL_REG_MAX 1024 /* one REGISTER */
#define RL_SOCKBUF (8 * 1024 * 1024)
#define RL_RETR_US 2000000 /* retransmit after 2 s */
#define RL_RETR_MAX 3	   /* at most 3 retransmissions */
#define RL_TICK_US 1000	   /* REGISTER batches every 1 ms */
#define RL_MAX_COUNT 10000000L
#define RL_MAX_RATE 10000000L
#define RL_MAX_TARGET (1L << 28) /* largest user number the bitmap covers */
#define RL_RECV_ROUNDS 16		 /* recvmmsg batches before pacing again */
#define RL_PREFIX_MAX 32
#define RL_REPORT_MAX 5 /* rejected REGISTERs reported one by one */

/* user states */
#define RL_U_IDLE 0
#define RL_U_PENDING 1
#define RL_U_OK 2
#define RL_U_FAILED 3

/* an address as given on the command line, and as a socket address */
typedef struct rl_addr
{
	const char *ip;
	char host[INET6_ADDRSTRLEN + 2]; /* for SIP: [v6] or v4, no zone */
	int port;
	struct sockaddr_storage ss;
	socklen_t len;
} rl_addr_t;

typedef struct rl_user
{
	uint32_t sent_ms; /* last (re)transmission, ms since start */
	uint8_t state;
	uint8_t tries; /* transmissions so far */
} rl_user_t;

/* a header or line: start and length, no CRLF */
typedef struct rl_str
{
	const char *s;
	int len;
} rl_str_t;

static rl_addr_t self, server;
static const char *prefix = "u";
static int prefix_len = 1;
static long count;
static int sock = -1;

static rl_user_t *users;
static uint32_t *retr_q; /* pending users in order of transmission */
static long retr_head, retr_len;
static long reg_sent, reg_ok, reg_failed, reg_done_n;
static int reg_done;
static int64_t t_start, t_reg_end;

static int64_t *times;
static int32_t *times_user; /* REGLOAD_LOG=users: the user of each, or -1 */
static size_t times_n, times_cap;
static int log_users;	/* REGLOAD_LOG=users */
static int64_t rx_real; /* CLOCK_REALTIME us the datagram being read arrived */
static uint64_t *target_map;
static long target_bits, targets;
static long pings, crlf;
static long malformed, reply_drops, reg_rejected, reg_retr;
static volatile sig_atomic_t stop_req; /* SIGTERM or SIGINT arrived */
static int reply_via;					 /* REGLOAD_REPLY_TO=via */
static long via_port_replies, rport_replies; /* where via mode sent them */

static void usage(void)
{
	fprintf(stderr,
			"usage: regload IP PORT SERVER_IP SERVER_PORT COUNT RATE SECONDS "
			"OUTFILE [USER_PREFIX]\n"
			"  registers users PREFIX0..PREFIX<COUNT-1> (PREFIX \"u\") from "
			"IP:PORT at\n"
			"  SERVER_IP:SERVER_PORT, RATE REGISTERs/s (retransmitted after "
			"2 s, 3 times\n"
			"  at most), answers every request with 200 OK and, for SECONDS "
			"(may be\n"
			"  fractional, 0: none) after the last REGISTER was answered, "
			"records\n"
			"  the arrival of every request (us since then, one a line) in "
			"OUTFILE;\n"
			"  prints \"registered N of COUNT in S.SSS s; pings P in T.TTT s "
			"(R/s);\n"
			"  distinct_targets D; crlf C\" (counted after registration)\n"
			"  COUNT 0: only a sink. addresses: IPv4 or IPv6 literals "
			"without brackets\n"
			"  SIGTERM or SIGINT ends the run early (same line printed)\n"
			"  REGLOAD_LOG=users: OUTFILE lines \"<realtime_us> <user>\" "
			"(user \"-\": none of ours)\n"
			"  REGLOAD_REPLY_TO=via: replies go to the source address at the "
			"top Via's\n"
			"  sent-by port (5060 if none), or the source port if that Via has "
			"rport\n"
			"  (RFC 3261 18.2.2, RFC 3581); =source (default): to the source "
			"address\n"
			"  and port\n"
			"  exit 0 if all registered, 1 if not, 2 on bad arguments or "
			"socket errors\n");
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

static void on_stop(int sig)
{
	(void)sig;
	stop_req = 1;
}

/* SIGTERM and SIGINT end the run: blocked but while waiting in ppoll()
 * (which then returns EINTR), so none is lost between check and wait;
 * *waitmask gets the mask ppoll() is to wait with */
static void catch_stop(sigset_t *waitmask)
{
	struct sigaction sa;
	sigset_t block;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, waitmask);
	sigdelset(waitmask, SIGTERM);
	sigdelset(waitmask, SIGINT);
}

/* a blocked SIGTERM or SIGINT waits (for a loop that does not get to
 * ppoll() while datagrams keep arriving) */
static int stop_pending(void)
{
	sigset_t pend;

	if(sigpending(&pend) < 0)
		return 0;
	return sigismember(&pend, SIGTERM) || sigismember(&pend, SIGINT);
}

/* fill a from the literal ip and the port text; exits 2 when invalid */
static void parse_addr(rl_addr_t *a, const char *what_ip, const char *ip,
		const char *what_port, const char *port, int min_port)
{
	memset(a, 0, sizeof(*a));
	a->ip = ip;
	a->port = (int)tn_arg_long(what_port, port, min_port, 65535);
	if(tn_sockaddr(ip, a->port, &a->ss, &a->len) < 0)
		tn_bad_arg(what_ip, ip);
	if(a->ss.ss_family == AF_INET) {
		inet_ntop(AF_INET, &((struct sockaddr_in *)&a->ss)->sin_addr, a->host,
				sizeof(a->host));
	} else {
		a->host[0] = '[';
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&a->ss)->sin6_addr,
				a->host + 1, sizeof(a->host) - 2);
		strcat(a->host, "]");
	}
}

static void die_sock(const char *op, const rl_addr_t *a)
{
	int err = errno;

	fprintf(stderr, "regload: %s %s: %s\n", op, addr_text(a->ip, a->port),
			strerror(err));
	exit(2);
}

static void *xrealloc(void *p, size_t size)
{
	void *n = realloc(p, size);

	if(!n) {
		fprintf(stderr, "regload: out of memory (%zu bytes)\n", size);
		exit(2);
	}
	return n;
}

/* a large buffer, forced past rmem_max/wmem_max when allowed */
static void sock_buf(int fd, int force, int opt, const char *name)
{
	int v = RL_SOCKBUF;

	if(setsockopt(fd, SOL_SOCKET, force, &v, sizeof(v)) == 0)
		return;
	if(setsockopt(fd, SOL_SOCKET, opt, &v, sizeof(v)) < 0)
		die_sock(name, &self);
}

/* the non-blocking UDP socket bound to a; exits 2 on failure */
static int bound_socket(const rl_addr_t *a)
{
	int fd, on = 1, fl;

	fd = socket(a->ss.ss_family, SOCK_DGRAM, 0);
	if(fd < 0)
		die_sock("socket", a);
	if(a->ss.ss_family == AF_INET6
			&& setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on)) < 0)
		die_sock("setsockopt IPV6_V6ONLY", a);
	sock_buf(fd, SO_RCVBUFFORCE, SO_RCVBUF, "setsockopt SO_RCVBUF");
	sock_buf(fd, SO_SNDBUFFORCE, SO_SNDBUF, "setsockopt SO_SNDBUF");
	if(bind(fd, (const struct sockaddr *)&a->ss, a->len) < 0)
		die_sock("bind", a);
	if((fl = fcntl(fd, F_GETFL)) < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		die_sock("fcntl O_NONBLOCK", a);
	return fd;
}

static int64_t clock_us(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int64_t now_us(void)
{
	return clock_us(CLOCK_MONOTONIC);
}

/* ------------------------------------------------------------------ */
/* sending */

/* the datagrams of one sendmmsg, to server or to their sources */
typedef struct rl_out
{
	struct mmsghdr msg[RL_BATCH];
	struct iovec iov[RL_BATCH];
	struct sockaddr_storage to[RL_BATCH];
	int n;
} rl_out_t;

static rl_out_t reg_out, rpl_out;
static char reg_buf[RL_BATCH][RL_REG_MAX];
static char rpl_buf[RL_BATCH][RL_REPLY_MAX];

/* send the queued datagrams; returns how many left the socket. A full
 * socket buffer stops the batch (the rest is dropped, or left to the
 * caller for REGISTERs); fatal: exit 2 for REGISTERs, skip for replies */
static int out_flush(rl_out_t *o, int to_server)
{
	int off = 0, r;

	while(off < o->n) {
		r = sendmmsg(sock, o->msg + off, (unsigned int)(o->n - off), 0);
		if(r > 0) {
			off += r;
			continue;
		}
		if(r < 0 && (errno == EINTR || errno == ECONNREFUSED))
			continue;
		if(r < 0
				&& (errno == EAGAIN || errno == EWOULDBLOCK
						|| errno == ENOBUFS))
			break;
		if(to_server) {
			fprintf(stderr, "regload: send from %s to %s: %s\n",
					addr_text(self.ip, self.port),
					addr_text(server.ip, server.port), strerror(errno));
			exit(2);
		}
		off++; /* a reply to an unusable source address */
		reply_drops++;
	}
	if(!to_server)
		reply_drops += o->n - off;
	o->n = 0;
	return off;
}

static void out_add(rl_out_t *o, char *buf, int len,
		const struct sockaddr_storage *to, socklen_t tolen)
{
	int i = o->n++;

	o->iov[i].iov_base = buf;
	o->iov[i].iov_len = (size_t)len;
	memset(&o->msg[i], 0, sizeof(o->msg[i]));
	o->msg[i].msg_hdr.msg_iov = &o->iov[i];
	o->msg[i].msg_hdr.msg_iovlen = 1;
	memcpy(&o->to[i], to, tolen);
	o->msg[i].msg_hdr.msg_name = &o->to[i];
	o->msg[i].msg_hdr.msg_namelen = tolen;
}

/* REGISTER for user i into buf */
static int reg_build(char *buf, long i)
{
	return snprintf(buf, RL_REG_MAX,
			"REGISTER sip:%s:%d SIP/2.0\r\n"
			"Via: SIP/2.0/UDP %s:%d;branch=z9hG4bK-rl-%ld;rport\r\n"
			"From: <sip:%s%ld@bench.example>;tag=rl%ld\r\n"
			"To: <sip:%s%ld@bench.example>\r\n"
			"Call-ID: rl-%ld@bench\r\n"
			"CSeq: 1 REGISTER\r\n"
			"Contact: <sip:%s%ld@%s:%d>\r\n"
			"Expires: 3600\r\n"
			"Max-Forwards: 70\r\n"
			"Content-Length: 0\r\n"
			"\r\n",
			server.host, server.port, self.host, self.port, i, prefix, i, i,
			prefix, i, i, prefix, i, self.host, self.port);
}

static void retr_push(long i)
{
	retr_q[(retr_head + retr_len) % count] = (uint32_t)i;
	retr_len++;
}

/* send the users in idx[0..n-1]; returns how many went out */
static int reg_send(const long *idx, int n, int64_t now)
{
	int k, len, sent;

	for(k = 0; k < n; k++) {
		len = reg_build(reg_buf[k], idx[k]);
		out_add(&reg_out, reg_buf[k], len, &server.ss, server.len);
	}
	sent = out_flush(&reg_out, 1);
	for(k = 0; k < sent; k++) {
		users[idx[k]].sent_ms = (uint32_t)((now - t_start) / 1000);
		users[idx[k]].tries++;
		if(users[idx[k]].state == RL_U_IDLE)
			users[idx[k]].state = RL_U_PENDING;
		retr_push(idx[k]);
	}
	return sent;
}

static void reg_finished(int64_t now)
{
	reg_done_n++;
	if(reg_done_n == count && !reg_done) {
		reg_done = 1;
		t_reg_end = now;
	}
}

/* new REGISTERs due at now (paced), then retransmissions */
static void reg_tick(int64_t now, long rate)
{
	long idx[RL_BATCH], due, n, i;
	int sent, k;
	rl_user_t *u;

	due = (long)((now - t_start) * rate / 1000000) + 1;
	if(due > count)
		due = count;
	while(reg_sent < due) {
		n = due - reg_sent;
		if(n > RL_BATCH)
			n = RL_BATCH;
		for(i = 0; i < n; i++)
			idx[i] = reg_sent + i;
		sent = reg_send(idx, (int)n, now);
		reg_sent += sent;
		if(sent < n)
			return; /* socket buffer full: on the next tick */
	}
	for(;;) {
		n = 0;
		while(retr_len > 0 && n < RL_BATCH) {
			i = retr_q[retr_head];
			u = &users[i];
			if(u->state == RL_U_PENDING
					&& (now - t_start) - (int64_t)u->sent_ms * 1000
							   < RL_RETR_US)
				break;
			retr_head = (retr_head + 1) % count;
			retr_len--;
			if(u->state != RL_U_PENDING)
				continue; /* answered meanwhile */
			if(u->tries > RL_RETR_MAX) {
				u->state = RL_U_FAILED;
				reg_failed++;
				reg_finished(now);
				continue;
			}
			idx[n++] = i;
		}
		if(n == 0)
			return;
		sent = reg_send(idx, (int)n, now);
		reg_retr += sent;
		/* not sent (socket buffer full): back in the queue, unchanged */
		for(k = sent; k < n; k++)
			retr_push(idx[k]);
		if(sent < n)
			return;
	}
}

/* when the next REGISTER work is due (us, absolute) */
static int64_t reg_next(int64_t now)
{
	if(reg_sent < count || retr_len == 0)
		return now + RL_TICK_US;
	return t_start + (int64_t)users[retr_q[retr_head]].sent_ms * 1000
		   + RL_RETR_US + 1000;
}

/* ------------------------------------------------------------------ */
/* parsing */

static int ci_eq(const char *s, int len, const char *lit)
{
	return (int)strlen(lit) == len && strncasecmp(s, lit, (size_t)len) == 0;
}

/* the next line of buf[*pos..end): without CR LF; 0 at the end or at the
 * empty line that ends the headers */
static int next_line(const char *buf, int end, int *pos, rl_str_t *line)
{
	const char *s = buf + *pos, *e;
	int len;

	if(*pos >= end)
		return 0;
	e = memchr(s, '\n', (size_t)(end - *pos));
	len = e ? (int)(e - s) : end - *pos;
	*pos += e ? len + 1 : len;
	line->s = s;
	line->len = len > 0 && s[len - 1] == '\r' ? len - 1 : len;
	return line->len > 0;
}

/* the header name of line (lower case compared), its value in *val */
static int hdr_split(const rl_str_t *line, rl_str_t *name, rl_str_t *val)
{
	const char *c = memchr(line->s, ':', (size_t)line->len);
	int n;

	if(!c || line->s[0] == ' ' || line->s[0] == '\t')
		return 0;
	n = (int)(c - line->s);
	while(n > 0 && (line->s[n - 1] == ' ' || line->s[n - 1] == '\t'))
		n--;
	name->s = line->s;
	name->len = n;
	c++;
	while(c < line->s + line->len && (*c == ' ' || *c == '\t'))
		c++;
	val->s = c;
	val->len = (int)(line->s + line->len - c);
	return 1;
}

/* the number after the prefix in the user part of the SIP URI in s; -1 */
static long uri_user_num(const char *s, int len)
{
	const char *e = s + len, *p;
	long v;

	for(p = s; p + 4 <= e; p++)
		if(strncasecmp(p, "sip:", 4) == 0
				|| (p + 5 <= e && strncasecmp(p, "sips:", 5) == 0))
			break;
	if(p + 4 > e)
		return -1;
	p += (p[3] == ':') ? 4 : 5;
	if(e - p <= prefix_len || memcmp(p, prefix, (size_t)prefix_len) != 0)
		return -1;
	p += prefix_len;
	if(p >= e || *p < '0' || *p > '9')
		return -1;
	for(v = 0; p < e && *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (*p - '0');
		if(v >= RL_MAX_TARGET)
			return -1;
	}
	if(p >= e || (*p != '@' && *p != ';' && *p != ':'))
		return -1;
	return v;
}

static void target_mark(long v)
{
	long bits;

	if(v < 0)
		return;
	if(v >= target_bits) {
		bits = target_bits ? target_bits : 1024;
		while(bits <= v)
			bits *= 2;
		target_map = xrealloc(target_map, (size_t)bits / 8);
		memset((char *)target_map + target_bits / 8, 0,
				(size_t)(bits - target_bits) / 8);
		target_bits = bits;
	}
	if(!(target_map[v >> 6] & (1ULL << (v & 63)))) {
		target_map[v >> 6] |= 1ULL << (v & 63);
		targets++;
	}
}

/* a recorded request: its time, with REGLOAD_LOG=users its user too */
static void time_add(int64_t t, long user)
{
	if(times_n == times_cap) {
		times_cap = times_cap ? times_cap * 2 : 65536;
		times = xrealloc(times, times_cap * sizeof(*times));
		if(log_users)
			times_user =
					xrealloc(times_user, times_cap * sizeof(*times_user));
	}
	if(log_users)
		times_user[times_n] = (int32_t)user;
	times[times_n++] = t;
}

/* a reply: a REGISTER of ours answered? */
static void on_reply(const char *buf, int len, int64_t now)
{
	rl_str_t line, name, val;
	int pos = 0, code, is_reg = 0;
	long idx = -1;
	const char *p, *e;
	rl_user_t *u;

	next_line(buf, len, &pos, &line);
	if(line.len < 11 || line.s[8] < '1' || line.s[8] > '6')
		goto bad;
	code = (line.s[8] - '0') * 100 + (line.s[9] - '0') * 10
		   + (line.s[10] - '0');
	while(next_line(buf, len, &pos, &line)) {
		if(!hdr_split(&line, &name, &val))
			continue;
		if(ci_eq(name.s, name.len, "call-id") || ci_eq(name.s, name.len, "i")) {
			if(val.len < 4 || memcmp(val.s, "rl-", 3) != 0)
				return;
			e = val.s + val.len;
			for(idx = 0, p = val.s + 3; p < e && *p >= '0' && *p <= '9'; p++) {
				idx = idx * 10 + (*p - '0');
				if(idx >= count)
					return;
			}
			if(p == val.s + 3)
				return;
		} else if(ci_eq(name.s, name.len, "cseq")) {
			for(p = val.s, e = val.s + val.len; p < e && *p != ' '; p++)
				;
			while(p < e && *p == ' ')
				p++;
			is_reg = ci_eq(p, (int)(e - p), "REGISTER");
		}
	}
	if(idx < 0 || !is_reg || idx >= count)
		return;
	u = &users[idx];
	if(u->state != RL_U_PENDING || code < 200)
		return; /* provisional, or a retransmission answered again */
	if(code == 200) {
		u->state = RL_U_OK;
		reg_ok++;
	} else {
		u->state = RL_U_FAILED;
		reg_failed++;
		if(++reg_rejected <= RL_REPORT_MAX)
			fprintf(stderr, "regload: REGISTER of %s%ld answered %d\n", prefix,
					idx, code);
	}
	reg_finished(now);
	return;
bad:
	malformed++;
}

/* append s (len) and CRLF to the reply being built */
static char *put_line(char *o, const char *s, int len)
{
	memcpy(o, s, (size_t)len);
	o += len;
	*o++ = '\r';
	*o++ = '\n';
	return o;
}

/* has the To header line a tag parameter (after the URI's closing '>')? */
static int has_tag(const rl_str_t *to)
{
	const char *p, *e = to->s + to->len, *gt;

	gt = memchr(to->s, '>', (size_t)to->len);
	for(p = gt ? gt : to->s; p < e; p++) {
		if(*p != ';')
			continue;
		for(p++; p < e && (*p == ' ' || *p == '\t'); p++)
			;
		if(e - p < 3 || strncasecmp(p, "tag", 3) != 0)
			continue;
		for(p += 3; p < e && (*p == ' ' || *p == '\t'); p++)
			;
		if(p < e && *p == '=')
			return 1;
		p--;
	}
	return 0;
}

static const char *skip_sws(const char *p, const char *e)
{
	while(p < e && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

/* where a UDP server answers a request whose top Via header value is via
 * (the first via-parm of the first Via line) and that came from *from
 * (RFC 3261 18.2.2, RFC 3581): *to is *from with the port of the Via's
 * sent-by (5060 when it names none), or *from itself when the Via has an
 * rport parameter. Returns 1 for a sent-by port, 0 for rport, -1 when the
 * Via is not "SIP/2.0/<transport> host[:port]" with parameters. */
static int via_reply_to(const rl_str_t *via,
		const struct sockaddr_storage *from, socklen_t fromlen,
		struct sockaddr_storage *to)
{
	const char *p = via->s, *e = via->s + via->len, *n;
	long port = 5060;
	int slashes, rport = 0;

	/* sent-protocol: SIP / 2.0 / transport (SWS around each slash) */
	for(slashes = 0; slashes < 2; slashes++) {
		n = memchr(p, '/', (size_t)(e - p));
		if(!n)
			return -1;
		p = n + 1;
	}
	p = skip_sws(p, e);
	while(p < e && *p != ' ' && *p != '\t')
		p++; /* the transport */
	n = skip_sws(p, e);
	if(n == p || n == e)
		return -1; /* no LWS before the sent-by, or no sent-by */
	p = n;
	/* sent-by: host, an IPv6 reference in brackets, [":" port] */
	if(*p == '[') {
		n = memchr(p, ']', (size_t)(e - p));
		if(!n)
			return -1;
		p = n + 1;
	} else {
		for(n = p; p < e && !strchr(" \t:;,", *p); p++)
			;
		if(p == n)
			return -1;
	}
	p = skip_sws(p, e);
	if(p < e && *p == ':') {
		p = skip_sws(p + 1, e);
		if(p == e || *p < '0' || *p > '9')
			return -1;
		for(port = 0; p < e && *p >= '0' && *p <= '9'; p++)
			if((port = port * 10 + (*p - '0')) > 65535)
				return -1;
		if(port == 0)
			return -1;
	}
	/* via-params up to the end or the next via-parm */
	for(;;) {
		p = skip_sws(p, e);
		if(p == e || *p == ',')
			break;
		if(*p != ';')
			return -1;
		p = skip_sws(p + 1, e);
		for(n = p; p < e && !strchr(" \t=;,", *p); p++)
			;
		if(ci_eq(n, (int)(p - n), "rport"))
			rport = 1;
		p = skip_sws(p, e);
		if(p < e && *p == '=')
			for(p = skip_sws(p + 1, e); p < e && !strchr(" \t;,", *p); p++)
				;
	}
	memcpy(to, from, fromlen);
	if(rport)
		return 0;
	if(to->ss_family == AF_INET)
		((struct sockaddr_in *)to)->sin_port = htons((uint16_t)port);
	else
		((struct sockaddr_in6 *)to)->sin6_port = htons((uint16_t)port);
	return 1;
}

/* a request: answer it 200 OK, count it */
static void on_request(const char *buf, int len,
		const struct sockaddr_storage *from, socklen_t fromlen, int64_t now)
{
	static const char status[] = "SIP/2.0 200 OK";
	static const char clen[] = "Content-Length: 0";
	rl_str_t rline, line, name, val, hfrom = {0}, hto = {0}, hcid = {0},
									 hcseq = {0}, via1 = {0};
	struct sockaddr_storage to;
	int pos = 0, vias = 0, is_ack, r;
	const char *sp1, *sp2;
	char *out, *o;
	long user;

	next_line(buf, len, &pos, &rline);
	sp1 = memchr(rline.s, ' ', (size_t)rline.len);
	if(!sp1 || sp1 == rline.s) {
		malformed++;
		return;
	}
	sp2 = memchr(sp1 + 1, ' ', (size_t)(rline.s + rline.len - sp1 - 1));
	if(!sp2 || rline.s + rline.len - sp2 < 8
			|| strncmp(sp2 + 1, "SIP/2.0", 7) != 0) {
		malformed++;
		return;
	}
	is_ack = ci_eq(rline.s, (int)(sp1 - rline.s), "ACK");

	out = rpl_buf[rpl_out.n];
	o = put_line(out, status, sizeof(status) - 1);
	while(next_line(buf, len, &pos, &line)) {
		if(!hdr_split(&line, &name, &val))
			continue;
		if(ci_eq(name.s, name.len, "via") || ci_eq(name.s, name.len, "v")) {
			o = put_line(o, line.s, line.len);
			if(vias++ == 0)
				via1 = val;
		} else if(ci_eq(name.s, name.len, "from")
				  || ci_eq(name.s, name.len, "f")) {
			hfrom = line;
		} else if(ci_eq(name.s, name.len, "to")
				  || ci_eq(name.s, name.len, "t")) {
			hto = line;
		} else if(ci_eq(name.s, name.len, "call-id")
				  || ci_eq(name.s, name.len, "i")) {
			hcid = line;
		} else if(ci_eq(name.s, name.len, "cseq")) {
			hcseq = line;
		}
	}

	if(reg_done) {
		pings++;
		user = uri_user_num(sp1 + 1, (int)(sp2 - sp1 - 1));
		if(user < 0 && hto.s)
			user = uri_user_num(hto.s, hto.len);
		target_mark(user);
		time_add(log_users ? rx_real : now - t_reg_end, user);
	}

	if(is_ack)
		return;
	if(!vias || !hfrom.s || !hto.s || !hcid.s || !hcseq.s) {
		malformed++;
		return;
	}
	o = put_line(o, hfrom.s, hfrom.len);
	/* the To header, with our tag when it has none */
	memcpy(o, hto.s, (size_t)hto.len);
	o += hto.len;
	if(!has_tag(&hto)) {
		memcpy(o, ";tag=rl", 7);
		o += 7;
	}
	*o++ = '\r';
	*o++ = '\n';
	o = put_line(o, hcid.s, hcid.len);
	o = put_line(o, hcseq.s, hcseq.len);
	o = put_line(o, clen, sizeof(clen) - 1);
	*o++ = '\r';
	*o++ = '\n';
	if(reply_via) {
		if((r = via_reply_to(&via1, from, fromlen, &to)) < 0) {
			malformed++;
			return;
		}
		if(r)
			via_port_replies++;
		else
			rport_replies++;
		from = &to;
	}
	out_add(&rpl_out, out, (int)(o - out), from, fromlen);
}

/* one datagram */
static void on_datagram(const char *buf, int len,
		const struct sockaddr_storage *from, socklen_t fromlen, int64_t now)
{
	int i;

	if(len <= 0)
		return;
	for(i = 0; i < len && (buf[i] == '\r' || buf[i] == '\n'); i++)
		;
	if(i == len) {
		if(reg_done)
			crlf++;
		return;
	}
	buf += i; /* CR LF before a message: ignored (RFC 3261 7.5) */
	len -= i;
	if(len >= 8 && memcmp(buf, "SIP/2.0 ", 8) == 0)
		on_reply(buf, len, now);
	else
		on_request(buf, len, from, fromlen, now);
}

/* ------------------------------------------------------------------ */
/* receiving */

static char rx_buf[RL_BATCH][RL_RECV_MAX];
static struct mmsghdr rx_msg[RL_BATCH];
static struct iovec rx_iov[RL_BATCH];
static struct sockaddr_storage rx_from[RL_BATCH];
static char rx_ctl[RL_BATCH][CMSG_SPACE(sizeof(struct timespec))];

/* the CLOCK_REALTIME us of a received datagram's SO_TIMESTAMPNS, else of now */
static int64_t rx_time(struct msghdr *h)
{
	struct cmsghdr *c;
	struct timespec ts;

	for(c = CMSG_FIRSTHDR(h); c; c = CMSG_NXTHDR(h, c))
		if(c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
			memcpy(&ts, CMSG_DATA(c), sizeof(ts));
			return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
		}
	return clock_us(CLOCK_REALTIME);
}

/* read what waits on the socket (a few batches); 0 when nothing did */
static int rx_drain(void)
{
	int round, r, i;
	int64_t now;

	for(round = 0; round < RL_RECV_ROUNDS; round++) {
		for(i = 0; i < RL_BATCH; i++) {
			rx_iov[i].iov_base = rx_buf[i];
			rx_iov[i].iov_len = RL_RECV_MAX;
			memset(&rx_msg[i].msg_hdr, 0, sizeof(rx_msg[i].msg_hdr));
			rx_msg[i].msg_hdr.msg_iov = &rx_iov[i];
			rx_msg[i].msg_hdr.msg_iovlen = 1;
			rx_msg[i].msg_hdr.msg_name = &rx_from[i];
			rx_msg[i].msg_hdr.msg_namelen = sizeof(rx_from[i]);
			rx_msg[i].msg_hdr.msg_control = rx_ctl[i];
			rx_msg[i].msg_hdr.msg_controllen = sizeof(rx_ctl[i]);
		}
		r = recvmmsg(sock, rx_msg, RL_BATCH, MSG_DONTWAIT, NULL);
		if(r < 0) {
			/* an ICMP error queued for the socket: not fatal */
			if(errno == EINTR || errno == ECONNREFUSED)
				continue;
			if(errno == EAGAIN || errno == EWOULDBLOCK)
				return round;
			die_sock("recv on", &self);
		}
		now = now_us();
		for(i = 0; i < r; i++) {
			if(rx_msg[i].msg_hdr.msg_flags & MSG_TRUNC) {
				malformed++;
				continue;
			}
			if(log_users)
				rx_real = rx_time(&rx_msg[i].msg_hdr);
			on_datagram(rx_buf[i], (int)rx_msg[i].msg_len, &rx_from[i],
					rx_msg[i].msg_hdr.msg_namelen, now);
		}
		if(rpl_out.n > 0)
			out_flush(&rpl_out, 0);
		if(r < RL_BATCH)
			return round + 1;
	}
	return round;
}

/* OUTFILE, opened before the run so that a bad path fails at once */
static FILE *open_times(const char *path)
{
	FILE *f = fopen(path, "w");

	if(!f) {
		fprintf(stderr, "regload: open %s: %s\n", path, strerror(errno));
		exit(2);
	}
	setvbuf(f, NULL, _IOFBF, 1 << 20);
	return f;
}

static void write_times(FILE *f, const char *path)
{
	size_t i;

	for(i = 0; i < times_n; i++) {
		if(!log_users)
			fprintf(f, "%lld\n", (long long)times[i]);
		else if(times_user[i] < 0)
			fprintf(f, "%lld -\n", (long long)times[i]);
		else
			fprintf(f, "%lld %s%ld\n", (long long)times[i], prefix,
					(long)times_user[i]);
	}
	if(fflush(f) != 0 || ferror(f) || fclose(f) != 0) {
		fprintf(stderr, "regload: write %s: %s\n", path, strerror(errno));
		exit(2);
	}
}

int main(int argc, char **argv)
{
	long rate;
	int64_t measure, now, wait;
	struct pollfd pfd;
	struct timespec ts;
	sigset_t waitmask;
	const char *p, *log, *rto;
	double t_reg, t_meas;
	FILE *out;

	tn_set_usage("regload", usage);
	if(argc != 9 && argc != 10)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	parse_addr(&self, "IP", argv[1], "PORT", argv[2], 1);
	parse_addr(&server, "SERVER_IP", argv[3], "SERVER_PORT", argv[4], 1);
	count = tn_arg_long("COUNT", argv[5], 0, RL_MAX_COUNT);
	rate = tn_arg_long("RATE", argv[6], 1, RL_MAX_RATE);
	measure = tn_arg_seconds("SECONDS", argv[7], 1000000);
	if(argv[8][0] == '\0')
		tn_bad_arg("OUTFILE", argv[8]);
	if(argc == 10) {
		prefix = argv[9];
		prefix_len = (int)strlen(prefix);
		if(prefix_len == 0 || prefix_len > RL_PREFIX_MAX)
			tn_bad_arg("USER_PREFIX", prefix);
		for(p = prefix; *p; p++)
			if(!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')
					   || (*p >= '0' && *p <= '9')
					   || strchr("-_.!~*'()+$,", *p)))
				tn_bad_arg("USER_PREFIX", prefix);
	}
	if((log = getenv("REGLOAD_LOG")) != NULL && log[0] != '\0') {
		if(strcmp(log, "users") != 0) {
			fprintf(stderr, "regload: REGLOAD_LOG=%s: only \"users\" is known\n",
					log);
			usage();
		}
		log_users = 1;
	}
	if((rto = getenv("REGLOAD_REPLY_TO")) != NULL && rto[0] != '\0') {
		if(strcmp(rto, "via") == 0)
			reply_via = 1;
		else if(strcmp(rto, "source") != 0) {
			fprintf(stderr,
					"regload: REGLOAD_REPLY_TO=%s: \"via\" or \"source\"\n",
					rto);
			usage();
		}
	}
	if(self.ss.ss_family != server.ss.ss_family) {
		fprintf(stderr,
				"regload: IP %s and SERVER_IP %s are not of one family\n",
				argv[1], argv[3]);
		usage();
	}

	if(count > 0) {
		users = calloc((size_t)count, sizeof(*users));
		retr_q = calloc((size_t)count, sizeof(*retr_q));
		if(!users || !retr_q) {
			fprintf(stderr, "regload: out of memory for %ld users\n", count);
			return 2;
		}
	}
	sock = bound_socket(&self);
	/* the kernel's arrival time of each datagram: the sender's pace, not
	 * when this process got round to reading it */
	if(log_users
			&& setsockopt(sock, SOL_SOCKET, SO_TIMESTAMPNS, &(int){1}, sizeof(int))
					   < 0)
		die_sock("setsockopt SO_TIMESTAMPNS", &self);
	out = open_times(argv[8]);
	catch_stop(&waitmask);

	t_start = now_us();
	if(count == 0) {
		reg_done = 1;
		t_reg_end = t_start;
	}
	pfd.fd = sock;
	pfd.events = POLLIN;
	while(!stop_req) {
		now = now_us();
		if(!reg_done)
			reg_tick(now, rate);
		if(reg_done && now >= t_reg_end + measure)
			break;
		/* what is waiting first; when there is much, pace and read on */
		if(rx_drain() == RL_RECV_ROUNDS) {
			if(stop_pending())
				break;
			continue;
		}
		now = now_us();
		wait = (reg_done ? t_reg_end + measure : reg_next(now)) - now;
		if(wait <= 0)
			continue;
		ts.tv_sec = (time_t)(wait / 1000000);
		ts.tv_nsec = (long)(wait % 1000000) * 1000;
		if(ppoll(&pfd, 1, &ts, &waitmask) < 0 && errno != EINTR)
			die_sock("poll on", &self);
	}
	now = now_us();
	close(sock);

	write_times(out, argv[8]);
	t_reg = (double)(t_reg_end - t_start) / 1e6;
	t_meas = (double)(now - t_reg_end) / 1e6;
	if(reg_failed > reg_rejected)
		fprintf(stderr,
				"regload: %ld REGISTERs unanswered after %d "
				"retransmissions\n",
				reg_failed - reg_rejected, RL_RETR_MAX);
	if(reg_retr)
		fprintf(stderr, "regload: %ld REGISTERs retransmitted\n", reg_retr);
	if(reg_rejected > RL_REPORT_MAX)
		fprintf(stderr, "regload: %ld REGISTERs rejected in all\n",
				reg_rejected);
	if(malformed)
		fprintf(stderr, "regload: %ld datagrams not understood\n", malformed);
	if(reply_drops)
		fprintf(stderr, "regload: %ld replies not sent (socket buffer full)\n",
				reply_drops);
	if(reply_via)
		fprintf(stderr,
				"regload: replies to the Via's port %ld, to the source port "
				"(rport) %ld\n",
				via_port_replies, rport_replies);
	printf("registered %ld of %ld in %.3f s; pings %ld in %.3f s (%.0f/s); "
		   "distinct_targets %ld; crlf %ld\n",
			reg_ok, count, t_reg, pings, t_meas,
			t_meas > 0 ? (double)pings / t_meas : 0.0, targets, crlf);
	return reg_ok == count ? 0 : 1;
}
