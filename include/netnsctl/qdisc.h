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
	NN_DIST_NONE = 0,	/* uniform jitter ("uniform"): no table */
	NN_DIST_NORMAL,
	NN_DIST_PARETO,
	NN_DIST_PARETONORMAL,
};

struct nn_netem {
	uint64_t delay_ns;
	uint64_t jitter_ns;	/* at most INT32_MAX ns: the kernel caps it there */
	uint32_t delay_corr;	/* u32 probabilities, as tc encodes them */
	uint32_t loss, loss_corr;
	uint32_t duplicate, duplicate_corr;
	uint32_t reorder, reorder_corr;
	uint32_t corrupt, corrupt_corr;
	uint32_t gap;		/* reorder every GAPth packet; 0 with reorder: 1, as tc does */
	uint32_t limit;		/* packets; 0 means the default, 1000 */
	uint64_t rate;		/* bytes/s; 0 = no rate limit */
	enum nn_netem_dist dist;	/* the kernel never reports it: a dump says NONE */
};

struct nn_tbf {
	uint64_t rate;		/* bytes/s, > 0 */
	uint32_t burst;		/* bytes; 0 = default: max(20 ms at RATE, 2 * 1514) */
	uint32_t limit;		/* bytes of queue; 0 = RATE * LATENCY + BURST, as tc */
	uint64_t latency_ns;	/* 0 = default 50 ms (used when limit is 0); from a
				 * dump: what LIMIT stands for, (limit - burst) / rate */
};

enum nn_qdisc_kind { NN_QDISC_OTHER = 0, NN_QDISC_NETEM, NN_QDISC_TBF };

/* The handle netnsctl gives the root qdiscs it makes on its own links (1:),
 * so that a child could later be attached under it.  On a link netnsctl did
 * not make, where an admin may well use 1: too, the handle is a random one
 * of NN_QDISC_HANDLE_MIN: .. NN_QDISC_HANDLE_MAX: (below the kernel's
 * automatic 8000: and up), which the journal records as its proof. */
#define NN_QDISC_HANDLE 0x00010000U
#define NN_QDISC_HANDLE_MIN 0x1000
#define NN_QDISC_HANDLE_MAX 0x7fff

/* Room a request buffer needs for nn_netem_encode() / nn_tbf_encode(),
 * header and a 4096-entry distribution table included. */
#define NN_QDISC_MSG_SPACE 16384

/* A qdisc read back from the kernel. */
struct nn_qdisc_info {
	int ifindex;		/* its device */
	enum nn_qdisc_kind kind;
	char kind_name[16];	/* as the kernel names it: "netem", "tbf", "noqueue", ... */
	uint32_t handle;
	uint32_t parent;	/* TC_H_ROOT for the root */
	union {
		struct nn_netem netem;
		struct nn_tbf tbf;
	} u;
};

/* "uniform" (NN_DIST_NONE), "normal", "pareto", "paretonormal", as tc names them. */
const char *nn_netem_dist_name(enum nn_netem_dist dist);
/* -EINVAL: 'invalid --distribution "x": expected uniform, normal, pareto or paretonormal'. */
int nn_netem_dist_parse(const char *s, enum nn_netem_dist *dist, struct nn_error *e);

/*
 * Netem spec validation without the kernel: what tc or the kernel reject or
 * silently ignore (jitter, distribution or reorder without delay,
 * distribution without jitter, a correlation for a zero value, gap without
 * reorder).  -EINVAL with a message naming the CLI option ("--jitter").
 */
int nn_netem_check(const struct nn_netem *spec, struct nn_error *e);

/* Fill in the defaults the encoder sends (limit 1000, gap 1 with reorder),
 * so a spec compares field by field with what a dump returns. */
void nn_netem_normalize(struct nn_netem *spec);

/* Append TCA_KIND "netem" and TCA_OPTIONS for SPEC to a tcmsg request NLH
 * (libmnl) with NN_QDISC_MSG_SPACE bytes of room.  Every field is sent,
 * zeros included, so a replace clears what the new spec leaves out; with
 * jitter and no distribution a uniform table replaces any earlier one.
 * Checks SPEC first.  Pure: no I/O. */
int nn_netem_encode(struct nlmsghdr *nlh, const struct nn_netem *spec, struct nn_error *e);
/* Decode a netem TCA_OPTIONS attribute.  Validates every length. */
int nn_netem_decode(const struct nlattr *options, struct nn_netem *out, struct nn_error *e);

/* tbf: rate required; --limit and --latency exclude each other.  -EINVAL. */
int nn_tbf_check(const struct nn_tbf *spec, struct nn_error *e);
/* Fill in burst, limit and latency as the encoder computes them. */
void nn_tbf_normalize(struct nn_tbf *spec);
/* As for netem: TCA_KIND "tbf" and TCA_OPTIONS (rate, RATE64 above 4 GB/s,
 * exact burst in bytes).  Pure. */
int nn_tbf_encode(struct nlmsghdr *nlh, const struct nn_tbf *spec, struct nn_error *e);
/* Decode a tbf TCA_OPTIONS attribute.  The kernel reports the bucket in
 * 64 ns ticks, so above ~60 Mbit/s the burst comes back rounded. */
int nn_tbf_decode(const struct nlattr *options, struct nn_tbf *out, struct nn_error *e);

/*
 * Whether HAVE (from nn_qdisc_list) already is WANT (a spec): compares the
 * normalized spec, tolerates the tick rounding of the tbf burst, and ignores
 * the netem distribution, which the kernel does not report.
 */
bool nn_qdisc_same(const struct nn_qdisc_info *want, const struct nn_qdisc_info *have);

/*
 * Make SPEC the root qdisc of IFINDEX in NS with HANDLE (major only:
 * NN_QDISC_HANDLE or one from nn_qdisc_free_handle) (create or replace, in
 * place when the root already is one of this kind and handle).  A kernel
 * without sch_netem gives -ENOENT and "this kernel has no sch_netem
 * (<extack>)".  On failure nothing changes.
 */
int nn_qdisc_netem_replace(struct nn_ns *ns, int ifindex, uint32_t handle,
			   const struct nn_netem *spec, struct nn_error *e);
int nn_qdisc_tbf_replace(struct nn_ns *ns, int ifindex, uint32_t handle, const struct nn_tbf *spec,
			 struct nn_error *e);

/*
 * Does the kernel have qdisc KIND ("netem", "tbf" or "htb")?  1 yes (or not proven
 * missing), 0 no with E set to "this kernel has no sch_KIND (<extack>)",
 * -errno when it cannot be asked.  One request in NS that changes nothing
 * (see qdisc.c); planners ask once per kind a plan uses.
 */
int nn_qdisc_kind_probe(struct nn_ns *ns, const char *kind, struct nn_error *e);
/* A random handle of NN_QDISC_HANDLE_MIN:..NN_QDISC_HANDLE_MAX: that no
 * qdisc of IFINDEX has (one dump). */
int nn_qdisc_free_handle(struct nn_ns *ns, int ifindex, uint32_t *handle, struct nn_error *e);

/* Remove the root qdisc of IFINDEX.  Returns 1 when one was removed, 0 when
 * there was nothing to clear (default root). */
int nn_qdisc_clear(struct nn_ns *ns, int ifindex, struct nn_error *e);

/* The qdiscs of IFINDEX (one RTM_GETQDISC dump), root first.  *OUT is
 * malloc()ed; free() it. */
int nn_qdisc_list(struct nn_ns *ns, int ifindex, struct nn_qdisc_info **out, size_t *n,
		  struct nn_error *e);

/* The root qdisc of IFINDEX (one dump): 1 and *ROOT filled, or 0 when the
 * link has none.  Handle 0 is the kernel's default (noqueue, pfifo_fast). */
int nn_qdisc_root(struct nn_ns *ns, int ifindex, struct nn_qdisc_info *root, struct nn_error *e);

/* The root qdisc of every device in NS (one dump: the kernel dumps all the
 * devices' qdiscs whatever ifindex is asked), sorted by ifindex.  *OUT is
 * malloc()ed; free() it. */
int nn_qdisc_roots(struct nn_ns *ns, struct nn_qdisc_info **out, size_t *n, struct nn_error *e);

/* IFINDEX's entry in ROOTS (from nn_qdisc_roots), or NULL. */
const struct nn_qdisc_info *nn_qdisc_find(const struct nn_qdisc_info *roots, size_t n, int ifindex);

/* "netem delay 100ms jitter 10ms loss 1% rate 10Mbit" / "tbf rate 10Mbit burst 32Kb ...".
 * Options are spelled as the CLI options, without "--"; zero values are left out. */
const char *nn_qdisc_format(char *buf, size_t len, const struct nn_qdisc_info *q);
/* The same as one JSON object (no trailing newline), values in tc's units as
 * strings plus exact integers: {"kind":"netem","delay":"100ms","delay_ns":100000000,...}.
 * Every field of the kind is present, zeros included. */
const char *nn_qdisc_format_json(char *buf, size_t len, const struct nn_qdisc_info *q);

#endif
