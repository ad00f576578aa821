// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/close_range.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "netnsctl/proc.h"
#include "util/cleanup.h"
#include "util/file.h"
#include "util/show.h"

uint64_t nn_proc_argv_hash(char *const argv[])
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; argv[i]; i++) {
		for (const unsigned char *c = (const unsigned char *)argv[i]; *c; c++)
			h = (h ^ *c) * 0x100000001b3ULL;
		h = (h ^ 0xff) * 0x100000001b3ULL;	/* word boundary */
	}
	return h;
}

int nn_proc_parse_stat(const char *buf, char *state, uint64_t *start)
{
	const char *p = strrchr(buf, ')');
	char *end;

	/* comm may hold spaces and parentheses: the fields start after the last ')' */
	if (!p || p[1] != ' ' || !p[2] || p[3] != ' ')
		return -EINVAL;
	*state = p[2];
	p += 3;			/* the space before field 4 */
	for (int field = 4; field <= 22; field++) {
		if (*p != ' ')
			return -EINVAL;
		p++;		/* now at field FIELD */
		if (field < 22)
			p += strcspn(p, " ");
	}
	errno = 0;
	*start = strtoull(p, &end, 10);
	if (end == p || errno || (*end != ' ' && *end != '\n' && *end))
		return -EINVAL;
	return 0;
}

/* State and start time of PID. */
static int read_stat(pid_t pid, char *state, uint64_t *start)
{
	char path[64], buf[1024];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	return nn_proc_parse_stat(buf, state, start) < 0 ? -EIO : 0;
}

bool nn_proc_alive(const struct nn_proc *p)
{
	uint64_t start;
	char state;

	if (p->pid <= 1 || read_stat(p->pid, &state, &start) < 0)
		return false;
	/* 0: a record written before the parser was fixed: it read field 21
	 * (always 0) for the start time.  Such a record is trusted on its pid
	 * alone, as it was: taking its command for dead would orphan it. */
	return (start == p->start_time || p->start_time == 0) && state != 'Z' && state != 'X';
}

static struct rlimit nofile_before;
static bool nofile_raised;

void nn_proc_raise_nofile(void)
{
	struct rlimit r;

	if (nofile_raised || getrlimit(RLIMIT_NOFILE, &r) < 0)
		return;
	nofile_before = r;
	/* No more than the kernel's usual fs.nr_open when unlimited. */
	if (r.rlim_max == RLIM_INFINITY || r.rlim_max > 1048576)
		r.rlim_max = 1048576;
	if (r.rlim_cur >= r.rlim_max)
		return;
	r.rlim_cur = r.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &(struct rlimit){ r.rlim_cur, nofile_before.rlim_max }) == 0)
		nofile_raised = true;
}

void nn_proc_restore_nofile(void)
{
	if (nofile_raised)
		setrlimit(RLIMIT_NOFILE, &nofile_before);
}

static void __attribute__((noreturn)) child(int nsfd, char *const argv[], const char *log, int gofd,
					   int errfd)
{
	char go = 0;
	ssize_t r;
	int err, fd;

	if (setns(nsfd, CLONE_NEWNET) < 0 || setsid() < 0)
		goto fail;
	if ((fd = open("/dev/null", O_RDONLY)) < 0 || dup2(fd, 0) < 0)
		goto fail;
	if ((fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW, 0644)) < 0 || dup2(fd, 1) < 0 ||
	    dup2(fd, 2) < 0)
		goto fail;
	/* Nothing of netnsctl's (the state lock, netlink sockets) may live on in it. */
	syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC);
	signal(SIGPIPE, SIG_DFL);
	nn_proc_restore_nofile();
	/* Only once the parent has recorded the pid: a netnsctl killed before
	 * that must not leave a process nobody knows of (EOF: give up). */
	do
		r = read(gofd, &go, 1);
	while (r < 0 && errno == EINTR);
	if (r != 1 || go != 'g')
		_exit(127);
	execvp(argv[0], argv);
fail:
	err = errno;
	if (write(errfd, &err, sizeof(err)) < 0)
		_exit(127);
	_exit(127);
}

int nn_proc_start(int nsfd, char *const argv[], const char *log, struct nn_proc *p,
		  nn_proc_record_cb record, void *arg, struct nn_error *e)
{
	struct nn_shown sh;
	int errpipe[2], gopipe[2], err = 0, ret;
	char state;
	ssize_t n;
	pid_t pid;

	if (pipe2(errpipe, O_CLOEXEC) < 0)
		return nn_error_set(e, errno, "cannot run \"%s\"", nn_show(&sh, argv[0]));
	if (pipe2(gopipe, O_CLOEXEC) < 0) {
		err = errno;
		close(errpipe[0]);
		close(errpipe[1]);
		return nn_error_set(e, err, "cannot run \"%s\"", nn_show(&sh, argv[0]));
	}
	pid = fork();
	if (pid < 0) {
		err = errno;
		close(errpipe[0]);
		close(errpipe[1]);
		close(gopipe[0]);
		close(gopipe[1]);
		return nn_error_set(e, err, "cannot run \"%s\"", nn_show(&sh, argv[0]));
	}
	if (pid == 0) {
		close(gopipe[1]);
		child(nsfd, argv, log, gopipe[0], errpipe[1]);
	}
	close(errpipe[1]);
	close(gopipe[0]);
	p->pid = pid;
	if (read_stat(pid, &state, &p->start_time) < 0)
		p->start_time = 0;
	p->argv_hash = nn_proc_argv_hash(argv);
	ret = record ? record(p, arg, e) : 0;
	if (ret < 0 || write(gopipe[1], "g", 1) != 1) {
		if (ret >= 0)
			ret = nn_error_set(e, errno, "cannot run \"%s\"", nn_show(&sh, argv[0]));
		close(gopipe[1]);
		close(errpipe[0]);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return ret;
	}
	close(gopipe[1]);
	/* EOF: the exec happened (the pipe is close-on-exec); else its errno. */
	do
		n = read(errpipe[0], &err, sizeof(err));
	while (n < 0 && errno == EINTR);
	close(errpipe[0]);
	if (n == sizeof(err)) {
		waitpid(pid, NULL, 0);
		return nn_error_set(e, err, "cannot run \"%s\"", nn_show(&sh, argv[0]));
	}
	return 0;
}

int nn_proc_stop(const struct nn_proc *p, unsigned int timeout_ms, struct nn_error *e)
{
	struct timespec tick = { 0, 20 * 1000 * 1000 };

	if (!nn_proc_alive(p))
		return 0;
	/* The group: what a shell command started goes too. */
	if (kill(-p->pid, SIGTERM) < 0 && kill(p->pid, SIGTERM) < 0 && errno != ESRCH)
		return nn_error_set(e, errno, "cannot stop process %d", (int)p->pid);
	for (unsigned int waited = 0; waited < timeout_ms; waited += 20) {
		/* Our own child (started by this run) must be reaped to go. */
		waitpid(p->pid, NULL, WNOHANG);
		if (!nn_proc_alive(p))
			return 0;
		nanosleep(&tick, NULL);
	}
	if (kill(-p->pid, SIGKILL) < 0 && kill(p->pid, SIGKILL) < 0 && errno != ESRCH)
		return nn_error_set(e, errno, "cannot kill process %d", (int)p->pid);
	for (int i = 0; i < 50 && nn_proc_alive(p); i++) {
		waitpid(p->pid, NULL, WNOHANG);
		nanosleep(&tick, NULL);
	}
	return 0;
}

int nn_proc_load(const char *file, struct nn_proc **out, size_t *n, struct nn_error *e)
{
	_cleanup_fclose_ FILE *f = fopen(file, "re");
	struct nn_proc *a = NULL, p;
	size_t len = 0;
	char line[512];

	*out = NULL;
	*n = 0;
	if (!f)
		return errno == ENOENT ? 0 : nn_error_set(e, errno, "cannot read \"%s\"", file);
	while (fgets(line, sizeof(line), f)) {
		int pid;
		struct nn_proc *na;

		memset(&p, 0, sizeof(p));
		if (sscanf(line, "%255s %u %d %" SCNu64 " %" SCNx64, p.node, &p.index, &pid,
			   &p.start_time, &p.argv_hash) != 5)
			continue;	/* a line cut short by a crash: its process is unknown */
		p.pid = pid;
		if (!(na = realloc(a, (len + 1) * sizeof(*a)))) {
			free(a);
			return nn_error_set(e, ENOMEM, "cannot read \"%s\"", file);
		}
		a = na;
		a[len++] = p;
	}
	*out = a;
	*n = len;
	return 0;
}

int nn_proc_save(const char *file, const struct nn_proc *procs, size_t n, struct nn_error *e)
{
	char dir[4096];
	_cleanup_free_ char *text = NULL;
	_cleanup_close_ int dirfd = -1;
	const char *base = strrchr(file, '/');
	size_t len = 0;
	FILE *f;
	int ret;

	if (n == 0) {
		if (unlink(file) < 0 && errno != ENOENT)
			return nn_error_set(e, errno, "cannot remove \"%s\"", file);
		return 0;
	}
	snprintf(dir, sizeof(dir), "%.*s", base ? (int)(base - file) : 1, base ? file : ".");
	base = base ? base + 1 : file;
	if (!(f = open_memstream(&text, &len)))
		return nn_error_set(e, errno, "cannot write \"%s\"", file);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s %u %d %" PRIu64 " %" PRIx64 "\n", procs[i].node, procs[i].index,
			(int)procs[i].pid, procs[i].start_time, procs[i].argv_hash);
	ret = ferror(f);
	if (fclose(f) != 0 || ret)
		return nn_error_set(e, ENOMEM, "cannot write \"%s\"", file);
	/* Relative to the lab's directory, never through a symlink (file.h). */
	if ((dirfd = nn_dir_open(dir, 0, e)) < 0)
		return -e->code;
	return nn_file_replace_at(dirfd, dir, base, -1, text, len, 0600, true, e);
}

void nn_proc_detach(struct nn_ctx *ctx, const char *log, off_t log_max)
{
	char old[PATH_MAX];
	struct stat st;
	sigset_t none;
	int fd;

	if (setsid() < 0)
		_exit(127);
	if (fork() != 0)
		_exit(0);
	if (chdir("/") < 0)
		_exit(127);
	umask(022);
	for (int sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd < 0 || dup2(fd, 0) < 0 || dup2(fd, 1) < 0)
		_exit(127);
	/* One old log is kept. */
	if (stat(log, &st) == 0 && st.st_size > log_max) {
		snprintf(old, sizeof(old), "%s.old", log);
		rename(log, old);
	}
	fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || dup2(fd, 2) < 0)
		_exit(127);
	syscall(SYS_close_range, 3U, ~0U, 0U);
	setenv("NETNSCTL_RUN_DIR", nn_ctx_run_dir(ctx), 1);
	setenv("NETNSCTL_STATE_DIR", nn_ctx_state_dir(ctx), 1);
	setenv("NETNSCTL_ETC_DIR", nn_ctx_etc_dir(ctx), 1);
}

pid_t nn_proc_lock_holder(const char *path)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return errno == EACCES ? -1 : 0;
	if (fcntl(fd, F_GETLK, &fl) < 0 || fl.l_type == F_UNLCK)
		return 0;
	return fl.l_pid > 0 ? fl.l_pid : -1;
}

void nn_proc_sleep_ms(unsigned int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}
