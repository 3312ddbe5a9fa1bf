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
 * \brief the kamailio glue the modules share: the family of a core
 * address, the preferred sockets, output variables, enum-valued
 * parameters, a message's body. Compiled into each module (mk/sources.mk).
 */

#ifndef _DS_KGLUE_H_
#define _DS_KGLUE_H_

#include "core/str.h"
#include "core/ip_addr.h"
#include "core/pvar.h"
#include "core/parser/msg_parser.h"

/*! family used to reach ip / su: 4, 6 (IPv4-mapped IPv6 is 4, see
 * ds_af.h), 0 for another family */
int ds_ip_af(struct ip_addr *ip);
int ds_su_af(union sockaddr_union *su);

/*! the listening socket named by the modparam s ("proto:addr:port") of
 * family af (4 or 6) into *si, NULL when s is empty; 0, or -1 (logged)
 * when s names no listening socket or one of the other family */
int ds_pref_socket(str *s, int af, struct socket_info **si);

/*! set the output variable dst to val; 1, or -2 (logged) */
int ds_set_out(sip_msg_t *msg, pv_spec_t *dst, pv_value_t *val);

/*! the writable variable KEMI names by name (may be NULL); NULL (logged)
 * when there is none */
pv_spec_t *ds_out_spec(str *name);

/*! fixups of (writable variable) and (string, writable variable): the
 * variable is refused at startup when it cannot be set */
int ds_fixup_outvar(void **param, int param_no);
int ds_fixup_str_outvar(void **param, int param_no);
int ds_fixup_free_str_outvar(void **param, int param_no);

/*! index of s in names (NULL-terminated), compared exactly, or ignoring
 * case with nocase; -1 when it is none of them */
int ds_str_enum(const str *s, const char *const names[], int nocase);

/*! the body of msg into *body: 1, or 0 when it has none (body->len 0) */
int ds_msg_body(sip_msg_t *msg, str *body);

#endif
