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
 * \brief ip6-hostcheck :: 2. the kernel's settings
 */

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ds_num.h"
#include "hostcheck.h"

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
	const char *end;
	long v;

	if(text == NULL)
		return HC_UNSET;
	while(isspace((unsigned char)*text))
		text++;
	for(end = text + strlen(text); end > text && isspace((unsigned char)end[-1]);
			end--)
		;
	if(ds_long_n(text, (size_t)(end - text), LONG_MIN, LONG_MAX, &v) < 0)
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
	hc_scopy(ifname, size, dev);
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
	hc_scopy(s->ifs[i].name, sizeof(s->ifs[i].name), ifname);
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

