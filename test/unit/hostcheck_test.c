/*
 * ip6-hostcheck - unit tests for the checks
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
 * \brief ip6-hostcheck :: check suite for the checks (hostcheck.h)
 *
 * Table driven: every row is its own loop check, so a failure names its
 * input. The parsers get the lines a kernel prints (/proc/net/udp6,
 * /proc/<pid>/stat, if_inet6) and cfg text; the judgments are compared as
 * a signature "check:LEVEL;..." of the findings they add, so that a row
 * also fails when a finding appears that it did not expect.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <check.h>

#include "unit.h"

#include "ip6-hostcheck/hostcheck.h"

#define N_ROWS(t) ((int)(sizeof(t) / sizeof((t)[0])))

/* "check:LEVEL;" of every finding from index from */
static char *signature(const hc_report_t *r, int from)
{
	static char out[2048];
	int i;

	out[0] = '\0';
	for(i = from; i < r->n; i++) {
		strncat(out, r->f[i].check, sizeof(out) - strlen(out) - 1);
		strncat(out, ":", sizeof(out) - strlen(out) - 1);
		strncat(out, hc_level_name(r->f[i].level),
				sizeof(out) - strlen(out) - 1);
		strncat(out, ";", sizeof(out) - strlen(out) - 1);
	}
	return out;
}

/* every finding has a one-line what and, unless OK, a why */
static void assert_well_formed(const hc_report_t *r, const char *row)
{
	int i;

	for(i = 0; i < r->n; i++) {
		ck_assert_msg(r->f[i].what[0] != '\0', "%s: finding %s has no what",
				row, r->f[i].check);
		ck_assert_msg(strchr(r->f[i].what, '\n') == NULL,
				"%s: what of %s has a newline", row, r->f[i].check);
		ck_assert_msg(r->f[i].level == HC_OK || r->f[i].why[0] != '\0',
				"%s: %s %s has no why", row, hc_level_name(r->f[i].level),
				r->f[i].check);
	}
}

static hc_report_t *new_report(void)
{
	hc_report_t *r = malloc(sizeof(*r));

	ck_assert_ptr_nonnull(r);
	hc_report_init(r);
	return r;
}

/* ------------------------------------------------------------------ */
/* 1. lines of /proc/net/{udp,tcp}{,6} */

#define TAIL " 00000000:00000000 00:00000000 00000000     0        0 "

struct sock_row
{
	const char *line;
	int table_af;
	int proto;
	enum hc_order order;
	int ret;
	const char *fmt; /* hc_sock_format */
	int state;
	unsigned long inode;
	int family;
	int listener;
};

static const struct sock_row socks[] = {
		/* UDP bound to 127.0.0.1:5060, unconnected: state 07 */
		{" 4146: 0100007F:13C4 00000000:0000 07" TAIL
		 "38024 2 00000000e5b250ab 0",
				4, HC_UDP, HC_LE, 1, "udp 127.0.0.1:5060", 7, 38024, 4, 1},
		/* lower-case hex, no leading space, 0.0.0.0 */
		{"0: 00000000:13c4 00000000:0000 07" TAIL "1 2 0 0", 4, HC_UDP, HC_LE,
				1, "udp 0.0.0.0:5060", 7, 1, 4, 1},
		/* a big-endian host prints the word in network order */
		{"   7: 7F000001:13C4 00000000:0000 07" TAIL "99 2 0 0", 4, HC_UDP,
				HC_BE, 1, "udp 127.0.0.1:5060", 7, 99, 4, 1},
		/* 192.0.2.10 */
		{"  12: 0A0200C0:1F90 00000000:0000 07" TAIL "4242 2 0 0", 4, HC_UDP,
				HC_LE, 1, "udp 192.0.2.10:8080", 7, 4242, 4, 1},
		/* UDP connected to a peer (rtpproxy control): a client */
		{"  13: 0100007F:A1B2 0100007F:1E2A 01" TAIL "777 2 0 0", 4, HC_UDP,
				HC_LE, 1, "udp 127.0.0.1:41394", 1, 777, 4, 0},
		/* UDP not bound to a port */
		{"  14: 00000000:0000 00000000:0000 07" TAIL "778 2 0 0", 4, HC_UDP,
				HC_LE, 1, "udp 0.0.0.0:0", 7, 778, 4, 0},
		/* TCP: LISTEN (0A) is a listener, ESTABLISHED (01) and
		 * TIME_WAIT (06) are not */
		{"   0: 0100007F:13C4 00000000:0000 0A" TAIL
		 "12345 1 0000000000000000 100 0 0 10 0",
				4, HC_TCP, HC_LE, 1, "tcp 127.0.0.1:5060", 10, 12345, 4, 1},
		{"   1: 0100007F:13C4 0100007F:C350 01" TAIL
		 "12346 1 0000000000000000 20 4 30 10 -1",
				4, HC_TCP, HC_LE, 1, "tcp 127.0.0.1:5060", 1, 12346, 4, 0},
		{"   2: 0100007F:13C4 0100007F:C351 06 00000000:00000000 03:00001770 "
		 "00000000     0        0 0 3 0000000000000000",
				4, HC_TCP, HC_LE, 1, "tcp 127.0.0.1:5060", 6, 0, 4, 0},
		/* a closed TCP socket is not a listener (07 only means
		 * "bound" for UDP) */
		{"   3: 0100007F:13C4 00000000:0000 07" TAIL "12347 1 0 0", 4, HC_TCP,
				HC_LE, 1, "tcp 127.0.0.1:5060", 7, 12347, 4, 0},
		/* IPv6 ::1 */
		{"   0: 00000000000000000000000001000000:13C4 "
		 "00000000000000000000000000000000:0000 0A" TAIL
		 "5555 1 0000000000000000 100 0 0 10 0",
				6, HC_TCP, HC_LE, 1, "tcp [::1]:5060", 10, 5555, 6, 1},
		{"  99: 00000000000000000000000001000000:13C4 "
		 "00000000000000000000000000000000:0000 07" TAIL "5556 2 0 0",
				6, HC_UDP, HC_LE, 1, "udp [::1]:5060", 7, 5556, 6, 1},
		/* 2001:db8::10 and the same on a big-endian host */
		{"  10: B80D0120000000000000000010000000:13C4 "
		 "00000000000000000000000000000000:0000 07" TAIL "6001 2 0 0",
				6, HC_UDP, HC_LE, 1, "udp [2001:db8::10]:5060", 7, 6001, 6, 1},
		{"  10: 20010DB8000000000000000000000010:13C4 "
		 "00000000000000000000000000000000:0000 07" TAIL "6002 2 0 0",
				6, HC_UDP, HC_BE, 1, "udp [2001:db8::10]:5060", 7, 6002, 6, 1},
		/* [::] and fd00::2 */
		{"  11: 00000000000000000000000000000000:13C4 "
		 "00000000000000000000000000000000:0000 07" TAIL "6003 2 0 0",
				6, HC_UDP, HC_LE, 1, "udp [::]:5060", 7, 6003, 6, 1},
		{"  11: 000000FD000000000000000002000000:13C4 "
		 "00000000000000000000000000000000:0000 0A" TAIL "6004 1 0 0",
				6, HC_TCP, HC_LE, 1, "tcp [fd00::2]:5060", 10, 6004, 6, 1},
		/* IPv4-mapped ::ffff:127.0.0.1 in udp6: serves IPv4 */
		{"  12: 0000000000000000FFFF00000100007F:13C4 "
		 "00000000000000000000000000000000:0000 07" TAIL "6005 2 0 0",
				6, HC_UDP, HC_LE, 1, "udp [::ffff:127.0.0.1]:5060", 7, 6005, 4,
				1},
		/* ::ffff:0:0 with other bytes before: not mapped */
		{"  13: 0000000000000001FFFF00000100007F:13C4 "
		 "00000000000000000000000000000000:0000 07" TAIL "6006 2 0 0",
				6, HC_UDP, HC_LE, 1, "udp [::100:0:0:ffff:7f00:1]:5060", 7,
				6006, 6, 1},
		/* connected UDP over IPv6 */
		{"  14: 00000000000000000000000001000000:D431 "
		 "00000000000000000000000001000000:13C4 01" TAIL "6007 2 0 0",
				6, HC_UDP, HC_LE, 1, "udp [::1]:54321", 1, 6007, 6, 0},
		/* the headers, blank lines */
		{"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when "
		 "retrnsmt   uid  timeout inode ref pointer drops",
				4, HC_UDP, HC_LE, 0, NULL, 0, 0, 0, 0},
		{"  sl  local_address                         remote_address         "
		 "               st tx_queue rx_queue tr tm->when retrnsmt   uid  "
		 "timeout inode",
				6, HC_TCP, HC_LE, 0, NULL, 0, 0, 0, 0},
		{"", 4, HC_UDP, HC_LE, 0, NULL, 0, 0, 0, 0},
		{"   \n", 6, HC_UDP, HC_LE, 0, NULL, 0, 0, 0, 0},
		/* malformed */
		{" 1: 0100007:13C4 00000000:0000 07" TAIL "1 2 0 0", 4, HC_UDP, HC_LE,
				-1, NULL, 0, 0, 0, 0},
		{" 1: 0100007F:13C 00000000:0000 07" TAIL "1 2 0 0", 4, HC_UDP, HC_LE,
				-1, NULL, 0, 0, 0, 0},
		{" 1: 0100007F:13C4 00000000:0000 07", 4, HC_UDP, HC_LE, -1, NULL, 0, 0,
				0, 0},
		{" 1: 0100007F:13C4 00000000:0000 0G" TAIL "1 2 0 0", 4, HC_UDP, HC_LE,
				-1, NULL, 0, 0, 0, 0},
		{" 1: 0100007F:13C4 00000000:0000 07" TAIL "x 2 0 0", 4, HC_UDP, HC_LE,
				-1, NULL, 0, 0, 0, 0},
		{" 1: 0100007F:13C4 00000000:0000 07" TAIL "12y 2 0 0", 4, HC_UDP,
				HC_LE, -1, NULL, 0, 0, 0, 0},
		{"x1: 0100007F:13C4 00000000:0000 07" TAIL "1 2 0 0", 4, HC_UDP, HC_LE,
				-1, NULL, 0, 0, 0, 0},
		{" 1 0100007F:13C4 00000000:0000 07" TAIL "1 2 0 0", 4, HC_UDP, HC_LE,
				-1, NULL, 0, 0, 0, 0},
		/* an IPv4 line read as an IPv6 table, and the other way round */
		{" 1: 0100007F:13C4 00000000:0000 07" TAIL "1 2 0 0", 6, HC_UDP, HC_LE,
				-1, NULL, 0, 0, 0, 0},
		{"  1: 00000000000000000000000001000000:13C4 "
		 "00000000000000000000000000000000:0000 07" TAIL "1 2 0 0",
				4, HC_UDP, HC_LE, -1, NULL, 0, 0, 0, 0},
};

START_TEST(test_sock_line)
{
	const struct sock_row *r = &socks[_i];
	hc_sock_t s;
	char fmt[80];
	int ret;

	ret = hc_parse_sock_line(r->line, r->table_af, r->proto, r->order, &s);
	ck_assert_msg(ret == r->ret, "row %d [%s]: %d, want %d", _i, r->line, ret,
			r->ret);
	if(ret != 1)
		return;
	hc_sock_format(&s, fmt, sizeof(fmt));
	ck_assert_msg(strcmp(fmt, r->fmt) == 0, "row %d: \"%s\", want \"%s\"", _i,
			fmt, r->fmt);
	ck_assert_msg(s.state == r->state, "row %d: state %d, want %d", _i, s.state,
			r->state);
	ck_assert_msg(s.inode == r->inode, "row %d: inode %lu, want %lu", _i,
			s.inode, r->inode);
	ck_assert_msg(hc_sock_family(&s) == r->family,
			"row %d (%s): family %d, want %d", _i, fmt, hc_sock_family(&s),
			r->family);
	ck_assert_msg(hc_sock_is_listener(&s) == r->listener,
			"row %d (%s, state %d): listener %d, want %d", _i, fmt, s.state,
			hc_sock_is_listener(&s), r->listener);
}
END_TEST

/* the host's own order reads what its kernel printed */
START_TEST(test_host_order)
{
	static const unsigned char lo[4] = {127, 0, 0, 1};
	const unsigned int one = 1;
	unsigned int mem;
	hc_sock_t s;
	char line[160];

	/* as the kernel prints it: the word's in-memory value as a number */
	memcpy(&mem, lo, 4);
	snprintf(line, sizeof(line), "0: %08X:13C4 00000000:0000 07" TAIL "1", mem);
	ck_assert_int_eq(
			hc_parse_sock_line(line, 4, HC_UDP, hc_host_order(), &s), 1);
	ck_assert_int_eq(memcmp(s.addr, lo, 4), 0);
	ck_assert_int_eq(
			hc_host_order(), *(const unsigned char *)&one ? HC_LE : HC_BE);
}
END_TEST

/* ------------------------------------------------------------------ */
/* 2. /proc/<pid>/fd links and /proc/<pid>/stat */

static const struct
{
	const char *link;
	unsigned long inode;
} links[] = {
		{"socket:[12345]", 12345},
		{"socket:[1]", 1},
		{"socket:[4294967296]", 4294967296UL},
		{"socket:[]", 0},
		{"socket:[12x]", 0},
		{"socket:[5]x", 0},
		{"socket:[5", 0},
		{"socket:12345", 0},
		{"pipe:[12345]", 0},
		{"anon_inode:[eventpoll]", 0},
		{"/dev/null", 0},
		{"", 0},
};

START_TEST(test_socket_inode)
{
	ck_assert_msg(hc_socket_inode(links[_i].link) == links[_i].inode,
			"\"%s\": %lu, want %lu", links[_i].link,
			hc_socket_inode(links[_i].link), links[_i].inode);
}
END_TEST

static const struct
{
	const char *text;
	int ret;
	int ppid;
	const char *comm;
} stats[] = {
		{"1234 (kamailio) S 1 1234 1234 0 -1 4194560 1 0 0 0\n", 0, 1,
				"kamailio"},
		{"1240 (kamailio) S 1234 1234 1234 0 -1 4194624 5 0 0\n", 0, 1234,
				"kamailio"},
		/* comm holds spaces and parentheses: it ends at the last ')' */
		{"77 (a b) c)) R 55 77 77 0\n", 0, 55, "a b) c)"},
		{"5 () Z 0 0 0\n", 0, 0, ""},
		{"5 (x) S", -1, 0, NULL},
		{"5 (x)S 1", -1, 0, NULL},
		{"5 (x) S x", -1, 0, NULL},
		{"5 x S 1", -1, 0, NULL},
		{"", -1, 0, NULL},
};

START_TEST(test_stat)
{
	char comm[32];
	int ppid = -7, ret;

	ret = hc_parse_stat(stats[_i].text, &ppid, comm, sizeof(comm));
	ck_assert_msg(ret == stats[_i].ret, "\"%s\": %d, want %d", stats[_i].text,
			ret, stats[_i].ret);
	if(ret != 0)
		return;
	ck_assert_int_eq(ppid, stats[_i].ppid);
	ck_assert_str_eq(comm, stats[_i].comm);
}
END_TEST

/* comm longer than the buffer: cut, NUL-terminated */
START_TEST(test_stat_short_buffer)
{
	char comm[4];
	int ppid;

	ck_assert_int_eq(
			hc_parse_stat("9 (kamailio) S 3 9", &ppid, comm, sizeof(comm)), 0);
	ck_assert_str_eq(comm, "kam");
	ck_assert_int_eq(ppid, 3);
}
END_TEST

/* ------------------------------------------------------------------ */
/* 3. the listener check */

#define U4 " 1: 0100007F:13C4 00000000:0000 07" TAIL "101 2 0 0"
#define T4 " 2: 0100007F:13C4 00000000:0000 0A" TAIL "102 1 0 0"
#define U6                                       \
	" 3: 00000000000000000000000001000000:13C4 " \
	"00000000000000000000000000000000:0000 07" TAIL "103 2 0 0"
#define T6                                       \
	" 4: 00000000000000000000000001000000:13C4 " \
	"00000000000000000000000000000000:0000 0A" TAIL "104 1 0 0"
#define M4                                       \
	" 5: 0000000000000000FFFF00000100007F:13C4 " \
	"00000000000000000000000000000000:0000 07" TAIL "105 2 0 0"
#define C6                                       \
	" 6: 00000000000000000000000001000000:D431 " \
	"00000000000000000000000001000000:13C4 01" TAIL "106 2 0 0"

struct listen_row
{
	const char *owner;
	int by_process;
	int nprocs;
	int unreadable;
	const char *lines[5]; /* each with its table: "4 " or "6 " + u/t */
	const char *sig;
	const char *what; /* of the last finding */
};

static const struct listen_row listens[] = {
		{"kamailio", 1, 5, 0, {"4u" U4, "6u" U6}, "listen:OK;",
				"IPv4: udp 127.0.0.1:5060; IPv6: udp [::1]:5060"},
		{"kamailio", 1, 5, 0, {"4u" U4, "4t" T4, "6u" U6, "6t" T6},
				"listen:OK;",
				"IPv4: udp 127.0.0.1:5060, tcp 127.0.0.1:5060; IPv6: udp "
				"[::1]:5060, tcp [::1]:5060"},
		/* the same socket twice (two tables, SO_REUSEPORT): once */
		{"kamailio", 1, 5, 0, {"4u" U4, "4u" U4, "6u" U6, "6u" U6},
				"listen:OK;", "IPv4: udp 127.0.0.1:5060; IPv6: udp [::1]:5060"},
		{"pid 42", 1, 3, 0, {"4u" U4, "4t" T4}, "listen:FAIL;",
				"no IPv6 listener (IPv4: udp 127.0.0.1:5060, tcp "
				"127.0.0.1:5060)"},
		{"kamailio", 1, 3, 0, {"6u" U6}, "listen:FAIL;",
				"no IPv4 listener (IPv6: udp [::1]:5060)"},
		/* an IPv4-mapped address serves IPv4 */
		{"kamailio", 1, 3, 0, {"6u" M4, "6u" U6}, "listen:OK;",
				"IPv4: udp [::ffff:127.0.0.1]:5060; IPv6: udp [::1]:5060"},
		{"kamailio", 1, 3, 0, {"6u" M4}, "listen:FAIL;",
				"no IPv6 listener (IPv4: udp [::ffff:127.0.0.1]:5060)"},
		/* a connected UDP socket is no listener */
		{"kamailio", 1, 3, 0, {"4u" U4, "6u" C6}, "listen:FAIL;",
				"no IPv6 listener (IPv4: udp 127.0.0.1:5060)"},
		{"kamailio", 1, 0, 0, {NULL}, "listen:FAIL;",
				"kamailio is not running"},
		{"pids 7, 8", 1, 0, 0, {NULL}, "listen:FAIL;",
				"pids 7, 8 is not running"},
		{"kamailio", 1, 2, 0, {NULL}, "listen:FAIL;",
				"no listening UDP/TCP socket of kamailio"},
		{"port 5060", 0, 0, 0, {NULL}, "listen:FAIL;",
				"no listening UDP/TCP socket of port 5060"},
		{"port 5060", 0, 0, 0, {"4u" U4, "6t" T6}, "listen:OK;",
				"IPv4: udp 127.0.0.1:5060; IPv6: tcp [::1]:5060"},
		/* fds that could not be read */
		{"kamailio", 1, 4, 4, {NULL}, "listen access:WARN;listen:FAIL;",
				"no listening UDP/TCP socket of kamailio found (its fds could "
				"not be read)"},
		{"kamailio", 1, 4, 1, {"4u" U4, "6u" U6},
				"listen access:WARN;listen:OK;",
				"IPv4: udp 127.0.0.1:5060; IPv6: udp [::1]:5060"},
};

START_TEST(test_listeners)
{
	const struct listen_row *r = &listens[_i];
	hc_listen_ctx_t ctx = {r->owner, r->by_process, r->nprocs, r->unreadable};
	hc_report_t *rep = new_report();
	hc_sock_t s[5];
	int n, af, proto;

	for(n = 0; n < 5 && r->lines[n]; n++) {
		af = r->lines[n][0] - '0';
		proto = r->lines[n][1] == 't' ? HC_TCP : HC_UDP;
		ck_assert_int_eq(
				hc_parse_sock_line(r->lines[n] + 2, af, proto, HC_LE, &s[n]),
				1);
	}
	hc_check_listeners(rep, &ctx, s, n);
	ck_assert_msg(strcmp(signature(rep, 0), r->sig) == 0,
			"row %d: \"%s\", want \"%s\"", _i, signature(rep, 0), r->sig);
	ck_assert_msg(strcmp(rep->f[rep->n - 1].what, r->what) == 0,
			"row %d: what \"%s\", want \"%s\"", _i, rep->f[rep->n - 1].what,
			r->what);
	assert_well_formed(rep, r->owner);
	free(rep);
}
END_TEST

/* ------------------------------------------------------------------ */
/* 4. cfg parsing */

/* "mtu=1300@line try=TCP@line tcp_off ab6 | af proto value @where; ..." */
static char *cfg_summary(const hc_cfg_t *c)
{
	static char out[2048];
	char one[300];
	int i;

	snprintf(out, sizeof(out), "mtu=%ld", c->udp_mtu);
	if(c->udp_mtu != HC_UNSET) {
		snprintf(one, sizeof(one), "@%s%s%d", c->udp_mtu_file,
				c->udp_mtu_file[0] ? ":" : "", c->udp_mtu_line);
		strcat(out, one);
	}
	snprintf(one, sizeof(one), " try=%s", c->try_proto);
	strcat(out, one);
	if(c->try_proto[0]) {
		snprintf(one, sizeof(one), "@%s%s%d", c->try_proto_file,
				c->try_proto_file[0] ? ":" : "", c->try_proto_line);
		strcat(out, one);
	}
	if(c->disable_tcp)
		strcat(out, " tcp_off");
	if(c->auto_bind_ipv6)
		strcat(out, " ab6");
	strcat(out, " |");
	for(i = 0; i < c->nlisten; i++) {
		snprintf(one, sizeof(one), " %d %s %s @%s%s%d;", c->listen[i].af,
				c->listen[i].proto[0] ? c->listen[i].proto : "-",
				c->listen[i].value, c->listen[i].file,
				c->listen[i].file[0] ? ":" : "", c->listen[i].line);
		strncat(out, one, sizeof(out) - strlen(out) - 1);
	}
	return out;
}

struct cfg_row
{
	const char *text;
	const char *summary;
};

static const struct cfg_row cfgs[] = {
		{"#!KAMAILIO\nlisten=udp:127.0.0.1:5060\nlisten=udp:[::1]:5060\n"
		 "udp_mtu=1300\nudp_mtu_try_proto=TCP\n",
				"mtu=1300@4 try=TCP@5 | 4 udp udp:127.0.0.1:5060 @2; 6 udp "
				"udp:[::1]:5060 @3;"},
		/* spaces, case, what follows the address */
		{"listen = udp:[2001:db8::10]:5060 advertise [2001:db8::20]:5060\n"
		 "  udp_mtu = 1280\n\tudp_mtu_try_proto = tcp\n"
		 "listen=tcp:192.0.2.1:5060 name \"v4\"\n",
				"mtu=1280@2 try=TCP@3 | 6 udp udp:[2001:db8::10]:5060 @1; 4 "
				"tcp "
				"tcp:192.0.2.1:5060 @4;"},
		/* comments: #, //, blocks over lines, trailing */
		{"#listen=udp:[::1]:5060\n// listen=udp:[::2]:5060\n"
		 "/* listen=udp:[::3]:5060\nlisten=udp:[::4]:5060 */\n"
		 "listen=udp:1.2.3.4:5060 # trailing\n"
		 "/* a */ udp_mtu=1300 // x\n"
		 "   # udp_mtu_try_proto=TCP\n",
				"mtu=1300@6 try= | 4 udp udp:1.2.3.4:5060 @5;"},
		/* nested block comments, as kamailio's lexer has them */
		{"/* /* */ listen=[::9] */\nlisten=[::1]\n",
				"mtu=-1 try= | 6 - [::1] @2;"},
		/* '#', '//' and a block comment's start in a string: no comments */
		{"listen=udp:[::1]:5060\nmodparam(\"x\", \"url\", \"http://h/#a/*\")\n"
		 "udp_mtu=1300\nmodparam(\"x\", \"q\", \"a\\\"/*\")\n"
		 "udp_mtu_try_proto=TCP\n",
				"mtu=1300@3 try=TCP@5 | 6 udp udp:[::1]:5060 @1;"},
		/* #!define in listen lines, udp_mtu */
		{"#!define IP6 [::1]\n#!define PORT 5060\nlisten=udp:IP6:PORT\n"
		 "#!define MTU 1300\nudp_mtu=MTU\n#!define TRY TCP\n"
		 "udp_mtu_try_proto=TRY\n",
				"mtu=1300@5 try=TCP@7 | 6 udp udp:[::1]:5060 @3;"},
		/* a define naming a define; !! as the directive start */
		{"!!define A B\n#!define B [::1]\nlisten=A\n",
				"mtu=-1 try= | 6 - [::1] @3;"},
		/* the first #!define stays, trydef keeps, redefine replaces */
		{"#!define X 10.0.0.1\n#!define X 10.0.0.2\n#!trydef Y [::1]\n"
		 "#!trydef Y [::2]\n#!define Z 1.1.1.1\n#!redefine Z [::3]\n"
		 "listen=X\nlisten=Y\nlisten=Z\n",
				"mtu=-1 try= | 4 - 10.0.0.1 @7; 6 - [::1] @8; 6 - [::3] @9;"},
		/* #!substdef "/ID/value/", another delimiter, #!subst */
		{"#!substdef \"/MYIP6/[fd00::1]/\"\nlisten=tcp:MYIP6:5060\n"
		 "#!substdef \"!V4!192.0.2.1!\"\nlisten=V4\n"
		 "#!subst \"/SIPPORT/5070/\"\nlisten=udp:[::1]:SIPPORT\n",
				"mtu=-1 try= | 6 tcp tcp:[fd00::1]:5060 @2; 4 - 192.0.2.1 @4; "
				"6 udp udp:[::1]:5070 @6;"},
		/* #!ifdef / #!ifndef / #!else, nested */
		{"#!define WITH_V6\n#!ifdef WITH_V6\nlisten=[::1]\n#!else\n"
		 "listen=127.0.0.2\n#!endif\n#!ifndef LB_IP\n#!define LB_IP "
		 "10.0.0.1\n#!endif\nlisten=LB_IP\n"
		 "#!ifdef NOPE\n#!ifdef WITH_V6\nudp_mtu=1\n#!else\nudp_mtu=2\n"
		 "#!endif\n#!else\nudp_mtu=1300\n#!endif\n",
				"mtu=1300@18 try= | 6 - [::1] @3; 4 - 10.0.0.1 @10;"},
		/* the shipped cfg's pattern */
		{"#!ifndef LB_IP4\n#!define LB_IP4 127.0.0.1\n#!endif\n"
		 "#!ifndef LB_IP6\n#!define LB_IP6 [::1]\n#!endif\n"
		 "#!ifndef LB_PORT\n#!define LB_PORT 5060\n#!endif\n"
		 "listen=udp:LB_IP4:LB_PORT\nlisten=tcp:LB_IP6:LB_PORT\n",
				"mtu=-1 try= | 4 udp udp:127.0.0.1:5060 @10; 6 tcp "
				"tcp:[::1]:5060 @11;"},
		/* a name not defined (kamailio -A?), interfaces, host names */
		{"listen=udp:LB_IP6:5060\nlisten=eth0\n"
		 "listen=udp:sip.example.com:5060\nlisten=*\n",
				"mtu=-1 try= | 0 udp udp:LB_IP6:5060 @1; 0 - eth0 @2; 0 udp "
				"udp:sip.example.com:5060 @3; 0 - * @4;"},
		/* no substitution inside strings */
		{"#!define X 1\nlisten=\"udp:X.2.3.4:5060\"\n",
				"mtu=-1 try= | 0 udp udp:X.2.3.4:5060 @2;"},
		/* IPv6 without brackets, also with a zone */
		{"listen=udp:::1\nlisten=2001:db8::5\nlisten=fe80::1%eth0\n",
				"mtu=-1 try= | 6 udp udp:::1 @1; 6 - 2001:db8::5 @2; 6 - "
				"fe80::1%eth0 @3;"},
		/* sctp multihoming */
		{"listen=sctp:(10.0.0.1, 10.0.0.2):5060\n",
				"mtu=-1 try= | 4 sctp sctp:(10.0.0.1, 10.0.0.2):5060 @1;"},
		/* an action in a route is no setting; the last setting wins */
		{"udp_mtu=1400\nudp_mtu=1300\nroute { udp_mtu_try_proto(TCP); }\n"
		 "udp_mtu_tries=3\n",
				"mtu=1300@2 try= |"},
		{"udp_mtu_try_proto=sctp\nudp_mtu=0x514\n", "mtu=1300@2 try=SCTP@1 |"},
		/* disable_tcp, auto_bind_ipv6 */
		{"disable_tcp=yes\nauto_bind_ipv6=1\n", "mtu=-1 try= tcp_off ab6 |"},
		{"disable_tcp=no\nauto_bind_ipv6=0\n", "mtu=-1 try= |"},
		/* CRLF line ends */
		{"listen=udp:[::1]:5060\r\nudp_mtu=1300\r\nudp_mtu_try_proto=TCP\r\n",
				"mtu=1300@2 try=TCP@3 | 6 udp udp:[::1]:5060 @1;"},
		/* a #!define continued over lines */
		{"#!define IP \\\n[::1]\nlisten=IP\n", "mtu=-1 try= | 6 - [::1] @3;"},
		/* the text alone: an include is not read */
		{"listen=[::1]\ninclude_file \"inc.cfg\"\nudp_mtu=1300\n",
				"mtu=1300@3 try= | 6 - [::1] @1;"},
		{"", "mtu=-1 try= |"},
		{"listen", "mtu=-1 try= |"},
		{"listen=", "mtu=-1 try= | 0 -  @1;"},
};

START_TEST(test_cfg)
{
	hc_cfg_t *c = malloc(sizeof(*c));
	const char *got;
	char *text = strdup(cfgs[_i].text);

	ck_assert_ptr_nonnull(c);
	hc_parse_cfg(text, c);
	got = cfg_summary(c);
	ck_assert_msg(strcmp(got, cfgs[_i].summary) == 0,
			"row %d:\n  got  \"%s\"\n  want \"%s\"", _i, got, cfgs[_i].summary);
	free(text);
	free(c);
}
END_TEST

/* hc_read_cfg() reads the files of a row from memory */
struct mem_file
{
	const char *name;
	const char *text;
};

static char *mem_read(const char *path, void *arg)
{
	const struct mem_file *f;

	for(f = arg; f->name; f++)
		if(strcmp(f->name, path) == 0)
			return strdup(f->text);
	errno = ENOENT;
	return NULL;
}

/* eleven includes deep, one more than kamailio reads */
#define DEEP                                                                \
	{"l0", "include_file \"l1\""}, {"l1", "include_file \"l2\""},           \
			{"l2", "include_file \"l3\""}, {"l3", "include_file \"l4\""},       \
			{"l4", "include_file \"l5\""}, {"l5", "include_file \"l6\""},       \
			{"l6", "include_file \"l7\""}, {"l7", "include_file \"l8\""},       \
			{"l8", "include_file \"l9\""}, {"l9", "include_file \"l10\""},      \
			{"l10", "include_file \"l11\""}, {"l11", "udp_mtu=1300\n"}

static const struct
{
	struct mem_file files[16]; /* files[0] is the main one */
	const char *summary;	   /* cfg_summary() */
	const char *findings;	   /* signature() */
	const char *what;		   /* of the first finding */
} reads[] = {
		/* lines of the included file are named by file and line */
		{{{"k.cfg", "listen=[::1]\ninclude_file \"inc.cfg\"\n"
					"listen=127.0.0.1\n"},
				 {"inc.cfg", "udp_mtu=1300\nudp_mtu_try_proto=TCP\n"}},
				"mtu=1300@inc.cfg:1 try=TCP@inc.cfg:2 | 6 - [::1] @1; 4 - "
				"127.0.0.1 @3;",
				"", NULL},
		/* a missing include in a block that is off: kamailio starts */
		{{{"k.cfg", "#!ifdef WITH_TLS\ninclude_file \"tls.cfg\"\n#!endif\n"
					"udp_mtu=1300\n"}},
				"mtu=1300@4 try= |", "", NULL},
		/* the same block on: kamailio would not start */
		{{{"k.cfg", "#!define WITH_TLS\n#!ifdef WITH_TLS\n"
					"include_file \"tls.cfg\"\n#!endif\n"}},
				"mtu=-1 try= |", "cfg include:WARN;",
				"cannot read tls.cfg (included at line 3): No such file or "
				"directory"},
		/* a define made in an included file decides the blocks after it;
		 * #!include_file and import_file are includes too */
		{{{"k.cfg", "include_file \"defs.cfg\"\n#!ifdef WITH_MTU\n"
					"#!include_file \"mtu.cfg\"\n#!else\n"
					"include_file \"none.cfg\"\n#!endif\n"
					"import_file \"optional.cfg\"\n"},
				 {"defs.cfg", "#!define WITH_MTU\n"},
				 {"mtu.cfg", "# large ones over TCP\nudp_mtu=1300\n"}},
				"mtu=1300@mtu.cfg:2 try= |", "", NULL},
		/* as given, else next to the including file */
		{{{"/etc/k/k.cfg", "include_file \"sub/a.cfg\"\n"},
				 {"/etc/k/sub/a.cfg", "include_file \"b.cfg\"\n"},
				 {"/etc/k/sub/b.cfg", "udp_mtu=1300\n"}},
				"mtu=1300@b.cfg:1 try= |", "", NULL},
		/* a missing include named where it is included */
		{{{"k.cfg", "include_file \"a.cfg\"\n"},
				 {"a.cfg", "\n\n#!include_file \"gone.cfg\"\n"}},
				"mtu=-1 try= |", "cfg include:WARN;",
				"cannot read gone.cfg (included at a.cfg line 3): No such "
				"file or directory"},
		/* an include in a comment is no include */
		{{{"k.cfg", "/* include_file \"x.cfg\"\n*/\n# include_file \"y.cfg\"\n"}},
				"mtu=-1 try= |", "", NULL},
		/* kamailio refuses more than 10 nested includes */
		{{DEEP}, "mtu=-1 try= |", "cfg include:WARN;",
				"l11: too deeply nested, not checked"},
};

START_TEST(test_read_cfg)
{
	hc_cfg_t *c = malloc(sizeof(*c));
	hc_report_t *rep = new_report();
	const char *got;

	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(hc_read_cfg(reads[_i].files[0].name, mem_read,
							 (void *)reads[_i].files, c, rep),
			0);
	got = cfg_summary(c);
	ck_assert_msg(strcmp(got, reads[_i].summary) == 0,
			"row %d:\n  got  \"%s\"\n  want \"%s\"", _i, got,
			reads[_i].summary);
	ck_assert_str_eq(signature(rep, 0), reads[_i].findings);
	if(reads[_i].what)
		ck_assert_str_eq(rep->f[0].what, reads[_i].what);
	assert_well_formed(rep, "read");
	free(rep);
	free(c);
}
END_TEST

/* the main file cannot be read: -1, errno set */
START_TEST(test_read_cfg_missing)
{
	static const struct mem_file none[] = {{NULL, NULL}};
	hc_cfg_t *c = malloc(sizeof(*c));
	hc_report_t *rep = new_report();

	errno = 0;
	ck_assert_int_eq(
			hc_read_cfg("k.cfg", mem_read, (void *)none, c, rep), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(rep->n, 0);
	free(rep);
	free(c);
}
END_TEST

/* more listen lines than fit: counted, the first ones kept */
START_TEST(test_cfg_many_listen)
{
	hc_cfg_t *c = malloc(sizeof(*c));
	hc_report_t *rep = new_report();
	char *text = malloc(64 * (HC_MAX_LISTEN + 8));
	int i;

	text[0] = '\0';
	for(i = 0; i < HC_MAX_LISTEN + 5; i++)
		sprintf(text + strlen(text), "listen=udp:10.0.0.%d:5060\n", i);
	hc_parse_cfg(text, c);
	ck_assert_int_eq(c->nlisten, HC_MAX_LISTEN);
	ck_assert_int_eq(c->nlisten_all, HC_MAX_LISTEN + 5);
	ck_assert_str_eq(c->listen[0].value, "udp:10.0.0.0:5060");
	hc_check_cfg(rep, c);
	ck_assert_str_eq(signature(rep, 0),
			"cfg udp_mtu:WARN;cfg listen IPv6:WARN;cfg listen IPv4:OK;cfg "
			"listen:WARN;");
	free(text);
	free(rep);
	free(c);
}
END_TEST

static const struct
{
	const char *value;
	int af;
	const char *proto;
} lafs[] = {
		{"udp:[::1]:5060", 6, "udp"},
		{"[::1]", 6, ""},
		{"[::1]:5060", 6, ""},
		{"TCP:[2001:db8::1]:5061", 6, "tcp"},
		{"tls:127.0.0.1:5061", 4, "tls"},
		{"127.0.0.1", 4, ""},
		{"127.0.0.1:5060", 4, ""},
		{"0.0.0.0", 4, ""},
		{"sctp:(10.0.0.1,10.0.0.2)", 4, "sctp"},
		{"::1", 6, ""},
		{"udp:::1:5060", 6, "udp"},
		{"[::1", 0, ""},
		{"[nope]:5060", 0, ""},
		{"udp:256.1.1.1:5060", 0, "udp"},
		{"udp:eth0:5060", 0, "udp"},
		{"sip.example.com", 0, ""},
		{"*", 0, ""},
		{"", 0, ""},
};

START_TEST(test_listen_af)
{
	char proto[8] = "junk";
	int af = hc_listen_af(lafs[_i].value, proto, sizeof(proto));

	ck_assert_msg(af == lafs[_i].af, "\"%s\": af %d, want %d", lafs[_i].value,
			af, lafs[_i].af);
	ck_assert_msg(strcmp(proto, lafs[_i].proto) == 0,
			"\"%s\": proto \"%s\", want \"%s\"", lafs[_i].value, proto,
			lafs[_i].proto);
}
END_TEST

/* ------------------------------------------------------------------ */
/* 5. cfg judgments */

#define BOTH                                                 \
	"listen=udp:127.0.0.1:5060\nlisten=tcp:127.0.0.1:5060\n" \
	"listen=udp:[::1]:5060\nlisten=tcp:[::1]:5060\n"
#define UDP_BOTH "listen=udp:127.0.0.1:5060\nlisten=udp:[::1]:5060\n"
#define MTU "udp_mtu=1300\nudp_mtu_try_proto=TCP\n"

static const struct
{
	const char *text;
	const char *sig;
} judge[] = {
		{BOTH MTU, "cfg udp_mtu:OK;cfg udp_mtu_try_proto:OK;cfg listen IPv6:OK;"
				   "cfg listen IPv4:OK;"},
		/* TCP for large requests, but no TCP socket of either family */
		{UDP_BOTH MTU,
				"cfg udp_mtu:OK;cfg udp_mtu_try_proto:OK;cfg listen IPv6:OK;"
				"cfg listen IPv4:OK;cfg udp_mtu socket:WARN;cfg udp_mtu "
				"socket:WARN;"},
		{"listen=udp:[::1]:5060\nlisten=tcp:[::1]:5060\n"
		 "listen=udp:127.0.0.1:5060\n" MTU,
				"cfg udp_mtu:OK;cfg udp_mtu_try_proto:OK;cfg listen IPv6:OK;"
				"cfg listen IPv4:OK;cfg udp_mtu socket:WARN;"},
		/* no proto: every enabled one, TCP unless disable_tcp */
		{"listen=[::1]\nlisten=127.0.0.1\n" MTU,
				"cfg udp_mtu:OK;cfg udp_mtu_try_proto:OK;cfg listen IPv6:OK;"
				"cfg listen IPv4:OK;"},
		{"listen=[::1]\nlisten=127.0.0.1\ndisable_tcp=yes\n" MTU,
				"cfg udp_mtu:OK;cfg udp_mtu_try_proto:OK;cfg listen IPv6:OK;"
				"cfg listen IPv4:OK;cfg udp_mtu socket:WARN;cfg udp_mtu "
				"socket:WARN;"},
		{BOTH "udp_mtu=1300\nudp_mtu_try_proto=TLS\n",
				"cfg udp_mtu:OK;cfg udp_mtu_try_proto:OK;cfg listen IPv6:OK;"
				"cfg listen IPv4:OK;cfg udp_mtu socket:WARN;cfg udp_mtu "
				"socket:WARN;"},
		{BOTH, "cfg udp_mtu:WARN;cfg listen IPv6:OK;cfg listen IPv4:OK;"},
		{BOTH "udp_mtu_try_proto=TCP\n",
				"cfg udp_mtu:WARN;cfg listen IPv6:OK;cfg listen IPv4:OK;"},
		{BOTH "udp_mtu=0\nudp_mtu_try_proto=TCP\n",
				"cfg udp_mtu:WARN;cfg listen IPv6:OK;cfg listen IPv4:OK;"},
		{BOTH "udp_mtu=1300\n",
				"cfg udp_mtu:OK;cfg udp_mtu_try_proto:FAIL;cfg listen IPv6:OK;"
				"cfg listen IPv4:OK;"},
		{BOTH "udp_mtu=1300\nudp_mtu_try_proto=UDP\n",
				"cfg udp_mtu:OK;cfg udp_mtu_try_proto:FAIL;cfg listen IPv6:OK;"
				"cfg listen IPv4:OK;"},
		{BOTH "udp_mtu=1500\nudp_mtu_try_proto=TCP\n",
				"cfg udp_mtu:WARN;cfg udp_mtu_try_proto:OK;cfg listen IPv6:OK;"
				"cfg listen IPv4:OK;"},
		{BOTH "udp_mtu=1280\nudp_mtu_try_proto=TCP\n",
				"cfg udp_mtu:OK;cfg udp_mtu_try_proto:OK;cfg listen IPv6:OK;"
				"cfg listen IPv4:OK;"},
		{BOTH "udp_mtu=1200\nudp_mtu_try_proto=SCTP\n",
				"cfg udp_mtu:OK;cfg udp_mtu_try_proto:OK;cfg listen IPv6:OK;"
				"cfg listen IPv4:OK;cfg udp_mtu socket:WARN;cfg udp_mtu "
				"socket:WARN;"},
		{"listen=udp:127.0.0.1:5060\nlisten=tcp:127.0.0.1:5060\n" MTU,
				"cfg udp_mtu:OK;cfg udp_mtu_try_proto:OK;cfg listen IPv6:WARN;"
				"cfg listen IPv4:OK;"},
		{"listen=udp:[::1]:5060\nlisten=tcp:[::1]:5060\n" MTU,
				"cfg udp_mtu:OK;cfg udp_mtu_try_proto:OK;cfg listen IPv6:OK;"
				"cfg listen IPv4:WARN;"},
		/* an interface name binds IPv4 only (kamailio 5.6.3, #2404) */
		{"listen=eth0\n" MTU,
				"cfg udp_mtu:OK;cfg udp_mtu_try_proto:OK;cfg listen IPv6:WARN;"
				"cfg listen IPv4:WARN;cfg listen interface:WARN;"},
		{BOTH "listen=udp:lo:5070\n" MTU,
				"cfg udp_mtu:OK;cfg udp_mtu_try_proto:OK;cfg listen IPv6:OK;"
				"cfg listen IPv4:OK;cfg listen interface:WARN;"},
		{BOTH "listen=udp:lo:5070\nauto_bind_ipv6=1\n" MTU,
				"cfg udp_mtu:OK;cfg udp_mtu_try_proto:OK;cfg listen IPv6:OK;"
				"cfg listen IPv4:OK;"},
		{BOTH "listen=udp:sip.example.net:5070\n" MTU,
				"cfg udp_mtu:OK;cfg udp_mtu_try_proto:OK;cfg listen IPv6:OK;"
				"cfg listen IPv4:OK;"},
		/* udp_mtu_try_proto(TCP) in a route only: UDP phones stay on UDP */
		{BOTH "udp_mtu=1300\nroute[TOCORE] {\n\tudp_mtu_try_proto(TCP);\n}\n",
				"cfg udp_mtu:OK;cfg udp_mtu_try_proto:OK;cfg listen IPv6:OK;"
				"cfg listen IPv4:OK;"},
		/* IPv4 with DF */
		{BOTH MTU "pmtu_discovery=1\n",
				"cfg udp_mtu:OK;cfg udp_mtu_try_proto:OK;cfg listen IPv6:OK;"
				"cfg listen IPv4:OK;cfg pmtu_discovery:WARN;"},
		{BOTH MTU "pmtu_discovery=0\n",
				"cfg udp_mtu:OK;cfg udp_mtu_try_proto:OK;cfg listen IPv6:OK;"
				"cfg listen IPv4:OK;"},
		/* known not to work over IPv6 */
		{BOTH MTU "loadmodule \"/usr/lib/kamailio/modules/geoip.so\"\n",
				"cfg udp_mtu:OK;cfg udp_mtu_try_proto:OK;cfg listen IPv6:OK;"
				"cfg listen IPv4:OK;cfg geoip:WARN;"},
		{BOTH MTU "loadmodule \"geoip2.so\"\n",
				"cfg udp_mtu:OK;cfg udp_mtu_try_proto:OK;cfg listen IPv6:OK;"
				"cfg listen IPv4:OK;"},
		{BOTH MTU "modparam(\"nathelper\", \"natping_socket\", \"192.0.2.1:5060\")\n",
				"cfg udp_mtu:OK;cfg udp_mtu_try_proto:OK;cfg listen IPv6:OK;"
				"cfg listen IPv4:OK;cfg nathelper raw ping:WARN;"},
		{BOTH MTU "modparam(\"nathelper\", \"udpping_from_path\", 1)\n",
				"cfg udp_mtu:OK;cfg udp_mtu_try_proto:OK;cfg listen IPv6:OK;"
				"cfg listen IPv4:OK;cfg nathelper raw ping:WARN;"},
		{BOTH MTU "modparam(\"nathelper\", \"natping_interval\", 30)\n"
				  "# modparam(\"nathelper\", \"natping_socket\", \"x\")\n",
				"cfg udp_mtu:OK;cfg udp_mtu_try_proto:OK;cfg listen IPv6:OK;"
				"cfg listen IPv4:OK;"},
		/* no listen line: IPv4 only, unless auto_bind_ipv6 */
		{MTU, "cfg udp_mtu:OK;cfg udp_mtu_try_proto:OK;cfg listen IPv6:WARN;"},
		{"auto_bind_ipv6=1\n" MTU,
				"cfg udp_mtu:OK;cfg udp_mtu_try_proto:OK;cfg listen:WARN;"},
		{"", "cfg udp_mtu:WARN;cfg listen IPv6:WARN;"},
};

START_TEST(test_cfg_judge)
{
	hc_cfg_t *c = malloc(sizeof(*c));
	hc_report_t *rep = new_report();

	hc_parse_cfg(judge[_i].text, c);
	hc_check_cfg(rep, c);
	ck_assert_msg(strcmp(signature(rep, 0), judge[_i].sig) == 0,
			"row %d:\n  got  \"%s\"\n  want \"%s\"", _i, signature(rep, 0),
			judge[_i].sig);
	assert_well_formed(rep, judge[_i].text);
	free(rep);
	free(c);
}
END_TEST

/* the findings name what they are about */
START_TEST(test_cfg_wording)
{
	hc_cfg_t *c = malloc(sizeof(*c));
	hc_report_t *rep = new_report();

	hc_parse_cfg("listen=udp:127.0.0.1:5060\nudp_mtu=1300\n", c);
	hc_check_cfg(rep, c);
	ck_assert_str_eq(rep->f[0].what, "udp_mtu=1300 (line 2)");
	ck_assert_str_eq(
			rep->f[1].what, "udp_mtu=1300 is set without udp_mtu_try_proto");
	ck_assert_str_eq(rep->f[2].what, "no IPv6 listen line");
	ck_assert_str_eq(rep->f[3].what, "udp:127.0.0.1:5060 (line 1)");
	ck_assert_ptr_nonnull(strstr(rep->f[1].why, "udp_mtu_try_proto=TCP"));

	hc_report_init(rep);
	hc_parse_cfg("listen=udp:LB_IP6:5060\n", c);
	hc_check_cfg(rep, c);
	ck_assert_str_eq(rep->f[1].what,
			"no IPv6 listen line; not resolved: udp:LB_IP6:5060 (line 1)");
	free(rep);
	free(c);
}
END_TEST

/* ------------------------------------------------------------------ */
/* 6. sysctl judgments */

#define U HC_UNSET

struct sys_row
{
	int ipv6;
	long pmtu, dis_all, dis_def, fwd, ra;
	long info;			/* mtu_expires, all.mtu, rmem_max: all this value */
	const char *ifname; /* an interface with a dynamic address */
	long if_fwd, if_ra;
	const char *cfg; /* NULL: no --cfg */
	const char *sig;
};

#define ALL_OK                                                       \
	"net.ipv4.ip_no_pmtu_disc:OK;net.ipv6.conf.all.disable_ipv6:OK;" \
	"net.ipv6.conf.default.disable_ipv6:OK;net.ipv6.conf.all.accept_ra:OK;"

static const struct sys_row sys[] = {
		{1, 0, 0, 0, 0, 1, U, NULL, 0, 0, NULL, ALL_OK},
		{1, 0, 0, 0, 0, 1, 600, NULL, 0, 0, NULL,
				ALL_OK "net.ipv6.route.mtu_expires:OK;net.ipv6.conf.all.mtu:OK;"
					   "net.core.rmem_max:OK;"},
		/* disable_ipv6 */
		{1, 0, 1, 0, 0, 1, U, NULL, 0, 0, NULL,
				"net.ipv4.ip_no_pmtu_disc:OK;net.ipv6.conf.all.disable_ipv6:"
				"FAIL;net.ipv6.conf.default.disable_ipv6:OK;net.ipv6.conf.all."
				"accept_ra:OK;"},
		{1, 0, 0, 1, 0, 1, U, NULL, 0, 0, NULL,
				"net.ipv4.ip_no_pmtu_disc:OK;net.ipv6.conf.all.disable_ipv6:OK;"
				"net.ipv6.conf.default.disable_ipv6:WARN;net.ipv6.conf.all."
				"accept_ra:OK;"},
		/* the files missing: IPv6 not in the kernel */
		{0, 0, U, U, U, U, 600, NULL, 0, 0, NULL,
				"net.ipv4.ip_no_pmtu_disc:OK;net.ipv6:FAIL;net.core.rmem_max:"
				"OK;"},
		{1, U, U, U, U, U, U, NULL, 0, 0, NULL,
				"net.ipv6.conf.all.disable_ipv6:FAIL;"},
		/* ip_no_pmtu_disc=1: does not help IPv6, unless udp_mtu does */
		{1, 1, 0, 0, 0, 1, U, NULL, 0, 0, NULL,
				"net.ipv4.ip_no_pmtu_disc:WARN;net.ipv6.conf.all.disable_ipv6:"
				"OK;net.ipv6.conf.default.disable_ipv6:OK;net.ipv6.conf.all."
				"accept_ra:OK;"},
		{1, 1, 0, 0, 0, 1, U, NULL, 0, 0,
				"udp_mtu=1300\nudp_mtu_try_proto=TCP\n", ALL_OK},
		{1, 1, 0, 0, 0, 1, U, NULL, 0, 0, "udp_mtu=1300\n",
				"net.ipv4.ip_no_pmtu_disc:WARN;net.ipv6.conf.all.disable_ipv6:"
				"OK;net.ipv6.conf.default.disable_ipv6:OK;net.ipv6.conf.all."
				"accept_ra:OK;"},
		{1, 1, 0, 0, 0, 1, U, NULL, 0, 0,
				"udp_mtu=1500\nudp_mtu_try_proto=TCP\n",
				"net.ipv4.ip_no_pmtu_disc:WARN;net.ipv6.conf.all.disable_ipv6:"
				"OK;net.ipv6.conf.default.disable_ipv6:OK;net.ipv6.conf.all."
				"accept_ra:OK;"},
		{1, 1, 0, 0, 0, 1, U, NULL, 0, 0, "", /* a cfg without udp_mtu */
				"net.ipv4.ip_no_pmtu_disc:WARN;net.ipv6.conf.all.disable_ipv6:"
				"OK;net.ipv6.conf.default.disable_ipv6:OK;net.ipv6.conf.all."
				"accept_ra:OK;"},
		{1, 2, 0, 0, 0, 1, U, NULL, 0, 0, NULL, ALL_OK},
		/* forwarding with accept_ra<2: fine without autoconfigured
		 * addresses */
		{1, 0, 0, 0, 1, 1, U, NULL, 0, 0, NULL, ALL_OK},
		{1, 0, 0, 0, 1, 0, U, NULL, 0, 0, NULL, ALL_OK},
		/* an interface with a SLAAC address: its own values count */
		{1, 0, 0, 0, 1, 2, U, "eth0", 1, 1, NULL,
				"net.ipv4.ip_no_pmtu_disc:OK;net.ipv6.conf.all.disable_ipv6:OK;"
				"net.ipv6.conf.default.disable_ipv6:OK;net.ipv6.conf.eth0."
				"accept_ra:WARN;"},
		{1, 0, 0, 0, 1, 1, U, "eth0", 1, 2, NULL,
				"net.ipv4.ip_no_pmtu_disc:OK;net.ipv6.conf.all.disable_ipv6:OK;"
				"net.ipv6.conf.default.disable_ipv6:OK;net.ipv6.conf.eth0."
				"accept_ra:OK;"},
		{1, 0, 0, 0, 0, 1, U, "eth0.100", 0, 1, NULL,
				"net.ipv4.ip_no_pmtu_disc:OK;net.ipv6.conf.all.disable_ipv6:OK;"
				"net.ipv6.conf.default.disable_ipv6:OK;net.ipv6.conf.eth0.100."
				"accept_ra:OK;"},
		{1, 0, 0, 0, 0, 1, U, "eth0", 0, 0, NULL,
				"net.ipv4.ip_no_pmtu_disc:OK;net.ipv6.conf.all.disable_ipv6:OK;"
				"net.ipv6.conf.default.disable_ipv6:OK;net.ipv6.conf.eth0."
				"accept_ra:WARN;"},
		/* the interface's values could not be read: nothing said */
		{1, 0, 0, 0, 0, 1, U, "eth0", U, U, NULL,
				"net.ipv4.ip_no_pmtu_disc:OK;net.ipv6.conf.all.disable_ipv6:OK;"
				"net.ipv6.conf.default.disable_ipv6:OK;"},
};

START_TEST(test_sysctls)
{
	const struct sys_row *r = &sys[_i];
	hc_report_t *rep = new_report();
	hc_cfg_t *c = malloc(sizeof(*c));
	hc_sysctls_t s;

	hc_sysctls_init(&s);
	s.ipv6_present = r->ipv6;
	s.no_pmtu_disc = r->pmtu;
	s.all_disable_ipv6 = r->dis_all;
	s.def_disable_ipv6 = r->dis_def;
	s.all_forwarding = r->fwd;
	s.all_accept_ra = r->ra;
	s.mtu_expires = s.all_mtu = s.rmem_max = r->info;
	if(r->ifname) {
		hc_sysctls_add_dyn(&s, r->ifname);
		hc_sysctls_add_dyn(&s, r->ifname);
		ck_assert_int_eq(s.nifs, 1);
		ck_assert_int_eq(s.ifs[0].dyn_addrs, 2);
		s.ifs[0].forwarding = r->if_fwd;
		s.ifs[0].accept_ra = r->if_ra;
	}
	if(r->cfg)
		hc_parse_cfg(r->cfg, c);
	hc_check_sysctls(rep, &s, r->cfg ? c : NULL);
	ck_assert_msg(strcmp(signature(rep, 0), r->sig) == 0,
			"row %d:\n  got  \"%s\"\n  want \"%s\"", _i, signature(rep, 0),
			r->sig);
	assert_well_formed(rep, "sysctls");
	free(c);
	free(rep);
}
END_TEST

/* the WARN on ip_no_pmtu_disc says why and what to change */
START_TEST(test_pmtu_wording)
{
	hc_report_t *rep = new_report();
	hc_sysctls_t s;

	hc_sysctls_init(&s);
	s.no_pmtu_disc = 1;
	s.ipv6_present = 0;
	hc_check_sysctls(rep, &s, NULL);
	ck_assert_str_eq(rep->f[0].what, "1: IPv4 UDP without DF; this does not "
									 "help IPv6");
	ck_assert_ptr_nonnull(strstr(rep->f[0].why, "never fragment"));
	ck_assert_ptr_nonnull(strstr(rep->f[0].why, "udp_mtu=1300"));
	ck_assert_ptr_nonnull(strstr(rep->f[0].why, "udp_mtu_try_proto=TCP"));
	ck_assert_str_eq(rep->f[1].what,
			"IPv6 is disabled in the kernel (no /proc/sys/net/ipv6)");
	free(rep);
}
END_TEST

static const struct
{
	const char *text;
	long v;
} longs[] = {
		{"0\n", 0},
		{" 1 \n", 1},
		{"212992\n", 212992},
		{"600", 600},
		{"", HC_UNSET},
		{"\n", HC_UNSET},
		{"abc\n", HC_UNSET},
		{"12abc\n", HC_UNSET},
		{"1 2\n", HC_UNSET},
};

START_TEST(test_parse_long)
{
	ck_assert_msg(hc_parse_long(longs[_i].text) == longs[_i].v,
			"\"%s\": %ld, want %ld", longs[_i].text,
			hc_parse_long(longs[_i].text), longs[_i].v);
}
END_TEST

static const struct
{
	const char *line;
	int ret;
	const char *ifname;
} inet6s[] = {
		/* fd00::2, permanent (0x80 set): static */
		{"fd000000000000000000000000000002 04 40 00 82     eth0", 0, NULL},
		/* a SLAAC address: flags 0 */
		{"20010db8000000000000000000000001 02 40 00 00     eth1", 1, "eth1"},
		/* privacy extension (temporary, 0x01) */
		{"20010db80000000011223344aabbccdd 02 40 00 01  eth0.100", 1,
				"eth0.100"},
		/* link-local and loopback scopes */
		{"fe8000000000000000fc00fffe000001 04 40 20 00     eth0", 0, NULL},
		{"00000000000000000000000000000001 01 80 10 80       lo", 0, NULL},
		{"garbage", -1, NULL},
		{"fd00 04 40 00 00 eth0", -1, NULL},
		{"", -1, NULL},
};

START_TEST(test_inet6)
{
	char ifname[24] = "";
	int ret = hc_inet6_dynamic(inet6s[_i].line, ifname, sizeof(ifname));

	ck_assert_msg(ret == inet6s[_i].ret, "\"%s\": %d, want %d", inet6s[_i].line,
			ret, inet6s[_i].ret);
	if(ret == 1)
		ck_assert_str_eq(ifname, inet6s[_i].ifname);
}
END_TEST

/* ------------------------------------------------------------------ */
/* 7. exit status, JSON */

static const struct
{
	const char *levels; /* O, W, F per finding */
	int status;
} exits[] = {
		{"", HC_EXIT_OK},
		{"O", HC_EXIT_OK},
		{"OOOO", HC_EXIT_OK},
		{"W", HC_EXIT_WARN},
		{"OWO", HC_EXIT_WARN},
		{"WWW", HC_EXIT_WARN},
		{"F", HC_EXIT_FAIL},
		{"OWF", HC_EXIT_FAIL},
		{"FWO", HC_EXIT_FAIL},
		{"OOOOOOOF", HC_EXIT_FAIL},
};

START_TEST(test_exit)
{
	hc_report_t *rep = new_report();
	const char *p;
	int ok, warn, fail, o = 0, w = 0, f = 0;

	for(p = exits[_i].levels; *p; p++) {
		hc_add(rep, *p == 'F' ? HC_FAIL : (*p == 'W' ? HC_WARN : HC_OK), "x",
				"why", "what %c", *p);
		o += *p == 'O';
		w += *p == 'W';
		f += *p == 'F';
	}
	ck_assert_msg(hc_exit_status(rep) == exits[_i].status,
			"\"%s\": %d, want %d", exits[_i].levels, hc_exit_status(rep),
			exits[_i].status);
	hc_count(rep, &ok, &warn, &fail);
	ck_assert_int_eq(ok, o);
	ck_assert_int_eq(warn, w);
	ck_assert_int_eq(fail, f);
	free(rep);
}
END_TEST

/* a full report drops what does not fit, and then cannot say OK */
START_TEST(test_exit_dropped)
{
	hc_report_t *rep = new_report();
	int i;

	for(i = 0; i < HC_MAX_FINDINGS; i++)
		ck_assert_ptr_nonnull(hc_add(rep, HC_OK, "x", NULL, "%d", i));
	ck_assert_int_eq(hc_exit_status(rep), HC_EXIT_OK);
	ck_assert_ptr_null(hc_add(rep, HC_OK, "x", NULL, "one more"));
	ck_assert_int_eq(rep->n, HC_MAX_FINDINGS);
	ck_assert_int_eq(rep->dropped, 1);
	ck_assert_int_eq(hc_exit_status(rep), HC_EXIT_FAIL);
	ck_assert_int_eq(HC_EXIT_USAGE, 3);
	free(rep);
}
END_TEST

/* what they name: the route's line, the module, the listen value */
START_TEST(test_cfg_ipv6_wording)
{
	hc_cfg_t *c = malloc(sizeof(*c));
	hc_report_t *rep = new_report();

	hc_parse_cfg("listen=udp:[::1]:5060\nlisten=udp:eth1:5060\n"
				 "udp_mtu=1300\nloadmodule \"geoip.so\"\n"
				 "route { udp_mtu_try_proto(tcp); }\n",
			c);
	hc_check_cfg(rep, c);
	ck_assert_str_eq(rep->f[1].what,
			"udp_mtu_try_proto(TCP) in a route (line 5), none global");
	ck_assert_str_eq(rep->f[4].what, "loadmodule geoip (line 4)");
	ck_assert_ptr_nonnull(strstr(rep->f[4].why, "geoip2"));
	ck_assert_str_eq(
			rep->f[5].what, "listen=udp:eth1:5060 (line 2): IPv4 only");
	ck_assert_ptr_nonnull(strstr(rep->f[5].why, "auto_bind_ipv6=1"));
	free(rep);
	free(c);
}
END_TEST

/* ------------------------------------------------------------------ */
/* 6. fragmentation: the text of ip -6 -o route get */

static const struct
{
	const char *route;
	int ret;
	long mtu;
	const char *table;
} routes[] = {
		/* ip6-fragpolicy set 1280 */
		{"2000:: from 2001:db8:1::1 via 2001:db8:1::2 dev lb0 table 1280 "
		 "src 2001:db8:1::1 metric 1024 mtu lock 1280 pref medium",
				1, 1280, "1280"},
		/* none: main, the link's MTU */
		{"2000:: from 2001:db8:1::1 via 2001:db8:1::2 dev lb0 proto kernel "
		 "src 2001:db8:1::1 metric 1024 pref medium",
				1, 0, ""},
		{"2000:: from :: via fe80::1 dev eth0 src 2001:db8::5 metric 1024 "
		 "mtu 1400 pref medium",
				1, 1400, ""},
		{"RTNETLINK answers: Network is unreachable", 0, 0, ""},
		{"", 0, 0, ""},
};

START_TEST(test_route_mtu)
{
	long mtu = -5;
	char table[32];
	int ret = hc_parse_route_mtu(routes[_i].route, &mtu, table, sizeof(table));

	ck_assert_int_eq(ret, routes[_i].ret);
	ck_assert_int_eq(mtu, routes[_i].mtu);
	ck_assert_str_eq(table, routes[_i].table);
}
END_TEST

START_TEST(test_frag)
{
	hc_report_t *rep = new_report();
	hc_sock_t s;

	memset(&s, 0, sizeof(s));
	s.proto = HC_UDP;
	s.table_af = 6;
	s.addr[0] = 0x20;
	s.addr[1] = 0x01;
	s.addr[2] = 0x0d;
	s.addr[3] = 0xb8;
	s.addr[15] = 1;
	s.port = 5060;
	hc_check_frag(rep, &s, routes[0].route, NULL);
	hc_check_frag(rep, &s, routes[1].route, NULL);
	hc_check_frag(rep, &s, routes[2].route, NULL);
	hc_check_frag(rep, &s, NULL, "Network is unreachable");
	memset(s.addr, 0, sizeof(s.addr));
	hc_check_frag(rep, &s, routes[0].route, NULL);
	ck_assert_str_eq(signature(rep, 0),
			"frag IPv6:OK;frag IPv6:WARN;frag IPv6:WARN;frag IPv6:WARN;"
			"frag IPv6:WARN;");
	ck_assert_str_eq(rep->f[0].what,
			"udp [2001:db8::1]:5060: fragmented at 1280 (table 1280)");
	ck_assert_str_eq(rep->f[1].what,
			"udp [2001:db8::1]:5060: datagrams up to the link MTU leave whole");
	ck_assert_str_eq(rep->f[2].what,
			"udp [2001:db8::1]:5060: fragmented at 1400 only (table main)");
	ck_assert_ptr_nonnull(strstr(rep->f[1].why, "ip6-fragpolicy set 1280"));
	ck_assert_ptr_nonnull(strstr(rep->f[4].what, "wildcard"));
	assert_well_formed(rep, "frag");
	free(rep);
}
END_TEST

Suite *unit_suite(void)
{
	Suite *s = suite_create("hostcheck");
	TCase *tc;

	tc = tcase_create("socket table");
	tcase_add_loop_test(tc, test_sock_line, 0, N_ROWS(socks));
	tcase_add_test(tc, test_host_order);
	suite_add_tcase(s, tc);

	tc = tcase_create("processes");
	tcase_add_loop_test(tc, test_socket_inode, 0, N_ROWS(links));
	tcase_add_loop_test(tc, test_stat, 0, N_ROWS(stats));
	tcase_add_test(tc, test_stat_short_buffer);
	suite_add_tcase(s, tc);

	tc = tcase_create("listeners");
	tcase_add_loop_test(tc, test_listeners, 0, N_ROWS(listens));
	suite_add_tcase(s, tc);

	tc = tcase_create("cfg parsing");
	tcase_add_loop_test(tc, test_cfg, 0, N_ROWS(cfgs));
	tcase_add_test(tc, test_cfg_many_listen);
	tcase_add_loop_test(tc, test_read_cfg, 0, N_ROWS(reads));
	tcase_add_test(tc, test_read_cfg_missing);
	tcase_add_loop_test(tc, test_listen_af, 0, N_ROWS(lafs));
	suite_add_tcase(s, tc);

	tc = tcase_create("cfg judgments");
	tcase_add_loop_test(tc, test_cfg_judge, 0, N_ROWS(judge));
	tcase_add_test(tc, test_cfg_wording);
	tcase_add_test(tc, test_cfg_ipv6_wording);
	suite_add_tcase(s, tc);

	tc = tcase_create("fragmentation");
	tcase_add_loop_test(tc, test_route_mtu, 0, N_ROWS(routes));
	tcase_add_test(tc, test_frag);
	suite_add_tcase(s, tc);

	tc = tcase_create("sysctls");
	tcase_add_loop_test(tc, test_sysctls, 0, N_ROWS(sys));
	tcase_add_test(tc, test_pmtu_wording);
	tcase_add_loop_test(tc, test_parse_long, 0, N_ROWS(longs));
	tcase_add_loop_test(tc, test_inet6, 0, N_ROWS(inet6s));
	suite_add_tcase(s, tc);

	tc = tcase_create("exit status");
	tcase_add_loop_test(tc, test_exit, 0, N_ROWS(exits));
	tcase_add_test(tc, test_exit_dropped);
	suite_add_tcase(s, tc);

	return s;
}
