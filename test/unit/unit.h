/*
 * Shared by the check suites.
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

#ifndef _UNIT_H_
#define _UNIT_H_

#include <check.h>

/*! the suite of a <name>_test.c, run by unit_main.c */
Suite *unit_suite(void);

#endif
