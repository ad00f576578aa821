/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NETNSCTL_EXEC_ALL_H
#define NETNSCTL_EXEC_ALL_H

/*
 * One command in many namespaces at once (exec-all): each run as `exec`
 * runs it (nn_netns_exec(): the namespace, a mount namespace of its own,
 * ETC_DIR/NAME/ files such as resolv.conf over /etc), in a process group
 * of its own, stdin /dev/null, its stdout and stderr read into tails.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netnsctl/error.h"

struct nn_ctx;

#define NN_EXEC_TAIL 2048		/* bytes kept of each output's end */
#define NN_EXEC_PARALLEL_MAX 4096
#define NN_EXEC_TIMED_OUT 124		/* the status of a command timed out, as timeout(1) */

struct nn_exec_job {
	char name[256];			/* the namespace; set by the caller */

	/* the result */
	bool ran;			/* started (false: cancelled before, or fork failed) */
	int status;			/* exit code; 128 + N when killed by signal N;
					 * NN_EXEC_TIMED_OUT when timed out; -1 when not run */
	int signal;			/* the signal that ended it, or 0 */
	bool timed_out;
	uint64_t duration_us;
	char out[NN_EXEC_TAIL + 1], err[NN_EXEC_TAIL + 1];	/* the tails, NUL-terminated */
	size_t out_len, err_len;
	bool out_cut, err_cut;		/* bytes before the tail were dropped */
};

/*
 * Run ARGV in the namespace of each of the N JOBS, at most PARALLEL at a
 * time, each killed (SIGTERM, SIGKILL a second later) after TIMEOUT_MS (0:
 * never).  When nn_plan_cancel() is called (SIGINT), no more start and the
 * running ones are stopped as on a timeout, then -ECANCELED.  Returns how
 * many did not exit 0, or -errno.
 */
int nn_exec_all(struct nn_ctx *ctx, struct nn_exec_job *jobs, size_t n, char *const argv[],
		unsigned parallel, unsigned timeout_ms, struct nn_error *e);

#endif
