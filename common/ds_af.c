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
 * \brief the family used to reach an address (IPv4-mapped is IPv4)
 */

#include <string.h>
#include <sys/socket.h>

#include "ds_af.h"

int ds_is_v4mapped(const unsigned char b[16])
{
	static const unsigned char prefix[12] = {
			0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

	return memcmp(b, prefix, sizeof(prefix)) == 0;
}

int ds_reach_af(int family, const void *addr)
{
	if(family == AF_INET)
		return 4;
	if(family == AF_INET6)
		return ds_is_v4mapped(addr) ? 4 : 6;
	return 0;
}
