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
 * \brief ip6-hostcheck :: the findings of a run, their exit status, their
 * output
 */

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ds_json.h"
#include "hostcheck.h"

/* bounded copy, always NUL-terminated */
void hc_scopy(char *dst, size_t size, const char *src)
{
	size_t len = strlen(src);

	if(size == 0)
		return;
	if(len >= size)
		len = size - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
}

/* bounded append to a NUL-terminated buffer */
void hc_cat(char *buf, size_t size, const char *s)
{
	size_t len = strlen(buf);

	if(len + 1 >= size)
		return;
	hc_scopy(buf + len, size - len, s);
}

/* ------------------------------------------------------------------ */
/* findings */

void hc_report_init(hc_report_t *r)
{
	memset(r, 0, sizeof(*r));
}

hc_finding_t *hc_add(hc_report_t *r, enum hc_level level, const char *check,
		const char *why, const char *what_fmt, ...)
{
	hc_finding_t *f;
	va_list ap;

	if(r->n >= HC_MAX_FINDINGS) {
		r->dropped++;
		return NULL;
	}
	f = &r->f[r->n++];
	f->level = level;
	hc_scopy(f->check, sizeof(f->check), check);
	va_start(ap, what_fmt);
	vsnprintf(f->what, sizeof(f->what), what_fmt, ap);
	va_end(ap);
	hc_scopy(f->why, sizeof(f->why), why ? why : "");
	return f;
}

const char *hc_level_name(enum hc_level level)
{
	switch(level) {
		case HC_OK:
			return "OK";
		case HC_WARN:
			return "WARN";
		case HC_FAIL:
			return "FAIL";
	}
	return "?";
}

void hc_count(const hc_report_t *r, int *ok, int *warn, int *fail)
{
	int i;

	*ok = *warn = *fail = 0;
	for(i = 0; i < r->n; i++) {
		if(r->f[i].level == HC_FAIL)
			(*fail)++;
		else if(r->f[i].level == HC_WARN)
			(*warn)++;
		else
			(*ok)++;
	}
}

int hc_exit_status(const hc_report_t *r)
{
	int ok, warn, fail;

	hc_count(r, &ok, &warn, &fail);
	/* findings that did not fit may have been anything */
	if(fail || r->dropped)
		return HC_EXIT_FAIL;
	return warn ? HC_EXIT_WARN : HC_EXIT_OK;
}

/* ------------------------------------------------------------------ */
/* output */

/* text wrapped at width, every line indented */
static void print_wrapped(FILE *out, const char *text, int indent, int width)
{
	const char *p = text, *end, *brk;
	int avail = width - indent;

	while(*p) {
		while(*p == ' ')
			p++;
		end = p + strlen(p);
		if(end - p > avail) {
			brk = NULL;
			for(end = p; end - p <= avail && *end; end++)
				if(*end == ' ')
					brk = end;
			end = brk ? brk : p + avail;
		}
		fprintf(out, "%*s%.*s\n", indent, "", (int)(end - p), p);
		p = end;
	}
}

void hc_print_table(FILE *out, const hc_report_t *r)
{
	int i, w = 5, ok, warn, fail, status, details = 0;
	int len;

	for(i = 0; i < r->n; i++) {
		len = (int)strlen(r->f[i].check);
		if(len > w)
			w = len;
	}
	fprintf(out, "%-5s %-*s %s\n", "LEVEL", w, "CHECK", "WHAT");
	for(i = 0; i < r->n; i++)
		fprintf(out, "%-5s %-*s %s\n", hc_level_name(r->f[i].level), w,
				r->f[i].check, r->f[i].what);
	for(i = 0; i < r->n; i++) {
		if(r->f[i].level == HC_OK || r->f[i].why[0] == '\0')
			continue;
		if(!details++)
			fprintf(out, "\nwhy, and what to change:\n");
		fprintf(out, "%s %s:\n", hc_level_name(r->f[i].level), r->f[i].check);
		print_wrapped(out, r->f[i].why, 4, 78);
	}
	hc_count(r, &ok, &warn, &fail);
	status = hc_exit_status(r);
	fprintf(out, "\nsummary: %d OK, %d WARN, %d FAIL", ok, warn, fail);
	if(r->dropped)
		fprintf(out, ", %d more findings not shown", r->dropped);
	fprintf(out, " -> exit %d (%s)\n", status,
			status == HC_EXIT_OK
					? "ready"
					: (status == HC_EXIT_WARN ? "warnings" : "failures"));
}

void hc_print_json(FILE *out, const hc_report_t *r)
{
	char check[HC_CHECK_LEN * 6], what[HC_WHAT_LEN * 6], why[HC_WHY_LEN * 6];
	int i;

	fprintf(out, "[");
	for(i = 0; i < r->n; i++) {
		fprintf(out,
				"%s\n  {\"level\": \"%s\", \"check\": \"%s\", \"what\": "
				"\"%s\", "
				"\"why\": \"%s\"}",
				i ? "," : "", hc_level_name(r->f[i].level),
				ds_json_escape(r->f[i].check, check, sizeof(check)),
				ds_json_escape(r->f[i].what, what, sizeof(what)),
				ds_json_escape(r->f[i].why, why, sizeof(why)));
	}
	fprintf(out, "%s]\n", r->n ? "\n" : "");
}
