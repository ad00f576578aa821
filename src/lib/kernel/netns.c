// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Named network namespaces, laid out exactly as iproute2's "ip netns" lays
 * them out, so that either tool sees and manages what the other made.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <linux/magic.h>
#include <linux/nsfs.h>
#include <linux/rtnetlink.h>

#include <libmnl/libmnl.h>

#include "netnsctl/ctx.h"
#include "netnsctl/names.h"
#include "netnsctl/netns.h"
#include "netnsctl/proc.h"
#include "util/file.h"
#include "util/cleanup.h"
#include "kernel/nl.h"

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

/* The loopback device is registered first in every new namespace. */
#define LOOPBACK_IFINDEX 1

/*
 * How long a freshly made empty file may stay unmounted before we call it
 * stale: ip netns add drops its lock before it creates the file, so another
 * ip can be between creating and binding it while we hold the lock.
 */
#define ADD_GRACE_NS	1000000000LL
#define ADD_POLL_NS	5000000L

/* Mirrors ip's invalid_name(): these would escape or alias the run dir. */
static int check_name(const char *name, struct nn_error *e)
{
	if (!nn_netns_name_valid(name))
		return nn_error_setx(e, EINVAL, "invalid namespace name \"%s\"",
				     name ? name : "");
	return 0;
}

static int ns_path(struct nn_ctx *ctx, const char *name, char path[PATH_MAX],
		   struct nn_error *e)
{
	int r = check_name(name, e);

	if (r < 0)
		return r;
	if (snprintf(path, PATH_MAX, "%s/%s", nn_ctx_run_dir(ctx), name) >= PATH_MAX)
		return nn_error_setx(e, ENAMETOOLONG, "namespace path \"%s/%s\" is too long",
				     nn_ctx_run_dir(ctx), name);
	return 0;
}

/*
 * 1 when PATH (relative to DIRFD, symlinks followed as ip follows them) is a
 * network namespace file, with *FD open on it when FD is not NULL; 0 when
 * it is something else, -errno when it cannot be looked at.  O_PATH first:
 * a stale entry might be a FIFO or a device, which a plain open could block
 * on or disturb.
 */
static int netns_at(int dirfd, const char *path, int *out)
{
	_cleanup_close_ int pfd = -1, fd = -1;
	struct statfs sfs;
	int type;

	pfd = openat(dirfd, path, O_PATH | O_CLOEXEC);
	if (pfd < 0)
		return -errno;
	if (fstatfs(pfd, &sfs) < 0)
		return -errno;
	if (sfs.f_type != NSFS_MAGIC)
		return 0;
	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstatfs(fd, &sfs) < 0)
		return -errno;
	if (sfs.f_type != NSFS_MAGIC)
		return 0;
	type = ioctl(fd, NS_GET_NSTYPE);
	if (type < 0 && errno != ENOTTY)	/* ENOTTY: before Linux 4.11 */
		return -errno;
	if (type >= 0 && type != CLONE_NEWNET)
		return 0;
	if (out)
		*out = steal_fd(&fd);
	return 1;
}

/*
 * Shared, so that deleting a namespace (unmounting its file) in one mount
 * namespace unmounts it in all of them and the namespace can be freed.
 * Propagation flags only apply to mount points, hence EINVAL on a plain
 * directory: bind it onto itself to make one.  The bind lands in the peer
 * group of the mount it came from (often a shared /run); making it private
 * before sharing it again gives it a peer group of its own, otherwise every
 * namespace mount would propagate back into /run's peers and, through them,
 * into /run/netns again: mounts multiplying with each add.
 */
static int make_run_dir_shared(const char *dir, struct nn_error *e)
{
	bool made = false;

	while (mount("", dir, "none", MS_SHARED | MS_REC, NULL) < 0) {
		if (errno != EINVAL || made)
			return nn_error_set(e, errno, "cannot make \"%s\" a shared mount", dir);
		if (mount(dir, dir, "none", MS_BIND | MS_REC, NULL) < 0)
			return nn_error_set(e, errno, "cannot bind \"%s\" onto itself", dir);
		if (mount("", dir, "none", MS_PRIVATE | MS_REC, NULL) < 0)
			return nn_error_set(e, errno, "cannot make \"%s\" a private mount", dir);
		made = true;
	}
	return 0;
}

static long long timespec_ns(const struct timespec *ts)
{
	return (long long)ts->tv_sec * 1000000000LL + ts->tv_nsec;
}

/* An empty regular file whose inode changed within the grace period. */
static bool just_created(const char *path)
{
	struct timespec now;
	struct stat st;
	long long age;

	if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size)
		return false;
	clock_gettime(CLOCK_REALTIME, &now);
	age = timespec_ns(&now) - timespec_ns(&st.st_ctim);
	return age >= -ADD_GRACE_NS && age < ADD_GRACE_NS;
}

/* Give a concurrent adder (see ADD_GRACE_NS) the time to bind its namespace. */
static int wait_for_bind(const char *path)
{
	const struct timespec poll = { .tv_nsec = ADD_POLL_NS };
	int i, r;

	for (i = 0; i < ADD_GRACE_NS / ADD_POLL_NS; i++) {
		r = netns_at(AT_FDCWD, path, NULL);
		if (r)
			return r;
		if (!just_created(path))
			return 0;
		nanosleep(&poll, NULL);
	}
	return netns_at(AT_FDCWD, path, NULL);
}

/* A mount that is not a namespace, or several stacked mounts: detach all. */
static void umount_all(const char *path)
{
	int i;

	for (i = 0; i < 64; i++)
		if (umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW) < 0)
			break;
}

/*
 * Make PATH an empty file for the namespace: 1 when made, 0 when it already
 * is a live namespace.  Anything else found there is stale (a crash between
 * creating and binding the file, or a dead symlink) and is replaced.
 */
static int create_ns_file(const char *path, struct nn_error *e)
{
	struct stat st;
	int attempt, fd, r;

	for (attempt = 0; attempt < 4; attempt++) {
		fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
		if (fd >= 0) {
			close(fd);
			return 1;
		}
		if (errno != EEXIST)
			return nn_error_set(e, errno, "cannot create \"%s\"", path);

		r = netns_at(AT_FDCWD, path, NULL);
		if (r == 0)
			r = wait_for_bind(path);
		if (r > 0)
			return 0;
		if (r == -ENOENT && lstat(path, &st) < 0 && errno == ENOENT)
			continue;	/* removed under us: try again */
		if (r < 0 && r != -ENOENT)
			return nn_error_set(e, -r, "cannot inspect \"%s\"", path);

		umount_all(path);
		if (unlink(path) < 0 && errno != ENOENT)
			return nn_error_set(e, errno, "cannot remove stale \"%s\"", path);
	}
	return nn_error_setx(e, EEXIST, "cannot create \"%s\": replaced by someone else each time",
			     path);
}

/*
 * A new network namespace, not named yet: *FD holds it, *NL is an rtnetlink
 * socket made inside it (the handle's socket later: no setns to open one)
 * and *COOKIE its cookie, read from that socket.  The calling thread is back
 * in its own namespace afterwards.  /proc/thread-self: in a thread,
 * /proc/self/ns/net is the main thread's namespace, not the one unshare()
 * just made.
 */
static int new_netns(const char *name, int *fd, struct mnl_socket **nl, uint64_t *cookie,
		     struct nn_error *e)
{
	_cleanup_close_ int saved = -1;
	socklen_t len = sizeof(*cookie);
	int r = 0, err = 0;

	*fd = -1;
	*nl = NULL;
	saved = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (saved < 0)
		return nn_error_set(e, errno, "cannot open the current network namespace");
	if (unshare(CLONE_NEWNET) < 0)
		return nn_error_set(e, errno, "cannot create namespace \"%s\"", name);
	*fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (*fd < 0)
		r = nn_error_set(e, errno, "cannot open new namespace \"%s\"", name);
	else if (!(*nl = nn_rtnl_open(&err)))
		r = nn_error_set(e, err, "cannot open a netlink socket in new namespace \"%s\"", name);
	else if (getsockopt(mnl_socket_get_fd(*nl), SOL_SOCKET, SO_NETNS_COOKIE, cookie, &len) < 0)
		r = nn_error_set(e, errno, "cannot read the cookie of new namespace \"%s\"", name);
	/* Staying would leave every later request of this thread in the new namespace. */
	if (setns(saved, CLONE_NEWNET) < 0)
		abort();
	if (r < 0) {
		if (*nl)
			mnl_socket_close(*nl);
		*nl = NULL;
		if (*fd >= 0)
			close(*fd);
		*fd = -1;
	}
	return r;
}

/* Bind namespace FD to PATH. */
static int bind_netns(int fd, const char *path, const char *name, struct nn_error *e)
{
	char src[64];

	snprintf(src, sizeof(src), "/proc/self/fd/%d", fd);
	if (mount(src, path, "none", MS_BIND, NULL) < 0)
		return nn_error_set(e, errno, "cannot bind namespace \"%s\" to \"%s\"", name, path);
	return 0;
}

static int bring_lo_up(struct nn_ns *ns, struct nn_error *e)
{
	char buf[256] __attribute__((aligned(NLMSG_ALIGNTO))) = { 0 };
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWLINK;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = LOOPBACK_IFINDEX;
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	return nn_mnl_talk(ns, nlh, NULL, NULL, e, "cannot bring up lo in %s", nn_ns_label(ns));
}

/*
 * Parallel adds once built recursive mounts until machines hung
 * (https://bugs.debian.org/949235), hence the lock; it also keeps two of our
 * adds from taking each other's half-made file for a stale one.  ip locks
 * only around the mount setup and goes on without the lock when flock fails;
 * so do we, rather than refuse what ip would do.
 */
static int lock_run_dir(const char *dir, int *lock, struct nn_error *e)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return nn_error_set(e, errno, "cannot open \"%s\"", dir);
	while (flock(fd, LOCK_EX) < 0 && errno == EINTR)
		;
	*lock = fd;
	return 0;
}

/* The run dir this process made a shared mount point already. */
static char *shared_dir;

int nn_netns_add(struct nn_ctx *ctx, const char *name, struct nn_error *e)
{
	return nn_netns_add_proven(ctx, name, NULL, NULL, e);
}

int nn_netns_add_proven(struct nn_ctx *ctx, const char *name, nn_netns_intent_cb intent,
			void *arg, struct nn_error *e)
{
	const char *dir = nn_ctx_run_dir(ctx);
	_cleanup_close_ int lock = -1, fd = -1;
	struct mnl_socket *nl = NULL;
	char path[PATH_MAX];
	uint64_t cookie = 0;
	struct nn_ns *ns;
	int r;

	r = ns_path(ctx, name, path, e);
	if (r < 0)
		return r;
	r = lock_run_dir(dir, &lock, e);
	if (r == -ENOENT) {
		nn_error_clear(e);
		if ((r = nn_mkdir_p(dir, 0755, e)) < 0 || (r = lock_run_dir(dir, &lock, e)) < 0)
			return r;
	}
	if (r < 0)
		return r;
	/* Once a process: iproute2 does it for each add because each add is a
	 * process of its own. */
	if (!shared_dir || strcmp(shared_dir, dir)) {
		r = make_run_dir_shared(dir, e);
		if (r < 0)
			return r;
		free(shared_dir);
		shared_dir = strdup(dir);
	}

	/*
	 * The namespace first, then its intent with its cookie, then its name:
	 * whatever is named NAME after a kill from here on either bears that
	 * cookie or is not ours.  Killed before the intent is written, the
	 * namespace dies with this process.
	 */
	if (netns_at(AT_FDCWD, path, NULL) > 0)
		return 0;
	r = new_netns(name, &fd, &nl, &cookie, e);
	if (r < 0)
		return r;
	if ((intent && (r = intent(cookie, arg, e)) < 0) || (r = create_ns_file(path, e)) <= 0) {
		mnl_socket_close(nl);
		return r;
	}
	r = bind_netns(fd, path, name, e);
	if (r < 0) {
		mnl_socket_close(nl);
		unlink(path);
		return r;
	}
	/* Named: the context's handle of NAME from now on, with the socket
	 * made inside and the cookie read there. */
	r = nn_ctx_ns_adopt(ctx, name, steal_fd(&fd), nl, &cookie, &ns, e);
	if (r >= 0)
		r = bring_lo_up(ns, e);
	if (r < 0) {
		nn_ctx_ns_forget(ctx, name);
		umount_all(path);
		unlink(path);
		return r;
	}
	return 1;
}

int nn_netns_del(struct nn_ctx *ctx, const char *name, struct nn_error *e)
{
	_cleanup_close_ int lock = -1;
	char path[PATH_MAX];
	int r;

	r = ns_path(ctx, name, path, e);
	if (r < 0)
		return r;
	/* Our cached fd and sockets would keep the namespace alive. */
	nn_ctx_ns_forget(ctx, name);
	r = lock_run_dir(nn_ctx_run_dir(ctx), &lock, e);
	if (r == -ENOENT) {
		nn_error_clear(e);
		return 0;
	}
	if (r < 0)
		return r;
	/* NOFOLLOW: a symlink's target is not ours to unmount, only the link.
	 * One unmount is the rule; EBUSY from the unlink says more are
	 * stacked on it, and they go too. */
	if (umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW) < 0 && errno == ENOENT)
		return 0;
	r = unlink(path);
	if (r < 0 && errno == EBUSY) {
		umount_all(path);
		r = unlink(path);
	}
	if (r < 0)
		return errno == ENOENT ? 0 : nn_error_set(e, errno, "cannot delete namespace \"%s\"", name);
	return 1;
}

int nn_netns_exists(struct nn_ctx *ctx, const char *name, struct nn_error *e)
{
	return nn_netns_open(ctx, name, NULL, e);
}

int nn_netns_open(struct nn_ctx *ctx, const char *name, int *fd, struct nn_error *e)
{
	char path[PATH_MAX];
	int r;

	if (ns_path(ctx, name, path, NULL) < 0)
		return 0;
	r = netns_at(AT_FDCWD, path, fd);
	if (r == -ENOENT || r == -ENOTDIR || r == -ELOOP)
		return 0;
	/* Not knowing is not "absent": a caller must not make it again, nor
	 * skip it as gone. */
	if (r < 0)
		return nn_error_set(e, -r, "cannot look at namespace \"%s\"", name);
	return r > 0;
}

int nn_netns_cookie(struct nn_ctx *ctx, const char *name, uint64_t *cookie, struct nn_error *e)
{
	struct nn_ns *ns;
	int fd;

	if (nn_ctx_ns_cached(ctx, name, &ns))
		return nn_ns_cookie(ns, cookie, e);
	if ((fd = nn_netns_cookie_fd(ctx, name, cookie, e)) < 0)
		return fd;
	close(fd);
	return 0;
}

int nn_netns_same(struct nn_ctx *ctx, const char *name, struct nn_ns *ns)
{
	char path[PATH_MAX];
	struct stat a, b;

	return ns_path(ctx, name, path, NULL) == 0 && stat(path, &a) == 0 &&
	       fstat(nn_ns_fd(ns), &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

int nn_netns_cookie_fd(struct nn_ctx *ctx, const char *name, uint64_t *cookie, struct nn_error *e)
{
	char path[PATH_MAX];
	_cleanup_close_ int fd = -1, self = -1;

	if (ns_path(ctx, name, path, e) < 0)
		return -e->code;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? nn_error_setx(e, ENOENT, "namespace \"%s\" does not exist", name)
				       : nn_error_set(e, errno, "cannot open namespace \"%s\"", name);
	self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return nn_error_set(e, errno, "cannot open the current network namespace");
	if (nn_netns_fd_cookie(fd, self, name, cookie, e) < 0)
		return -e->code;
	return steal_fd(&fd);
}

/* The cookie of the namespace FD is open on, from a socket made inside it. */
static int cookie_by_socket(int fd, int self, const char *name, uint64_t *cookie,
			    struct nn_error *e)
{
	_cleanup_close_ int sock = -1;
	socklen_t len = sizeof(*cookie);
	int err = 0;

	if (setns(fd, CLONE_NEWNET) < 0)
		return nn_error_set(e, errno, "cannot enter namespace \"%s\"", name);
	/* Any socket carries its namespace's cookie; a datagram unix socket
	 * is the cheapest to make. */
	sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		err = errno;
	if (setns(self, CLONE_NEWNET) < 0)
		abort();	/* every later request would go to the wrong namespace */
	if (sock < 0)
		return nn_error_set(e, err, "cannot open a socket in namespace \"%s\"", name);
	if (getsockopt(sock, SOL_SOCKET, SO_NETNS_COOKIE, cookie, &len) < 0)
		return nn_error_set(e, errno, "cannot read the cookie of namespace \"%s\"", name);
	return 0;
}

/* NS_GET_ID (Linux 6.18): the namespace's id, without entering it. */
#ifndef NS_GET_ID
#define NS_GET_ID _IOR(NSIO, 0xd, uint64_t)
#endif

/*
 * Is a network namespace's NS_GET_ID its cookie on this kernel?  On 6.18
 * both are the one id the namespace gets when it is made; the ioctl is not
 * taken on trust: the first namespace read, and the caller's own, must
 * give the same by the ioctl as by a socket made inside them.  -1 until
 * known (a socket that could not be made, EMFILE, says nothing), then 0 or
 * 1 for the rest of the process.
 */
static _Atomic int id_is_cookie = -1;

static int learn_id_is_cookie(int fd, int self, const char *name, uint64_t *cookie,
			      struct nn_error *e)
{
	_cleanup_close_ int sock = -1;
	uint64_t id = 0, self_id = 0, self_cookie = 0;
	socklen_t len = sizeof(self_cookie);

	if (cookie_by_socket(fd, self, name, cookie, e) < 0)
		return -e->code;
	/* SELF is where this thread is now: a socket made here is SELF's. */
	sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sock < 0 || getsockopt(sock, SOL_SOCKET, SO_NETNS_COOKIE, &self_cookie, &len) < 0)
		return 0;
	id_is_cookie = ioctl(self, NS_GET_ID, &self_id) == 0 && ioctl(fd, NS_GET_ID, &id) == 0 &&
		       self_id == self_cookie && id == *cookie;
	return 0;
}

int nn_netns_fd_cookie(int fd, int self, const char *name, uint64_t *cookie, struct nn_error *e)
{
	int known = id_is_cookie;

	if (known < 0)
		return learn_id_is_cookie(fd, self, name, cookie, e);
	/* setns(CLONE_NEWNET) takes network namespaces only: so does this. */
	if (known && ioctl(fd, NS_GET_NSTYPE) == CLONE_NEWNET && ioctl(fd, NS_GET_ID, cookie) == 0)
		return 0;
	return cookie_by_socket(fd, self, name, cookie, e);
}

int nn_netns_dead(struct nn_ctx *ctx, const char *name, struct nn_error *e)
{
	char path[PATH_MAX];
	struct stat st, dir;
	int r;

	if (ns_path(ctx, name, path, NULL) < 0)
		return 0;
	r = wait_for_bind(path);
	if (r != 0)
		return r == -ENOENT || r > 0 ? 0 : nn_error_set(e, -r, "cannot look at namespace \"%s\"", name);
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : nn_error_set(e, errno, "cannot look at namespace \"%s\"", name);
	if (stat(nn_ctx_run_dir(ctx), &dir) < 0)
		return nn_error_set(e, errno, "cannot read \"%s\"", nn_ctx_run_dir(ctx));
	/* A mount on it (of anything) is on another device: not ours to undo. */
	return S_ISREG(st.st_mode) && st.st_size == 0 && st.st_dev == dir.st_dev;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void nn_netns_list_free(char **names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

int nn_netns_list(struct nn_ctx *ctx, char ***names, size_t *n, struct nn_error *e)
{
	const char *dir = nn_ctx_run_dir(ctx);
	char **v = NULL;
	size_t len = 0, cap = 0;
	struct dirent *ent;
	DIR *d;
	int r = 0;

	*names = NULL;
	*n = 0;
	d = opendir(dir);
	if (!d) {
		if (errno == ENOENT)
			return 0;
		return nn_error_set(e, errno, "cannot list \"%s\"", dir);
	}
	for (;;) {
		errno = 0;
		ent = readdir(d);
		if (!ent) {
			if (errno)
				r = nn_error_set(e, errno, "cannot list \"%s\"", dir);
			break;
		}
		if (!strcmp(ent->d_name, ".") || !strcmp(ent->d_name, ".."))
			continue;
		if (netns_at(dirfd(d), ent->d_name, NULL) <= 0)
			continue;
		if (len == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			char **nv = realloc(v, ncap * sizeof(*v));

			if (!nv) {
				r = nn_error_set(e, ENOMEM, "cannot list \"%s\"", dir);
				break;
			}
			v = nv;
			cap = ncap;
		}
		v[len] = strdup(ent->d_name);
		if (!v[len]) {
			r = nn_error_set(e, ENOMEM, "cannot list \"%s\"", dir);
			break;
		}
		len++;
	}
	closedir(d);
	if (r < 0) {
		nn_netns_list_free(v, len);
		return r;
	}
	if (len)
		qsort(v, len, sizeof(*v), cmp_names);
	*names = v;
	*n = len;
	return 0;
}

/*
 * A sysfs of NAME's own, so /sys/class/net shows its devices.  ip keeps the
 * old /sys's read-only flag only when it cannot unmount it; we keep it
 * always: a read-only /sys was made so on purpose.
 */
static int remount_sys(const char *name, struct nn_error *e)
{
	unsigned long flags = 0;
	struct statvfs sv;

	if (statvfs("/sys", &sv) == 0 && (sv.f_flag & ST_RDONLY))
		flags = MS_RDONLY;
	/* Failing is fine: maybe nothing was mounted there; then we overlay. */
	umount2("/sys", MNT_DETACH);
	if (mount(name, "/sys", "sysfs", flags, NULL) < 0)
		return nn_error_set(e, errno, "cannot mount sysfs for namespace \"%s\" on \"/sys\"",
				    name);
	return 0;
}

/*
 * Bind each ETC_DIR/NAME/X over /etc/X.  As with ip, an X that /etc does
 * not have is skipped; any other failure is an error here (ip only warns)
 * because running with the host's file instead, say its resolv.conf, is
 * exactly what the user set this up to avoid.
 */
static int bind_etc(struct nn_ctx *ctx, const char *name, struct nn_error *e)
{
	char dir[PATH_MAX], src[PATH_MAX], dst[PATH_MAX];
	struct dirent *ent;
	DIR *d;
	int r = 0;

	if (snprintf(dir, sizeof(dir), "%s/%s", nn_ctx_etc_dir(ctx), name) >= (int)sizeof(dir))
		return nn_error_setx(e, ENAMETOOLONG, "path \"%s/%s\" is too long",
				     nn_ctx_etc_dir(ctx), name);
	d = opendir(dir);
	if (!d) {
		if (errno == ENOENT)
			return 0;
		return nn_error_set(e, errno, "cannot read \"%s\"", dir);
	}
	for (;;) {
		errno = 0;
		ent = readdir(d);
		if (!ent) {
			if (errno)
				r = nn_error_set(e, errno, "cannot read \"%s\"", dir);
			break;
		}
		if (!strcmp(ent->d_name, ".") || !strcmp(ent->d_name, ".."))
			continue;
		if (snprintf(src, sizeof(src), "%s/%s", dir, ent->d_name) >= (int)sizeof(src) ||
		    snprintf(dst, sizeof(dst), "/etc/%s", ent->d_name) >= (int)sizeof(dst)) {
			r = nn_error_setx(e, ENAMETOOLONG, "path \"%s/%s\" is too long", dir,
					  ent->d_name);
			break;
		}
		if (mount(src, dst, "none", MS_BIND, NULL) < 0 && errno != ENOENT) {
			r = nn_error_set(e, errno, "cannot bind \"%s\" over \"%s\"", src, dst);
			break;
		}
	}
	closedir(d);
	return r;
}

int nn_netns_exec(struct nn_ctx *ctx, const char *name, char *const argv[], struct nn_error *e)
{
	_cleanup_close_ int fd = -1;
	char path[PATH_MAX];
	int r;

	r = ns_path(ctx, name, path, e);
	if (r < 0)
		return r;
	if (!argv || !argv[0])
		return nn_error_setx(e, EINVAL, "no command to run in namespace \"%s\"", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return nn_error_setx(e, ENOENT, "namespace \"%s\" does not exist", name);
		return nn_error_set(e, errno, "cannot open namespace \"%s\"", name);
	}
	if (setns(fd, CLONE_NEWNET) < 0) {
		if (errno == EINVAL)
			return nn_error_setx(e, EINVAL, "\"%s\" is not a network namespace", path);
		return nn_error_set(e, errno, "cannot enter namespace \"%s\"", name);
	}
	/* Fails with EINVAL in a multithreaded process (shared fs struct). */
	if (unshare(CLONE_NEWNS) < 0)
		return nn_error_set(e, errno, "cannot create a mount namespace for namespace \"%s\"",
				    name);
	/* Keep the /sys and /etc mounts below from propagating back to the host. */
	if (mount("", "/", "none", MS_SLAVE | MS_REC, NULL) < 0)
		return nn_error_set(e, errno, "cannot make \"/\" a slave mount");
	r = remount_sys(name, e);
	if (r < 0)
		return r;
	r = bind_etc(ctx, name, e);
	if (r < 0)
		return r;
	nn_proc_restore_nofile();
	execvp(argv[0], argv);
	return nn_error_set(e, errno, "cannot run \"%s\"", argv[0]);
}
