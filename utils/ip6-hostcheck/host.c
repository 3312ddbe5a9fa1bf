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
 * \brief ip6-hostcheck :: the reading of the host: /proc/net/{udp,tcp}{,6},
 * /proc/<pid>/{stat,fd}, /proc/sys/..., the cfg files, ip route get; the
 * text goes to the checks of hostcheck.h
 */

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "host.h"

/* any global unicast address: the route of the default router */
#define FRAG_DST "2000::"

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
char *hc_read_text(const char *path, void *arg)
{
	struct buf b = {0};
	char chunk[4096];
	size_t n;
	FILE *f = fopen(path, "r");
	int err;

	(void)arg;

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
	t = hc_read_text(path, NULL);
	if(t == NULL)
		return HC_UNSET;
	v = hc_parse_long(t);
	free(t);
	return v;
}

int hc_is_dir(const char *path)
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
		t = hc_read_text(path, NULL);
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
static int descends(
		const struct proc *v, int n, int pid, const struct hc_opts *o)
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
	char *t = hc_read_text(path, NULL), *line, *nl;
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
			"ip -6 -o route get " FRAG_DST " from %s ipproto udp sport %u 2>&1",
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

void hc_host_listen(hc_report_t *r, const struct hc_opts *o)
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
		if(first == 0 || !hc_is_dir(netdir))
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

void hc_host_sysctls(
		hc_report_t *r, const struct hc_opts *o, const hc_cfg_t *cfg)
{
	hc_sysctls_t s;
	char path[PATH_MAX], rel[128], ifname[64], *t, *line, *nl;
	int i;

	hc_sysctls_init(&s);
	snprintf(path, sizeof(path), "%s/sys/net/ipv6", o->proc);
	s.ipv6_present = hc_is_dir(path);
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
	t = hc_read_text(path, NULL);
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
