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
 * \brief ip6-hostcheck :: 3. the checks of a kamailio.cfg that was read
 */

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "hostcheck.h"

/* ------------------------------------------------------------------ */
/* 3. kamailio.cfg: checks */

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
		hc_cat(out, size, one);
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

