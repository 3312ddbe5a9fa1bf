/*
 * regping - keepalive pinger for registered contacts
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
 * \brief regping :: reply_port: the replies to the pings read by the timer
 * process itself, a batch per system call, without the SIP workers.
 *
 * A ping still leaves from the socket its contact registered through (the
 * NAT or firewall pinhole is that socket's); its Via names reply_port,
 * and a device that answers as RFC 3261 18.2.2 says (no rport: the
 * sent-by port) answers there. Each reply on a SIP socket costs a worker
 * a wake-up, a recvfrom(), the core's parse of the status line, Vias,
 * From, To, Call-ID and CSeq; here a reply is one recvmmsg() slot and a
 * scan for its Via and Call-ID (rp_reply_scan()). A device that answers
 * to the source port instead is read by the workers as before.
 */

#define _GNU_SOURCE /* recvmmsg, ppoll */

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "core/dprint.h"
#include "core/globals.h"
#include "core/ip_addr.h"
#include "core/socket_info.h"
#include "core/ut.h"

#include "regping_int.h"

#define RP_RPORT_MAX 16	  /* addresses a reply_port is bound on */
#define RP_RPORT_BATCH 64 /* datagrams per recvmmsg() */
#define RP_RPORT_MSG 4096 /* bytes read of one (its headers are enough) */
#define RP_RPORT_ROUNDS 16 /* batches per socket before the clock is read */

str rp_rport_str = STR_NULL;

static struct pollfd rp_rport_fd[RP_RPORT_MAX];
static uint64_t rp_rport_nap_ns;
static int rp_rport_n;

/* one socket at addr:port; -1 on error, logged */
static int rp_rport_bind(struct socket_info *si, int port)
{
	union sockaddr_union su;
	int fd, on = 1, buf = maxbuffer;

	/* from the address: si->su is filled when the core binds, after
	 * mod_init */
	if(init_su(&su, &si->address, (unsigned short)port) < 0) {
		LM_ERR("reply_port %d: bad address %.*s\n", port,
				si->address_str.len, si->address_str.s);
		return -1;
	}
	fd = socket(su.s.sa_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if(fd < 0
			|| (su.s.sa_family == AF_INET6
					&& setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on,
							   sizeof(on))
							   < 0)
			|| bind(fd, &su.s, sockaddru_len(su)) < 0) {
		LM_ERR("cannot bind reply_port %d on %.*s: %s\n", port,
				si->address_str.len, si->address_str.s, strerror(errno));
		if(fd >= 0)
			close(fd);
		return -1;
	}
	/* as large as the core makes its own (maxbuffer): a tick's replies
	 * arrive while the timer sends the next one's pings */
	if(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf)) < 0)
		LM_WARN("reply_port %d on %.*s: SO_RCVBUF %d: %s\n", port,
				si->address_str.len, si->address_str.s, buf, strerror(errno));
	return fd;
}

int rp_rport_init(void)
{
	static char port_s[8];
	struct socket_info *si, *sj;
	int port = rp_params.reply_port, fd;

	if(port == 0)
		return 0;
	if(port < 0 || port > 65535) {
		LM_ERR("reply_port must be a port (1-65535) or 0, not %d\n", port);
		return -1;
	}
	if(rp_method == RP_CRLF) {
		LM_ERR("reply_port %d: method crlf expects no replies\n", port);
		return -1;
	}
	for(si = *get_sock_info_list(PROTO_UDP); si; si = si->next) {
		if(si->port_no == port) {
			LM_ERR("reply_port %d is a port Kamailio listens on (%.*s)\n",
					port, si->sock_str.len, si->sock_str.s);
			return -1;
		}
		/* once per address: Kamailio may listen on several ports of it */
		for(sj = *get_sock_info_list(PROTO_UDP); sj != si; sj = sj->next)
			if(ip_addr_cmp(&sj->address, &si->address))
				break;
		if(sj != si)
			continue;
		if(rp_rport_n == RP_RPORT_MAX) {
			LM_ERR("reply_port %d: more than %d UDP addresses\n", port,
					RP_RPORT_MAX);
			return -1;
		}
		if((fd = rp_rport_bind(si, port)) < 0)
			return -1;
		rp_rport_fd[rp_rport_n].fd = fd;
		rp_rport_fd[rp_rport_n].events = POLLIN;
		rp_rport_n++;
	}
	if(rp_rport_n == 0) {
		LM_ERR("reply_port %d: Kamailio listens on no UDP address\n", port);
		return -1;
	}
	rp_rport_nap_ns = (uint64_t)rp_params.tick_ms * 1000000 / 4;
	rp_rport_str.len = snprintf(port_s, sizeof(port_s), "%d", port);
	rp_rport_str.s = port_s;
	LM_INFO("replies to pings over UDP are read at port %d of %d "
			"address(es)\n",
			port, rp_rport_n);
	return 0;
}

/* the datagrams of one batch: the replies to our pings are matched to
 * their contacts under one taking of the lock, their entries loaded
 * ahead of the lookups */
static void rp_rport_batch(struct mmsghdr *m, char (*buf)[RP_RPORT_MSG], int n)
{
	rp_reply_raw_t raw[RP_RPORT_BATCH];
	uint32_t h[RP_RPORT_BATCH];
	int i, k = 0, v4 = 0, v6 = 0;
	uint64_t now = rp_wall_ms();
	str ruid, d;

	for(i = 0; i < n; i++) {
		if(rp_reply_scan(buf[i], (int)m[i].msg_len, &raw[k]) == 1) {
			/* another node's ping (the anycast route brought its reply
			 * here): to that node's reply_port */
			if(rp_cluster_on
					&& rp_cluster_relay_to(raw[k].host, raw[k].host_len,
							   raw[k].port, buf[i], (int)m[i].msg_len)
							   != 0)
				continue;
			k++;
			continue;
		}
		d.s = buf[i];
		d.len = m[i].msg_len > 64 ? 64 : (int)m[i].msg_len;
		LM_DBG("no reply to a ping at reply_port, dropped: [%s]\n",
				rp_esc(&d));
		counter_inc(rp_cnt.rport_dropped);
	}
	if(k == 0)
		return;
	for(i = 0; i < k; i++)
		h[i] = rp_hash(raw[i].ruid, raw[i].ruid_len);
	lock_get(&rp_tbl->lock);
	rp_find_ahead(h, k);
	for(i = 0; i < k; i++) {
		ruid.s = (char *)raw[i].ruid;
		ruid.len = raw[i].ruid_len;
		switch(rp_reply_take(&ruid, h[i], raw[i].seq, now)) {
			case 0:
				break;
			case 6:
				v6++;
				break;
			default:
				v4++;
		}
	}
	lock_release(&rp_tbl->lock);
	if(v4 + v6)
		counter_add(rp_cnt.rport_replies, v4 + v6);
	if(v4)
		counter_add(rp_cnt.replied_v4, v4);
	if(v6)
		counter_add(rp_cnt.replied_v6, v6);
	/* late, answered already, or for no contact: as good as a forgery */
	if(v4 + v6 < k) {
		counter_add(rp_cnt.rport_dropped, k - v4 - v6);
		LM_DBG("%d late or unknown ping replies at reply_port\n",
				k - v4 - v6);
	}
}

/* what one socket has now, at most RP_RPORT_ROUNDS batches */
static void rp_rport_read(int fd)
{
	static char buf[RP_RPORT_BATCH][RP_RPORT_MSG];
	static struct mmsghdr m[RP_RPORT_BATCH];
	static struct iovec iov[RP_RPORT_BATCH];
	static int ready = 0;
	int i, n, round;

	/* once: recvmmsg() writes only msg_len and msg_flags (no name, no
	 * control data asked for) */
	for(i = 0; !ready && i < RP_RPORT_BATCH; i++) {
		iov[i].iov_base = buf[i];
		iov[i].iov_len = RP_RPORT_MSG;
		m[i].msg_hdr.msg_iov = &iov[i];
		m[i].msg_hdr.msg_iovlen = 1;
	}
	ready = 1;
	for(round = 0; round < RP_RPORT_ROUNDS; round++) {
		n = recvmmsg(fd, m, RP_RPORT_BATCH, MSG_DONTWAIT, NULL);
		if(n < 0) {
			if(errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				LM_ERR("reply_port: recvmmsg: %s\n", strerror(errno));
			return;
		}
		rp_rport_batch(m, buf, n);
		if(n < RP_RPORT_BATCH)
			return;
	}
}

static uint64_t rp_ts_ns(const struct timespec *t)
{
	return (uint64_t)t->tv_sec * 1000000000 + (uint64_t)t->tv_nsec;
}

void rp_rport_wait(clockid_t clk, const struct timespec *deadline)
{
	struct timespec now, left;
	uint64_t nap, end = rp_ts_ns(deadline), t;
	int i;

	if(rp_rport_n == 0) {
		while(clock_nanosleep(clk, TIMER_ABSTIME, deadline, NULL) == EINTR)
			;
		return;
	}
	for(;;) {
		clock_gettime(clk, &now);
		if((t = rp_ts_ns(&now)) >= end)
			return;
		left.tv_sec = (time_t)((end - t) / 1000000000);
		left.tv_nsec = (long)((end - t) % 1000000000);
		if(ppoll(rp_rport_fd, (nfds_t)rp_rport_n, &left, NULL) <= 0)
			continue;
		for(i = 0; i < rp_rport_n; i++)
			if(rp_rport_fd[i].revents & POLLIN)
				rp_rport_read(rp_rport_fd[i].fd);
		/* then a nap (a quarter of a tick, at most until the deadline):
		 * the replies that come meanwhile are read as one batch, not
		 * with one wake-up each */
		clock_gettime(clk, &now);
		nap = rp_ts_ns(&now) + rp_rport_nap_ns;
		if(nap > end)
			nap = end;
		left.tv_sec = (time_t)(nap / 1000000000);
		left.tv_nsec = (long)(nap % 1000000000);
		while(clock_nanosleep(clk, TIMER_ABSTIME, &left, NULL) == EINTR)
			;
	}
}
