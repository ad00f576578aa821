/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NETNSCTL_GRAPH_H
#define NETNSCTL_GRAPH_H

/*
 * A lab as a picture: namespaces (boxes), bridges (nodes, grouped with their
 * namespace), veth pairs (edges carrying each end's name, addresses and
 * impairment) and macvlans (dashed edges to their parent), written as
 * Graphviz DOT.  The model is filled from the kernel (nn_graph_from_kernel)
 * or from a lab file, and written sorted, so the same lab always gives the
 * same text however it was added.  Every name is quoted and escaped: a
 * namespace may be called anything but "/", ".", "..".
 */

#include <stdio.h>

#include "netnsctl/error.h"

struct nn_ctx;
struct nn_graph;

enum nn_graph_edge_kind {
	NN_GRAPH_VETH,
	NN_GRAPH_MACVLAN,	/* A is the macvlan, B its parent */
};

/* One end of an edge. */
struct nn_graph_end {
	const char *ns;		/* "" or NULL: the host namespace */
	const char *ifname;	/* the interface at this end; NULL or "" for none shown */
	const char *bridge;	/* the bridge this end hangs off (a port's master, a
				 * macvlan's parent bridge) in NS, or NULL: the namespace */
	const char *detail;	/* lines under IFNAME ('\n' between them): addresses,
				 * the root qdisc; NULL for none */
};

struct nn_graph *nn_graph_new(void);
void nn_graph_free(struct nn_graph *g);

/* Namespace NS ("" = the host) is drawn, even with nothing in it.  Adding
 * the same one twice is fine. */
int nn_graph_add_netns(struct nn_graph *g, const char *ns, struct nn_error *e);
/* Bridge BR in NS, DETAIL lines under its name (its addresses). */
int nn_graph_add_bridge(struct nn_graph *g, const char *ns, const char *br, const char *detail,
			struct nn_error *e);
/* A line under NS's name ("forwarding", "route default via 10.0.0.1"). */
int nn_graph_add_note(struct nn_graph *g, const char *ns, const char *text, struct nn_error *e);
/* An interface connected to nothing drawn (a dummy, a veth whose peer is in
 * a namespace without a name), listed in NS's box as "IFNAME (KIND) DETAIL". */
int nn_graph_add_iface(struct nn_graph *g, const char *ns, const char *ifname, const char *kind,
		       const char *detail, struct nn_error *e);
/* An edge; the namespaces and bridges it names are drawn too.  A veth edge
 * is the same whichever end comes first. */
int nn_graph_add_edge(struct nn_graph *g, enum nn_graph_edge_kind kind,
		      const struct nn_graph_end *a, const struct nn_graph_end *b,
		      struct nn_error *e);

/* The graph as DOT ("graph netnsctl { ... }"), sorted: the host first, then
 * namespaces by name (bytewise), bridges and interfaces by name, edges by
 * their ends, notes by their text.  -errno when writing F fails. */
int nn_graph_write_dot(const struct nn_graph *g, FILE *f, struct nn_error *e);

/*
 * The same graph, sorted the same way, as one JSON document (docs/json.md):
 * {"version":VERSION, "namespaces":[{"name", "notes", "interfaces"}],
 * "bridges":[{"namespace", "name", "detail"}], "edges":[{"kind", "a", "b"}]},
 * the host being namespace "".
 */
int nn_graph_write_json(const struct nn_graph *g, FILE *f, int version, struct nn_error *e);

/* A DOT quoted string for S ("a\"b"), the label escapes of Graphviz
 * neutralised (a backslash is written as "\\"), control characters and
 * bytes that are not UTF-8 as the text \xHH.  Exposed for the tests. */
void nn_graph_write_quoted(FILE *f, const char *s);

/*
 * The live state: every namespace in the run dir and the host's part of the
 * lab (bridges, links and ports that something in a named namespace connects
 * to; the host's other links are left out).  One dump per namespace and kind
 * (links, addresses, qdiscs); veth peers in other namespaces are matched by
 * their namespace ids (RTM_GETNSID), never by ifindex alone.
 */
int nn_graph_from_kernel(struct nn_ctx *ctx, struct nn_graph *g, struct nn_error *e);

/*
 * The lab LF describes, without the kernel: its nodes, links with each
 * end's address and egress impairment, bridges with their ports, uplinks to
 * the host (with "NAT" when they masquerade), port forwards and routes as
 * notes, forwarding nodes, and client groups, one box "PREFIX1..PREFIXn"
 * per group with a macvlan edge to its parent.
 */
struct nn_labfile;
int nn_graph_from_labfile(const struct nn_labfile *lf, struct nn_graph *g, struct nn_error *e);

#endif
