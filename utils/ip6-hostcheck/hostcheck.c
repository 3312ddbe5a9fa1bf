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
 */

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ip6ref/ip6ref_parser.h"
#include "hostcheck.h"

/* bounded copy, always NUL-terminated */
static void scopy(char *dst, size_t size, const char *src)
{
	size_t len = strlen(src);

	if(size == 0)
		return;
	if(len >= size)
		len = size - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
}

/* bounded append to a NUL-terminated buffer */
static void cat(char *buf, size_t size, const char *s)
{
	size_t len = strlen(buf);

	if(len + 1 >= size)
		return;
	scopy(buf + len, size - len, s);
}

/* ------------------------------------------------------------------ */
/* findings */

void hc_report_init(hc_report_t *r)
{
	memset(r, 0, sizeof(*r));
}

hc_finding_t *hc_add(hc_report_t *r, enum hc_level level, const char *check,
		const char *why, const char *what_fmt, ...)
{
	hc_finding_t *f;
	va_list ap;

	if(r->n >= HC_MAX_FINDINGS) {
		r->dropped++;
		return NULL;
	}
	f = &r->f[r->n++];
	f->level = level;
	scopy(f->check, sizeof(f->check), check);
	va_start(ap, what_fmt);
	vsnprintf(f->what, sizeof(f->what), what_fmt, ap);
	va_end(ap);
	scopy(f->why, sizeof(f->why), why ? why : "");
	return f;
}

const char *hc_level_name(enum hc_level level)
{
	switch(level) {
		case HC_OK:
			return "OK";
		case HC_WARN:
			return "WARN";
		case HC_FAIL:
			return "FAIL";
	}
	return "?";
}

void hc_count(const hc_report_t *r, int *ok, int *warn, int *fail)
{
	int i;

	*ok = *warn = *fail = 0;
	for(i = 0; i < r->n; i++) {
		if(r->f[i].level == HC_FAIL)
			(*fail)++;
		else if(r->f[i].level == HC_WARN)
			(*warn)++;
		else
			(*ok)++;
	}
}

int hc_exit_status(const hc_report_t *r)
{
	int ok, warn, fail;

	hc_count(r, &ok, &warn, &fail);
	/* findings that did not fit may have been anything */
	if(fail || r->dropped)
		return HC_EXIT_FAIL;
	return warn ? HC_EXIT_WARN : HC_EXIT_OK;
}

char *hc_json_escape(const char *s, char *out, size_t size)
{
	size_t o = 0;
	const unsigned char *p;
	char esc[8];
	const char *add;
	size_t alen;

	if(size == 0)
		return out;
	for(p = (const unsigned char *)s; *p; p++) {
		switch(*p) {
			case '"':
				add = "\\\"";
				break;
			case '\\':
				add = "\\\\";
				break;
			case '\n':
				add = "\\n";
				break;
			case '\t':
				add = "\\t";
				break;
			case '\r':
				add = "\\r";
				break;
			default:
				if(*p < 0x20) {
					snprintf(esc, sizeof(esc), "\\u%04x", *p);
					add = esc;
				} else {
					esc[0] = (char)*p;
					esc[1] = '\0';
					add = esc;
				}
		}
		alen = strlen(add);
		if(o + alen >= size)
			break; /* truncated, never in the middle of an escape */
		memcpy(out + o, add, alen);
		o += alen;
	}
	out[o] = '\0';
	return out;
}

/* ------------------------------------------------------------------ */
/* 1. the socket table */

enum hc_order hc_host_order(void)
{
	const unsigned int one = 1;

	return *(const unsigned char *)&one == 1 ? HC_LE : HC_BE;
}

/* "0100007F:13C4" with nwords 32-bit words: address and port; returns the
 * position after it or NULL */
static const char *parse_addr_port(const char *p, int nwords,
		enum hc_order order, unsigned char *addr, unsigned int *port)
{
	int w, k, d;
	unsigned long v;

	for(w = 0; w < nwords; w++) {
		v = 0;
		for(k = 0; k < 8; k++) {
			d = ip6r_hexval(*p++);
			if(d < 0)
				return NULL;
			v = (v << 4) | (unsigned long)d;
		}
		/* the kernel printed the word's in-memory value as a number */
		for(k = 0; k < 4; k++) {
			if(order == HC_LE)
				addr[w * 4 + k] = (unsigned char)(v >> (8 * k));
			else
				addr[w * 4 + k] = (unsigned char)(v >> (8 * (3 - k)));
		}
	}
	if(*p++ != ':')
		return NULL;
	*port = 0;
	for(k = 0; k < 4; k++) {
		d = ip6r_hexval(*p++);
		if(d < 0)
			return NULL;
		*port = (*port << 4) | (unsigned int)d;
	}
	if(*p != ' ' && *p != '\t')
		return NULL;
	return p;
}

static const char *skip_ws(const char *p)
{
	while(*p == ' ' || *p == '\t')
		p++;
	return p;
}

static const char *skip_word(const char *p)
{
	while(*p && *p != ' ' && *p != '\t' && *p != '\n')
		p++;
	return p;
}

int hc_parse_sock_line(const char *line, int table_af, int proto,
		enum hc_order order, hc_sock_t *s)
{
	const char *p = skip_ws(line);
	int nwords = table_af == 6 ? 4 : 1;
	int i, d;
	char *end;

	memset(s, 0, sizeof(*s));
	if(*p == '\0' || *p == '\n' || *p == '\r')
		return 0;
	if(strncmp(p, "sl", 2) == 0)
		return 0; /* the header */
	if(!isdigit((unsigned char)*p))
		return -1;
	while(isdigit((unsigned char)*p))
		p++;
	if(*p++ != ':')
		return -1;
	s->proto = proto;
	s->table_af = table_af;
	p = parse_addr_port(skip_ws(p), nwords, order, s->addr, &s->port);
	if(p == NULL)
		return -1;
	p = parse_addr_port(skip_ws(p), nwords, order, s->raddr, &s->rport);
	if(p == NULL)
		return -1;
	p = skip_ws(p);
	for(i = 0; i < 2; i++) {
		d = ip6r_hexval(*p++);
		if(d < 0)
			return -1;
		s->state = (s->state << 4) | d;
	}
	/* tx_queue:rx_queue tr:tm->when retrnsmt uid timeout, then inode */
	for(i = 0; i < 5; i++) {
		p = skip_ws(p);
		if(*p == '\0' || *p == '\n')
			return -1;
		p = skip_word(p);
	}
	p = skip_ws(p);
	if(!isdigit((unsigned char)*p))
		return -1;
	s->inode = strtoul(p, &end, 10);
	if(*end != '\0' && *end != ' ' && *end != '\t' && *end != '\n')
		return -1;
	return 1;
}

static const unsigned char v4mapped[12] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

int hc_sock_family(const hc_sock_t *s)
{
	if(s->table_af != 6)
		return 4;
	return memcmp(s->addr, v4mapped, 12) == 0 ? 4 : 6;
}

int hc_sock_is_listener(const hc_sock_t *s)
{
	static const unsigned char zero[16];

	if(s->port == 0)
		return 0;
	if(s->proto == HC_TCP)
		return s->state == HC_TCP_LISTEN;
	/* a UDP socket connected to a peer (rtpproxy control, DNS) is a
	 * client, not a listener */
	return s->state == HC_TCP_CLOSE && s->rport == 0
		   && memcmp(s->raddr, zero, s->table_af == 6 ? 16 : 4) == 0;
}

char *hc_sock_format(const hc_sock_t *s, char *out, size_t size)
{
	char text[IP6R_TEXT_MAX];
	ip6r_addr_t a;

	memset(&a, 0, sizeof(a));
	if(s->table_af == 6) {
		memcpy(a.b, s->addr, 16);
		a.af = 6;
	} else {
		a.b[10] = a.b[11] = 0xff;
		memcpy(a.b + 12, s->addr, 4);
		a.af = 4;
	}
	ip6r_format(&a, IP6R_REF, text, sizeof(text));
	snprintf(out, size, "%s %s:%u", s->proto == HC_TCP ? "tcp" : "udp", text,
			s->port);
	return out;
}

/* "udp 127.0.0.1:5060, tcp 127.0.0.1:5060" of one family, each once */
static int list_family(
		const hc_sock_t *socks, int n, int af, char *out, size_t size)
{
	char one[80], prev[80];
	int i, j, found = 0, dup;

	out[0] = '\0';
	for(i = 0; i < n; i++) {
		if(!hc_sock_is_listener(&socks[i]) || hc_sock_family(&socks[i]) != af)
			continue;
		hc_sock_format(&socks[i], one, sizeof(one));
		/* the same address twice (SO_REUSEPORT, a fd in two tables) */
		for(dup = 0, j = 0; j < i && !dup; j++) {
			if(hc_sock_is_listener(&socks[j])
					&& hc_sock_family(&socks[j]) == af)
				dup = strcmp(hc_sock_format(&socks[j], prev, sizeof(prev)), one)
					  == 0;
		}
		if(dup)
			continue;
		if(found)
			cat(out, size, ", ");
		cat(out, size, one);
		found++;
	}
	return found;
}

void hc_check_listeners(hc_report_t *r, const hc_listen_ctx_t *ctx,
		const hc_sock_t *socks, int n)
{
	char v4[HC_WHAT_LEN / 2 - 16], v6[HC_WHAT_LEN / 2 - 16];
	int n4, n6;

	if(ctx->by_process && ctx->nprocs == 0) {
		hc_add(r, HC_FAIL, "listen",
				"No process to take the sockets of: start kamailio, or name "
				"its main process with --pid or its SIP port with --port; "
				"--no-listen skips this check (e.g. on a host being "
				"prepared).",
				"%s is not running", ctx->owner);
		return;
	}
	if(ctx->unreadable > 0)
		hc_add(r, HC_WARN, "listen access",
				"The sockets of a process are found through /proc/<pid>/fd, "
				"which only root and the process's own user may read: run "
				"as root or as kamailio's user, or match by port with "
				"--port.",
				"cannot read the sockets of %d of %d %s processes",
				ctx->unreadable, ctx->nprocs, ctx->owner);

	n4 = list_family(socks, n, 4, v4, sizeof(v4));
	n6 = list_family(socks, n, 6, v6, sizeof(v6));
	if(n4 && n6) {
		hc_add(r, HC_OK, "listen", "Kamailio answers SIP over both families.",
				"IPv4: %s; IPv6: %s", v4, v6);
	} else if(!n4 && !n6) {
		hc_add(r, HC_FAIL, "listen",
				"Kamailio listens on neither family: add listen=udp:ADDR:5060 "
				"and listen=tcp:ADDR:5060 lines for an IPv4 and an IPv6 "
				"address of this host to kamailio.cfg (with --port: is it "
				"the SIP port?).",
				"no listening UDP/TCP socket of %s%s", ctx->owner,
				ctx->unreadable ? " found (its fds could not be read)" : "");
	} else if(!n6) {
		hc_add(r, HC_FAIL, "listen",
				"Clients that reach this host over IPv6 (an AAAA record, "
				"IPv6-only mobile networks, DNS64 with NAT64) get no answer. "
				"Add listen=udp:[IPV6]:5060 and listen=tcp:[IPV6]:5060 with "
				"an IPv6 address of this host to kamailio.cfg (the address "
				"in brackets) and restart kamailio.",
				"no IPv6 listener (IPv4: %s)", v4);
	} else {
		hc_add(r, HC_FAIL, "listen",
				"IPv4-only clients and peers (most SIP trunks) get no "
				"answer. Add listen=udp:IPV4:5060 and listen=tcp:IPV4:5060 "
				"with an IPv4 address of this host to kamailio.cfg and "
				"restart kamailio.",
				"no IPv4 listener (IPv6: %s)", v6);
	}
}

unsigned long hc_socket_inode(const char *link)
{
	unsigned long v = 0;
	const char *p;

	if(strncmp(link, "socket:[", 8) != 0)
		return 0;
	for(p = link + 8; isdigit((unsigned char)*p); p++)
		v = v * 10 + (unsigned long)(*p - '0');
	if(p == link + 8 || p[0] != ']' || p[1] != '\0')
		return 0;
	return v;
}

int hc_parse_stat(const char *text, int *ppid, char *comm, size_t size)
{
	const char *open = strchr(text, '(');
	const char *close = strrchr(text, ')');
	size_t len;
	char *end;
	long v;

	/* comm may hold spaces and parentheses: it ends at the last ')' */
	if(open == NULL || close == NULL || close < open)
		return -1;
	len = (size_t)(close - open - 1);
	if(size == 0)
		return -1;
	if(len >= size)
		len = size - 1;
	memcpy(comm, open + 1, len);
	comm[len] = '\0';
	/* ") S 1234 ..." */
	if(close[1] != ' ' || close[2] == '\0' || close[3] != ' ')
		return -1;
	v = strtol(close + 4, &end, 10);
	if(end == close + 4 || v < 0)
		return -1;
	*ppid = (int)v;
	return 0;
}

/* ------------------------------------------------------------------ */
/* 2. sysctls */

void hc_sysctls_init(hc_sysctls_t *s)
{
	memset(s, 0, sizeof(*s));
	s->ipv6_present = 1;
	s->no_pmtu_disc = s->all_disable_ipv6 = s->def_disable_ipv6 = HC_UNSET;
	s->all_forwarding = s->all_accept_ra = HC_UNSET;
	s->mtu_expires = s->all_mtu = s->rmem_max = HC_UNSET;
}

long hc_parse_long(const char *text)
{
	char *end;
	long v;

	if(text == NULL)
		return HC_UNSET;
	while(isspace((unsigned char)*text))
		text++;
	if(!isdigit((unsigned char)*text) && *text != '-')
		return HC_UNSET;
	v = strtol(text, &end, 10);
	if(end == text)
		return HC_UNSET;
	while(isspace((unsigned char)*end))
		end++;
	if(*end != '\0')
		return HC_UNSET;
	return v;
}

int hc_inet6_dynamic(const char *line, char *ifname, size_t size)
{
	unsigned int idx, plen, scope, flags;
	char addr[33], dev[32];

	if(sscanf(line, "%32s %x %x %x %x %31s", addr, &idx, &plen, &scope, &flags,
			   dev)
			!= 6)
		return -1;
	if(strlen(addr) != 32)
		return -1;
	/* scope 0: global; IFA_F_PERMANENT (0x80): configured statically */
	if(scope != 0 || (flags & 0x80))
		return 0;
	scopy(ifname, size, dev);
	return 1;
}

void hc_sysctls_add_dyn(hc_sysctls_t *s, const char *ifname)
{
	int i;

	for(i = 0; i < s->nifs; i++) {
		if(strcmp(s->ifs[i].name, ifname) == 0) {
			s->ifs[i].dyn_addrs++;
			return;
		}
	}
	if(s->nifs >= HC_MAX_IFS)
		return;
	scopy(s->ifs[i].name, sizeof(s->ifs[i].name), ifname);
	s->ifs[i].forwarding = s->ifs[i].accept_ra = HC_UNSET;
	s->ifs[i].dyn_addrs = 1;
	s->nifs++;
}

/* udp_mtu keeps large requests off UDP: what ip_no_pmtu_disc cannot do
 * for IPv6 */
static int cfg_covers_ipv6_mtu(const hc_cfg_t *cfg)
{
	if(cfg == NULL || cfg->udp_mtu <= 0 || cfg->udp_mtu > 1300)
		return 0;
	return strcmp(cfg->try_proto, "TCP") == 0
		   || strcmp(cfg->try_proto, "TLS") == 0
		   || strcmp(cfg->try_proto, "SCTP") == 0;
}

#define WHY_PMTU                                                             \
	"ip_no_pmtu_disc=1 sends IPv4 UDP without DF host-wide, so that "        \
	"routers fragment large SIP messages (an anycast host may never see "    \
	"the ICMP 'fragmentation needed'); kamailio does so on its own sockets " \
	"anyway (pmtu_discovery=0, its default). There is no IPv6 equivalent: "  \
	"IPv6 routers never fragment. Let this host fragment its IPv6 SIP "      \
	"datagrams at 1280 (ip6-fragpolicy set 1280 [ADDR]:PORT; check frag "    \
	"IPv6), and keep large requests to peers that listen on TCP off UDP: "   \
	"udp_mtu=1300 with udp_mtu_try_proto=TCP, or udp_mtu_try_proto(TCP) in " \
	"their route only, so that UDP phones still get UDP."

void hc_check_ra(hc_report_t *r, const char *ifname, long forwarding,
		long accept_ra, int dyn_addrs)
{
	char check[HC_CHECK_LEN];
	int accepted;

	if(forwarding == HC_UNSET || accept_ra == HC_UNSET)
		return;
	snprintf(check, sizeof(check), "net.ipv6.conf.%s.accept_ra", ifname);
	/* accept_ra=1 takes RAs only when not forwarding; 2 always */
	accepted = accept_ra >= 2 || (accept_ra == 1 && forwarding == 0);
	if(accepted) {
		hc_add(r, HC_OK, check,
				"Router advertisements are processed: SLAAC addresses are "
				"renewed and the default route is kept (informational).",
				"%ld, forwarding=%ld: router advertisements accepted",
				accept_ra, forwarding);
	} else if(dyn_addrs > 0) {
		hc_add(r, HC_WARN, check,
				"With forwarding=1 the kernel ignores router advertisements "
				"unless accept_ra=2 (accept_ra=0 ignores them always): the "
				"autoconfigured addresses are not renewed and expire, the "
				"default route learned from RAs goes away, and the host "
				"loses IPv6 after their lifetime. Set accept_ra=2 on this "
				"interface (sysctl, /etc/sysctl.d/), or configure the "
				"address and the default route statically.",
				"%ld, forwarding=%ld: router advertisements ignored, but "
				"%d address(es) on %s autoconfigured (SLAAC/DHCPv6)",
				accept_ra, forwarding, dyn_addrs, ifname);
	} else {
		hc_add(r, HC_OK, check,
				"Router advertisements are ignored; no IPv6 address relies "
				"on them. Fine with static addresses and a static default "
				"route (informational).",
				"%ld, forwarding=%ld: router advertisements ignored, no "
				"autoconfigured address",
				accept_ra, forwarding);
	}
}

void hc_check_sysctls(
		hc_report_t *r, const hc_sysctls_t *s, const struct hc_cfg *cfg)
{
	int i;

	/* net.ipv4.ip_no_pmtu_disc */
	if(s->no_pmtu_disc == 0) {
		hc_add(r, HC_OK, "net.ipv4.ip_no_pmtu_disc",
				"Sockets that ask nothing send IPv4 UDP with DF. kamailio "
				"clears DF on its own IPv4 UDP sockets (pmtu_discovery=0, "
				"its default), so routers fragment its large SIP messages "
				"(informational).",
				"0: path MTU discovery on");
	} else if(s->no_pmtu_disc == 1) {
		if(cfg_covers_ipv6_mtu(cfg))
			hc_add(r, HC_OK, "net.ipv4.ip_no_pmtu_disc", WHY_PMTU,
					"1: IPv4 UDP without DF; IPv6 covered by udp_mtu=%ld, "
					"udp_mtu_try_proto=%s",
					cfg->udp_mtu, cfg->try_proto);
		else
			hc_add(r, HC_WARN, "net.ipv4.ip_no_pmtu_disc", WHY_PMTU,
					"1: IPv4 UDP without DF; this does not help IPv6");
	} else if(s->no_pmtu_disc != HC_UNSET) {
		hc_add(r, HC_OK, "net.ipv4.ip_no_pmtu_disc",
				"Modes 2 and 3 change how IPv4 handles ICMP 'fragmentation "
				"needed'; nothing of it applies to IPv6, where large UDP "
				"SIP messages need udp_mtu (informational).",
				"%ld (IPv4 only)", s->no_pmtu_disc);
	}

	if(!s->ipv6_present) {
		hc_add(r, HC_FAIL, "net.ipv6",
				"The kernel runs without IPv6 (booted with ipv6.disable=1, "
				"or the ipv6 module is not loaded): no IPv6 address, no "
				"IPv6 socket. Remove ipv6.disable=1 from the kernel command "
				"line (GRUB_CMDLINE_LINUX in /etc/default/grub, update-grub) "
				"and reboot.",
				"IPv6 is disabled in the kernel (no /proc/sys/net/ipv6)");
	} else {
		if(s->all_disable_ipv6 == HC_UNSET)
			hc_add(r, HC_FAIL, "net.ipv6.conf.all.disable_ipv6",
					"Without this sysctl the kernel has no IPv6 "
					"configuration: check that IPv6 is enabled (no "
					"ipv6.disable=1 on the kernel command line).",
					"cannot be read: IPv6 missing in the kernel?");
		else if(s->all_disable_ipv6 != 0)
			hc_add(r, HC_FAIL, "net.ipv6.conf.all.disable_ipv6",
					"IPv6 is switched off on every interface: no IPv6 "
					"address, kamailio cannot bind an IPv6 listener. Set "
					"net.ipv6.conf.all.disable_ipv6=0 (sysctl -w, and in "
					"/etc/sysctl.d/ to keep it).",
					"%ld: IPv6 disabled on all interfaces",
					s->all_disable_ipv6);
		else
			hc_add(r, HC_OK, "net.ipv6.conf.all.disable_ipv6",
					"IPv6 is enabled.", "0: IPv6 enabled");

		if(s->def_disable_ipv6 > 0)
			hc_add(r, HC_WARN, "net.ipv6.conf.default.disable_ipv6",
					"Interfaces created from now on (VLANs, bonds, "
					"tunnels, a re-created NIC) come up without IPv6. Set "
					"net.ipv6.conf.default.disable_ipv6=0 in "
					"/etc/sysctl.d/.",
					"%ld: new interfaces get no IPv6", s->def_disable_ipv6);
		else if(s->def_disable_ipv6 == 0)
			hc_add(r, HC_OK, "net.ipv6.conf.default.disable_ipv6",
					"New interfaces get IPv6.", "0: new interfaces get IPv6");

		if(s->nifs == 0) {
			hc_check_ra(r, "all", s->all_forwarding, s->all_accept_ra, 0);
		} else {
			for(i = 0; i < s->nifs; i++)
				hc_check_ra(r, s->ifs[i].name, s->ifs[i].forwarding,
						s->ifs[i].accept_ra, s->ifs[i].dyn_addrs);
		}

		if(s->mtu_expires != HC_UNSET)
			hc_add(r, HC_OK, "net.ipv6.route.mtu_expires",
					"How long a path MTU learned from an ICMPv6 Packet Too "
					"Big is kept (informational).",
					"%ld s", s->mtu_expires);
		if(s->all_mtu != HC_UNSET)
			hc_add(r, HC_OK, "net.ipv6.conf.all.mtu",
					"Informational. Every IPv6 path carries at least 1280 "
					"bytes: a UDP payload of 1232 bytes (1280 - 40 IPv6 - 8 "
					"UDP) always fits, udp_mtu=1300 fits a path of 1500.",
					"%ld bytes", s->all_mtu);
	}

	if(s->rmem_max != HC_UNSET)
		hc_add(r, HC_OK, "net.core.rmem_max",
				"The largest receive buffer a socket may ask for: kamailio "
				"grows its UDP receive buffers up to maxbuffer within this "
				"limit (informational).",
				"%ld bytes", s->rmem_max);
}

/* ------------------------------------------------------------------ */
/* 3. kamailio.cfg */

#define MAX_DEFS 256
#define MAX_SUBSTS 32
#define MAX_IFDEPTH 32
#define VAL_LEN 512

struct def
{
	char name[64];
	char value[256];
};

struct subst
{
	char from[128];
	char to[256];
};

struct cfg_state
{
	struct def *defs;
	int ndefs;
	struct subst substs[MAX_SUBSTS];
	int nsubsts;
	/* #!ifdef nesting: active[i] for each open block */
	int active[MAX_IFDEPTH];
	int depth;
	int overflow; /* blocks nested deeper than MAX_IFDEPTH */
	int lineno;	  /* of the current line, in file */
	char file[64];
};

static int is_id_start(int c)
{
	return isalpha(c) || c == '_';
}

static int is_id_char(int c)
{
	return isalnum(c) || c == '_';
}

static struct def *find_def(struct cfg_state *st, const char *name, size_t len)
{
	int i;

	for(i = 0; i < st->ndefs; i++)
		if(strlen(st->defs[i].name) == len
				&& strncmp(st->defs[i].name, name, len) == 0)
			return &st->defs[i];
	return NULL;
}

static void set_def(struct cfg_state *st, const char *name, size_t len,
		const char *value, int replace)
{
	struct def *d = find_def(st, name, len);

	if(d != NULL && !replace)
		return;
	if(d == NULL) {
		if(st->ndefs >= MAX_DEFS || len >= sizeof(d->name))
			return;
		d = &st->defs[st->ndefs++];
		memcpy(d->name, name, len);
		d->name[len] = '\0';
	}
	scopy(d->value, sizeof(d->value), value);
}

static int active(const struct cfg_state *st)
{
	int i;

	if(st->overflow)
		return 0;
	for(i = 0; i < st->depth; i++)
		if(!st->active[i])
			return 0;
	return 1;
}

/* replace defined identifiers, then the #!subst patterns (as literal
 * text: the usual "/NAME/value/" form) */
static void expand(struct cfg_state *st, const char *in, char *out, size_t size)
{
	char a[VAL_LEN], b[VAL_LEN];
	const char *p, *q;
	struct def *d;
	int round, changed, i;
	size_t flen;

	scopy(a, sizeof(a), in);
	/* a define may name another define: a few rounds */
	for(round = 0; round < 8; round++) {
		changed = 0;
		b[0] = '\0';
		for(p = a; *p;) {
			if(*p == '"') {
				/* strings are not substituted */
				q = strchr(p + 1, '"');
				q = q ? q + 1 : p + strlen(p);
			} else if(is_id_start((unsigned char)*p)) {
				for(q = p; is_id_char((unsigned char)*q); q++)
					;
				d = find_def(st, p, (size_t)(q - p));
				if(d != NULL) {
					cat(b, sizeof(b), d->value);
					changed = 1;
					p = q;
					continue;
				}
			} else if(isdigit((unsigned char)*p)) {
				/* 10.0.0.1, 5060, 1e3: not identifiers */
				for(q = p; is_id_char((unsigned char)*q); q++)
					;
			} else {
				q = p + 1;
			}
			{
				char chunk[VAL_LEN];
				size_t len = (size_t)(q - p);

				if(len >= sizeof(chunk))
					len = sizeof(chunk) - 1;
				memcpy(chunk, p, len);
				chunk[len] = '\0';
				cat(b, sizeof(b), chunk);
			}
			p = q;
		}
		memcpy(a, b, sizeof(a));
		if(!changed)
			break;
	}
	for(i = 0; i < st->nsubsts; i++) {
		flen = strlen(st->substs[i].from);
		if(flen == 0)
			continue;
		b[0] = '\0';
		for(p = a; *p;) {
			if(strncmp(p, st->substs[i].from, flen) == 0) {
				cat(b, sizeof(b), st->substs[i].to);
				p += flen;
			} else {
				char c[2] = {*p, '\0'};
				cat(b, sizeof(b), c);
				p++;
			}
		}
		memcpy(a, b, sizeof(a));
	}
	scopy(out, size, a);
}

static void trim(char *s)
{
	size_t len = strlen(s);
	char *p = s;

	while(len > 0 && isspace((unsigned char)s[len - 1]))
		s[--len] = '\0';
	while(isspace((unsigned char)*p))
		p++;
	if(p != s)
		memmove(s, p, strlen(p) + 1);
}

static void unquote(char *s)
{
	size_t len = strlen(s);

	if(len >= 2 && s[0] == '"' && s[len - 1] == '"') {
		memmove(s, s + 1, len - 2);
		s[len - 2] = '\0';
	}
}

/* #!subst / #!substdef argument "/from/to/flags" (any delimiter) */
static int parse_subst_arg(
		const char *arg, char *from, size_t fsize, char *to, size_t tsize)
{
	char buf[VAL_LEN];
	char delim, *p, *q;

	scopy(buf, sizeof(buf), arg);
	trim(buf);
	unquote(buf);
	if(buf[0] == '\0')
		return -1;
	delim = buf[0];
	p = buf + 1;
	q = strchr(p, delim);
	if(q == NULL)
		return -1;
	*q++ = '\0';
	scopy(from, fsize, p);
	p = strchr(q, delim);
	if(p == NULL)
		return -1;
	*p = '\0';
	scopy(to, tsize, q);
	return 0;
}

/* "#!name rest" (after "#!" or "!!") */
static void directive(struct cfg_state *st, const char *d)
{
	char word[32], rest[VAL_LEN], from[128], to[256];
	const char *p = d, *n;
	size_t len;
	int cond;

	for(len = 0; is_id_char((unsigned char)*p) && len < sizeof(word) - 1; len++)
		word[len] = *p++;
	word[len] = '\0';
	scopy(rest, sizeof(rest), p);
	trim(rest);

	if(strcmp(word, "hc_file") == 0) {
		/* a marker of the caller: the next line is line N of file */
		st->lineno = (int)strtol(rest, (char **)&n, 10) - 1;
		while(*n == ' ' || *n == '\t')
			n++;
		scopy(st->file, sizeof(st->file), n);
		return;
	}
	if(strcmp(word, "ifdef") == 0 || strcmp(word, "ifndef") == 0) {
		for(n = rest; is_id_char((unsigned char)*n); n++)
			;
		cond = find_def(st, rest, (size_t)(n - rest)) != NULL;
		if(word[2] == 'n')
			cond = !cond;
		if(st->depth >= MAX_IFDEPTH)
			st->overflow++;
		else
			st->active[st->depth++] = cond;
		return;
	}
	if(strcmp(word, "else") == 0) {
		if(!st->overflow && st->depth > 0)
			st->active[st->depth - 1] = !st->active[st->depth - 1];
		return;
	}
	if(strcmp(word, "endif") == 0) {
		if(st->overflow)
			st->overflow--;
		else if(st->depth > 0)
			st->depth--;
		return;
	}
	if(!active(st))
		return;
	if(strcmp(word, "define") == 0 || strcmp(word, "def") == 0
			|| strcmp(word, "trydefine") == 0 || strcmp(word, "trydef") == 0
			|| strcmp(word, "redefine") == 0 || strcmp(word, "redef") == 0) {
		for(n = rest; is_id_char((unsigned char)*n); n++)
			;
		if(n == rest)
			return;
		p = n;
		while(*p == ' ' || *p == '\t')
			p++;
		/* #!define keeps the first value (kamailio refuses a second one);
		 * trydef keeps an existing one; redefine replaces */
		set_def(st, rest, (size_t)(n - rest), p, word[0] == 'r');
		return;
	}
	if(strcmp(word, "substdef") == 0 || strcmp(word, "substdefs") == 0
			|| strcmp(word, "subst") == 0) {
		if(parse_subst_arg(rest, from, sizeof(from), to, sizeof(to)) < 0)
			return;
		if(st->nsubsts < MAX_SUBSTS) {
			scopy(st->substs[st->nsubsts].from, sizeof(from), from);
			scopy(st->substs[st->nsubsts].to, sizeof(to), to);
			st->nsubsts++;
		}
		if(word[5] != '\0') {
			/* substdef: also a define; substdefs: quoted */
			if(strcmp(word, "substdefs") == 0) {
				char q[260];

				snprintf(q, sizeof(q), "\"%s\"", to);
				set_def(st, from, strlen(from), q, 0);
			} else {
				set_def(st, from, strlen(from), to, 0);
			}
		}
		return;
	}
	/* KAMAILIO, include_file (expanded by the caller), defenv...: ignored */
}

/* "name = value" at the start of a statement: value, or NULL */
static const char *assignment(const char *line, const char *name)
{
	size_t len = strlen(name);
	const char *p = line;

	while(*p == ' ' || *p == '\t')
		p++;
	if(strncasecmp(p, name, len) != 0 || is_id_char((unsigned char)p[len]))
		return NULL;
	p += len;
	while(*p == ' ' || *p == '\t')
		p++;
	if(*p != '=')
		return NULL;
	p++;
	while(*p == ' ' || *p == '\t')
		p++;
	return p;
}

static int yes(const char *v)
{
	return strcasecmp(v, "yes") == 0 || strcasecmp(v, "on") == 0
		   || strcasecmp(v, "true") == 0 || strcasecmp(v, "enable") == 0
		   || atoi(v) > 0;
}

int hc_listen_af(const char *value, char *proto, size_t psize)
{
	static const char *protos[] = {"udp", "tcp", "tls", "sctp", "ws", "wss"};
	const char *p = value, *colon, *end, *last;
	ip6r_addr_t a;
	size_t i, j, len;
	int ncolons;

	if(psize > 0)
		proto[0] = '\0';
	colon = strchr(p, ':');
	if(colon != NULL) {
		len = (size_t)(colon - p);
		for(i = 0; i < sizeof(protos) / sizeof(protos[0]); i++) {
			if(strlen(protos[i]) == len
					&& strncasecmp(p, protos[i], len) == 0) {
				if(psize > len) {
					for(j = 0; j < len; j++)
						proto[j] = (char)tolower((unsigned char)p[j]);
					proto[len] = '\0';
				}
				p = colon + 1;
				break;
			}
		}
	}
	if(*p == '(') /* sctp multihoming: the first address */
		p++;
	while(*p == ' ')
		p++;
	if(*p == '[') {
		end = strchr(p, ']');
		return end && ip6r_parse(p, (int)(end - p + 1), &a) == 0 ? 6 : 0;
	}
	for(ncolons = 0, end = p; *end && *end != ',' && *end != ')'; end++)
		if(*end == ':')
			ncolons++;
	if(ncolons >= 2) {
		/* an IPv6 address without brackets (a port, if any, is lost in
		 * it: kamailio wants brackets with a port) */
		if(ip6r_parse(p, (int)(end - p), &a) == 0)
			return 6;
		/* "::1:5060"? drop the last ":port" */
		for(last = end - 1; *last != ':'; last--)
			;
		return ip6r_parse(p, (int)(last - p), &a) == 0 ? 6 : 0;
	}
	for(end = p; *end && *end != ':' && *end != ',' && *end != ')'; end++)
		;
	if(ip6r_parse(p, (int)(end - p), &a) == 0 && a.af == 4)
		return 4;
	/* a host name, an interface name, "*": decided at startup */
	return 0;
}

/* the first word of a listen value ("(a, b)" of sctp kept together) */
static void listen_word(const char *v, char *out, size_t size)
{
	size_t o = 0;
	int paren = 0;

	for(; *v && o + 1 < size; v++) {
		if(*v == '(')
			paren = 1;
		else if(*v == ')')
			paren = 0;
		else if((*v == ' ' || *v == '\t') && !paren)
			break;
		out[o++] = *v;
	}
	out[o] = '\0';
}

/* the module a loadmodule line loads: "geoip" of "/x/geoip.so" */
static void module_name(const char *v, char *out, size_t size)
{
	char val[VAL_LEN];
	char *b, *dot;

	scopy(val, sizeof(val), v);
	trim(val);
	unquote(val);
	b = strrchr(val, '/');
	b = b ? b + 1 : val;
	dot = strstr(b, ".so");
	if(dot)
		*dot = '\0';
	scopy(out, size, b);
}

/* what a line does beyond the core settings: modules, their
 * parameters, udp_mtu_try_proto(...) in a route */
static void statement_uses(
		struct cfg_state *st, hc_cfg_t *cfg, const char *line, int lineno)
{
	const char *p = line, *q;
	char name[64];
	size_t i;

	while(*p == ' ' || *p == '\t')
		p++;
	if(strncmp(p, "loadmodule", 10) == 0 && !is_id_char((unsigned char)p[10])) {
		module_name(p + 10, name, sizeof(name));
		if(strcmp(name, "geoip") == 0)
			cfg->geoip_line = lineno;
		return;
	}
	if(strncmp(p, "modparam", 8) == 0 && strstr(p, "nathelper") != NULL) {
		if(strstr(p, "\"natping_socket\"") != NULL)
			cfg->natping_socket_line = lineno;
		if(strstr(p, "\"udpping_from_path\"") != NULL)
			cfg->udpping_from_path_line = lineno;
		return;
	}
	q = strstr(p, "udp_mtu_try_proto");
	if(q != NULL && (q == p || !is_id_char((unsigned char)q[-1]))) {
		q += 17;
		while(*q == ' ' || *q == '\t')
			q++;
		if(*q++ != '(')
			return;
		while(*q == ' ' || *q == '\t')
			q++;
		for(i = 0; is_id_char((unsigned char)q[i])
				   && i + 1 < sizeof(cfg->try_proto_action);
				i++)
			cfg->try_proto_action[i] = (char)toupper((unsigned char)q[i]);
		cfg->try_proto_action[i] = '\0';
		cfg->try_proto_action_line = lineno;
		(void)st;
	}
}

static void statement(
		struct cfg_state *st, hc_cfg_t *cfg, const char *line, int lineno)
{
	char val[VAL_LEN], word[VAL_LEN];
	const char *v;
	hc_listen_t *l;
	char *end;
	long n;
	size_t i;

	if((v = assignment(line, "listen")) != NULL) {
		expand(st, v, val, sizeof(val));
		trim(val);
		unquote(val);
		listen_word(val, word, sizeof(word));
		unquote(word);
		cfg->nlisten_all++;
		if(cfg->nlisten >= HC_MAX_LISTEN)
			return;
		l = &cfg->listen[cfg->nlisten++];
		scopy(l->value, sizeof(l->value), word);
		l->af = hc_listen_af(word, l->proto, sizeof(l->proto));
		l->line = lineno;
		scopy(l->file, sizeof(l->file), st->file);
	} else if((v = assignment(line, "udp_mtu")) != NULL) {
		expand(st, v, val, sizeof(val));
		trim(val);
		unquote(val);
		n = strtol(val, &end, 0);
		if(end != val) {
			cfg->udp_mtu = n;
			cfg->udp_mtu_line = lineno;
			scopy(cfg->udp_mtu_file, sizeof(cfg->udp_mtu_file), st->file);
		}
	} else if((v = assignment(line, "udp_mtu_try_proto")) != NULL) {
		expand(st, v, val, sizeof(val));
		trim(val);
		unquote(val);
		listen_word(val, word, sizeof(word));
		for(i = 0; word[i] && i + 1 < sizeof(cfg->try_proto); i++)
			cfg->try_proto[i] = (char)toupper((unsigned char)word[i]);
		cfg->try_proto[i] = '\0';
		cfg->try_proto_line = lineno;
		scopy(cfg->try_proto_file, sizeof(cfg->try_proto_file), st->file);
	} else if((v = assignment(line, "pmtu_discovery")) != NULL) {
		expand(st, v, val, sizeof(val));
		trim(val);
		cfg->pmtu_discovery = yes(val) ? 1 : 0;
		cfg->pmtu_discovery_line = lineno;
	} else if((v = assignment(line, "disable_tcp")) != NULL) {
		expand(st, v, val, sizeof(val));
		trim(val);
		cfg->disable_tcp = yes(val);
	} else if((v = assignment(line, "auto_bind_ipv6")) != NULL) {
		expand(st, v, val, sizeof(val));
		trim(val);
		cfg->auto_bind_ipv6 = yes(val);
	} else {
		statement_uses(st, cfg, line, lineno);
	}
}

/* one physical line without its comments: block comments (nested, over
 * lines: *depth), '#' (not "#!") and "//" outside strings */
static void strip_comments(
		const char *in, size_t len, char *out, size_t size, int *depth)
{
	size_t i, o = 0;
	int str = 0;

	for(i = 0; i < len; i++) {
		char c = in[i], c2 = i + 1 < len ? in[i + 1] : '\0';

		if(*depth > 0) {
			if(c == '*' && c2 == '/') {
				(*depth)--;
				i++;
			} else if(c == '/' && c2 == '*') {
				(*depth)++;
				i++;
			}
			continue;
		}
		if(str) {
			if(c == '\\' && c2 != '\0') {
				if(o + 2 < size) {
					out[o++] = c;
					out[o++] = c2;
				}
				i++;
				continue;
			}
			if(c == '"')
				str = 0;
		} else if(c == '"') {
			str = 1;
		} else if(c == '/' && c2 == '*') {
			(*depth)++;
			i++;
			continue;
		} else if(c == '/' && c2 == '/') {
			break;
		} else if(c == '#' && c2 != '!') {
			break;
		}
		if(o + 1 < size)
			out[o++] = c;
	}
	out[o] = '\0';
}

void hc_parse_cfg(const char *text, hc_cfg_t *cfg)
{
	struct cfg_state *st;
	char line[VAL_LEN * 2], joined[VAL_LEN * 2];
	const char *p = text, *nl, *d;
	size_t len;
	int depth = 0, first;

	memset(cfg, 0, sizeof(*cfg));
	cfg->udp_mtu = HC_UNSET;
	cfg->pmtu_discovery = HC_UNSET;
	st = calloc(1, sizeof(*st));
	if(st == NULL)
		return;
	st->defs = calloc(MAX_DEFS, sizeof(*st->defs));
	if(st->defs == NULL) {
		free(st);
		return;
	}
	while(*p) {
		nl = strchr(p, '\n');
		len = nl ? (size_t)(nl - p) : strlen(p);
		st->lineno++;
		first = st->lineno;
		d = p;
		while(d < p + len && (*d == ' ' || *d == '\t'))
			d++;
		if(depth == 0 && d + 2 <= p + len
				&& ((d[0] == '#' && d[1] == '!')
						|| (d[0] == '!' && d[1] == '!'))) {
			/* a directive: the whole line, '\' continues it */
			joined[0] = '\0';
			for(;;) {
				size_t l = len - (size_t)(d - p);
				int more;

				if(l >= sizeof(line))
					l = sizeof(line) - 1;
				memcpy(line, d, l);
				line[l] = '\0';
				while(l > 0 && (line[l - 1] == '\r'))
					line[--l] = '\0';
				more = l > 0 && line[l - 1] == '\\';
				if(more)
					line[l - 1] = '\0';
				cat(joined, sizeof(joined), line);
				if(!more || nl == NULL)
					break;
				p = nl + 1;
				nl = strchr(p, '\n');
				len = nl ? (size_t)(nl - p) : strlen(p);
				d = p;
				st->lineno++;
			}
			directive(st, joined + 2);
		} else {
			strip_comments(p, len, line, sizeof(line), &depth);
			if(active(st))
				statement(st, cfg, line, first);
		}
		if(nl == NULL)
			break;
		p = nl + 1;
	}
	free(st->defs);
	free(st);
}

/* "line 12" in the main file, "listen.cfg:3" in an included one */
static const char *where(const char *file, int line, char *buf, size_t size)
{
	if(file[0])
		snprintf(buf, size, "%s:%d", file, line);
	else
		snprintf(buf, size, "line %d", line);
	return buf;
}

/* the host of a listen value is a bare word (eth0, lo, ens3.100 has a
 * dot but no letters after it...): an interface name rather than a host
 * name, which has dots */
static int listen_is_ifname(const char *value)
{
	const char *p = value, *c;
	size_t n = 0;

	c = strchr(p, ':');
	if(c != NULL && (c - p) <= 4)
		p = c + 1; /* "udp:" */
	if(*p == '*' || *p == '[' || *p == '(')
		return 0;
	for(; p[n] && p[n] != ':'; n++)
		if(p[n] == '.' || p[n] == ',' || p[n] == ' ')
			return 0;
	return n > 0 && isalpha((unsigned char)p[0]);
}

static int has_listen(const hc_cfg_t *cfg, int af, const char *proto)
{
	int i;

	for(i = 0; i < cfg->nlisten; i++) {
		if(cfg->listen[i].af != af)
			continue;
		if(proto == NULL || strcmp(cfg->listen[i].proto, proto) == 0)
			return 1;
		/* no proto: every enabled one (TCP unless disable_tcp) */
		if(cfg->listen[i].proto[0] == '\0'
				&& (strcmp(proto, "udp") == 0
						|| (strcmp(proto, "tcp") == 0 && !cfg->disable_tcp)))
			return 1;
	}
	return 0;
}

static void list_listen(const hc_cfg_t *cfg, int af, char *out, size_t size)
{
	char one[260], w[80];
	int i, n = 0;

	out[0] = '\0';
	for(i = 0; i < cfg->nlisten; i++) {
		if(cfg->listen[i].af != af)
			continue;
		snprintf(one, sizeof(one), "%s%s (%s)", n ? ", " : "",
				cfg->listen[i].value,
				where(cfg->listen[i].file, cfg->listen[i].line, w, sizeof(w)));
		cat(out, size, one);
		n++;
	}
}

void hc_check_cfg(hc_report_t *r, const hc_cfg_t *cfg)
{
	char v4[HC_WHAT_LEN / 2 - 32], v6[HC_WHAT_LEN / 2 - 32],
			unk[HC_WHAT_LEN / 2];
	const char *tp = cfg->try_proto;
	char w[80];
	int tp_ok, af;
	char lproto[8];
	size_t i;

	/* udp_mtu */
	if(cfg->udp_mtu <= 0) {
		hc_add(r, HC_WARN, "cfg udp_mtu",
				"Requests of any size go out over UDP. IPv6 routers never "
				"fragment: a UDP SIP message larger than the path MTU (an "
				"INVITE with a large SDP, many Via and Record-Route "
				"headers) is dropped on the way. Set udp_mtu=1300 and "
				"udp_mtu_try_proto=TCP: larger requests then go over TCP "
				"(RFC 3261 18.1.1).",
				"udp_mtu is not set: large requests stay on UDP");
	} else if(cfg->udp_mtu > 1300) {
		hc_add(r, HC_WARN, "cfg udp_mtu",
				"Over IPv6 a path may carry as little as 1280 bytes, and "
				"routers never fragment: UDP requests between 1300 and "
				"udp_mtu bytes may be dropped. Set udp_mtu in 1280..1300.",
				"udp_mtu=%ld (%s) is above 1300", cfg->udp_mtu,
				where(cfg->udp_mtu_file, cfg->udp_mtu_line, w, sizeof(w)));
	} else {
		hc_add(r, HC_OK, "cfg udp_mtu",
				cfg->udp_mtu < 1280
						? "Below 1280: more requests than needed go over TCP "
						  "(1280..1300 is recommended)."
						: "Requests above it go over udp_mtu_try_proto.",
				"udp_mtu=%ld (%s)", cfg->udp_mtu,
				where(cfg->udp_mtu_file, cfg->udp_mtu_line, w, sizeof(w)));
	}

	/* udp_mtu_try_proto */
	tp_ok = strcmp(tp, "TCP") == 0 || strcmp(tp, "TLS") == 0
			|| strcmp(tp, "SCTP") == 0;
	if(cfg->udp_mtu > 0 && tp[0] == '\0' && cfg->try_proto_action[0]) {
		/* per request, in the routes towards peers known to listen */
		hc_add(r, HC_OK, "cfg udp_mtu_try_proto",
				"Only the requests of the routes that call it move to that "
				"protocol above udp_mtu; the others, those to phones that "
				"may listen on UDP only, stay on UDP at any size "
				"(fragmented: pmtu_discovery=0, ip6-fragpolicy).",
				"udp_mtu_try_proto(%s) in a route (%s), none global",
				cfg->try_proto_action,
				where("", cfg->try_proto_action_line, w, sizeof(w)));
	} else if(cfg->udp_mtu > 0) {
		if(tp[0] == '\0')
			hc_add(r, HC_FAIL, "cfg udp_mtu_try_proto",
					"Without udp_mtu_try_proto kamailio never switches "
					"protocol: udp_mtu has no effect and large requests "
					"still go out over UDP. Add udp_mtu_try_proto=TCP (or "
					"TLS/SCTP).",
					"udp_mtu=%ld is set without udp_mtu_try_proto",
					cfg->udp_mtu);
		else if(!tp_ok)
			hc_add(r, HC_FAIL, "cfg udp_mtu_try_proto",
					"udp_mtu_try_proto must name the protocol large "
					"requests move to: TCP, TLS or SCTP. With UDP, udp_mtu "
					"has no effect.",
					"udp_mtu_try_proto=%s (%s) with udp_mtu=%ld", tp,
					where(cfg->try_proto_file, cfg->try_proto_line, w,
							sizeof(w)),
					cfg->udp_mtu);
		else
			hc_add(r, HC_OK, "cfg udp_mtu_try_proto",
					"Requests larger than udp_mtu go over this protocol, "
					"also towards phones that listen on UDP only: their "
					"connect is refused and the caller gets 477. To keep "
					"UDP phones on UDP, call udp_mtu_try_proto(TCP) only in "
					"the route towards peers known to listen on TCP (the "
					"core) instead.",
					"udp_mtu_try_proto=%s (%s)", tp,
					where(cfg->try_proto_file, cfg->try_proto_line, w,
							sizeof(w)));
	}

	/* listen lines per family */
	list_listen(cfg, 4, v4, sizeof(v4));
	list_listen(cfg, 6, v6, sizeof(v6));
	list_listen(cfg, 0, unk, sizeof(unk));
	if(cfg->nlisten_all == 0) {
		if(cfg->auto_bind_ipv6)
			hc_add(r, HC_WARN, "cfg listen",
					"Without listen lines kamailio binds the addresses "
					"present at startup (IPv6 too, with auto_bind_ipv6=1): "
					"an address added later is not served, link-local "
					"ones are. Name the SIP addresses in listen= lines.",
					"no listen= line: all addresses at startup");
		else
			hc_add(r, HC_WARN, "cfg listen IPv6",
					"Without listen lines kamailio binds the IPv4 addresses "
					"present at startup, IPv6 ones only with "
					"auto_bind_ipv6=1. Add listen=udp:[IPV6]:5060 and "
					"listen=tcp:[IPV6]:5060 lines (and the IPv4 ones).",
					"no listen= line: IPv4 only (auto_bind_ipv6 not set)");
	} else {
		if(v6[0])
			hc_add(r, HC_OK, "cfg listen IPv6",
					"kamailio binds these IPv6 addresses at startup.", "%s",
					v6);
		else
			hc_add(r, HC_WARN, "cfg listen IPv6",
					"No listen line is an IPv6 address: add "
					"listen=udp:[IPV6]:5060 and listen=tcp:[IPV6]:5060 with "
					"an address of this host in brackets. Names and "
					"interfaces are resolved at startup (interfaces to IPv4 "
					"only without auto_bind_ipv6=1); the listen check of the "
					"running kamailio shows what was bound.",
					"no IPv6 listen line%s%s", unk[0] ? "; not resolved: " : "",
					unk);
		if(v4[0])
			hc_add(r, HC_OK, "cfg listen IPv4",
					"kamailio binds these IPv4 addresses at startup.", "%s",
					v4);
		else
			hc_add(r, HC_WARN, "cfg listen IPv4",
					"No listen line is an IPv4 address: IPv4-only clients "
					"and peers (most SIP trunks) cannot reach this host. "
					"Add listen=udp:IPV4:5060 and listen=tcp:IPV4:5060.",
					"no IPv4 listen line%s%s", unk[0] ? "; not resolved: " : "",
					unk);
		if(cfg->nlisten_all > cfg->nlisten)
			hc_add(r, HC_WARN, "cfg listen",
					"Only the first listen lines were checked.",
					"%d listen lines, %d checked", cfg->nlisten_all,
					cfg->nlisten);
	}

	/* the protocol large requests move to needs a socket of the family */
	if(cfg->udp_mtu > 0 && tp_ok && cfg->nlisten > 0) {
		for(i = 0; tp[i] && i + 1 < sizeof(lproto); i++)
			lproto[i] = (char)tolower((unsigned char)tp[i]);
		lproto[i] = '\0';
		for(af = 4; af <= 6; af += 2) {
			if(!has_listen(cfg, af, "udp") || has_listen(cfg, af, lproto))
				continue;
			hc_add(r, HC_WARN, "cfg udp_mtu socket",
					"kamailio moves a large request to udp_mtu_try_proto "
					"only when it has a socket of that protocol in the "
					"destination's family; without one the request silently "
					"stays on UDP. Add a listen line of that protocol for "
					"the family.",
					"udp_mtu_try_proto=%s, but no IPv%d %s listen line", tp, af,
					tp);
		}
	}

	/* IPv4 DF */
	if(cfg->pmtu_discovery == 1)
		hc_add(r, HC_WARN, "cfg pmtu_discovery",
				"IPv4 UDP then goes out with DF: a router on a narrower "
				"link drops it and the ICMP 'fragmentation needed' may "
				"reach another anycast node, or nobody. kamailio 6.0 also "
				"sets IPV6_PMTUDISC_DO on its IPv6 sockets then: a SIP "
				"datagram above the route MTU is not sent at all "
				"(EMSGSIZE). Set pmtu_discovery=0 (the default): routers "
				"fragment IPv4, this host IPv6 (ip6-fragpolicy).",
				"pmtu_discovery=1 (%s): IPv4 SIP with DF",
				where("", cfg->pmtu_discovery_line, w, sizeof(w)));

	/* what is known not to work over IPv6 */
	if(cfg->geoip_line)
		hc_add(r, HC_WARN, "cfg geoip",
				"The legacy geoip module reads GeoIP v1 databases, which "
				"have no IPv6 data in the same file: IPv6 sources are not "
				"found. Use geoip2 (MaxMind DB, both families).",
				"loadmodule geoip (%s)",
				where("", cfg->geoip_line, w, sizeof(w)));
	if(cfg->natping_socket_line || cfg->udpping_from_path_line)
		hc_add(r, HC_WARN, "cfg nathelper raw ping",
				"nathelper sends these pings from a raw IPv4 socket: "
				"IPv6 contacts get none (their home routers then close "
				"the pinhole). Drop natping_socket/udpping_from_path and "
				"ping with SIP OPTIONS (sipping_bflag) or regping, which "
				"ping both families from kamailio's own sockets.",
				"nathelper %s%s%s (%s)",
				cfg->natping_socket_line ? "natping_socket" : "",
				cfg->natping_socket_line && cfg->udpping_from_path_line
						? ", "
						: "",
				cfg->udpping_from_path_line ? "udpping_from_path" : "",
				where("",
						cfg->natping_socket_line ? cfg->natping_socket_line
												 : cfg->udpping_from_path_line,
						w, sizeof(w)));
	for(i = 0; i < (size_t)cfg->nlisten; i++) {
		const hc_listen_t *l = &cfg->listen[i];

		if(l->af != 0 || !listen_is_ifname(l->value) || cfg->auto_bind_ipv6)
			continue;
		hc_add(r, HC_WARN, "cfg listen interface",
				"A listen on an interface name binds its IPv4 addresses "
				"only unless auto_bind_ipv6=1 (measured with kamailio "
				"5.6.3 and 6.0.1: listen=udp:lo:5999 gives 127.0.0.1 "
				"alone; kamailio issue #2404). Name the addresses: listen=udp:[IPV6]:5060 "
				"and listen=udp:IPV4:5060.",
				"listen=%s (%s): IPv4 only", l->value,
				where(l->file, l->line, w, sizeof(w)));
	}
}

/* ------------------------------------------------------------------ */
/* 4. fragmentation of the IPv6 SIP datagrams */

int hc_parse_route_mtu(const char *text, long *mtu, char *table, size_t tsize)
{
	const char *p;
	size_t n;

	*mtu = 0;
	if(tsize > 0)
		table[0] = '\0';
	if(text == NULL || strstr(text, " dev ") == NULL)
		return 0;
	p = strstr(text, " mtu ");
	if(p != NULL) {
		p += 5;
		if(strncmp(p, "lock ", 5) == 0)
			p += 5;
		*mtu = strtol(p, NULL, 10);
	}
	p = strstr(text, " table ");
	if(p != NULL && tsize > 0) {
		p += 7;
		for(n = 0; p[n] && !isspace((unsigned char)p[n]) && n + 1 < tsize; n++)
			table[n] = p[n];
		table[n] = '\0';
	}
	return 1;
}

#define WHY_FRAG                                                            \
	"IPv6 routers never fragment: a datagram larger than a link on the "  \
	"way is dropped, and the ICMPv6 Packet Too Big that says so may reach " \
	"another node of an anycast service, or be filtered. Let this host "   \
	"fragment what it sends at 1280 bytes, the IPv6 minimum MTU, which "   \
	"any path carries: ip6-fragpolicy set 1280 [ADDR]:PORT (a policy rule " \
	"for the SIP socket to a table whose routes have mtu lock 1280)."

void hc_check_frag(hc_report_t *r, const hc_sock_t *s, const char *route,
		const char *err)
{
	char sock[80], table[32];
	long mtu;
	static const unsigned char any[16] = {0};

	hc_sock_format(s, sock, sizeof(sock));
	if(memcmp(s->addr, any, 16) == 0) {
		hc_add(r, HC_WARN, "frag IPv6", WHY_FRAG
				" A socket on the wildcard address cannot be told apart "
				"by a policy rule: listen on the addresses.",
				"%s: on the wildcard address, not checked", sock);
		return;
	}
	if(route == NULL) {
		hc_add(r, HC_WARN, "frag IPv6", WHY_FRAG,
				"%s: route not known (%s)", sock, err ? err : "ip failed");
		return;
	}
	if(!hc_parse_route_mtu(route, &mtu, table, sizeof(table))) {
		hc_add(r, HC_WARN, "frag IPv6", WHY_FRAG, "%s: no route", sock);
		return;
	}
	if(mtu > 0 && mtu <= 1280)
		hc_add(r, HC_OK, "frag IPv6",
				"Larger IPv6 datagrams from this socket are fragmented by "
				"this host: no Packet Too Big is ever needed.",
				"%s: fragmented at %ld (table %s)", sock, mtu,
				table[0] ? table : "main");
	else if(mtu > 0)
		hc_add(r, HC_WARN, "frag IPv6", WHY_FRAG,
				"%s: fragmented at %ld only (table %s)", sock, mtu,
				table[0] ? table : "main");
	else
		hc_add(r, HC_WARN, "frag IPv6", WHY_FRAG,
				"%s: datagrams up to the link MTU leave whole", sock);
}
