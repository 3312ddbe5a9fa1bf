/*
 * dualstack - code shared by the modules and the tools
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
 * \brief the project's one rule for the family used to reach an address:
 * an IPv4-mapped IPv6 address (::ffff:a.b.c.d, RFC 4291 2.5.5.2) is IPv4
 *
 * Plain C, no Kamailio headers. The modules reach it through
 * ds_kglue.h (struct ip_addr, sockaddr_union), the parser through
 * ip6r_reach_af(), the tools directly.
 */

#ifndef _DS_AF_H_
#define _DS_AF_H_

/*! 1 when the 16 bytes b (network order) are ::ffff:a.b.c.d, else 0 */
int ds_is_v4mapped(const unsigned char b[16]);

/*! family used to reach the address addr of family (AF_INET: 4 bytes,
 * AF_INET6: 16 bytes, network order): 4 for IPv4 and IPv4-mapped IPv6, 6
 * for the other IPv6 addresses, 0 for another family */
int ds_reach_af(int family, const void *addr);

#endif
