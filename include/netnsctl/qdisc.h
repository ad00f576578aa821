/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NETNSCTL_QDISC_H
#define NETNSCTL_QDISC_H

/*
 * Root qdiscs on an interface: netem (encoded with libmnl: libnl 3.7's netem
 * over-reads its buffer and cannot send rate/slot or clear reorder/corrupt)
 * and tbf.  Specs hold exact integer units as tc encodes them, and the same
 * structs come back from a dump, so show and the planner compare like with like.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netnsctl/error.h"

struct nn_ns;
struct nlmsghdr;
struct nlattr;

enum nn_netem_dist {
	NN_DIST_NONE = 0,	/* uniform jitter: no table */
	NN_DIST_NORMAL,
	NN_DIST_PARETO,
	NN_DIST_PARETONORMAL,
};

struct nn_netem {
	uint64_t delay_ns;
	uint64_t jitter_ns;
	uint32_t delay_corr;	/* u32 probabilities, as tc encodes them */
	uint32_t loss, loss_corr;
	uint32_t duplicate, duplicate_corr;
	uint32_t reorder, reorder_corr;
	uint32_t corrupt, corrupt_corr;
	uint32_t gap;		/* 0: reorder uses delay-free gap 0 as tc does */
	uint32_t limit;		/* packets; 0 means the default, 1000 */
	uint64_t rate;		/* bytes/s; 0 = no rate limit */
	enum nn_netem_dist dist;
};

struct nn_tbf {
	uint64_t rate;		/* bytes/s, > 0 */
	uint32_t burst;		/* bytes; 0 = default: max(rate/HZ-ish, 16 KiB)... see qdisc.c */
	uint32_t limit;		/* bytes of queue; 0 = derived from latency */
	uint64_t latency_ns;	/* 0 = default 50 ms (used when limit is 0) */
};

enum nn_qdisc_kind { NN_QDISC_OTHER = 0, NN_QDISC_NETEM, NN_QDISC_TBF };

/* A qdisc read back from the kernel. */
struct nn_qdisc_info {
	enum nn_qdisc_kind kind;
	char kind_name[16];	/* as the kernel names it: "netem", "tbf", "noqueue", ... */
	uint32_t handle;
	uint32_t parent;	/* TC_H_ROOT for the root */
	union {
		struct nn_netem netem;
		struct nn_tbf tbf;
	} u;
};

/* Netem spec validation without the kernel (e.g. correlation without the
 * value it correlates, distribution without jitter). -EINVAL with a message. */
int nn_netem_check(const struct nn_netem *spec, struct nn_error *e);

/* Append TCA_KIND "netem" and TCA_OPTIONS for SPEC to a tcmsg request NLH
 * (libmnl).  Every field is sent, zeros included, so a replace clears what
 * the new spec leaves out.  Pure: no I/O. */
int nn_netem_encode(struct nlmsghdr *nlh, const struct nn_netem *spec, struct nn_error *e);
/* Decode a netem TCA_OPTIONS attribute.  Validates every length. */
int nn_netem_decode(const struct nlattr *options, struct nn_netem *out, struct nn_error *e);

/*
 * Make SPEC the root qdisc of IFINDEX in NS (create or replace, in place
 * when the root is already netem).  A kernel without sch_netem gives -ENOENT
 * and "this kernel has no sch_netem (<extack>)".  On failure nothing changes.
 */
int nn_qdisc_netem_replace(struct nn_ns *ns, int ifindex, const struct nn_netem *spec,
			   struct nn_error *e);
int nn_qdisc_tbf_replace(struct nn_ns *ns, int ifindex, const struct nn_tbf *spec,
			 struct nn_error *e);

/* Remove the root qdisc of IFINDEX.  Returns 1 when one was removed, 0 when
 * there was nothing to clear (default root). */
int nn_qdisc_clear(struct nn_ns *ns, int ifindex, struct nn_error *e);

/* The qdiscs of IFINDEX (one RTM_GETQDISC dump), root first.  *OUT is
 * malloc()ed; free() it. */
int nn_qdisc_list(struct nn_ns *ns, int ifindex, struct nn_qdisc_info **out, size_t *n,
		  struct nn_error *e);

/* "netem delay 100ms jitter 10ms loss 1% rate 10Mbit" / "tbf rate 10Mbit burst 32Kb ...". */
const char *nn_qdisc_format(char *buf, size_t len, const struct nn_qdisc_info *q);
/* The same as one JSON object (no trailing newline), values in tc's units as
 * strings plus exact integers: {"kind":"netem","delay":"100ms","delay_ns":100000000,...}. */
const char *nn_qdisc_format_json(char *buf, size_t len, const struct nn_qdisc_info *q);

#endif
