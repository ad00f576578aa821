/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NETNSCTL_LABFILE_PARSE_H
#define NETNSCTL_LABFILE_PARSE_H

/*
 * Internal to the lab file's parser: what labfile.c lends to the parsers of
 * other sections (src/lib/timeline/parse.c), so that every section reads
 * keys, values, node references and impairments the same way and reports
 * errors in the same "FILE:LINE:COL: ..." form.  P is labfile.c's parser
 * state; N a node of its libyaml document.
 */

#include <stdbool.h>
#include <stddef.h>
#include <yaml.h>

#include "netnsctl/error.h"
#include "netnsctl/expect.h"
#include "netnsctl/labfile.h"

struct parser;

struct nn_labfile *nn_lfp_lab(struct parser *p);
struct nn_error *nn_lfp_error(struct parser *p);

/* -EINVAL with "FILE:LINE:COL: MSG" at N / at M. */
int nn_lfp_fail(struct parser *p, const yaml_node_t *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int nn_lfp_fail_mark(struct parser *p, const struct nn_labfile_mark *m, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The message a value parser (units.h, names.h) left in the error, at N. */
int nn_lfp_fail_value(struct parser *p, const yaml_node_t *n);

void nn_lfp_set_mark(struct nn_labfile_mark *m, const yaml_node_t *n);
bool nn_lfp_is_null(const yaml_node_t *n);
/* N as a string: a value, not empty, no NUL, bounded. */
int nn_lfp_scalar(struct parser *p, const yaml_node_t *n, const char *what, const char **s);
/* N as a list of at most NN_LABFILE_MAX_ITEMS entries; item I of it. */
int nn_lfp_sequence(struct parser *p, const yaml_node_t *n, const char *what, size_t *len);
yaml_node_t *nn_lfp_item(struct parser *p, const yaml_node_t *seq, size_t i);
/* The document's node of index I (a mapping pair's key or value). */
yaml_node_t *nn_lfp_node_at(struct parser *p, int i);
/* Mapping N's values for KEYS (NULL-terminated) into VALS; unknown and
 * repeated keys are errors. */
int nn_lfp_fields(struct parser *p, const yaml_node_t *n, const char *what,
		  const char *const *keys, yaml_node_t **vals);
/* The node the file calls S (without the lab's prefix), or an error at N. */
int nn_lfp_node_ref(struct parser *p, const yaml_node_t *n, const char *s, size_t *idx);
/* Node I's name as the file writes it (without the lab's prefix). */
const char *nn_lfp_written(struct parser *p, size_t i);

/* The section parsers, as the file's own sections use them. */
int nn_lfp_parse_impair(struct parser *p, const yaml_node_t *n, struct nn_labfile_impair *im);
int nn_lfp_parse_command(struct parser *p, const yaml_node_t *n, struct nn_labfile_command *c);
int nn_lfp_parse_expect(struct parser *p, const yaml_node_t *n, struct nn_expect *x);

/* src/lib/timeline/parse.c: the `timeline:` list N into LF (nodes, links,
 * bridges and uplinks already parsed). */
int nn_lfp_parse_timeline(struct parser *p, const yaml_node_t *n);

#endif
