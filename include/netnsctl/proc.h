/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NETNSCTL_PROC_H
#define NETNSCTL_PROC_H

/*
 * Commands a lab runs in its namespaces.  Each is started detached (own
 * session, stdin /dev/null, output appended to a log file) and recorded with
 * its pid and the kernel's start time of that pid (/proc/PID/stat field 22),
 * so a later netnsctl tells "still running" from "pid reused by something
 * else" and never signals a stranger.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "netnsctl/ctx.h"

#include "netnsctl/error.h"

struct nn_proc {
	char node[256];		/* the namespace it runs in */
	unsigned int index;	/* its place in the node's commands, from 0 */
	pid_t pid;
	uint64_t start_time;	/* clock ticks after boot */
	uint64_t argv_hash;	/* nn_proc_argv_hash() of what it runs */
};

/*
 * Raise the soft limit of open files to the hard one (at most 2^20): a lab
 * of a thousand namespaces holds a handle and sockets for each, past the
 * usual soft limit of 1024.  Programs netnsctl starts (lab commands, exec)
 * get the limit they would have had: nn_proc_restore_nofile() in the child.
 */
void nn_proc_raise_nofile(void);

/*
 * The child's side of a daemon's start (lease keeper, reverter), right
 * after its fork: a process that keeps nothing of the command that started
 * it.  Its own session and not its leader (it can never get a controlling
 * terminal), "/" as its directory (it holds no mount busy), umask 022,
 * default signal handling and mask, stdin and stdout on /dev/null, stderr
 * appended to LOG (renamed to LOG.old first when over LOG_MAX bytes: a
 * caller's pipe held open would hang whoever reads it), no other
 * descriptor, and CTX's run, state and etc dirs in its environment for an
 * exec.  Returns in the daemon; exits 127 where it cannot.
 */
void nn_proc_detach(struct nn_ctx *ctx, const char *log, off_t log_max);

/* The pid holding a write lock on the file PATH (a daemon's lock); 0 when
 * none does or the file is missing; -1 when that cannot be told: the holder
 * runs in a pid namespace we cannot see into, or the file is not ours to
 * open (0600: whoever could open it could take a read lock, and no daemon
 * could start). */
pid_t nn_proc_lock_holder(const char *path);

/* Sleep MS milliseconds (a daemon's start or stop being waited for). */
void nn_proc_sleep_ms(unsigned int ms);
void nn_proc_restore_nofile(void);

/* The state (field 3) and start time (field 22) in the text of a
 * /proc/PID/stat.  -EINVAL when BUF is not one. */
int nn_proc_parse_stat(const char *buf, char *state, uint64_t *start);

/* FNV-1a over the words, so an edited command is seen as another one. */
uint64_t nn_proc_argv_hash(char *const argv[]);

typedef int (*nn_proc_record_cb)(const struct nn_proc *p, void *arg, struct nn_error *e);

/*
 * Start ARGV (PATH is searched) inside the network namespace NSFD: own
 * session, stdin /dev/null, stdout and stderr appended to LOG.  Fills
 * P->pid, P->start_time and P->argv_hash, then calls RECORD (may be NULL);
 * the child execs only after RECORD succeeded, and exits without running
 * anything when netnsctl dies before that, so no process goes unrecorded.
 * Returns when the exec has happened (or failed: -errno, 'cannot run
 * "ARGV0": ...'; a failure of RECORD is returned as it is).
 */
int nn_proc_start(int nsfd, char *const argv[], const char *log, struct nn_proc *p,
		  nn_proc_record_cb record, void *arg, struct nn_error *e);

/* Whether P still runs: its pid exists, is not a zombie, started at
 * P->start_time (0: not known, the pid alone counts). */
bool nn_proc_alive(const struct nn_proc *p);

/* SIGTERM to P's process group, SIGKILL after TIMEOUT_MS if it is still
 * there.  Not running is fine (0). */
int nn_proc_stop(const struct nn_proc *p, unsigned int timeout_ms, struct nn_error *e);

/* The records in FILE (none when it does not exist).  *OUT is malloc()ed. */
int nn_proc_load(const char *file, struct nn_proc **out, size_t *n, struct nn_error *e);
/* Replace FILE with the N records (temp file, fsync, rename); N = 0 removes it. */
int nn_proc_save(const char *file, const struct nn_proc *procs, size_t n, struct nn_error *e);

#endif
