/*
 * afbridge - address-family-aware media bridging
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
 * \brief afbridge :: RPC commands (afbridge.stats)
 */

#include "core/counters.h"
#include "core/rpc.h"

#include "afbridge_core.h"
#include "afbridge_rpc.h"

static const char *afb_rpc_stats_doc[] = {
		"Relay operations by direction, deletes, relay errors and refused SDP",
		0};

static void afb_rpc_stats(rpc_t *rpc, void *ctx)
{
	void *th;

	if(rpc->add(ctx, "{", &th) < 0) {
		rpc->fault(ctx, 500, "Internal error");
		return;
	}
	rpc->struct_add(th, "ssuuuuuu", "backend", afb_params.backend.s,
			"ipv6_side", afb_params.ipv6_side.s, "v6_to_v4",
			(unsigned)counter_get_val(afb_cnt.v6_to_v4), "v4_to_v6",
			(unsigned)counter_get_val(afb_cnt.v4_to_v6), "deletes",
			(unsigned)counter_get_val(afb_cnt.deletes), "relay_errors",
			(unsigned)counter_get_val(afb_cnt.relay_errors), "bad_sdp",
			(unsigned)counter_get_val(afb_cnt.bad_sdp), "bad_marks",
			(unsigned)counter_get_val(afb_cnt.bad_marks));
}

/* clang-format off */
rpc_export_t afb_rpc[] = {
	{"afbridge.stats", afb_rpc_stats, afb_rpc_stats_doc, 0},
	{0, 0, 0, 0}
};
/* clang-format on */
