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
 * \brief ip6-hostcheck :: the I/O: /proc, the cfg file, the output
 *
 * Read-only: reads /proc/net/{udp,tcp}{,6}, /proc/<pid>/{stat,fd},
 * /proc/sys/... and the kamailio.cfg given, hands the text to the checks
 * of hostcheck.c and prints their findings.
 */

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "hostcheck.h"

#define NAME "ip6-hostcheck"
#define MAX_PIDS 64
#define MAX_INCLUDE_DEPTH 10
/* any global unicast address: the route of the default router */
#define FRAG_DST "2000::"

static const char *help_text =
		"NAME\n"
		"    " NAME " - check a host for dual-stack (IPv6/IPv4) SIP readiness\n"
		"\n"
		"SYNOPSIS\n"
		"    " NAME " [--cfg FILE] [--pid PID]... [--port PORT] [--no-listen]\n"
		"                  [--proc DIR] [--json]\n"
		"    " NAME " -h | --help\n"
		"\n"
		"DESCRIPTION\n"
		"    Checks, read-only, that kamailio on this host listens on both\n"
		"    families, that the kernel settings do not get in the way of\n"
		"    IPv6, and (with --cfg) that kamailio.cfg keeps large requests\n"
		"    off UDP over IPv6. Every finding is OK, WARN or FAIL, with a\n"
		"    one-line what; WARN and FAIL findings also say why it matters\n"
		"    and what to change. Nothing on the host is changed.\n"
		"\n"
		"    The output is a table, one line per finding, then the why of\n"
		"    every WARN and FAIL, then a summary line with the exit status.\n"
		"    --json prints the findings (OK ones with their why too) as a\n"
		"    JSON array instead.\n"
		"\n"
		"OPTIONS\n"
		"    --cfg FILE   also check this kamailio.cfg (include_file and\n"
		"                 import_file are followed, #!define, #!substdef\n"
		"                 and #!ifdef are applied)\n"
		"    --pid PID    the sockets of this process and of its children\n"
		"                 are kamailio's (repeatable; default: every\n"
		"                 process named kamailio)\n"
		"    --port PORT  only sockets on this port count; without --pid,\n"
		"                 any socket on it, whatever process holds it (no\n"
		"                 root needed to read other processes' fds)\n"
		"    --no-listen  skip the listener check (no kamailio running)\n"
		"    --proc DIR   read DIR instead of /proc (a copy, or a test tree)\n"
		"    --json       print the findings as a JSON array of objects\n"
		"                 {\"level\", \"check\", \"what\", \"why\"}\n"
		"    -h, --help   this text\n"
		"\n"
		"CHECKS\n"
		"    listen       the listening sockets of kamailio (UDP bound and\n"
		"                 unconnected, TCP in LISTEN), from /proc/net/udp,\n"
		"                 udp6, tcp, tcp6 and the fds of its processes: FAIL\n"
		"                 when there is none of IPv6 or none of IPv4 (an\n"
		"                 IPv4-mapped address counts as IPv4), or when\n"
		"                 kamailio is not running\n"
		"    listen access\n"
		"                 WARN when the fds of some of those processes\n"
		"                 cannot be read (not root: run as root or use\n"
		"                 --port)\n"
		"    frag IPv6    for each IPv6 UDP listener of kamailio, the MTU at\n"
		"                 which this host fragments what it sends (ip -6\n"
		"                 route get 2000:: from ADDR ipproto udp sport\n"
		"                 PORT): OK at 1280 or less, else WARN (set it with\n"
		"                 ip6-fragpolicy set 1280 [ADDR]:PORT); WARN on the\n"
		"                 wildcard address; not for ::1, nor with --proc\n"
		"    net.ipv4.ip_no_pmtu_disc\n"
		"                 1 (IPv4 UDP without DF) is WARN: there is no IPv6\n"
		"                 equivalent, IPv6 routers never fragment; OK when\n"
		"                 --cfg sets udp_mtu <= 1300 with udp_mtu_try_proto\n"
		"    net.ipv6     FAIL when the kernel has no IPv6 at all\n"
		"    net.ipv6.conf.all.disable_ipv6      1 is FAIL\n"
		"    net.ipv6.conf.default.disable_ipv6  1 is WARN\n"
		"    net.ipv6.conf.IF.accept_ra\n"
		"                 with forwarding=1 and accept_ra<2 (or accept_ra=0)\n"
		"                 router advertisements are ignored: WARN when an\n"
		"                 address of IF was autoconfigured (SLAAC/DHCPv6),\n"
		"                 else OK; IF is \"all\" when none was\n"
		"    net.ipv6.route.mtu_expires, net.ipv6.conf.all.mtu,\n"
		"    net.core.rmem_max                   informational (OK)\n"
		"    cfg udp_mtu  WARN when not set or above 1300 (1280..1300\n"
		"                 recommended for IPv6)\n"
		"    cfg udp_mtu_try_proto\n"
		"                 FAIL when udp_mtu is set without it (or with UDP):\n"
		"                 it must be TCP, TLS or SCTP\n"
		"                 (OK with udp_mtu_try_proto(PROTO) in a route\n"
		"                 instead: only those requests switch)\n"
		"    cfg pmtu_discovery\n"
		"                 1 is WARN: IPv4 SIP with DF\n"
		"    cfg geoip    WARN: the legacy geoip module (use geoip2)\n"
		"    cfg nathelper raw ping\n"
		"                 WARN: natping_socket / udpping_from_path ping\n"
		"                 from a raw IPv4 socket only\n"
		"    cfg listen interface\n"
		"                 WARN: listen on an interface name binds IPv4\n"
		"                 only without auto_bind_ipv6=1 (issue #2404)\n"
		"    cfg udp_mtu socket\n"
		"                 WARN when a family has UDP listen lines but none\n"
		"                 of the udp_mtu_try_proto protocol\n"
		"    cfg listen IPv6, cfg listen IPv4\n"
		"                 WARN when no listen= line is an address of that\n"
		"                 family (listen=udp:[2001:db8::1]:5060,\n"
		"                 listen=[::1], a #!define'd value); with no\n"
		"                 listen= line at all, IPv6 only with\n"
		"                 auto_bind_ipv6=1 (then WARN \"cfg listen\": name "
		"the\n"
		"                 addresses)\n"
		"    cfg          FAIL when the --cfg file cannot be read\n"
		"    cfg include  WARN when an include_file cannot be read\n"
		"\n"
		"EXIT STATUS\n"
		"    0  every finding is OK\n"
		"    1  at least one WARN, no FAIL\n"
		"    2  at least one FAIL\n"
		"    3  usage error (bad option or value)\n"
		"\n"
		"EXAMPLES\n"
		"    " NAME " --cfg /etc/kamailio/kamailio.cfg\n"
		"    " NAME " --pid $(cat /run/kamailio/kamailio.pid) --json\n"
		"    " NAME " --port 5060 --cfg kamailio.cfg   (not as root)\n"
		"    " NAME
		" --no-listen --cfg kamailio.cfg   (before the first start)\n";

struct opts
{
	const char *cfg;
	int pids[MAX_PIDS];
	int npids;
	unsigned int port;
	int no_listen;
	const char *proc;
	int json;
};

struct buf
{
	char *s;
	size_t len;
	size_t cap;
};

static int buf_add(struct buf *b, const char *s, size_t len)
{
	char *n;
	size_t cap;

	if(b->len + len + 1 > b->cap) {
		cap = b->cap ? b->cap : 4096;
		while(cap < b->len + len + 1)
			cap *= 2;
		n = realloc(b->s, cap);
		if(n == NULL)
			return -1;
		b->s = n;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, len);
	b->len += len;
	b->s[b->len] = '\0';
	return 0;
}

/* the whole file, NUL-terminated; NULL with errno set */
static char *read_text(const char *path)
{
	struct buf b = {0};
	char chunk[4096];
	size_t n;
	FILE *f = fopen(path, "r");
	int err;

	if(f == NULL)
		return NULL;
	while((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if(buf_add(&b, chunk, n) < 0) {
			fclose(f);
			free(b.s);
			errno = ENOMEM;
			return NULL;
		}
	}
	err = ferror(f);
	fclose(f);
	if(err) {
		free(b.s);
		errno = EIO;
		return NULL;
	}
	if(b.s == NULL && buf_add(&b, "", 0) < 0)
		return NULL;
	return b.s;
}

static long read_long(const char *proc, const char *rel)
{
	char path[PATH_MAX];
	char *t;
	long v;

	snprintf(path, sizeof(path), "%s/%s", proc, rel);
	t = read_text(path);
	if(t == NULL)
		return HC_UNSET;
	v = hc_parse_long(t);
	free(t);
	return v;
}

static int is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* ------------------------------------------------------------------ */
/* 1. listeners */

struct proc
{
	int pid;
	int ppid;
	char comm[32];
};

static int cmp_proc(const void *a, const void *b)
{
	const struct proc *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

static int cmp_ulong(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;

	return (x > y) - (x < y);
}

/* every process of the tree: pid, ppid, comm; sorted by pid */
static struct proc *scan_procs(const char *proc, int *n)
{
	struct proc *v = NULL, *nv;
	int cap = 0;
	DIR *d;
	struct dirent *e;
	char path[PATH_MAX], *t, *end;
	long pid;

	*n = 0;
	d = opendir(proc);
	if(d == NULL)
		return NULL;
	while((e = readdir(d)) != NULL) {
		pid = strtol(e->d_name, &end, 10);
		if(*end != '\0' || pid <= 0)
			continue;
		snprintf(path, sizeof(path), "%s/%ld/stat", proc, pid);
		t = read_text(path);
		if(t == NULL)
			continue; /* gone */
		if(*n >= cap) {
			cap = cap ? cap * 2 : 256;
			nv = realloc(v, cap * sizeof(*v));
			if(nv == NULL) {
				free(t);
				break;
			}
			v = nv;
		}
		v[*n].pid = (int)pid;
		if(hc_parse_stat(t, &v[*n].ppid, v[*n].comm, sizeof(v[*n].comm)) == 0)
			(*n)++;
		free(t);
	}
	closedir(d);
	if(v)
		qsort(v, *n, sizeof(*v), cmp_proc);
	return v;
}

static const struct proc *find_proc(const struct proc *v, int n, int pid)
{
	struct proc key = {.pid = pid};

	return v ? bsearch(&key, v, n, sizeof(*v), cmp_proc) : NULL;
}

/* pid is one of the given ones or a descendant of one */
static int descends(const struct proc *v, int n, int pid, const struct opts *o)
{
	const struct proc *p;
	int depth, i;

	for(depth = 0; depth < 64 && pid > 0; depth++) {
		for(i = 0; i < o->npids; i++)
			if(o->pids[i] == pid)
				return 1;
		p = find_proc(v, n, pid);
		if(p == NULL || p->ppid == pid)
			return 0;
		pid = p->ppid;
	}
	return 0;
}

/* the socket inodes of process pid; -1 when its fds cannot be read */
static int add_inodes(
		const char *proc, int pid, unsigned long **inodes, int *n, int *cap)
{
	char path[PATH_MAX], link[128];
	DIR *d;
	struct dirent *e;
	unsigned long ino, *nv;
	ssize_t len;

	snprintf(path, sizeof(path), "%s/%d/fd", proc, pid);
	d = opendir(path);
	if(d == NULL)
		return (errno == EACCES || errno == EPERM) ? -1 : 0;
	while((e = readdir(d)) != NULL) {
		if(e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%d/fd/%s", proc, pid, e->d_name);
		len = readlink(path, link, sizeof(link) - 1);
		if(len <= 0)
			continue;
		link[len] = '\0';
		ino = hc_socket_inode(link);
		if(ino == 0)
			continue;
		if(*n >= *cap) {
			*cap = *cap ? *cap * 2 : 64;
			nv = realloc(*inodes, *cap * sizeof(**inodes));
			if(nv == NULL)
				break;
			*inodes = nv;
		}
		(*inodes)[(*n)++] = ino;
	}
	closedir(d);
	return 0;
}

/* the listeners of one table that pass the filters, appended to socks */
static void read_table(const char *path, int af, int proto,
		const unsigned long *inodes, int ninodes, int by_process,
		unsigned int port, hc_sock_t **socks, int *n, int *cap)
{
	char *t = read_text(path), *line, *nl;
	hc_sock_t s, *nv;
	enum hc_order order = hc_host_order();

	if(t == NULL)
		return; /* udp6/tcp6 are missing without IPv6 */
	for(line = t; line && *line; line = nl) {
		nl = strchr(line, '\n');
		if(nl)
			*nl++ = '\0';
		if(hc_parse_sock_line(line, af, proto, order, &s) != 1)
			continue;
		if(!hc_sock_is_listener(&s))
			continue;
		if(port && s.port != port)
			continue;
		if(by_process
				&& bsearch(&s.inode, inodes, ninodes, sizeof(*inodes),
						   cmp_ulong)
						   == NULL)
			continue;
		if(*n >= *cap) {
			*cap = *cap ? *cap * 2 : 32;
			nv = realloc(*socks, *cap * sizeof(**socks));
			if(nv == NULL)
				break;
			*socks = nv;
		}
		(*socks)[(*n)++] = s;
	}
	free(t);
}

/* check 4: the route the kernel picks for a UDP datagram from an IPv6
 * listener (iproute2: policy rules on the source address and port) */
static void check_frag(hc_report_t *r, const hc_sock_t *s)
{
	char addr[INET6_ADDRSTRLEN], cmd[256], out[1024];
	FILE *p;
	size_t n;
	int st;

	if(inet_ntop(AF_INET6, s->addr, addr, sizeof(addr)) == NULL)
		return;
	snprintf(cmd, sizeof(cmd),
			"ip -6 -o route get " FRAG_DST
			" from %s ipproto udp sport %u 2>&1",
			addr, s->port);
	p = popen(cmd, "r");
	if(p == NULL) {
		hc_check_frag(r, s, NULL, strerror(errno));
		return;
	}
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	st = pclose(p);
	out[strcspn(out, "\n")] = '\0';
	hc_check_frag(r, s, st == 0 ? out : NULL, out);
}

static const unsigned char loopback6[16] = {[15] = 1};

static void check_listen(hc_report_t *r, const struct opts *o)
{
	static const struct
	{
		const char *name;
		int af;
		int proto;
	} tables[] = {{"udp", 4, HC_UDP}, {"udp6", 6, HC_UDP}, {"tcp", 4, HC_TCP},
			{"tcp6", 6, HC_TCP}};
	hc_listen_ctx_t ctx = {0};
	struct proc *procs;
	unsigned long *inodes = NULL;
	hc_sock_t *socks = NULL;
	int nprocs, ninodes = 0, icap = 0, nsocks = 0, scap = 0, first = 0;
	char owner[256], one[32], netdir[PATH_MAX], path[PATH_MAX + 16];
	size_t i;
	int k;

	procs = scan_procs(o->proc, &nprocs);
	owner[0] = '\0';
	if(o->npids > 0) {
		snprintf(owner, sizeof(owner), "%s", o->npids > 1 ? "pids " : "pid ");
		for(k = 0; k < o->npids; k++) {
			snprintf(one, sizeof(one), "%s%d", k ? ", " : "", o->pids[k]);
			strncat(owner, one, sizeof(owner) - strlen(owner) - 1);
		}
		ctx.by_process = 1;
	} else if(!o->port) {
		snprintf(owner, sizeof(owner), "kamailio");
		ctx.by_process = 1;
	}
	if(o->port) {
		snprintf(
				one, sizeof(one), "%sport %u", owner[0] ? " on " : "", o->port);
		strncat(owner, one, sizeof(owner) - strlen(owner) - 1);
	}
	ctx.owner = owner;

	if(ctx.by_process) {
		for(k = 0; k < nprocs; k++) {
			if(o->npids > 0 ? !descends(procs, nprocs, procs[k].pid, o)
							: strcmp(procs[k].comm, "kamailio") != 0)
				continue;
			if(ctx.nprocs++ == 0)
				first = procs[k].pid;
			if(add_inodes(o->proc, procs[k].pid, &inodes, &ninodes, &icap) < 0)
				ctx.unreadable++;
		}
		if(inodes)
			qsort(inodes, ninodes, sizeof(*inodes), cmp_ulong);
	}
	free(procs);

	if(!ctx.by_process || ctx.nprocs > 0) {
		/* the tables of kamailio's network namespace when it has one */
		snprintf(netdir, sizeof(netdir), "%s/%d/net", o->proc, first);
		if(first == 0 || !is_dir(netdir))
			snprintf(netdir, sizeof(netdir), "%s/net", o->proc);
		for(i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
			snprintf(path, sizeof(path), "%s/%s", netdir, tables[i].name);
			read_table(path, tables[i].af, tables[i].proto, inodes, ninodes,
					ctx.by_process, o->port, &socks, &nsocks, &scap);
		}
	}
	hc_check_listeners(r, &ctx, socks, nsocks);
	/* the routes are the running kernel's, not in a copy of /proc; the
	 * loopback (::1) never leaves the host */
	for(k = 0; k < nsocks && strcmp(o->proc, "/proc") == 0; k++)
		if(socks[k].proto == HC_UDP && hc_sock_family(&socks[k]) == 6
				&& memcmp(socks[k].addr, loopback6, 16) != 0)
			check_frag(r, &socks[k]);
	free(inodes);
	free(socks);
}

/* ------------------------------------------------------------------ */
/* 2. sysctls */

static void check_sysctls(
		hc_report_t *r, const struct opts *o, const hc_cfg_t *cfg)
{
	hc_sysctls_t s;
	char path[PATH_MAX], rel[128], ifname[64], *t, *line, *nl;
	int i;

	hc_sysctls_init(&s);
	snprintf(path, sizeof(path), "%s/sys/net/ipv6", o->proc);
	s.ipv6_present = is_dir(path);
	s.no_pmtu_disc = read_long(o->proc, "sys/net/ipv4/ip_no_pmtu_disc");
	s.all_disable_ipv6 =
			read_long(o->proc, "sys/net/ipv6/conf/all/disable_ipv6");
	s.def_disable_ipv6 =
			read_long(o->proc, "sys/net/ipv6/conf/default/disable_ipv6");
	s.all_forwarding = read_long(o->proc, "sys/net/ipv6/conf/all/forwarding");
	s.all_accept_ra = read_long(o->proc, "sys/net/ipv6/conf/all/accept_ra");
	s.mtu_expires = read_long(o->proc, "sys/net/ipv6/route/mtu_expires");
	s.all_mtu = read_long(o->proc, "sys/net/ipv6/conf/all/mtu");
	s.rmem_max = read_long(o->proc, "sys/net/core/rmem_max");

	/* addresses that live on router advertisements */
	snprintf(path, sizeof(path), "%s/net/if_inet6", o->proc);
	t = read_text(path);
	for(line = t; line && *line; line = nl) {
		nl = strchr(line, '\n');
		if(nl)
			*nl++ = '\0';
		if(hc_inet6_dynamic(line, ifname, sizeof(ifname)) == 1)
			hc_sysctls_add_dyn(&s, ifname);
	}
	free(t);
	for(i = 0; i < s.nifs; i++) {
		/* interface names may hold dots (eth0.100): a path, not a name */
		snprintf(rel, sizeof(rel), "sys/net/ipv6/conf/%s/forwarding",
				s.ifs[i].name);
		s.ifs[i].forwarding = read_long(o->proc, rel);
		snprintf(rel, sizeof(rel), "sys/net/ipv6/conf/%s/accept_ra",
				s.ifs[i].name);
		s.ifs[i].accept_ra = read_long(o->proc, rel);
	}
	hc_check_sysctls(r, &s, cfg);
}

/* ------------------------------------------------------------------ */
/* 3. the cfg file, include_file / import_file expanded */

/* include_file "x" / #!import_file "x" on this line: the file name and
 * whether it must exist */
static int include_line(const char *line, char *file, size_t size, int *must)
{
	const char *p = line;
	size_t o = 0;

	while(*p == ' ' || *p == '\t')
		p++;
	if((p[0] == '#' || p[0] == '!') && p[1] == '!')
		p += 2;
	if(strncmp(p, "include_file", 12) == 0) {
		*must = 1;
		p += 12;
	} else if(strncmp(p, "import_file", 11) == 0) {
		*must = 0;
		p += 11;
	} else {
		return 0;
	}
	while(*p == ' ' || *p == '\t')
		p++;
	if(*p++ != '"')
		return 0;
	for(; *p && *p != '"' && o + 1 < size; p++) {
		if(*p == '\\' && p[1])
			p++;
		file[o++] = *p;
	}
	file[o] = '\0';
	return o > 0;
}

static int expand_cfg(struct buf *b, const char *path, const char *name,
		int depth, hc_report_t *r)
{
	char *t, *line, *nl, inc[PATH_MAX], alt[PATH_MAX * 2], mark[PATH_MAX + 32];
	const char *use, *slash;
	int lineno = 0, must;

	t = read_text(path);
	if(t == NULL)
		return -1;
	for(line = t; line && *line; line = nl) {
		nl = strchr(line, '\n');
		if(nl)
			*nl++ = '\0';
		lineno++;
		if(!include_line(line, inc, sizeof(inc), &must)) {
			buf_add(b, line, strlen(line));
			buf_add(b, "\n", 1);
			continue;
		}
		/* as kamailio: as given, else next to the including file */
		use = inc;
		if(access(inc, R_OK) != 0 && inc[0] != '/'
				&& (slash = strrchr(path, '/')) != NULL) {
			snprintf(alt, sizeof(alt), "%.*s/%s", (int)(slash - path), path,
					inc);
			use = alt;
		}
		if(depth >= MAX_INCLUDE_DEPTH) {
			hc_add(r, HC_WARN, "cfg include",
					"kamailio refuses more than 10 nested includes.",
					"%s: too deeply nested, not checked", inc);
		} else if(access(use, R_OK) != 0) {
			if(must)
				hc_add(r, HC_WARN, "cfg include",
						"kamailio does not start when an include_file is "
						"missing (unless it is in a #!ifdef block that is "
						"off): its settings were not checked.",
						"cannot read %s (included at %s%sline %d): %s", inc,
						name, name[0] ? " " : "", lineno, strerror(errno));
		} else {
			snprintf(mark, sizeof(mark), "#!hc_file 1 %s\n", inc);
			buf_add(b, mark, strlen(mark));
			if(expand_cfg(b, use, inc, depth + 1, r) < 0 && must)
				hc_add(r, HC_WARN, "cfg include", NULL, "cannot read %s: %s",
						inc, strerror(errno));
			if(b->len > 0 && b->s[b->len - 1] != '\n')
				buf_add(b, "\n", 1);
		}
		snprintf(mark, sizeof(mark), "#!hc_file %d %s\n", lineno + 1, name);
		buf_add(b, mark, strlen(mark));
	}
	free(t);
	return 0;
}

/* ------------------------------------------------------------------ */
/* output */

/* text wrapped at width, every line indented */
static void print_wrapped(const char *text, int indent, int width)
{
	const char *p = text, *end, *brk;
	int avail = width - indent;

	while(*p) {
		while(*p == ' ')
			p++;
		end = p + strlen(p);
		if(end - p > avail) {
			brk = NULL;
			for(end = p; end - p <= avail && *end; end++)
				if(*end == ' ')
					brk = end;
			end = brk ? brk : p + avail;
		}
		printf("%*s%.*s\n", indent, "", (int)(end - p), p);
		p = end;
	}
}

static void print_table(const hc_report_t *r)
{
	int i, w = 5, ok, warn, fail, status, details = 0;
	int len;

	for(i = 0; i < r->n; i++) {
		len = (int)strlen(r->f[i].check);
		if(len > w)
			w = len;
	}
	printf("%-5s %-*s %s\n", "LEVEL", w, "CHECK", "WHAT");
	for(i = 0; i < r->n; i++)
		printf("%-5s %-*s %s\n", hc_level_name(r->f[i].level), w, r->f[i].check,
				r->f[i].what);
	for(i = 0; i < r->n; i++) {
		if(r->f[i].level == HC_OK || r->f[i].why[0] == '\0')
			continue;
		if(!details++)
			printf("\nwhy, and what to change:\n");
		printf("%s %s:\n", hc_level_name(r->f[i].level), r->f[i].check);
		print_wrapped(r->f[i].why, 4, 78);
	}
	hc_count(r, &ok, &warn, &fail);
	status = hc_exit_status(r);
	printf("\nsummary: %d OK, %d WARN, %d FAIL", ok, warn, fail);
	if(r->dropped)
		printf(", %d more findings not shown", r->dropped);
	printf(" -> exit %d (%s)\n", status,
			status == HC_EXIT_OK
					? "ready"
					: (status == HC_EXIT_WARN ? "warnings" : "failures"));
}

static void print_json(const hc_report_t *r)
{
	char check[HC_CHECK_LEN * 6], what[HC_WHAT_LEN * 6], why[HC_WHY_LEN * 6];
	int i;

	printf("[");
	for(i = 0; i < r->n; i++) {
		printf("%s\n  {\"level\": \"%s\", \"check\": \"%s\", \"what\": \"%s\", "
			   "\"why\": \"%s\"}",
				i ? "," : "", hc_level_name(r->f[i].level),
				hc_json_escape(r->f[i].check, check, sizeof(check)),
				hc_json_escape(r->f[i].what, what, sizeof(what)),
				hc_json_escape(r->f[i].why, why, sizeof(why)));
	}
	printf("%s]\n", r->n ? "\n" : "");
}

/* ------------------------------------------------------------------ */

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, NAME ": ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (see " NAME " --help)\n");
	return HC_EXIT_USAGE;
}

static int parse_num(const char *s, long min, long max, long *v)
{
	char *end;

	errno = 0;
	*v = strtol(s, &end, 10);
	return *s && *end == '\0' && errno == 0 && *v >= min && *v <= max ? 0 : -1;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {{"cfg", required_argument, 0, 'c'},
			{"pid", required_argument, 0, 'p'},
			{"port", required_argument, 0, 'P'},
			{"no-listen", no_argument, 0, 'n'},
			{"proc", required_argument, 0, 'r'}, {"json", no_argument, 0, 'j'},
			{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	struct opts o = {.proc = "/proc"};
	static hc_report_t report;
	static hc_cfg_t cfg;
	struct buf text = {0};
	int c, have_cfg = 0, cfg_errno = 0;
	long v;

	opterr = 0;
	while((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch(c) {
			case 'c':
				o.cfg = optarg;
				break;
			case 'p':
				if(parse_num(optarg, 1, INT_MAX, &v) < 0)
					return usage_error(
							"--pid wants a process id, not '%s'", optarg);
				if(o.npids >= MAX_PIDS)
					return usage_error("more than 64 --pid%s", "");
				o.pids[o.npids++] = (int)v;
				break;
			case 'P':
				if(parse_num(optarg, 1, 65535, &v) < 0)
					return usage_error(
							"--port wants 1..65535, not '%s'", optarg);
				o.port = (unsigned int)v;
				break;
			case 'n':
				o.no_listen = 1;
				break;
			case 'r':
				o.proc = optarg;
				break;
			case 'j':
				o.json = 1;
				break;
			case 'h':
				fputs(help_text, stdout);
				return 0;
			case ':':
				return usage_error("%s needs a value", argv[optind - 1]);
			default:
				return usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if(optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if(!is_dir(o.proc))
		return usage_error("--proc: '%s' is not a directory", o.proc);

	hc_report_init(&report);
	if(!o.no_listen)
		check_listen(&report, &o);
	if(o.cfg) {
		if(expand_cfg(&text, o.cfg, "", 0, &report) == 0) {
			hc_parse_cfg(text.s ? text.s : "", &cfg);
			have_cfg = 1;
		} else {
			cfg_errno = errno;
		}
	}
	check_sysctls(&report, &o, have_cfg ? &cfg : NULL);
	if(o.cfg) {
		if(have_cfg)
			hc_check_cfg(&report, &cfg);
		else
			hc_add(&report, HC_FAIL, "cfg",
					"The cfg checks could not run: give the kamailio.cfg "
					"kamailio runs with (kamailio -f), readable by this user.",
					"cannot read %s: %s", o.cfg, strerror(cfg_errno));
	}
	free(text.s);

	if(o.json)
		print_json(&report);
	else
		print_table(&report);
	return hc_exit_status(&report);
}
