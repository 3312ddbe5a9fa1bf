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
 * \brief regping :: the RPC commands, registered by mod_init()
 */

#ifndef _REGPING_RPC_H_
#define _REGPING_RPC_H_

#include "core/rpc.h"

extern rpc_export_t rp_rpc[];

/*! regping.nodes (regping_cluster.c) */
void rp_cluster_rpc_nodes(rpc_t *rpc, void *ctx);

#endif
