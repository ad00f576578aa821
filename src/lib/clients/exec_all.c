// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "netnsctl/exec_all.h"
#include "netnsctl/lab.h"
#include "netnsctl/netns.h"
#include "util/show.h"

#define KILL_GRACE_US 1000000ULL	/* SIGTERM, then SIGKILL this much later */

struct running {
	struct nn_exec_job *job;
	pid_t pid;
	int out, err, pidfd;		/* -1 once closed */
	uint64_t start_us, deadline_us;	/* deadline 0: none */
	uint64_t kill_at_us;		/* SIGKILL at, after a SIGTERM; 0: none sent */
};

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Append LEN bytes to a tail of NN_EXEC_TAIL bytes. */
static void tail_add(char *buf, size_t *len, bool *cut, const char *data, size_t n)
{
	if (n >= NN_EXEC_TAIL) {
		memcpy(buf, data + n - NN_EXEC_TAIL, NN_EXEC_TAIL);
		*cut = *cut || *len > 0 || n > NN_EXEC_TAIL;
		*len = NN_EXEC_TAIL;
	} else {
		if (*len + n > NN_EXEC_TAIL) {
			size_t drop = *len + n - NN_EXEC_TAIL;

			memmove(buf, buf + drop, *len - drop);
			*len -= drop;
			*cut = true;
		}
		memcpy(buf + *len, data, n);
		*len += n;
	}
	buf[*len] = '\0';
}

/* Read what FD has (it is non-blocking); close it at EOF. */
static void slurp(int *fd, char *buf, size_t *len, bool *cut)
{
	char chunk[4096];

	while (*fd >= 0) {
		ssize_t n = read(*fd, chunk, sizeof(chunk));

		if (n > 0) {
			tail_add(buf, len, cut, chunk, n);
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		close_fd(fd);	/* EOF or an error */
	}
}

/* The child: never returns. */
static void child(struct nn_ctx *ctx, const char *name, char *const argv[], int out, int err)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE };
	struct nn_error e = { 0 };
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	int code;

	/* A group of its own: a timeout stops whatever the command started. */
	setpgid(0, 0);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		signal(sigs[i], SIG_DFL);
	if (null < 0 || dup2(null, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
		_exit(126);
	nn_netns_exec(ctx, name, argv, &e);
	dprintf(2, "netnsctl: %s\n", e.msg);
	code = e.code == ENOENT ? 127 : e.code == EACCES || e.code == ENOEXEC || e.code == EISDIR ? 126 : 1;
	_exit(code);
}

static int start(struct nn_ctx *ctx, struct running *r, struct nn_exec_job *job,
		 char *const argv[], unsigned timeout_ms)
{
	int out[2] = { -1, -1 }, err[2] = { -1, -1 }, saved;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	r->job = job;
	r->out = r->err = r->pidfd = -1;
	job->status = -1;
	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0)
		goto fail;
	r->start_us = now_us();
	pid = fork();
	if (pid < 0)
		goto fail;
	if (pid == 0)
		child(ctx, job->name, argv, out[1], err[1]);
	/* Both sides: no race with a kill of the group before the child's own setpgid. */
	setpgid(pid, pid);
	close(out[1]);
	close(err[1]);
	r->pid = pid;
	r->out = out[0];
	r->err = err[0];
	fcntl(r->out, F_SETFL, O_NONBLOCK);
	fcntl(r->err, F_SETFL, O_NONBLOCK);
	r->pidfd = syscall(SYS_pidfd_open, pid, 0);
	if (timeout_ms)
		r->deadline_us = r->start_us + (uint64_t)timeout_ms * 1000;
	job->ran = true;
	return 0;
fail:
	saved = errno;
	for (int i = 0; i < 2; i++) {
		close_fd(&out[i]);
		close_fd(&err[i]);
	}
	job->err_len = snprintf(job->err, sizeof(job->err), "netnsctl: cannot start: %s\n",
				strerror(saved));
	return -saved;
}

/* R's process ended with STATUS. */
static void finish(struct running *r, int status)
{
	struct nn_exec_job *job = r->job;

	/* What it wrote before exiting; a background child of its own that
	 * keeps the pipes open is not waited for. */
	slurp(&r->out, job->out, &job->out_len, &job->out_cut);
	slurp(&r->err, job->err, &job->err_len, &job->err_cut);
	close_fd(&r->out);
	close_fd(&r->err);
	close_fd(&r->pidfd);
	job->duration_us = now_us() - r->start_us;
	if (WIFEXITED(status)) {
		job->status = WEXITSTATUS(status);
	} else {
		job->signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
		job->status = 128 + job->signal;
	}
	if (job->timed_out)
		job->status = NN_EXEC_TIMED_OUT;
	r->pid = 0;
}

static void stop(struct running *r, uint64_t now)
{
	if (r->kill_at_us)
		return;
	kill(-r->pid, SIGTERM);
	r->kill_at_us = now + KILL_GRACE_US;
}

int nn_exec_all(struct nn_ctx *ctx, struct nn_exec_job *jobs, size_t n, char *const argv[],
		unsigned parallel, unsigned timeout_ms, struct nn_error *e)
{
	struct running *run;
	struct pollfd *pfd;
	size_t next = 0, nrun = 0;
	int failed = 0;
	bool cancelled = false;

	if (!argv || !argv[0])
		return nn_error_setx(e, EINVAL, "no command to run");
	if (parallel < 1)
		parallel = 1;
	if (parallel > n)
		parallel = n ? n : 1;
	run = calloc(parallel, sizeof(*run));
	pfd = calloc(parallel * 3, sizeof(*pfd));
	if (!run || !pfd) {
		free(run);
		free(pfd);
		return nn_error_set(e, ENOMEM, "cannot run %zu commands", n);
	}
	for (size_t i = 0; i < n; i++) {
		jobs[i].ran = false;
		jobs[i].status = -1;
	}
	for (;;) {
		uint64_t now = now_us(), wake = UINT64_MAX;
		int timeout, np = 0;

		if (!cancelled && nn_plan_cancelled()) {
			cancelled = true;
			for (size_t i = 0; i < nrun; i++)
				stop(&run[i], now);
		}
		while (!cancelled && next < n && nrun < parallel) {
			if (start(ctx, &run[nrun], &jobs[next], argv, timeout_ms) == 0)
				nrun++;
			next++;
		}
		if (nrun == 0)
			break;
		for (size_t i = 0; i < nrun; i++) {
			struct running *r = &run[i];

			if (r->deadline_us && now >= r->deadline_us && !r->kill_at_us) {
				r->job->timed_out = true;
				stop(r, now);
			}
			if (r->kill_at_us && now >= r->kill_at_us)
				kill(-r->pid, SIGKILL);
			if (r->deadline_us && !r->kill_at_us && r->deadline_us < wake)
				wake = r->deadline_us;
			if (r->kill_at_us && r->kill_at_us > now && r->kill_at_us < wake)
				wake = r->kill_at_us;
			pfd[np++] = (struct pollfd){ .fd = r->out, .events = POLLIN };
			pfd[np++] = (struct pollfd){ .fd = r->err, .events = POLLIN };
			pfd[np++] = (struct pollfd){ .fd = r->pidfd, .events = POLLIN };
		}
		/* Without a pidfd (an old kernel) an exit is polled for. */
		for (size_t i = 0; i < nrun; i++)
			if (run[i].pidfd < 0 && now + 20000 < wake)
				wake = now + 20000;
		timeout = wake == UINT64_MAX ? -1 : wake <= now ? 0 : (int)((wake - now + 999) / 1000);
		/* A signal (EINTR) brings the cancellation check round. */
		poll(pfd, np, timeout);
		for (size_t i = 0; i < nrun;) {
			struct running *r = &run[i];
			int status;
			pid_t w;

			slurp(&r->out, r->job->out, &r->job->out_len, &r->job->out_cut);
			slurp(&r->err, r->job->err, &r->job->err_len, &r->job->err_cut);
			w = waitpid(r->pid, &status, WNOHANG);
			if (w != r->pid) {
				i++;
				continue;
			}
			finish(r, status);
			failed += r->job->status != 0;
			run[i] = run[--nrun];
		}
	}
	free(run);
	free(pfd);
	if (cancelled)
		return nn_error_setx(e, ECANCELED, "interrupted by signal %d: %zu of %zu commands not started",
				     nn_plan_cancelled(), n - next, n);
	for (size_t i = 0; i < n; i++)
		failed += !jobs[i].ran;
	return failed;
}
