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
 * \brief ip6-hostcheck :: 3. reading a kamailio.cfg as kamailio does
 * (#!define, #!ifdef, #!subst, include_file in place) into the settings
 * the checks judge
 */

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ip6ref/ip6ref_parser.h"
#include "hostcheck.h"

/* ------------------------------------------------------------------ */
/* 3. kamailio.cfg */

#define MAX_DEFS 256
#define MAX_SUBSTS 32
#define MAX_IFDEPTH 32
#define VAL_LEN 512
#define MAX_INCLUDE_DEPTH 10

struct def
{
	char name[64];
	char value[256];
};

struct subst
{
	char from[128];
	char to[256];
};

struct cfg_state
{
	struct def *defs;
	int ndefs;
	struct subst substs[MAX_SUBSTS];
	int nsubsts;
	/* #!ifdef nesting: active[i] for each open block */
	int active[MAX_IFDEPTH];
	int depth;
	int overflow; /* blocks nested deeper than MAX_IFDEPTH */
	int lineno;	  /* of the current line, in file */
	char file[64];
};

static int is_id_start(int c)
{
	return isalpha(c) || c == '_';
}

static int is_id_char(int c)
{
	return isalnum(c) || c == '_';
}

static struct def *find_def(struct cfg_state *st, const char *name, size_t len)
{
	int i;

	for(i = 0; i < st->ndefs; i++)
		if(strlen(st->defs[i].name) == len
				&& strncmp(st->defs[i].name, name, len) == 0)
			return &st->defs[i];
	return NULL;
}

static void set_def(struct cfg_state *st, const char *name, size_t len,
		const char *value, int replace)
{
	struct def *d = find_def(st, name, len);

	if(d != NULL && !replace)
		return;
	if(d == NULL) {
		if(st->ndefs >= MAX_DEFS || len >= sizeof(d->name))
			return;
		d = &st->defs[st->ndefs++];
		memcpy(d->name, name, len);
		d->name[len] = '\0';
	}
	hc_scopy(d->value, sizeof(d->value), value);
}

static int active(const struct cfg_state *st)
{
	int i;

	if(st->overflow)
		return 0;
	for(i = 0; i < st->depth; i++)
		if(!st->active[i])
			return 0;
	return 1;
}

/* replace defined identifiers, then the #!subst patterns (as literal
 * text: the usual "/NAME/value/" form) */
static void expand(struct cfg_state *st, const char *in, char *out, size_t size)
{
	char a[VAL_LEN], b[VAL_LEN];
	const char *p, *q;
	struct def *d;
	int round, changed, i;
	size_t flen;

	hc_scopy(a, sizeof(a), in);
	/* a define may name another define: a few rounds */
	for(round = 0; round < 8; round++) {
		changed = 0;
		b[0] = '\0';
		for(p = a; *p;) {
			if(*p == '"') {
				/* strings are not substituted */
				q = strchr(p + 1, '"');
				q = q ? q + 1 : p + strlen(p);
			} else if(is_id_start((unsigned char)*p)) {
				for(q = p; is_id_char((unsigned char)*q); q++)
					;
				d = find_def(st, p, (size_t)(q - p));
				if(d != NULL) {
					hc_cat(b, sizeof(b), d->value);
					changed = 1;
					p = q;
					continue;
				}
			} else if(isdigit((unsigned char)*p)) {
				/* 10.0.0.1, 5060, 1e3: not identifiers */
				for(q = p; is_id_char((unsigned char)*q); q++)
					;
			} else {
				q = p + 1;
			}
			{
				char chunk[VAL_LEN];
				size_t len = (size_t)(q - p);

				if(len >= sizeof(chunk))
					len = sizeof(chunk) - 1;
				memcpy(chunk, p, len);
				chunk[len] = '\0';
				hc_cat(b, sizeof(b), chunk);
			}
			p = q;
		}
		memcpy(a, b, sizeof(a));
		if(!changed)
			break;
	}
	for(i = 0; i < st->nsubsts; i++) {
		flen = strlen(st->substs[i].from);
		if(flen == 0)
			continue;
		b[0] = '\0';
		for(p = a; *p;) {
			if(strncmp(p, st->substs[i].from, flen) == 0) {
				hc_cat(b, sizeof(b), st->substs[i].to);
				p += flen;
			} else {
				char c[2] = {*p, '\0'};
				hc_cat(b, sizeof(b), c);
				p++;
			}
		}
		memcpy(a, b, sizeof(a));
	}
	hc_scopy(out, size, a);
}

static void trim(char *s)
{
	size_t len = strlen(s);
	char *p = s;

	while(len > 0 && isspace((unsigned char)s[len - 1]))
		s[--len] = '\0';
	while(isspace((unsigned char)*p))
		p++;
	if(p != s)
		memmove(s, p, strlen(p) + 1);
}

static void unquote(char *s)
{
	size_t len = strlen(s);

	if(len >= 2 && s[0] == '"' && s[len - 1] == '"') {
		memmove(s, s + 1, len - 2);
		s[len - 2] = '\0';
	}
}

/* #!subst / #!substdef argument "/from/to/flags" (any delimiter) */
static int parse_subst_arg(
		const char *arg, char *from, size_t fsize, char *to, size_t tsize)
{
	char buf[VAL_LEN];
	char delim, *p, *q;

	hc_scopy(buf, sizeof(buf), arg);
	trim(buf);
	unquote(buf);
	if(buf[0] == '\0')
		return -1;
	delim = buf[0];
	p = buf + 1;
	q = strchr(p, delim);
	if(q == NULL)
		return -1;
	*q++ = '\0';
	hc_scopy(from, fsize, p);
	p = strchr(q, delim);
	if(p == NULL)
		return -1;
	*p = '\0';
	hc_scopy(to, tsize, q);
	return 0;
}

/* "#!name rest" (after "#!" or "!!") */
static void directive(struct cfg_state *st, const char *d)
{
	char word[32], rest[VAL_LEN], from[128], to[256];
	const char *p = d, *n;
	size_t len;
	int cond;

	for(len = 0; is_id_char((unsigned char)*p) && len < sizeof(word) - 1; len++)
		word[len] = *p++;
	word[len] = '\0';
	hc_scopy(rest, sizeof(rest), p);
	trim(rest);

	if(strcmp(word, "ifdef") == 0 || strcmp(word, "ifndef") == 0) {
		for(n = rest; is_id_char((unsigned char)*n); n++)
			;
		cond = find_def(st, rest, (size_t)(n - rest)) != NULL;
		if(word[2] == 'n')
			cond = !cond;
		if(st->depth >= MAX_IFDEPTH)
			st->overflow++;
		else
			st->active[st->depth++] = cond;
		return;
	}
	if(strcmp(word, "else") == 0) {
		if(!st->overflow && st->depth > 0)
			st->active[st->depth - 1] = !st->active[st->depth - 1];
		return;
	}
	if(strcmp(word, "endif") == 0) {
		if(st->overflow)
			st->overflow--;
		else if(st->depth > 0)
			st->depth--;
		return;
	}
	if(!active(st))
		return;
	if(strcmp(word, "define") == 0 || strcmp(word, "def") == 0
			|| strcmp(word, "trydefine") == 0 || strcmp(word, "trydef") == 0
			|| strcmp(word, "redefine") == 0 || strcmp(word, "redef") == 0) {
		for(n = rest; is_id_char((unsigned char)*n); n++)
			;
		if(n == rest)
			return;
		p = n;
		while(*p == ' ' || *p == '\t')
			p++;
		/* #!define keeps the first value (kamailio refuses a second one);
		 * trydef keeps an existing one; redefine replaces */
		set_def(st, rest, (size_t)(n - rest), p, word[0] == 'r');
		return;
	}
	if(strcmp(word, "substdef") == 0 || strcmp(word, "substdefs") == 0
			|| strcmp(word, "subst") == 0) {
		if(parse_subst_arg(rest, from, sizeof(from), to, sizeof(to)) < 0)
			return;
		if(st->nsubsts < MAX_SUBSTS) {
			hc_scopy(st->substs[st->nsubsts].from, sizeof(from), from);
			hc_scopy(st->substs[st->nsubsts].to, sizeof(to), to);
			st->nsubsts++;
		}
		if(word[5] != '\0') {
			/* substdef: also a define; substdefs: quoted */
			if(strcmp(word, "substdefs") == 0) {
				char q[260];

				snprintf(q, sizeof(q), "\"%s\"", to);
				set_def(st, from, strlen(from), q, 0);
			} else {
				set_def(st, from, strlen(from), to, 0);
			}
		}
		return;
	}
	/* KAMAILIO, defenv...: ignored; include_file: parse_text() */
}

/* "name = value" at the start of a statement: value, or NULL */
static const char *assignment(const char *line, const char *name)
{
	size_t len = strlen(name);
	const char *p = line;

	while(*p == ' ' || *p == '\t')
		p++;
	if(strncasecmp(p, name, len) != 0 || is_id_char((unsigned char)p[len]))
		return NULL;
	p += len;
	while(*p == ' ' || *p == '\t')
		p++;
	if(*p != '=')
		return NULL;
	p++;
	while(*p == ' ' || *p == '\t')
		p++;
	return p;
}

static int yes(const char *v)
{
	return strcasecmp(v, "yes") == 0 || strcasecmp(v, "on") == 0
		   || strcasecmp(v, "true") == 0 || strcasecmp(v, "enable") == 0
		   || atoi(v) > 0;
}

int hc_listen_af(const char *value, char *proto, size_t psize)
{
	static const char *protos[] = {"udp", "tcp", "tls", "sctp", "ws", "wss"};
	const char *p = value, *colon, *end, *last;
	ip6r_addr_t a;
	size_t i, j, len;
	int ncolons;

	if(psize > 0)
		proto[0] = '\0';
	colon = strchr(p, ':');
	if(colon != NULL) {
		len = (size_t)(colon - p);
		for(i = 0; i < sizeof(protos) / sizeof(protos[0]); i++) {
			if(strlen(protos[i]) == len
					&& strncasecmp(p, protos[i], len) == 0) {
				if(psize > len) {
					for(j = 0; j < len; j++)
						proto[j] = (char)tolower((unsigned char)p[j]);
					proto[len] = '\0';
				}
				p = colon + 1;
				break;
			}
		}
	}
	if(*p == '(') /* sctp multihoming: the first address */
		p++;
	while(*p == ' ')
		p++;
	if(*p == '[') {
		end = strchr(p, ']');
		return end && ip6r_parse(p, (int)(end - p + 1), &a) == 0 ? 6 : 0;
	}
	for(ncolons = 0, end = p; *end && *end != ',' && *end != ')'; end++)
		if(*end == ':')
			ncolons++;
	if(ncolons >= 2) {
		/* an IPv6 address without brackets (a port, if any, is lost in
		 * it: kamailio wants brackets with a port) */
		if(ip6r_parse(p, (int)(end - p), &a) == 0)
			return 6;
		/* "::1:5060"? drop the last ":port" */
		for(last = end - 1; *last != ':'; last--)
			;
		return ip6r_parse(p, (int)(last - p), &a) == 0 ? 6 : 0;
	}
	for(end = p; *end && *end != ':' && *end != ',' && *end != ')'; end++)
		;
	if(ip6r_parse(p, (int)(end - p), &a) == 0 && a.af == 4)
		return 4;
	/* a host name, an interface name, "*": decided at startup */
	return 0;
}

/* the first word of a listen value ("(a, b)" of sctp kept together) */
static void listen_word(const char *v, char *out, size_t size)
{
	size_t o = 0;
	int paren = 0;

	for(; *v && o + 1 < size; v++) {
		if(*v == '(')
			paren = 1;
		else if(*v == ')')
			paren = 0;
		else if((*v == ' ' || *v == '\t') && !paren)
			break;
		out[o++] = *v;
	}
	out[o] = '\0';
}

/* the module a loadmodule line loads: "geoip" of "/x/geoip.so" */
static void module_name(const char *v, char *out, size_t size)
{
	char val[VAL_LEN];
	char *b, *dot;

	hc_scopy(val, sizeof(val), v);
	trim(val);
	unquote(val);
	b = strrchr(val, '/');
	b = b ? b + 1 : val;
	dot = strstr(b, ".so");
	if(dot)
		*dot = '\0';
	hc_scopy(out, size, b);
}

/* what a line does beyond the core settings: modules, their
 * parameters, udp_mtu_try_proto(...) in a route */
static void statement_uses(
		struct cfg_state *st, hc_cfg_t *cfg, const char *line, int lineno)
{
	const char *p = line, *q;
	char name[64];
	size_t i;

	while(*p == ' ' || *p == '\t')
		p++;
	if(strncmp(p, "loadmodule", 10) == 0 && !is_id_char((unsigned char)p[10])) {
		module_name(p + 10, name, sizeof(name));
		if(strcmp(name, "geoip") == 0)
			cfg->geoip_line = lineno;
		return;
	}
	if(strncmp(p, "modparam", 8) == 0 && strstr(p, "nathelper") != NULL) {
		if(strstr(p, "\"natping_socket\"") != NULL)
			cfg->natping_socket_line = lineno;
		if(strstr(p, "\"udpping_from_path\"") != NULL)
			cfg->udpping_from_path_line = lineno;
		return;
	}
	q = strstr(p, "udp_mtu_try_proto");
	if(q != NULL && (q == p || !is_id_char((unsigned char)q[-1]))) {
		q += 17;
		while(*q == ' ' || *q == '\t')
			q++;
		if(*q++ != '(')
			return;
		while(*q == ' ' || *q == '\t')
			q++;
		for(i = 0; is_id_char((unsigned char)q[i])
				   && i + 1 < sizeof(cfg->try_proto_action);
				i++)
			cfg->try_proto_action[i] = (char)toupper((unsigned char)q[i]);
		cfg->try_proto_action[i] = '\0';
		cfg->try_proto_action_line = lineno;
		(void)st;
	}
}

static void statement(
		struct cfg_state *st, hc_cfg_t *cfg, const char *line, int lineno)
{
	char val[VAL_LEN], word[VAL_LEN];
	const char *v;
	hc_listen_t *l;
	char *end;
	long n;
	size_t i;

	if((v = assignment(line, "listen")) != NULL) {
		expand(st, v, val, sizeof(val));
		trim(val);
		unquote(val);
		listen_word(val, word, sizeof(word));
		unquote(word);
		cfg->nlisten_all++;
		if(cfg->nlisten >= HC_MAX_LISTEN)
			return;
		l = &cfg->listen[cfg->nlisten++];
		hc_scopy(l->value, sizeof(l->value), word);
		l->af = hc_listen_af(word, l->proto, sizeof(l->proto));
		l->line = lineno;
		hc_scopy(l->file, sizeof(l->file), st->file);
	} else if((v = assignment(line, "udp_mtu")) != NULL) {
		expand(st, v, val, sizeof(val));
		trim(val);
		unquote(val);
		n = strtol(val, &end, 0);
		if(end != val) {
			cfg->udp_mtu = n;
			cfg->udp_mtu_line = lineno;
			hc_scopy(cfg->udp_mtu_file, sizeof(cfg->udp_mtu_file), st->file);
		}
	} else if((v = assignment(line, "udp_mtu_try_proto")) != NULL) {
		expand(st, v, val, sizeof(val));
		trim(val);
		unquote(val);
		listen_word(val, word, sizeof(word));
		for(i = 0; word[i] && i + 1 < sizeof(cfg->try_proto); i++)
			cfg->try_proto[i] = (char)toupper((unsigned char)word[i]);
		cfg->try_proto[i] = '\0';
		cfg->try_proto_line = lineno;
		hc_scopy(cfg->try_proto_file, sizeof(cfg->try_proto_file), st->file);
	} else if((v = assignment(line, "pmtu_discovery")) != NULL) {
		expand(st, v, val, sizeof(val));
		trim(val);
		cfg->pmtu_discovery = yes(val) ? 1 : 0;
		cfg->pmtu_discovery_line = lineno;
	} else if((v = assignment(line, "disable_tcp")) != NULL) {
		expand(st, v, val, sizeof(val));
		trim(val);
		cfg->disable_tcp = yes(val);
	} else if((v = assignment(line, "auto_bind_ipv6")) != NULL) {
		expand(st, v, val, sizeof(val));
		trim(val);
		cfg->auto_bind_ipv6 = yes(val);
	} else {
		statement_uses(st, cfg, line, lineno);
	}
}

/* one physical line without its comments: block comments (nested, over
 * lines: *depth), '#' (not "#!") and "//" outside strings */
static void strip_comments(
		const char *in, size_t len, char *out, size_t size, int *depth)
{
	size_t i, o = 0;
	int str = 0;

	for(i = 0; i < len; i++) {
		char c = in[i], c2 = i + 1 < len ? in[i + 1] : '\0';

		if(*depth > 0) {
			if(c == '*' && c2 == '/') {
				(*depth)--;
				i++;
			} else if(c == '/' && c2 == '*') {
				(*depth)++;
				i++;
			}
			continue;
		}
		if(str) {
			if(c == '\\' && c2 != '\0') {
				if(o + 2 < size) {
					out[o++] = c;
					out[o++] = c2;
				}
				i++;
				continue;
			}
			if(c == '"')
				str = 0;
		} else if(c == '"') {
			str = 1;
		} else if(c == '/' && c2 == '*') {
			(*depth)++;
			i++;
			continue;
		} else if(c == '/' && c2 == '/') {
			break;
		} else if(c == '#' && c2 != '!') {
			break;
		}
		if(o + 1 < size)
			out[o++] = c;
	}
	out[o] = '\0';
}

/* how hc_read_cfg() reads the files a cfg includes */
struct reader
{
	hc_read_fn *read;
	void *arg;
	hc_report_t *r;
};

static void parse_text(struct cfg_state *st, hc_cfg_t *cfg,
		const struct reader *rd, const char *text, const char *path,
		const char *name, int depth);

/* include_file "x" / #!import_file "x" on this line: the file name and
 * whether it must exist */
static int include_line(const char *line, char *file, size_t size, int *must)
{
	const char *p = line;
	size_t o = 0;

	while(*p == ' ' || *p == '\t')
		p++;
	if((p[0] == '#' || p[0] == '!') && p[1] == '!')
		p += 2;
	if(strncmp(p, "include_file", 12) == 0) {
		*must = 1;
		p += 12;
	} else if(strncmp(p, "import_file", 11) == 0) {
		*must = 0;
		p += 11;
	} else {
		return 0;
	}
	while(*p == ' ' || *p == '\t')
		p++;
	if(*p++ != '"')
		return 0;
	for(; *p && *p != '"' && o + 1 < size; p++) {
		if(*p == '\\' && p[1])
			p++;
		file[o++] = *p;
	}
	file[o] = '\0';
	return o > 0;
}

/* an include_file / import_file on an active line, read in its place as
 * kamailio does: the name as given, else next to the including file at
 * path (name: "" for the main file); without rd (hc_parse_cfg()) none is
 * read */
static void include(struct cfg_state *st, hc_cfg_t *cfg,
		const struct reader *rd, const char *path, const char *name,
		const char *inc, int must, int lineno, int depth)
{
	char alt[PATH_MAX * 2], file[sizeof(st->file)];
	const char *use = inc, *slash;
	char *t;
	int saved;

	if(rd == NULL)
		return;
	if(depth >= MAX_INCLUDE_DEPTH) {
		hc_add(rd->r, HC_WARN, "cfg include",
				"kamailio refuses more than 10 nested includes.",
				"%s: too deeply nested, not checked", inc);
		return;
	}
	t = rd->read(inc, rd->arg);
	if(t == NULL && inc[0] != '/' && (slash = strrchr(path, '/')) != NULL) {
		snprintf(alt, sizeof(alt), "%.*s/%s", (int)(slash - path), path, inc);
		use = alt;
		t = rd->read(use, rd->arg);
	}
	if(t == NULL) {
		if(must)
			hc_add(rd->r, HC_WARN, "cfg include",
					"kamailio does not start when an include_file is "
					"missing (unless it is in a #!ifdef block that is "
					"off): its settings were not checked.",
					"cannot read %s (included at %s%sline %d): %s", inc, name,
					name[0] ? " " : "", lineno, strerror(errno));
		return;
	}
	/* findings name the line of the included file */
	hc_scopy(file, sizeof(file), st->file);
	saved = st->lineno;
	hc_scopy(st->file, sizeof(st->file), inc);
	st->lineno = 0;
	parse_text(st, cfg, rd, t, use, inc, depth + 1);
	hc_scopy(st->file, sizeof(st->file), file);
	st->lineno = saved;
	free(t);
}

/* the lines of one file (its text), at depth includes from the main one */
static void parse_text(struct cfg_state *st, hc_cfg_t *cfg,
		const struct reader *rd, const char *text, const char *path,
		const char *name, int depth)
{
	char line[VAL_LEN * 2], joined[VAL_LEN * 2], inc[PATH_MAX];
	const char *p = text, *nl, *d;
	size_t len;
	int comment = 0, first, must;

	while(*p) {
		nl = strchr(p, '\n');
		len = nl ? (size_t)(nl - p) : strlen(p);
		st->lineno++;
		first = st->lineno;
		d = p;
		while(d < p + len && (*d == ' ' || *d == '\t'))
			d++;
		if(comment == 0 && d + 2 <= p + len
				&& ((d[0] == '#' && d[1] == '!')
						|| (d[0] == '!' && d[1] == '!'))) {
			/* a directive: the whole line, '\' continues it */
			joined[0] = '\0';
			for(;;) {
				size_t l = len - (size_t)(d - p);
				int more;

				if(l >= sizeof(line))
					l = sizeof(line) - 1;
				memcpy(line, d, l);
				line[l] = '\0';
				while(l > 0 && (line[l - 1] == '\r'))
					line[--l] = '\0';
				more = l > 0 && line[l - 1] == '\\';
				if(more)
					line[l - 1] = '\0';
				hc_cat(joined, sizeof(joined), line);
				if(!more || nl == NULL)
					break;
				p = nl + 1;
				nl = strchr(p, '\n');
				len = nl ? (size_t)(nl - p) : strlen(p);
				d = p;
				st->lineno++;
			}
			if(include_line(joined, inc, sizeof(inc), &must)) {
				if(active(st))
					include(st, cfg, rd, path, name, inc, must, first, depth);
			} else {
				directive(st, joined + 2);
			}
		} else {
			strip_comments(p, len, line, sizeof(line), &comment);
			if(!active(st))
				;
			else if(include_line(line, inc, sizeof(inc), &must))
				include(st, cfg, rd, path, name, inc, must, first, depth);
			else
				statement(st, cfg, line, first);
		}
		if(nl == NULL)
			break;
		p = nl + 1;
	}
}

static void parse(const char *text, const char *path, const struct reader *rd,
		hc_cfg_t *cfg)
{
	struct cfg_state *st;

	memset(cfg, 0, sizeof(*cfg));
	cfg->udp_mtu = HC_UNSET;
	cfg->pmtu_discovery = HC_UNSET;
	st = calloc(1, sizeof(*st));
	if(st == NULL)
		return;
	st->defs = calloc(MAX_DEFS, sizeof(*st->defs));
	if(st->defs == NULL) {
		free(st);
		return;
	}
	parse_text(st, cfg, rd, text, path, "", 0);
	free(st->defs);
	free(st);
}

void hc_parse_cfg(const char *text, hc_cfg_t *cfg)
{
	parse(text, "", NULL, cfg);
}

int hc_read_cfg(const char *path, hc_read_fn *read, void *arg, hc_cfg_t *cfg,
		hc_report_t *r)
{
	struct reader rd = {read, arg, r};
	char *t = read(path, arg);

	if(t == NULL)
		return -1;
	parse(t, path, &rd, cfg);
	free(t);
	return 0;
}

