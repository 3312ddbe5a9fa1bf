/*
 * ip6-dbaudit - IPv6 field-width audit of Kamailio database schemas
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
 * \brief ip6-dbaudit :: reading Kamailio's XML table definitions (libxml2)
 *
 * A table file (src/lib/srdb1/schema/<table>.xml) has <table><name> and
 * <column>s with <name>, <type>, <size>, <null/> and <default>; sizes are
 * often entities defined in entities.xml, which the file's DTD subset
 * loads: entities are substituted, the network is never used.
 */

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "schema.h"

static int schema_errors;

/* libxml2's errors with file and line; the public DTD the files name is
 * not needed (and not fetched): that warning is dropped */
static void schema_error(void *ctx, xmlErrorPtr e)
{
	(void)ctx;
	if(e == NULL || e->level == XML_ERR_WARNING)
		return;
	if(e->domain == XML_FROM_IO && e->code == XML_IO_NETWORK_ATTEMPT)
		return;
	schema_errors++;
	fprintf(stderr, "ip6-dbaudit: %s:%d: %s", e->file ? e->file : "(input)",
			e->line, e->message ? e->message : "error\n");
}

static const xmlChar *child_text(xmlNodePtr n, const char *name, int *found)
{
	xmlNodePtr c;

	for(c = n->children; c; c = c->next) {
		if(c->type == XML_ELEMENT_NODE
				&& xmlStrcmp(c->name, (const xmlChar *)name) == 0
				&& xmlHasProp(c, (const xmlChar *)"db") == NULL) {
			if(found)
				*found = 1;
			return c->children && c->children->content
						   ? c->children->content
						   : (const xmlChar *)"";
		}
	}
	if(found)
		*found = 0;
	return NULL;
}

static int has_child(xmlNodePtr n, const char *name)
{
	int found;

	child_text(n, name, &found);
	return found;
}

/* append the string columns of one table file */
static int schema_file(const char *path, dba_cols_t *cols)
{
	xmlDocPtr doc;
	xmlNodePtr root, c, d;
	const xmlChar *table, *name, *type, *size;
	dba_col_t *col;
	int before = schema_errors, n = 0;

	doc = xmlReadFile(path, NULL,
			XML_PARSE_NOENT | XML_PARSE_DTDLOAD | XML_PARSE_NONET
					| XML_PARSE_NOWARNING);
	if(doc == NULL || schema_errors > before) {
		if(schema_errors == before)
			fprintf(stderr, "ip6-dbaudit: %s: cannot parse\n", path);
		if(doc)
			xmlFreeDoc(doc);
		return -1;
	}
	root = xmlDocGetRootElement(doc);
	if(root == NULL || xmlStrcmp(root->name, (const xmlChar *)"table") != 0) {
		/* entities.xml and friends: not a table */
		xmlFreeDoc(doc);
		return 0;
	}
	table = child_text(root, "name", NULL);
	if(table == NULL || *table == '\0') {
		fprintf(stderr, "ip6-dbaudit: %s:%ld: table without a name\n", path,
				xmlGetLineNo(root));
		xmlFreeDoc(doc);
		return -1;
	}
	for(c = root->children; c; c = c->next) {
		if(c->type != XML_ELEMENT_NODE
				|| xmlStrcmp(c->name, (const xmlChar *)"column") != 0)
			continue;
		name = child_text(c, "name", NULL);
		type = child_text(c, "type", NULL);
		size = child_text(c, "size", NULL);
		if(name == NULL || type == NULL) {
			fprintf(stderr, "ip6-dbaudit: %s:%ld: column without name or type\n",
					path, xmlGetLineNo(c));
			xmlFreeDoc(doc);
			return -1;
		}
		if(xmlStrcmp(type, (const xmlChar *)"string") != 0)
			continue;
		col = dba_cols_add(cols);
		if(col == NULL) {
			xmlFreeDoc(doc);
			return -1;
		}
		snprintf(col->table, sizeof(col->table), "%s", (const char *)table);
		snprintf(col->column, sizeof(col->column), "%s", (const char *)name);
		col->size = size ? atoi((const char *)size) : 0;
		col->nullable = has_child(c, "null");
		for(d = c->children; d; d = d->next) {
			if(d->type == XML_ELEMENT_NODE
					&& xmlStrcmp(d->name, (const xmlChar *)"default") == 0
					&& xmlHasProp(d, (const xmlChar *)"db") == NULL) {
				col->has_default = 1;
				snprintf(col->defval, sizeof(col->defval), "%s",
						d->children && d->children->type == XML_TEXT_NODE
								? (const char *)d->children->content
								: "");
			}
		}
		snprintf(col->where, sizeof(col->where), "%s:%ld", path,
				xmlGetLineNo(c));
		n++;
	}
	xmlFreeDoc(doc);
	return n;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int schema_read(const char *path, dba_cols_t *cols)
{
	struct dirent *de;
	char **names = NULL, file[4096];
	int n = 0, i, ret = 0;
	size_t len;
	DIR *dir;

	xmlSetStructuredErrorFunc(NULL, schema_error);
	dir = opendir(path);
	if(dir == NULL)
		return schema_file(path, cols) < 0 ? -1 : 0;
	/* in name order, so that reports are stable */
	while((de = readdir(dir)) != NULL) {
		len = strlen(de->d_name);
		/* entities.xml holds the sizes the table files include */
		if(len < 5 || strcmp(de->d_name + len - 4, ".xml") != 0
				|| strcmp(de->d_name, "entities.xml") == 0)
			continue;
		names = realloc(names, (n + 1) * sizeof(char *));
		if(names == NULL || (names[n] = strdup(de->d_name)) == NULL) {
			fprintf(stderr, "ip6-dbaudit: out of memory\n");
			closedir(dir);
			return -1;
		}
		n++;
	}
	closedir(dir);
	if(n == 0) {
		fprintf(stderr, "ip6-dbaudit: %s: no .xml table files\n", path);
		free(names);
		return -1;
	}
	qsort(names, n, sizeof(char *), by_name);
	for(i = 0; i < n; i++) {
		snprintf(file, sizeof(file), "%s/%s", path, names[i]);
		if(schema_file(file, cols) < 0)
			ret = -1;
		free(names[i]);
	}
	free(names);
	return ret;
}
