/*
 * ip6-hostcheck - dual-stack SIP readiness of a host
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
 * \brief ip6-hostcheck :: the checks, in plain C (no I/O)
 *
 * Every function here takes text or values that host.c gathered (lines of
 * /proc/net/{udp,tcp}{,6}, sysctl values, the text of a kamailio.cfg and
 * of what it includes, through a hc_read_fn) and either parses them or
 * adds findings to a report. Nothing here opens a file, so that the unit
 * suite can feed them what a host would show. report.c: findings and
 * their output; sockets.c: 1; sysctls.c: 2; cfg_read.c and cfg_check.c:
 * 3; frag.c: 4.
 */

#ifndef _HOSTCHECK_H_
#define _HOSTCHECK_H_

#include <stddef.h>
#include <stdio.h>

/* ------------------------------------------------------------------ */
/* findings */

enum hc_level
{
	HC_OK = 0,
	HC_WARN,
	HC_FAIL
};

#define HC_CHECK_LEN 40
#define HC_WHAT_LEN 512
#define HC_WHY_LEN 1024
#define HC_MAX_FINDINGS 64

typedef struct hc_finding
{
	enum hc_level level;
	char check[HC_CHECK_LEN]; /* short name: "listen", a sysctl, "cfg ..." */
	char what[HC_WHAT_LEN];	  /* one line: what was found */
	char why[HC_WHY_LEN];	  /* why it matters and what to change */
} hc_finding_t;

typedef struct hc_report
{
	hc_finding_t f[HC_MAX_FINDINGS];
	int n;
	int dropped; /* findings that did not fit */
} hc_report_t;

/* exit status of the tool */
#define HC_EXIT_OK 0	/* no FAIL and no WARN */
#define HC_EXIT_WARN 1	/* WARN, no FAIL */
#define HC_EXIT_FAIL 2	/* at least one FAIL */
#define HC_EXIT_USAGE 3 /* bad command line */

void hc_report_init(hc_report_t *r);
/* add a finding: what is a printf format, why a plain string (may be
 * NULL); returns the finding, NULL when the report is full */
hc_finding_t *hc_add(hc_report_t *r, enum hc_level level, const char *check,
		const char *why, const char *what_fmt, ...)
		__attribute__((format(printf, 5, 6)));
const char *hc_level_name(enum hc_level level);
/* HC_EXIT_OK / HC_EXIT_WARN / HC_EXIT_FAIL from the worst finding */
int hc_exit_status(const hc_report_t *r);
void hc_count(const hc_report_t *r, int *ok, int *warn, int *fail);

/* the report as a table (findings, the why of each WARN and FAIL, a
 * summary line), or as a JSON array */
void hc_print_table(FILE *out, const hc_report_t *r);
void hc_print_json(FILE *out, const hc_report_t *r);

/* bounded copy and append, always NUL-terminated */
void hc_scopy(char *dst, size_t size, const char *src);
void hc_cat(char *buf, size_t size, const char *s);

/* ------------------------------------------------------------------ */
/* 1. the socket table (/proc/net/udp, udp6, tcp, tcp6) */

#define HC_UDP 17
#define HC_TCP 6

#define HC_TCP_LISTEN 0x0A
#define HC_TCP_CLOSE 0x07 /* what an unconnected UDP socket shows */

/* byte order of the host that printed the table: the kernel prints each
 * 32-bit word of an address as "%08X" of its in-memory value */
enum hc_order
{
	HC_LE = 0,
	HC_BE
};

typedef struct hc_sock
{
	int proto;				/* HC_UDP / HC_TCP */
	int table_af;			/* 4: from udp/tcp, 6: from udp6/tcp6 */
	unsigned char addr[16]; /* network order: 4 bytes for IPv4 */
	unsigned int port;
	unsigned char raddr[16]; /* remote address */
	unsigned int rport;
	int state;
	unsigned long inode;
} hc_sock_t;

/* host byte order of the running program */
enum hc_order hc_host_order(void);

/* one line of /proc/net/{udp,tcp}{,6}: returns 1 and fills s for a socket
 * line, 0 for the header or a blank line, -1 for a malformed line.
 * table_af: 4 for udp/tcp, 6 for udp6/tcp6 */
int hc_parse_sock_line(const char *line, int table_af, int proto,
		enum hc_order order, hc_sock_t *s);

/* family the socket serves: 4 for IPv4 and IPv4-mapped (::ffff:a.b.c.d)
 * addresses, 6 for the others of an IPv6 table */
int hc_sock_family(const hc_sock_t *s);
/* a listening socket: TCP in LISTEN; UDP bound to a port, unconnected */
int hc_sock_is_listener(const hc_sock_t *s);
/* "udp 127.0.0.1:5060", "tcp [::1]:5060" */
char *hc_sock_format(const hc_sock_t *s, char *out, size_t size);

/* how the sockets were attributed, for the findings' wording */
typedef struct hc_listen_ctx
{
	const char *owner; /* "kamailio", "pid 123", "port 5060" */
	int by_process;	   /* sockets matched by process (not only by port) */
	int nprocs;		   /* processes matched */
	int unreadable;	   /* processes whose fds could not be read */
} hc_listen_ctx_t;

/* check 1: the listeners (already narrowed to the ones of kamailio)
 * cover both families */
void hc_check_listeners(hc_report_t *r, const hc_listen_ctx_t *ctx,
		const hc_sock_t *socks, int n);

/* "socket:[12345]" (a readlink of /proc/<pid>/fd/N) -> 12345, else 0 */
unsigned long hc_socket_inode(const char *link);
/* ppid and comm from the text of /proc/<pid>/stat; 0 on success */
int hc_parse_stat(const char *text, int *ppid, char *comm, size_t size);

/* ------------------------------------------------------------------ */
/* 2. sysctls */

#define HC_UNSET (-1L) /* a value that could not be read */
#define HC_MAX_IFS 8

typedef struct hc_sysctls
{
	int ipv6_present;	   /* /proc/sys/net/ipv6 exists */
	long no_pmtu_disc;	   /* net.ipv4.ip_no_pmtu_disc */
	long all_disable_ipv6; /* net.ipv6.conf.all.disable_ipv6 */
	long def_disable_ipv6; /* net.ipv6.conf.default.disable_ipv6 */
	long all_forwarding;   /* net.ipv6.conf.all.forwarding */
	long all_accept_ra;	   /* net.ipv6.conf.all.accept_ra */
	long mtu_expires;	   /* net.ipv6.route.mtu_expires */
	long all_mtu;		   /* net.ipv6.conf.all.mtu */
	long rmem_max;		   /* net.core.rmem_max */
	/* interfaces with a global IPv6 address that was not configured
	 * statically (SLAAC, DHCPv6): their own forwarding and accept_ra */
	struct
	{
		char name[24];
		long forwarding;
		long accept_ra;
		int dyn_addrs;
	} ifs[HC_MAX_IFS];
	int nifs;
} hc_sysctls_t;

void hc_sysctls_init(hc_sysctls_t *s);

/* the text of a sysctl file -> value; HC_UNSET when not a number */
long hc_parse_long(const char *text);

/* one line of /proc/net/if_inet6: 1 when it is a global address that
 * was not configured statically (SLAAC, DHCPv6: IFA_F_PERMANENT unset),
 * with its interface in ifname; 0 otherwise; -1 malformed */
int hc_inet6_dynamic(const char *line, char *ifname, size_t size);

struct hc_cfg;

/* add one dynamic address of interface ifname (from hc_inet6_dynamic) */
void hc_sysctls_add_dyn(hc_sysctls_t *s, const char *ifname);

/* check 2; cfg is the parsed --cfg file or NULL (it tells whether
 * udp_mtu covers what ip_no_pmtu_disc cannot). Router advertisements are
 * judged per interface with a dynamic address, else for "all" */
void hc_check_sysctls(
		hc_report_t *r, const hc_sysctls_t *s, const struct hc_cfg *cfg);
/* router advertisements on one interface ("all" or a name) */
void hc_check_ra(hc_report_t *r, const char *ifname, long forwarding,
		long accept_ra, int dyn_addrs);

/* ------------------------------------------------------------------ */
/* 3. kamailio.cfg */

#define HC_MAX_LISTEN 32

typedef struct hc_listen
{
	char value[160]; /* the address part, after #!define substitution */
	char proto[8];	 /* "udp", "tcp", "tls", "sctp", "" = every proto */
	int af;			 /* 4, 6, 0 = not known (a name, an interface, *) */
	int line;
	char file[64]; /* "" = the main file, else an included one */
} hc_listen_t;

typedef struct hc_cfg
{
	long udp_mtu; /* HC_UNSET when not set */
	int udp_mtu_line;
	char udp_mtu_file[64];
	char try_proto[16]; /* upper case; "" when not set */
	int try_proto_line;
	char try_proto_file[64];
	int disable_tcp;
	int auto_bind_ipv6;
	/* udp_mtu_try_proto(PROTO) called in a route: only those requests
	 * switch (upper case; "" when none) */
	char try_proto_action[16];
	int try_proto_action_line;
	long pmtu_discovery; /* HC_UNSET when not set */
	int pmtu_discovery_line;
	/* constructs known not to work over IPv6: the line, 0 when absent */
	int geoip_line;				/* loadmodule of the legacy geoip */
	int natping_socket_line;	/* nathelper raw IPv4 socket pings */
	int udpping_from_path_line; /* same */
	hc_listen_t listen[HC_MAX_LISTEN];
	int nlisten;
	int nlisten_all; /* also those that did not fit */
} hc_cfg_t;

/* reads the file at path: its text (malloc'ed, NUL-terminated), or NULL
 * with errno set */
typedef char *hc_read_fn(const char *path, void *arg);

/* read the kamailio.cfg at path as kamailio does, line by line: #!define,
 * #!ifdef and #!subst as they come; an include_file or import_file on a
 * line that is on is read in its place (the name as given, else next to
 * the including file; 10 deep at most), one in a block that is off is
 * not. Findings name the file and line of each setting; includes that
 * cannot be read are WARN findings in r. 0, or -1 (errno set) when path
 * itself cannot be read */
int hc_read_cfg(const char *path, hc_read_fn *read, void *arg, hc_cfg_t *cfg,
		hc_report_t *r);
/* the same for the text of one cfg, whose includes are not read */
void hc_parse_cfg(const char *text, hc_cfg_t *cfg);
/* the family of a listen value: "udp:[::1]:5060" -> 6 */
int hc_listen_af(const char *value, char *proto, size_t psize);
/* check 3 */
void hc_check_cfg(hc_report_t *r, const hc_cfg_t *cfg);

/* ------------------------------------------------------------------ */
/* 4. fragmentation of the IPv6 SIP datagrams (a running kamailio) */

/* the output of "ip -6 -o route get DST from ADDR ipproto udp sport P":
 * 1 and the route's MTU (0: none, the link's) and table ("" = main) when
 * it names a route, 0 otherwise */
int hc_parse_route_mtu(
		const char *text, long *mtu, char *table, size_t tsize);
/* check 4 for one IPv6 UDP listener s; route: the text of ip route get
 * for it, NULL when it could not run (reason in err) */
void hc_check_frag(hc_report_t *r, const hc_sock_t *s, const char *route,
		const char *err);

#endif
