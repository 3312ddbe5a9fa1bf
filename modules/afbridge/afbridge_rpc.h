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
 * \brief afbridge :: the RPC commands, registered by mod_init()
 */

#ifndef _AFBRIDGE_RPC_H_
#define _AFBRIDGE_RPC_H_

#include "core/rpc.h"

extern rpc_export_t afb_rpc[];

#endif
