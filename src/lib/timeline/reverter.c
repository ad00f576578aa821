// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The reverter (timed.h): a detached process that holds the deadlines of
 * timed changes and puts each change back when its time comes, whether or
 * not the netnsctl that made it still runs.
 *
 * Who the reverter is comes from the kernel, as for the lease keeper
 * (clients.c): it holds a POSIX write lock on STATE_DIR/timed/reverter.lock
 * for as long as it runs, and F_GETLK names its pid; a pid file would
 * outlive a reverter killed with SIGKILL.  It never opens and closes that
 * file again while it runs: closing any descriptor of it drops the lock.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "netnsctl/ctx.h"
#include "netnsctl/proc.h"
#include "netnsctl/journal.h"
#include "netnsctl/timed.h"
#include "util/cleanup.h"
#include "util/file.h"

#define LOG_MAX (1 << 20)
#define START_WAIT_MS 3000

static void timed_path(struct nn_ctx *ctx, const char *what, char *buf, size_t len)
{
	snprintf(buf, len, "%s/timed%s%s", nn_ctx_state_dir(ctx), *what ? "/" : "", what);
}

pid_t nn_reverter_pid(struct nn_ctx *ctx)
{
	char path[PATH_MAX];

	timed_path(ctx, "reverter.lock", path, sizeof(path));
	return nn_proc_lock_holder(path);
}


/*
 * The reverter's side of the fork: a daemon (nn_proc_detach) logging what
 * it did and what went wrong to reverter.log, holding no descriptor of its
 * maker's (the state lock's among them: it takes the lock only for a
 * pass), then the reverter program or RUN.
 */
static void __attribute__((noreturn)) reverter_child(struct nn_ctx *ctx, const char *prog,
						     char *const argv[], int (*run)(void))
{
	char log[PATH_MAX];

	/* The maker's state lock stays the maker's: forgotten here (without
	 * exec, its descriptor number would otherwise be closed again by the
	 * reverter's first unlock, whatever it then is: its own lock's). */
	nn_state_unlock();
	timed_path(ctx, "reverter.log", log, sizeof(log));
	nn_proc_detach(ctx, log, LOG_MAX);
	if (argv)
		execv(prog, argv);
	else if (run)
		_exit(run() < 0 ? 1 : 0);
	_exit(127);
}

int nn_reverter_ensure(struct nn_ctx *ctx, char *const argv[], int (*run)(void),
		       struct nn_error *e)
{
	static char *const def[] = { "netnsctl", "reverter", NULL };
	_cleanup_free_ struct nn_timed *v = NULL;
	const char *prog = argv ? argv[0] : "/proc/self/exe";
	char path[PATH_MAX];
	int status, fd;
	size_t n = 0;
	pid_t pid;

	if (nn_reverter_pid(ctx) != 0)
		return 0;
	if (nn_timed_load(ctx, &v, &n, NULL, e) < 0)
		return -e->code;
	/* Held changes (no deadline) need no reverter: only cleanup and the
	 * command that undoes them put them back. */
	if (nn_timed_next(v, n) == NN_TIMED_NEVER)
		return 0;
	if (!argv && !run)
		argv = def;
	timed_path(ctx, "", path, sizeof(path));
	if ((fd = nn_dir_open(path, 0755, e)) < 0)
		return -e->code;
	close(fd);
	pid = fork();
	if (pid < 0)
		return nn_error_set(e, errno, "cannot start the reverter");
	if (pid == 0)
		reverter_child(ctx, prog, argv, run);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	/* Ready once it holds its lock: from then on no deadline is lost. */
	for (unsigned int t = 0; t < START_WAIT_MS; t += 5) {
		if (nn_reverter_pid(ctx) != 0)
			return 1;
		nn_proc_sleep_ms(5);
	}
	if (nn_reverter_pid(ctx) != 0)
		return 1;
	return nn_error_setx(e, ESRCH, "the reverter did not start (see \"%s/timed/reverter.log\")",
			     nn_ctx_state_dir(ctx));
}

static void log_error(nn_timed_log_fn log, void *arg, const struct nn_error *e)
{
	if (log)
		log(e->msg, arg);
}

int nn_reverter_run(struct nn_ctx *ctx, nn_timed_revert_fn revert, nn_timed_log_fn log,
		    void *arg, struct nn_error *e)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	_cleanup_close_ int dirfd = -1, lockfd = -1, in = -1, timer = -1;
	char path[PATH_MAX];

	timed_path(ctx, "", path, sizeof(path));
	if ((dirfd = nn_dir_open(path, 0755, e)) < 0)
		return -e->code;
	lockfd = openat(dirfd, "reverter.lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (lockfd < 0)
		return nn_error_set(e, errno, "cannot open \"%s/reverter.lock\"", path);
	if (fcntl(lockfd, F_SETLK, &fl) < 0) {
		if (errno == EAGAIN || errno == EACCES)
			return 0;	/* another reverter runs */
		return nn_error_set(e, errno, "cannot lock \"%s/reverter.lock\"", path);
	}
	/* Watched before the first pass: a record added after it wakes the loop. */
	in = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (in < 0 || inotify_add_watch(in, path, IN_MOVED_TO | IN_CLOSE_WRITE | IN_DELETE | IN_DELETE_SELF) < 0)
		return nn_error_set(e, errno, "cannot watch \"%s\"", path);
	timer = timerfd_create(CLOCK_BOOTTIME, TFD_CLOEXEC | TFD_NONBLOCK);
	if (timer < 0)
		return nn_error_set(e, errno, "cannot make a timer");
	for (;;) {
		struct pollfd p[2] = { { .fd = in, .events = POLLIN }, { .fd = timer, .events = POLLIN } };
		struct itimerspec its = { 0 };
		char drain[4096];
		uint64_t next = UINT64_MAX;
		size_t reverted = 0;
		int ret;

		if (nn_state_lock(ctx, e) < 0)
			return -e->code;
		ret = nn_timed_pass(ctx, nn_timed_now(), false, revert, log, arg, &next, &reverted, e);
		if (ret < 0) {
			/* the file cannot be read: try again in a second */
			log_error(log, arg, e);
			next = nn_timed_now() + 1000000000ULL;
		}
		if (reverted && log) {
			char msg[64];

			snprintf(msg, sizeof(msg), "put back %zu change%s", reverted, reverted == 1 ? "" : "s");
			log(msg, arg);
		}
		if (next == UINT64_MAX) {
			/* Leaving: let go of our lock before the state lock, so that
			 * whoever adds a record next sees no reverter and starts one. */
			close(lockfd);
			lockfd = -1;
			nn_state_unlock();
			return 0;
		}
		nn_state_unlock();
		its.it_value.tv_sec = (time_t)(next / 1000000000ULL);
		its.it_value.tv_nsec = (long)(next % 1000000000ULL);
		if (timerfd_settime(timer, TFD_TIMER_ABSTIME, &its, NULL) < 0)
			return nn_error_set(e, errno, "cannot set the timer");
		while (poll(p, 2, -1) < 0)
			if (errno != EINTR)
				return nn_error_set(e, errno, "cannot wait for the next deadline");
		while (read(in, drain, sizeof(drain)) > 0)
			;
		while (read(timer, drain, sizeof(drain)) > 0)
			;
	}
}
