// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <poll.h>
#include <stdarg.h>
#include <sys/ioctl.h>
#include <sys/pidfd.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <linux/sockios.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#include "netnsctl/clients.h"
#include "netnsctl/proc.h"
#include "netnsctl/ctx.h"
#include "netnsctl/journal.h"
#include "netnsctl/lab.h"
#include "netnsctl/link.h"
#include "netnsctl/names.h"
#include "netnsctl/netns.h"
#include "netnsctl/owner.h"
#include "netnsctl/route.h"
#include "util/cleanup.h"
#include "util/show.h"
#include "dhcp/driver.h"
#include "util/file.h"

#define NEVER UINT64_MAX
#define KEEPER_TICK_MS 5000
#define KEEPER_WAIT_MS 3000
#define RELEASE_WAIT_MS 5000	/* longer than ARP takes to give up (3 probes, 1 s apart) */
#define KEEPER_LOG_MAX (1 << 20)
/* Descriptors the keeper keeps for itself (epoll, signalfd, its lock, the
 * namespace and netlink socket a renewal opens for a moment, a lease file);
 * the rest of its limit is for the sockets of clients in mid-renewal. */
#define KEEPER_FD_RESERVE 16
#define KEEPER_RETRY_MS 1000
#define KEEPER_RETRY_MAX_MS 64000

/* --- names and MACs ------------------------------------------------------ */

int nn_client_name(char *buf, size_t len, const char *prefix, unsigned k, struct nn_error *e)
{
	struct nn_shown shown;
	int n = snprintf(buf, len, "%s%u", prefix, k);

	if (n < 0 || (size_t)n >= len)
		return nn_error_setx(e, EINVAL, "invalid prefix \"%s\": too long", nn_show(&shown, prefix));
	return nn_check_netns_name(buf, e);
}

int nn_client_name_matches(const char *name, const char *prefix)
{
	size_t n = strlen(prefix);
	const char *d = name + n;

	if (strncmp(name, prefix, n) || *d < '1' || *d > '9')
		return 0;
	while (*d >= '0' && *d <= '9')
		d++;
	return *d == '\0';
}

void nn_client_mac_from_name(const char *name, uint8_t mac[6])
{
	uint64_t h = 0xcbf29ce484222325ULL;	/* FNV-1a */

	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		h ^= *p;
		h *= 0x100000001b3ULL;
	}
	/* Mix the high bits down: FNV's low bytes alone differ little between ns1 and ns2. */
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 32;
	for (int i = 0; i < 6; i++)
		mac[i] = h >> (8 * i);
	mac[0] = (mac[0] & 0xfc) | 0x02;	/* unicast, locally administered */
}

int nn_client_check_mac_base(const char *text, const uint8_t mac[6], struct nn_error *e)
{
	if (mac[0] & 0x01)
		return nn_error_setx(e, EINVAL, "invalid MAC base \"%s\": a multicast address", text);
	if (!(mac[0] & 0x02))
		return nn_error_setx(e, EINVAL,
				     "invalid MAC base \"%s\": not locally administered (set bit 0x02 of the first byte)",
				     text);
	return 0;
}

int nn_client_mac_from_base(const uint8_t base[6], unsigned index, uint8_t mac[6],
			    struct nn_error *e)
{
	uint64_t v = 0, w;

	for (int i = 0; i < 6; i++)
		v = v << 8 | base[i];
	w = v + index;
	if (w >> 40 != v >> 40)
		return nn_error_setx(e, EINVAL,
				     "MAC base %02x:%02x:%02x:%02x:%02x:%02x + %u changes its first byte",
				     base[0], base[1], base[2], base[3], base[4], base[5], index);
	for (int i = 5; i >= 0; i--, w >>= 8)
		mac[i] = w & 0xff;
	return 0;
}

/* --- the lease file ------------------------------------------------------ */

static void fmt_ms(char *buf, size_t len, uint64_t v)
{
	if (v == NEVER)
		snprintf(buf, len, "never");
	else
		snprintf(buf, len, "%" PRIu64, v);
}

int nn_client_format(const struct nn_client_info *c, char *buf, size_t len)
{
	char a[INET_ADDRSTRLEN], t[3][24];
	FILE *f = fmemopen(buf, len, "w");
	int ret;

	if (!f)
		return -errno;
	fprintf(f, "name %s\n", c->name);
	fprintf(f, "mac %02x:%02x:%02x:%02x:%02x:%02x\n", c->mac[0], c->mac[1], c->mac[2],
		c->mac[3], c->mac[4], c->mac[5]);
	fprintf(f, "static %d\n", c->is_static);
	if (c->has_addr)
		fprintf(f, "address %s/%u\n", inet_ntop(AF_INET, &c->addr.addr.v4, a, sizeof(a)),
			c->addr.len);
	if (c->has_gateway)
		fprintf(f, "gateway %s\n", inet_ntop(AF_INET, &c->gateway, a, sizeof(a)));
	if (c->server.s_addr)
		fprintf(f, "server %s\n", inet_ntop(AF_INET, &c->server, a, sizeof(a)));
	for (unsigned i = 0; i < c->n_dns && i < NN_DHCP_DNS_MAX; i++)
		fprintf(f, "dns %s\n", inet_ntop(AF_INET, &c->dns[i], a, sizeof(a)));
	if (*c->domain)
		fprintf(f, "domain %s\n", c->domain);
	if (c->has_addr && !c->is_static) {
		fmt_ms(t[0], sizeof(t[0]), c->t1_ms);
		fmt_ms(t[1], sizeof(t[1]), c->t2_ms);
		fmt_ms(t[2], sizeof(t[2]), c->expiry_ms);
		fprintf(f, "lease %" PRIu32 " %" PRIu32 " %" PRIu32 "\n", c->lease_s, c->t1_s, c->t2_s);
		fprintf(f, "times %s %s %s\n", t[0], t[1], t[2]);
		fprintf(f, "expiry %" PRId64 "\n", c->expiry);
	}
	if (!c->is_static && c->acquired_at)
		fprintf(f, "acquired %" PRId64 " %" PRIu64 " %u\n", c->acquired_at, c->acquire_us,
			c->acquire_retransmits);
	if (!c->is_static && c->renewed_at)
		fprintf(f, "renewed %" PRId64 " %" PRIu64 " %u %u\n", c->renewed_at, c->renew_us,
			c->renew_retransmits, c->renewals);
	ret = ferror(f) ? -ENOSPC : 0;
	if (fclose(f) != 0 || ret)
		return -ENOSPC;
	return strlen(buf);
}

static int parse_u64(const char *s, uint64_t *v)
{
	char *end;

	if (!strcmp(s, "never")) {
		*v = NEVER;
		return 0;
	}
	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return errno || *end ? -1 : 0;
}

static int parse_in4(const char *s, struct in_addr *a)
{
	return inet_pton(AF_INET, s, a) == 1 ? 0 : -1;
}

static int parse_line(char *key, char *val, struct nn_client_info *c, struct nn_error *e)
{
	char w[4][24];
	uint64_t u[4];
	int64_t s;
	char end;

	if (!strcmp(key, "name")) {
		if (nn_check_netns_name(val, e) < 0)
			return -1;
		snprintf(c->name, sizeof(c->name), "%s", val);
	} else if (!strcmp(key, "mac")) {
		if (nn_parse_mac(val, c->mac, e) < 0)
			return -1;
	} else if (!strcmp(key, "static")) {
		if (strcmp(val, "0") && strcmp(val, "1"))
			return -1;
		c->is_static = *val == '1';
	} else if (!strcmp(key, "address")) {
		if (nn_parse_ifaddr(val, &c->addr, e) < 0 || c->addr.family != AF_INET)
			return -1;
		c->has_addr = true;
	} else if (!strcmp(key, "gateway")) {
		if (parse_in4(val, &c->gateway) < 0)
			return -1;
		c->has_gateway = true;
	} else if (!strcmp(key, "server")) {
		if (parse_in4(val, &c->server) < 0)
			return -1;
	} else if (!strcmp(key, "dns")) {
		if (c->n_dns >= NN_DHCP_DNS_MAX || parse_in4(val, &c->dns[c->n_dns]) < 0)
			return -1;
		c->n_dns++;
	} else if (!strcmp(key, "domain")) {
		if (strlen(val) >= sizeof(c->domain))
			return -1;
		snprintf(c->domain, sizeof(c->domain), "%s", val);
	} else if (!strcmp(key, "lease")) {
		if (sscanf(val, "%23s %23s %23s %c", w[0], w[1], w[2], &end) != 3)
			return -1;
		for (int i = 0; i < 3; i++)
			if (parse_u64(w[i], &u[i]) < 0 || u[i] > UINT32_MAX)
				return -1;
		c->lease_s = u[0];
		c->t1_s = u[1];
		c->t2_s = u[2];
	} else if (!strcmp(key, "times")) {
		if (sscanf(val, "%23s %23s %23s %c", w[0], w[1], w[2], &end) != 3)
			return -1;
		for (int i = 0; i < 3; i++)
			if (parse_u64(w[i], &u[i]) < 0)
				return -1;
		c->t1_ms = u[0];
		c->t2_ms = u[1];
		c->expiry_ms = u[2];
	} else if (!strcmp(key, "acquired") || !strcmp(key, "renewed")) {
		bool renewed = key[0] == 'r';
		unsigned n = renewed ? 4 : 3;

		/* wall clock, microseconds, retransmissions[, renewals] */
		if (sscanf(val, "%23s %23s %23s %23s %c", w[0], w[1], w[2], w[3], &end) != (int)n)
			return -1;
		for (unsigned i = 0; i < n; i++)
			if (parse_u64(w[i], &u[i]) < 0 || u[i] == NEVER || (i >= 2 && u[i] > UINT_MAX) ||
			    (i == 0 && (u[i] == 0 || u[i] > INT64_MAX)))
				return -1;
		if (renewed) {
			c->renewed_at = u[0];
			c->renew_us = u[1];
			c->renew_retransmits = u[2];
			c->renewals = u[3];
		} else {
			c->acquired_at = u[0];
			c->acquire_us = u[1];
			c->acquire_retransmits = u[2];
		}
	} else if (!strcmp(key, "expiry")) {
		char *endp;

		errno = 0;
		s = strtoll(val, &endp, 10);
		if (errno || endp == val || *endp || s < 0)
			return -1;
		c->expiry = s;
	} else {
		return -1;
	}
	return 0;
}

int nn_client_parse(const char *text, struct nn_client_info *c, struct nn_error *e)
{
	_cleanup_free_ char *copy = strdup(text);
	char *line, *save = NULL;
	unsigned lineno = 0;

	memset(c, 0, sizeof(*c));
	if (!copy)
		return nn_error_set(e, ENOMEM, "cannot parse a client file");
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *sp = strchr(line, ' ');
		struct nn_error le = { 0 };

		lineno++;
		if (!sp)
			return nn_error_setx(e, EINVAL, "client file line %u: no value in \"%.64s\"",
					     lineno, line);
		*sp = '\0';
		if (parse_line(line, sp + 1, c, &le) < 0)
			return nn_error_setx(e, EINVAL, "client file line %u: bad %s \"%.64s\"", lineno,
					     line, sp + 1);
	}
	if (!*c->name)
		return nn_error_setx(e, EINVAL, "client file has no name");
	if (!c->is_static && c->has_addr && (!c->server.s_addr || !c->expiry_ms))
		return nn_error_setx(e, EINVAL, "client file of \"%s\" has a lease without server or times",
				     c->name);
	return 0;
}

/* --- files ---------------------------------------------------------------- */

static int mkdir_p(const char *path, struct nn_error *e)
{
	char buf[PATH_MAX];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return nn_error_set(e, errno, "cannot create \"%s\"", buf);
		*p = '/';
	}
	if (mkdir(buf, 0755) < 0 && errno != EEXIST)
		return nn_error_set(e, errno, "cannot create \"%s\"", buf);
	return 0;
}

static void leases_dir(struct nn_ctx *ctx, char *buf, size_t len)
{
	snprintf(buf, len, "%s/clients/leases", nn_ctx_state_dir(ctx));
}

static void lease_path(struct nn_ctx *ctx, const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s/clients/leases/%s", nn_ctx_state_dir(ctx), name);
}

static void keeper_path(struct nn_ctx *ctx, const char *what, char *buf, size_t len)
{
	snprintf(buf, len, "%s/clients/keeper.%s", nn_ctx_state_dir(ctx), what);
}

/*
 * Replace NAME in STATE_DIR/clients/SUB ("" the clients dir itself) with
 * TEXT: a temporary file in the clients dir (never in leases/, where every
 * name may be a client's), renamed over it; symlinks never followed (file.h).
 */
static int write_state_file(struct nn_ctx *ctx, const char *sub, const char *name,
			    const char *text, struct nn_error *e)
{
	char dir[PATH_MAX], top[PATH_MAX];
	_cleanup_close_ int topfd = -1, dirfd = -1;

	snprintf(top, sizeof(top), "%s/clients", nn_ctx_state_dir(ctx));
	snprintf(dir, sizeof(dir), "%s%s%s", top, *sub ? "/" : "", sub);
	if (mkdir_p(dir, e) < 0 || (topfd = nn_dir_open(top, 0, e)) < 0)
		return -e->code;
	if (*sub && (dirfd = nn_dir_open(dir, 0, e)) < 0)
		return -e->code;
	return nn_file_replace_at(*sub ? dirfd : topfd, dir, name, topfd, text, strlen(text), 0644,
				  false, e);
}

static int save_client(struct nn_ctx *ctx, const struct nn_client_info *c, struct nn_error *e)
{
	char text[2048];

	if (nn_client_format(c, text, sizeof(text)) < 0)
		return nn_error_setx(e, ENOSPC, "client \"%s\": lease file too long", c->name);
	return write_state_file(ctx, "leases", c->name, text, e);
}

/* 1 and *C when NAME has a lease file, 0 when not. */
static int load_client(struct nn_ctx *ctx, const char *name, struct nn_client_info *c,
		       struct nn_error *e)
{
	char path[PATH_MAX], text[4096];
	ssize_t n;
	_cleanup_close_ int fd = -1;

	lease_path(ctx, name, path, sizeof(path));
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		return nn_error_set(e, errno, "cannot read \"%s\"", path);
	}
	n = read(fd, text, sizeof(text) - 1);
	if (n < 0)
		return nn_error_set(e, errno, "cannot read \"%s\"", path);
	text[n] = '\0';
	if (nn_client_parse(text, c, e) < 0)
		return nn_error_prefix(e, "\"%s\"", path);
	if (strcmp(c->name, name))
		return nn_error_setx(e, EINVAL, "\"%s\" names client \"%s\"", path, c->name);
	return 1;
}

/* The resolv.conf create-clients writes for a client with C's DNS servers
 * and domain, or "" when it writes none (no server). */
static void resolv_text(const struct nn_client_info *c, char *text, size_t len)
{
	char a[INET_ADDRSTRLEN];
	size_t off;

	text[0] = '\0';
	if (c->n_dns == 0)
		return;
	off = (size_t)snprintf(text, len, "# netnsctl create-clients\n");
	if (*c->domain && off < len)
		off += (size_t)snprintf(text + off, len - off, "search %s\n", c->domain);
	for (unsigned i = 0; i < c->n_dns && i < NN_DHCP_DNS_MAX && off < len; i++)
		off += (size_t)snprintf(text + off, len - off, "nameserver %s\n",
					inet_ntop(AF_INET, &c->dns[i], a, sizeof(a)));
}

/* ETC_DIR, opened to work in by name (symlinks to it followed: it is the
 * admin's choice where it lives). */
static int etc_dirfd(struct nn_ctx *ctx, bool create, struct nn_error *e)
{
	int fd;

	if (create && mkdir_p(nn_ctx_etc_dir(ctx), e) < 0)
		return -e->code;
	fd = open(nn_ctx_etc_dir(ctx), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return nn_error_set(e, errno, "cannot open \"%s\"", nn_ctx_etc_dir(ctx));
	return fd;
}

/* Remove the temporary files a killed netnsctl left in DIRFD (file.h's
 * names: no one else's). */
static void remove_temp_files(int dirfd)
{
	int fd = dup(dirfd);
	struct dirent *de;
	DIR *d;

	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((de = readdir(d)))
		if (nn_file_is_temp(de->d_name))
			unlinkat(dirfd, de->d_name, 0);
	closedir(d);
}

/*
 * Remove the files netnsctl wrote for client C (only its name may be set,
 * when its lease file could not be read): its lease file, and
 * ETC_DIR/NAME/resolv.conf when that still is what create-clients wrote
 * (the directory too when that leaves it empty).  Another resolv.conf
 * there, or anything else, is someone else's and stays.
 */
static void remove_client_files(struct nn_ctx *ctx, const struct nn_client_info *c)
{
	char path[PATH_MAX], want[1024], have[1024];
	_cleanup_close_ int etc = -1, dir = -1, fd = -1;
	struct nn_error e = { 0 };
	ssize_t n;

	lease_path(ctx, c->name, path, sizeof(path));
	unlink(path);
	resolv_text(c, want, sizeof(want));
	if (!*want || (etc = etc_dirfd(ctx, false, &e)) < 0 ||
	    (dir = openat(etc, c->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return;
	/* A write of ours cut short by a kill. */
	remove_temp_files(dir);
	if ((fd = openat(dir, "resolv.conf", O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) >= 0) {
		n = read(fd, have, sizeof(have) - 1);
		if (n < 0 || (size_t)n != strlen(want) || memcmp(have, want, (size_t)n))
			return;
		unlinkat(dir, "resolv.conf", 0);
	}
	unlinkat(etc, c->name, AT_REMOVEDIR);	/* kept when the user put other files there */
}

/* Is ETC_DIR/NAME there (anything, a symlink too)?  1, 0, -errno. */
static int etc_entry_exists(struct nn_ctx *ctx, const char *name)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", nn_ctx_etc_dir(ctx), name);
	if (lstat(path, &st) == 0)
		return 1;
	return errno == ENOENT ? 0 : -errno;
}

/* Write ETC_DIR/NAME/resolv.conf for client C: the directory is made here
 * (create-clients refuses a name that has one), never followed. */
static int write_resolv(struct nn_ctx *ctx, const struct nn_client_info *c, struct nn_error *e)
{
	char path[PATH_MAX], text[1024];
	_cleanup_close_ int etc = -1, dir = -1;

	resolv_text(c, text, sizeof(text));
	if (!*text)
		return 0;
	snprintf(path, sizeof(path), "%s/%s", nn_ctx_etc_dir(ctx), c->name);
	if ((etc = etc_dirfd(ctx, true, e)) < 0)
		return -e->code;
	if (mkdirat(etc, c->name, 0755) < 0 && errno != EEXIST)
		return nn_error_set(e, errno, "cannot create \"%s\"", path);
	dir = openat(etc, c->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dir < 0)
		return nn_error_set(e, errno == ELOOP ? ELOOP : errno,
				    "cannot open \"%s\"%s", path, errno == ELOOP ? " (a symlink)" : "");
	return nn_file_replace_at(dir, path, "resolv.conf", -1, text, strlen(text), 0644, false, e);
}

/* An old netnsctl's temporary lease file NAME.tmp.PID (it wrote them in
 * leases/): its name line names another client. */
static bool old_temp_file(struct nn_ctx *ctx, const char *name)
{
	char path[PATH_MAX], text[600], *nl;
	_cleanup_close_ int fd = -1;
	ssize_t n;

	if (!strstr(name, ".tmp."))
		return false;
	lease_path(ctx, name, path, sizeof(path));
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || (n = read(fd, text, sizeof(text) - 1)) < 0)
		return false;
	text[n] = '\0';
	if (strncmp(text, "name ", 5) || !(nl = strchr(text, '\n')))
		return false;
	*nl = '\0';
	return strcmp(text + 5, name) != 0;
}

/* Names of the lease files matching PREFIX (NULL: all). */
static int scan_clients(struct nn_ctx *ctx, const char *prefix, char ***out, size_t *n,
			struct nn_error *e)
{
	char dir[PATH_MAX];
	DIR *d;
	struct dirent *de;
	char **v = NULL;
	size_t cnt = 0;

	*out = NULL;
	*n = 0;
	leases_dir(ctx, dir, sizeof(dir));
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : nn_error_set(e, errno, "cannot read \"%s\"", dir);
	while ((de = readdir(d))) {
		char **nv;

		/* Every client name, "."-names and ones with ".tmp." in them
		 * too; only an old netnsctl's temporary file is not one. */
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
		    old_temp_file(ctx, de->d_name))
			continue;
		if (prefix && !nn_client_name_matches(de->d_name, prefix))
			continue;
		nv = realloc(v, (cnt + 1) * sizeof(*v));
		if (!nv || !(nv[cnt] = strdup(de->d_name))) {
			v = nv ? nv : v;
			for (size_t i = 0; i < cnt; i++)
				free(v[i]);
			free(v);
			closedir(d);
			return nn_error_set(e, ENOMEM, "cannot list clients");
		}
		v = nv;
		cnt++;
	}
	closedir(d);
	*out = v;
	*n = cnt;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The journal, read once per call: it proves which clients are netnsctl's. */
struct proofs {
	bool loaded, unreadable;
	struct nn_journal_entry *v;
	size_t n;
};

/*
 * Is NAME a client netnsctl made: the journal's namespace record of NAME,
 * and the namespace there now bearing its cookie (owner.h)?  1 (and its
 * owner in OWNER, OLEN bytes), 0 (no namespace, or another program's of that
 * name), -errno when that cannot be told.  A caller that cannot read the
 * journal (no privileges) gets -EACCES.
 */
static int client_proven(struct nn_ctx *ctx, struct proofs *pr, const char *name, char *owner,
			 size_t olen, struct nn_error *e)
{
	const struct nn_journal_entry *j;
	uint64_t cookie;
	int r;

	if (!pr->loaded) {
		if (nn_journal_owned(ctx, &pr->v, &pr->n, e) < 0)
			return -e->code;
		pr->loaded = true;
	}
	if (owner)
		*owner = '\0';
	if (!(j = nn_journal_find(pr->v, pr->n, NN_OBJ_NETNS, "-", name, 0)))
		return 0;
	if ((r = nn_netns_exists(ctx, name, e)) <= 0)
		return r;
	/* Checked, not kept open: a call proves every earlier client. */
	if (nn_netns_cookie(ctx, name, &cookie, e) < 0)
		return -e->code;
	if (!nn_owner_netns(j, cookie))
		return 0;
	if (owner)
		snprintf(owner, olen, "%s", j->owner);
	return 1;
}

static void free_names(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* ns2 before ns10: compare the text before the number, then the number. */
static int cmp_client_names(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), ea = la, eb = lb;
	int r;

	while (ea > 0 && isdigit((unsigned char)a[ea - 1]))
		ea--;
	while (eb > 0 && isdigit((unsigned char)b[eb - 1]))
		eb--;
	r = strncmp(a, b, ea < eb ? ea : eb);
	if (r || ea != eb)
		return r ? r : (ea < eb ? -1 : 1);
	if (la - ea != lb - eb)
		return la - ea < lb - eb ? -1 : 1;
	return strcmp(a + ea, b + eb);
}

static int cmp_info(const void *a, const void *b)
{
	return cmp_client_names(((const struct nn_client_info *)a)->name,
				((const struct nn_client_info *)b)->name);
}

/* --- the kernel side of a lease ------------------------------------------- */

static int64_t wall_expiry(uint64_t expiry_ms)
{
	uint64_t now = nn_dhcp_now_ms();

	if (expiry_ms == NEVER)
		return 0;
	return (int64_t)time(NULL) + (expiry_ms > now ? (int64_t)((expiry_ms - now) / 1000) : 0);
}

static void info_from_lease(struct nn_client_info *c, const struct nn_dhcp_lease *l)
{
	c->is_static = false;
	c->has_addr = true;
	memset(&c->addr, 0, sizeof(c->addr));
	c->addr.family = AF_INET;
	c->addr.addr.v4 = l->address;
	c->addr.len = l->prefixlen;
	c->has_gateway = l->router.s_addr != 0;
	c->gateway = l->router;
	c->server = l->server_id;
	c->lease_s = l->lease_s;
	c->t1_s = l->t1_s;
	c->t2_s = l->t2_s;
	c->t1_ms = l->t1_ms;
	c->t2_ms = l->t2_ms;
	c->expiry_ms = l->expiry_ms;
	c->expiry = wall_expiry(l->expiry_ms);
}

static void lease_from_info(struct nn_dhcp_lease *l, const struct nn_client_info *c)
{
	memset(l, 0, sizeof(*l));
	l->address = c->addr.addr.v4;
	l->prefixlen = c->addr.len;
	l->netmask.s_addr = htonl(c->addr.len ? 0xffffffffU << (32 - c->addr.len) : 0);
	l->server_id = c->server;
	if (c->has_gateway)
		l->router = c->gateway;
	l->n_dns = c->n_dns;
	memcpy(l->dns, c->dns, sizeof(l->dns));
	snprintf(l->domain, sizeof(l->domain), "%s", c->domain);
	l->lease_s = c->lease_s;
	l->t1_s = c->t1_s;
	l->t2_s = c->t2_s;
	l->t1_ms = c->t1_ms;
	l->t2_ms = c->t2_ms;
	l->expiry_ms = c->expiry_ms;
}

const char *nn_clients_dns_problem(struct in_addr a, bool from_server)
{
	uint32_t h = ntohl(a.s_addr);

	if (h >> 24 == 0)
		return "not an address of a host (0.0.0.0/8)";
	if (h == 0xffffffffU)
		return "the broadcast address";
	if (h >> 28 == 0xe)
		return "a multicast address";
	if (h >> 28 == 0xf)
		return "a reserved address (240.0.0.0/4)";
	/* Yours may be a resolver in the client's own namespace; a server's
	 * loopback address is its own, not the client's. */
	if (from_server && h >> 24 == 127)
		return "a loopback address";
	return NULL;
}

static bool in_subnet(struct in_addr a, struct in_addr net, unsigned len)
{
	uint32_t mask = len ? 0xffffffffU << (32 - len) : 0;

	return ((ntohl(a.s_addr) ^ ntohl(net.s_addr)) & mask) == 0;
}

/* Why no default route can go via the lease's router, or NULL when one can. */
static const char *router_problem(const struct nn_dhcp_lease *l)
{
	uint32_t h = ntohl(l->router.s_addr), host = 0xffffffffU >> l->prefixlen;
	const char *why = nn_clients_dns_problem(l->router, true);

	if (why)
		return why;
	if (l->router.s_addr == l->address.s_addr)
		return "the client's own address";
	if (l->prefixlen <= 30 && in_subnet(l->router, l->address, l->prefixlen) &&
	    ((h & host) == 0 || (h & host) == host))
		return "the subnet's network or broadcast address";
	return NULL;
}

/*
 * ADDR/LEN on IFINDEX, and the default route via GW (none when 0.0.0.0).  A
 * router outside the leased subnet is on the link all the same (servers do
 * hand such out, and clients use them): a host route to it on the link
 * first, as dhclient's script and systemd-networkd do, or the kernel refuses
 * the default route ("Nexthop has invalid gateway").
 */
static int install_addr(struct nn_ns *ns, int ifindex, struct in_addr addr, unsigned len,
			struct in_addr gw, struct nn_error *e)
{
	struct nn_prefix p = { .family = AF_INET, .addr.v4 = addr, .len = len };
	struct nn_prefix def = { .family = AF_INET, .len = 0 };
	struct nn_prefix g = { .family = AF_INET, .addr.v4 = gw, .len = 32 };

	if (nn_addr_add(ns, ifindex, &p, e) < 0)
		return -e->code;
	if (!gw.s_addr)
		return 0;
	if (!in_subnet(gw, addr, len) && nn_route_replace(ns, &g, NULL, ifindex, e) < 0)
		return -e->code;
	if (nn_route_replace(ns, &def, &g, ifindex, e) < 0)
		return -e->code;
	return 0;
}

static void remove_addr(struct nn_ns *ns, int ifindex, const struct nn_dhcp_lease *l)
{
	struct nn_prefix p = { .family = AF_INET, .addr.v4 = l->address, .len = l->prefixlen };
	struct nn_prefix def = { .family = AF_INET, .len = 0 };
	struct nn_prefix g = { .family = AF_INET, .addr.v4 = l->router, .len = 32 };
	struct nn_error e = { 0 };

	/* The default route via a router of the lease's subnet goes with the
	 * subnet's address; via one outside it, it and the host route stay. */
	nn_addr_del(ns, ifindex, &p, &e);
	if (l->router.s_addr && !router_problem(l) && !in_subnet(l->router, l->address, l->prefixlen)) {
		nn_route_del(ns, &def, &e);
		nn_route_del(ns, &g, &e);
	}
}

/* --- the lease keeper's process ------------------------------------------ */

/*
 * Who the keeper is comes from the kernel, never from a file: the keeper
 * holds a POSIX write lock on keeper.lock for as long as it runs, and F_GETLK
 * names the process holding it.  A pid file is written after the lock is
 * taken (a stop in between read no pid: "the lease keeper (pid 0) does not
 * stop") and outlives a keeper killed with SIGKILL (its pid, reused, named
 * an unrelated process).  The keeper itself must never open and close
 * keeper.lock again: closing any descriptor of the file drops a POSIX lock.
 */

/* The keeper's pid; 0 when none runs; -1 when that cannot be told
 * (nn_proc_lock_holder). */
static pid_t keeper_holder(struct nn_ctx *ctx)
{
	char path[PATH_MAX];

	keeper_path(ctx, "lock", path, sizeof(path));
	return nn_proc_lock_holder(path);
}


/*
 * The keeper writes the clients it holds to keeper.held, headed by its pid,
 * once it has read them all and again whenever that changes.  Returns the
 * pid of that line, 0 when there is no file; *NAMES (may be NULL) gets the
 * names, sorted.
 */
static pid_t keeper_held(struct nn_ctx *ctx, char ***names, size_t *n)
{
	char path[PATH_MAX], line[PATH_MAX];
	_cleanup_fclose_ FILE *f = NULL;
	long pid = 0;
	char **v = NULL;
	size_t k = 0;

	if (names) {
		*names = NULL;
		*n = 0;
	}
	keeper_path(ctx, "held", path, sizeof(path));
	f = fopen(path, "re");
	if (!f || !fgets(line, sizeof(line), f) || sscanf(line, "keeper %ld", &pid) != 1 ||
	    pid <= 0 || pid > INT_MAX)
		return 0;
	while (names && fgets(line, sizeof(line), f)) {
		char **nv;

		line[strcspn(line, "\n")] = '\0';
		nv = realloc(v, (k + 1) * sizeof(*v));
		if (!nv || !(nv[k] = strdup(line))) {
			v = nv ? nv : v;
			break;
		}
		v = nv;
		k++;
	}
	if (names) {
		qsort(v, k, sizeof(*v), cmp_str);
		*names = v;
		*n = k;
	}
	return pid;
}

/* A keeper runs and has written what it holds (state "ready"), or none
 * runs (state "stopped"). */
enum keeper_state { KEEPER_STOPPED, KEEPER_READY };

static bool keeper_is(struct nn_ctx *ctx, enum keeper_state want)
{
	pid_t pid = keeper_holder(ctx);

	if (want == KEEPER_STOPPED)
		return pid == 0;
	return pid != 0 && (pid < 0 || keeper_held(ctx, NULL, NULL) == pid);
}

static bool wait_keeper(struct nn_ctx *ctx, enum keeper_state want, unsigned ms)
{
	for (unsigned t = 0; t < ms; t += 5) {
		if (keeper_is(ctx, want))
			return true;
		nn_proc_sleep_ms(5);
	}
	return keeper_is(ctx, want);
}

/* Signal the process of PIDFD and wait up to MS for it to end. */
static bool end_process(int pidfd, int sig, unsigned ms)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };
	int r;

	if (pidfd_send_signal(pidfd, sig, NULL, 0) < 0 && errno == ESRCH)
		return true;
	do
		r = poll(&p, 1, ms);
	while (r < 0 && errno == EINTR);
	return r > 0;
}

/*
 * A keeper of an older netnsctl held an flock(2) on keeper.lock (and wrote
 * keeper.pid), not a POSIX lock: F_GETLK does not see it, and a keeper
 * started beside it would renew the same leases.  The kernel's table of
 * locks does: each line of /proc/locks names a lock's kind, its holder's pid
 * as this pid namespace sees it, and the file (device and inode).  The pid
 * holding an FLOCK on keeper.lock; 0 when none (or none this pid namespace
 * can see: its pid shows as 0 or -1, and nothing can be proven of it).
 */
static pid_t flock_holder(struct nn_ctx *ctx)
{
	char path[PATH_MAX], line[256];
	_cleanup_fclose_ FILE *f = NULL;
	struct stat st;

	keeper_path(ctx, "lock", path, sizeof(path));
	if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return 0;
	f = fopen("/proc/locks", "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		char kind[16], how[16], mode[16];
		unsigned maj, min;
		unsigned long ino;
		long pid;

		/* "3: FLOCK  ADVISORY  WRITE 1234 00:19:5678 0 EOF" (device in hex);
		 * a waiter's line has "->" before the kind */
		if (sscanf(line, "%*d: %15s %15s %15s %ld %x:%x:%lu", kind, how, mode, &pid, &maj,
			   &min, &ino) != 7 || strcmp(kind, "FLOCK"))
			continue;
		if (maj == major(st.st_dev) && min == minor(st.st_dev) && ino == st.st_ino)
			return pid > 0 && pid <= INT_MAX ? (pid_t)pid : 0;
	}
	return 0;
}

/* PID runs netnsctl's lease keeper: "lease-keeper" is one of its arguments. */
static bool runs_lease_keeper(pid_t pid)
{
	char path[64], buf[4096];
	_cleanup_close_ int fd = -1;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || (n = read(fd, buf, sizeof(buf) - 1)) <= 0)
		return false;
	buf[n] = '\0';
	for (char *a = buf; a < buf + n; a += strlen(a) + 1)
		if (!strcmp(a, "lease-keeper"))
			return true;
	return false;
}

/*
 * Stop a keeper of an older netnsctl, with the proof keeper_stop() has for
 * the current one: the pid /proc/locks says holds the FLOCK on keeper.lock,
 * a pidfd of it, and then the lock still that pid's and its command line
 * lease-keeper's while the pidfd's process lives (a pid names one living
 * process).  Another program's flock on the file, or an older netnsctl's
 * command testing the lock for a moment, is no keeper: left alone.
 */
static int old_keeper_stop(struct nn_ctx *ctx, struct nn_error *e)
{
	char path[PATH_MAX];
	pid_t pid = 0;

	for (int tries = 0; tries < 5; tries++) {
		_cleanup_close_ int pidfd = -1;

		pid = flock_holder(ctx);
		if (pid == 0)
			return 0;
		pidfd = pidfd_open(pid, 0);
		if (pidfd < 0) {
			if (errno == ESRCH)
				continue;	/* gone since /proc/locks said so */
			return nn_error_set(e, errno, "cannot stop the lease keeper of an older netnsctl (pid %d)",
					    (int)pid);
		}
		if (flock_holder(ctx) != pid)
			continue;
		if (!runs_lease_keeper(pid))
			return 0;
		if (pidfd_send_signal(pidfd, 0, NULL, 0) < 0)
			continue;	/* ended while it was looked at */
		if (!end_process(pidfd, SIGTERM, KEEPER_WAIT_MS) &&
		    !end_process(pidfd, SIGKILL, KEEPER_WAIT_MS))
			return nn_error_setx(e, EBUSY, "the lease keeper of an older netnsctl (pid %d) does not stop",
					     (int)pid);
		/* It wrote keeper.pid; nothing reads it now. */
		keeper_path(ctx, "pid", path, sizeof(path));
		unlink(path);
	}
	if (flock_holder(ctx) == 0)
		return 0;
	return nn_error_setx(e, EBUSY, "the lease keeper of an older netnsctl (pid %d) does not stop",
			     (int)pid);
}

/* Stop the keeper so that this process alone owns the leases.  The keeper
 * exits on SIGTERM without releasing anything: its lease files say where it
 * left off.  A keeper of an older netnsctl goes too. */
static int keeper_stop(struct nn_ctx *ctx, struct nn_error *e)
{
	pid_t pid = 0;

	if (old_keeper_stop(ctx, e) < 0)
		return -e->code;

	for (int tries = 0; tries < 5; tries++) {
		_cleanup_close_ int pidfd = -1;

		pid = keeper_holder(ctx);
		if (pid == 0)
			return 0;
		if (pid < 0)
			return nn_error_setx(e, EBUSY,
					     "a lease keeper runs where its pid cannot be seen (another pid namespace): stop it there");
		pidfd = pidfd_open(pid, 0);
		if (pidfd < 0) {
			if (errno == ESRCH)
				continue;	/* gone since F_GETLK */
			return nn_error_set(e, errno, "cannot stop the lease keeper (pid %d)", (int)pid);
		}
		/* The pidfd is the process that had PID when it was opened.  Still
		 * the lock's holder now, it is the keeper (a pid names one living
		 * process); if that process ended in between, signals to the pidfd
		 * reach nobody, and the next round looks again. */
		if (keeper_holder(ctx) != pid)
			continue;
		if (!end_process(pidfd, SIGTERM, KEEPER_WAIT_MS) &&
		    !end_process(pidfd, SIGKILL, KEEPER_WAIT_MS))
			break;
		/* Its lock went with its descriptors, before its pidfd said so;
		 * a new holder is another keeper (the loop stops it too). */
		if (wait_keeper(ctx, KEEPER_STOPPED, 100))
			return 0;
	}
	if (wait_keeper(ctx, KEEPER_STOPPED, 0))
		return 0;
	return nn_error_setx(e, EBUSY, "the lease keeper (pid %d) does not stop", (int)pid);
}

static bool any_dhcp_lease(struct nn_ctx *ctx)
{
	struct proofs pr = { 0 };
	char **names;
	size_t n;
	struct nn_error e = { 0 };
	bool any = false;

	if (scan_clients(ctx, NULL, &names, &n, &e) < 0)
		return false;
	for (size_t i = 0; i < n && !any; i++) {
		struct nn_client_info c;

		if (load_client(ctx, names[i], &c, &e) == 1 && !c.is_static &&
		    client_proven(ctx, &pr, c.name, NULL, 0, &e) == 1)
			any = true;
	}
	free_names(names, n);
	free(pr.v);
	return any;
}

/* The keeper's side of the fork: a daemon (nn_proc_detach) logging what
 * went wrong to keeper.log, then the keeper program. */
static void __attribute__((noreturn)) keeper_child(struct nn_ctx *ctx, const char *prog,
						   char *const argv[])
{
	char log[PATH_MAX];

	keeper_path(ctx, "log", log, sizeof(log));
	nn_proc_detach(ctx, log, KEEPER_LOG_MAX);
	execv(prog, argv);
	_exit(127);
}

int nn_clients_keeper_ensure(struct nn_ctx *ctx, char *const argv[], struct nn_error *e)
{
	static char *const def[] = { "netnsctl", "lease-keeper", NULL };
	const char *prog = argv ? argv[0] : "/proc/self/exe";
	pid_t pid;
	int status;

	/* One keeper: never one beside a keeper of an older netnsctl. */
	if (old_keeper_stop(ctx, e) < 0)
		return -e->code;
	if (keeper_holder(ctx) != 0 || !any_dhcp_lease(ctx))
		return 0;
	if (!argv)
		argv = def;
	pid = fork();
	if (pid < 0)
		return nn_error_set(e, errno, "cannot start the lease keeper");
	if (pid == 0)
		keeper_child(ctx, prog, argv);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	/* Ready: it holds its lock and has said which clients it holds, so a
	 * list-clients right after this tells who is renewed. */
	if (!wait_keeper(ctx, KEEPER_READY, KEEPER_WAIT_MS))
		return nn_error_setx(e, ESRCH, "the lease keeper did not start (see \"%s/clients/keeper.log\")",
				     nn_ctx_state_dir(ctx));
	return 0;
}

/* --- one client in a DHCP loop ------------------------------------------- */

struct client {
	char name[256];
	uint8_t mac[6];
	bool existing;		/* left alone by this call */
	bool skip;		/* delete: another owner's, left alone */
	bool stale;		/* delete: its namespace is gone or not netnsctl's:
				 * only netnsctl's files of it go */
	struct nn_ns *ns;
	int ifindex;
	bool made;		/* create: IFINDEX is what its create reported */
	struct nn_dhcp_port port;
	struct nn_client_info info;
	/* the keeper's */
	uint64_t cookie;	/* of its namespace, when the keeper first opened it */
	bool start;		/* no address: DISCOVER once its socket is open */
	bool stalled;		/* its socket could not be opened: retried at retry_ms */
	uint64_t retry_ms;
	unsigned retry_wait;	/* 1 s, doubling to 64 s while it keeps failing */
};

struct run {
	struct nn_ctx *ctx;
	const struct nn_clients_spec *spec;	/* NULL in the keeper */
	struct client **v;
	size_t n;
	unsigned leased, failed;
	nn_clients_progress_cb progress;
	void *arg;
	bool keeper;
	/* the keeper's */
	nn_clients_log_cb log;
	void *log_arg;
	size_t max_open;	/* client sockets open at once */
	size_t waiting;		/* renewals due that wait for one to close */
	bool held_changed;	/* keeper.held to be written again */
	char warned[4][192];	/* warnings given, not to be repeated */
	unsigned n_warned;
	struct proofs proofs;	/* the journal, read once: which clients are netnsctl's */
};

/* A warning about what a server handed out: said once per run, not per client. */
__attribute__((format(printf, 2, 3)))
static void run_warn(struct run *r, const char *fmt, ...)
{
	nn_clients_log_cb cb = r->keeper ? r->log : r->spec ? r->spec->warn : NULL;
	void *arg = r->keeper ? r->log_arg : r->spec ? r->spec->warn_arg : NULL;
	char msg[sizeof(r->warned[0])];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	for (unsigned i = 0; i < r->n_warned; i++)
		if (!strcmp(r->warned[i], msg))
			return;
	if (r->n_warned < NN_ARRAY_SIZE(r->warned))
		memcpy(r->warned[r->n_warned++], msg, sizeof(msg));
	if (cb)
		cb(msg, arg);
}

/* What of a server's lease can be used: the router, the DNS servers. */
static void lease_checked(struct run *r, const struct nn_dhcp_lease *l, struct nn_dhcp_lease *out)
{
	char a[INET_ADDRSTRLEN], s[INET_ADDRSTRLEN];
	const char *why;

	*out = *l;
	inet_ntop(AF_INET, &l->server_id, s, sizeof(s));
	if (l->router.s_addr && (why = router_problem(l))) {
		run_warn(r, "DHCP server %s: router %s not used (%s): no default route", s,
			 inet_ntop(AF_INET, &l->router, a, sizeof(a)), why);
		out->router.s_addr = 0;
	}
	out->n_dns = 0;
	for (unsigned i = 0; i < l->n_dns && i < NN_DHCP_DNS_MAX; i++) {
		if ((why = nn_clients_dns_problem(l->dns[i], true))) {
			/* The keeper does not write resolv.conf: nothing to say. */
			if (!r->keeper)
				run_warn(r, "DHCP server %s: DNS server %s not used (%s)", s,
					 inet_ntop(AF_INET, &l->dns[i], a, sizeof(a)), why);
			continue;
		}
		out->dns[out->n_dns++] = l->dns[i];
	}
}

/* What the exchange that just ended in an ACK took, for the lease file:
 * list-clients shows a long test's renewals slowing down. */
static void note_figures(struct nn_client_info *c, const struct nn_dhcp_timing *t)
{
	time_t now = time(NULL);

	if (t->renewals && t->renewed_us >= t->acquired_us) {
		c->renewed_at = now;
		c->renew_us = t->renew_latency_us;
		c->renew_retransmits = t->renew_retransmits;
		c->renewals++;
	} else if (t->leased) {
		c->acquired_at = now;
		c->acquire_us = t->total_us;
		c->acquire_retransmits = t->lease_retransmits;
	}
}

static int on_bound(struct nn_dhcp_port *p, const struct nn_dhcp_lease *lease, void *arg,
		    struct nn_error *e)
{
	struct run *r = arg;
	struct client *c = p->data;
	bool was_bound = p->bound;
	struct nn_dhcp_lease lc, *l = &lc;

	lease_checked(r, lease, &lc);
	if (install_addr(c->ns, c->ifindex, l->address, l->prefixlen, l->router, e) < 0)
		return -e->code;
	info_from_lease(&c->info, l);
	note_figures(&c->info, &p->timing);
	if (!r->keeper) {
		const struct in_addr *dns = r->spec->n_dns ? r->spec->dns : l->dns;
		unsigned n = r->spec->n_dns ? r->spec->n_dns : l->n_dns;

		c->info.n_dns = n;
		memcpy(c->info.dns, dns, n * sizeof(*dns));
		snprintf(c->info.domain, sizeof(c->info.domain), "%s", l->domain);
		/* The lease file first: a resolv.conf is only ever written for a
		 * client whose file says so (a kill in between leaves nothing
		 * that delete-clients or cleanup would not know of). */
		if (!was_bound && (save_client(r->ctx, &c->info, e) < 0 || write_resolv(r->ctx, &c->info, e) < 0))
			return -e->code;
	} else if (save_client(r->ctx, &c->info, e) < 0) {
		return -e->code;
	}
	return 0;
}

static void on_lost(struct nn_dhcp_port *p, const struct nn_dhcp_lease *l,
		    enum nn_dhcp_lost_reason why, void *arg)
{
	struct run *r = arg;
	struct client *c = p->data;
	struct nn_error e = { 0 };

	(void)why;
	remove_addr(c->ns, c->ifindex, l);
	c->info.has_addr = false;
	c->info.has_gateway = false;
	if (r->keeper)
		save_client(r->ctx, &c->info, &e);
}

static bool create_done(void *arg)
{
	struct run *r = arg;
	unsigned leased = 0, failed = 0;

	for (size_t i = 0; i < r->n; i++) {
		leased += r->v[i]->port.bound && !r->v[i]->port.failed;
		failed += r->v[i]->port.failed;
	}
	if (leased != r->leased && r->progress)
		r->progress(leased, r->n, r->arg);
	r->leased = leased;
	r->failed = failed;
	/* SIGINT/SIGTERM: stop leasing; the caller rolls the call back. */
	return leased + failed == r->n || nn_plan_cancelled();
}

static const struct nn_dhcp_ops create_ops = {
	.bound = on_bound,
	.lost = on_lost,
	.done = create_done,
};

/* C's namespace handle and its link's ifindex: the one its create reported
 * (made_indexes()), else one look-up (the keeper looks each time it wakes
 * a client: the link may have been made again since). */
static int client_link(struct nn_ctx *ctx, struct client *c, struct nn_error *e)
{
	struct nn_link_info li;

	if (nn_ctx_ns(ctx, c->name, &c->ns, e) < 0)
		return -e->code;
	if (c->made)
		return 0;
	if (nn_link_get(c->ns, NN_CLIENTS_IFNAME, &li, e) < 0)
		return -e->code;
	c->ifindex = li.ifindex;
	return 0;
}

/* The ifindexes the macvlans of the new clients NW[0..N) got from their
 * create requests (PLAN's MACVLAN_ADD steps, in the order of NW): no
 * look-up of each again. */
static void made_indexes(const struct nn_plan *plan, struct client **nw, size_t n)
{
	size_t j = 0;

	for (size_t k = 0; k < nn_plan_len(plan) && j < n; k++) {
		const struct nn_step *s = nn_plan_step(plan, k);

		if (s->kind != NN_STEP_MACVLAN_ADD || !s->run.done)
			continue;
		while (j < n && strcmp(nw[j]->name, s->ns))
			j++;
		if (j < n && s->run.ifindex > 0) {
			nw[j]->ifindex = s->run.ifindex;
			nw[j]->made = true;
		}
		j += j < n;
	}
}

static int client_open(struct nn_ctx *ctx, struct client *c, struct nn_error *e)
{
	if (client_link(ctx, c, e) < 0)
		return -e->code;
	c->port.ns = c->ns;
	c->port.ifindex = c->ifindex;
	snprintf(c->port.ifname, sizeof(c->port.ifname), "%s", NN_CLIENTS_IFNAME);
	c->port.data = c;
	return nn_dhcp_port_open(&c->port, e);
}

static void client_config(const struct client *c, struct nn_dhcp_client_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	memcpy(cfg->mac, c->mac, 6);
	cfg->hostname = c->name;
	if (getentropy(&cfg->seed, sizeof(cfg->seed)) < 0)
		cfg->seed = nn_dhcp_now_ms() ^ (uint64_t)getpid() << 32;
	/* Hostnames are sent as option 12; names longer than 255 are not. */
	if (strlen(c->name) > 255)
		cfg->hostname = NULL;
}

/* Sleep until AT_US of nn_dhcp_now_us()'s clock. */
static void sleep_until_us(uint64_t at_us)
{
	struct timespec ts = { .tv_sec = at_us / 1000000, .tv_nsec = at_us % 1000000 * 1000 };

	while (clock_nanosleep(CLOCK_BOOTTIME, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

/*
 * Give back the leases of V's bound clients, at most RATE RELEASEs a second
 * (0: NN_CLIENTS_RELEASE_RATE): every RELEASE goes out before any namespace
 * goes.  A RELEASE has no answer to pace by, and a server's socket queue at
 * Linux's default size holds about 166 of them: 200 at once lost some
 * while the server was kept off the CPU.  After a signal (a rollback being
 * cut short) the rest go out at once.
 */
static void release_all(struct client **v, size_t n, unsigned rate)
{
	struct nn_dhcp_pace pace;

	nn_dhcp_pace_init(&pace, rate ? rate : NN_CLIENTS_RELEASE_RATE);
	for (size_t i = 0; i < n; i++) {
		struct nn_dhcp_event ev = { .type = NN_DHCP_EV_RELEASE };
		struct nn_error e = { 0 };
		uint64_t now = nn_dhcp_now_us(), at;

		if (!v[i] || v[i]->port.fd < 0 || !v[i]->port.bound)
			continue;
		while (!nn_plan_cancelled() && (at = nn_dhcp_pace_wait(&pace, now)) != 0) {
			sleep_until_us(at);
			now = nn_dhcp_now_us();
		}
		/* No answer comes: the window is not what paces these. */
		nn_dhcp_pace_abandon(&pace, nn_dhcp_pace_start(&pace, now));
		nn_dhcp_port_feed(&v[i]->port, &ev, now / 1000, NULL, NULL, &e);
	}
	/* A RELEASE to a server not yet in the neighbour table waits for ARP;
	 * deleting the macvlan would drop it.  A socket's queued bytes count
	 * until its packets have left or ARP gave up: wait for 0.  A second
	 * was too short for 200 clients' ARP on a loaded machine. */
	for (size_t i = 0, waited = 0; i < n && waited < RELEASE_WAIT_MS;) {
		int q = 0;

		if (!v[i] || v[i]->port.fd < 0 || ioctl(v[i]->port.fd, SIOCOUTQ, &q) < 0 || q <= 0) {
			i++;
			continue;
		}
		nn_proc_sleep_ms(2);
		waited += 2;
	}
}

/* --- checking ---------------------------------------------------------- */

int nn_clients_check(struct nn_ctx *ctx, const struct nn_clients_spec *s, struct nn_error *e)
{
	const char *prefix = s->prefix ? s->prefix : NN_CLIENTS_DEFAULT_PREFIX;
	char name[NAME_MAX + 2];
	struct nn_shown shown;
	struct nn_link_info li;
	struct nn_ns *host;
	uint8_t mac[6];
	size_t plen = strlen(prefix);

	if (s->count < 1 || s->count > NN_CLIENTS_MAX)
		return nn_error_setx(e, EINVAL, "invalid client count \"%u\": must be 1 to %u",
				     s->count, NN_CLIENTS_MAX);
	if (s->min > s->count)
		return nn_error_setx(e, EINVAL, "invalid --min \"%u\": more than the %u clients asked for",
				     s->min, s->count);
	if (s->min && s->is_static)
		return nn_error_setx(e, EINVAL, "--min is for DHCP clients: static ones all get an address");
	if (s->max_rate > NN_DHCP_PACE_RATE_MAX)
		return nn_error_setx(e, EINVAL, "invalid --max-rate \"%u\": must be 1 to %u", s->max_rate,
				     NN_DHCP_PACE_RATE_MAX);
	if (plen && isdigit((unsigned char)prefix[plen - 1]))
		return nn_error_setx(e, EINVAL,
				     "invalid prefix \"%s\": must not end in a digit (ns1 + 1 would be ns11)",
				     nn_show(&shown, prefix));
	if (nn_client_name(name, sizeof(name), prefix, s->count, e) < 0)
		return nn_error_prefix(e, "invalid prefix \"%s\"", nn_show(&shown, prefix));
	if (s->has_mac_base &&
	    nn_client_mac_from_base(s->mac_base, s->count - 1, mac, e) < 0)
		return -e->code;
	for (unsigned i = 0; i < s->n_dns && i < NN_DHCP_DNS_MAX; i++) {
		const char *why = nn_clients_dns_problem(s->dns[i], false);
		char a[INET_ADDRSTRLEN];

		if (why)
			return nn_error_setx(e, EINVAL, "invalid DNS server \"%s\": %s",
					     inet_ntop(AF_INET, &s->dns[i], a, sizeof(a)), why);
	}
	if (s->is_static) {
		struct nn_prefix *hosts;
		char buf[64];

		if (s->static_net.family != AF_INET)
			return nn_error_setx(e, EINVAL, "invalid static range \"%s\": not IPv4",
					     nn_format_prefix(buf, sizeof(buf), &s->static_net, true));
		hosts = calloc(s->count, sizeof(*hosts));
		if (!hosts)
			return nn_error_set(e, ENOMEM, "cannot check the static range");
		if (nn_prefix_hosts(&s->static_net, s->count, hosts, e) < 0) {
			free(hosts);
			return -e->code;
		}
		free(hosts);
	}
	if (!s->parent || nn_check_ifname(s->parent, e) < 0)
		return s->parent ? -e->code : nn_error_setx(e, EINVAL, "no parent interface given");
	if (nn_ctx_ns(ctx, "", &host, e) < 0)
		return -e->code;
	if (nn_link_get(host, s->parent, &li, e) < 0)
		return -e->code;
	if (!li.up)
		return nn_error_setx(e, ENETDOWN, "parent \"%s\" is down", s->parent);
	if (!s->is_static && !li.lower_up)
		return nn_error_setx(e, ENETDOWN,
				     "parent \"%s\" has no carrier: its clients could not lease",
				     s->parent);
	return 0;
}

/* --- create ------------------------------------------------------------- */

static void clients_free(struct client **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		if (!v[i])
			continue;
		nn_dhcp_port_close(&v[i]->port);
		free(v[i]);
	}
	free(v);
}

static int cmp_mac(const void *a, const void *b)
{
	return memcmp((*(struct client *const *)a)->mac, (*(struct client *const *)b)->mac, 6);
}

static int check_unique_macs(struct client **v, size_t n, struct nn_error *e)
{
	_cleanup_free_ struct client **s = malloc(n * sizeof(*s));

	if (!s)
		return nn_error_set(e, ENOMEM, "cannot check MACs");
	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_mac);
	for (size_t i = 1; i < n; i++)
		if (!memcmp(s[i - 1]->mac, s[i]->mac, 6))
			return nn_error_setx(e, EINVAL,
					     "clients \"%s\" and \"%s\" would share MAC %02x:%02x:%02x:%02x:%02x:%02x: pick a --mac-base",
					     s[i - 1]->name, s[i]->name, s[i]->mac[0], s[i]->mac[1],
					     s[i]->mac[2], s[i]->mac[3], s[i]->mac[4], s[i]->mac[5]);
	return 0;
}

static const char *why_failed(const struct client *c)
{
	if (c->port.failed || *c->port.why)
		return c->port.why;
	/* Not for want of time: the user stopped it. */
	if (nn_plan_cancelled()) {
		switch (c->port.c.state) {
		case NN_DHCP_INIT: return "interrupted before its DHCPDISCOVER";
		case NN_DHCP_SELECTING: return "interrupted waiting for a DHCPOFFER";
		case NN_DHCP_REQUESTING: return "interrupted waiting for a DHCPACK";
		default: return "interrupted";
		}
	}
	switch (c->port.c.state) {
	case NN_DHCP_INIT:
		if (!c->port.c.deadline_ms)
			return "not started: the pacing window stayed full";
		break;
	case NN_DHCP_SELECTING: return "no DHCPOFFER";
	case NN_DHCP_REQUESTING: return "no DHCPACK";
	default: break;
	}
	return nn_dhcp_state_name(c->port.c.state);
}

/* At most this many reasons in a failed create's message. */
#define FAILURE_REASONS 4

/*
 * The error of a failed create: which new clients got no lease, and why.
 * Clients failing alike are named together before their reason, as a
 * summary ("ns1..ns90 (no DHCPOFFER), ns93 (DHCPNAK: ...)"); the full list
 * is create-clients --json's.
 */
static void failure_message(struct client **nw, size_t n_new, unsigned timeout_ms,
			    unsigned min, size_t have, struct nn_error *e)
{
	char list[NN_ERROR_MAX - 160] = "", part[NN_ERROR_MAX - 160];
	_cleanup_free_ const char **names = calloc(n_new ? n_new : 1, sizeof(*names));
	_cleanup_free_ bool *done = calloc(n_new ? n_new : 1, sizeof(*done));
	size_t off = 0, bad = 0, shown = 0, reasons = 0;

	for (size_t i = 0; i < n_new; i++)
		bad += !nw[i]->port.bound || nw[i]->port.failed;
	for (size_t i = 0; names && done && i < n_new && reasons < FAILURE_REASONS; i++) {
		const char *why = why_failed(nw[i]);
		size_t k = 0, room;
		int q;

		if (done[i] || (nw[i]->port.bound && !nw[i]->port.failed))
			continue;
		for (size_t j = i; j < n_new; j++) {
			if (done[j] || (nw[j]->port.bound && !nw[j]->port.failed) ||
			    strcmp(why_failed(nw[j]), why))
				continue;
			names[k++] = nw[j]->name;
			done[j] = true;
		}
		/* what the list has room for, less " (WHY)" and ", " */
		room = sizeof(list) - off - 2 - 3 - strlen(why);
		if ((ssize_t)room < 32)
			break;
		nn_names_summary(part, room, names, k);
		q = snprintf(list + off, sizeof(list) - off, "%s%s (%s)", off ? ", " : "", part, why);
		if (q < 0 || (size_t)q >= sizeof(list) - off) {
			list[off] = '\0';	/* no half a reason */
			break;
		}
		off += (size_t)q;
		/* "and K more" inside the part counts as shown: its reason is said */
		shown += k;
		reasons++;
	}
	if (shown < bad)
		snprintf(list + off, sizeof(list) - off, "%s%zu more", shown ? " and " : "", bad - shown);
	if (min)
		nn_error_setx(e, ETIMEDOUT, "%zu of %zu new clients got no lease within %u.%03u s, leaving %zu with one (--min %u), all %zu rolled back: %s",
			      bad, n_new, timeout_ms / 1000, timeout_ms % 1000, have, min, n_new, list);
	else
		nn_error_setx(e, ETIMEDOUT, "%zu of %zu new clients got no lease within %u.%03u s, all %zu rolled back: %s",
			      bad, n_new, timeout_ms / 1000, timeout_ms % 1000, n_new, list);
}

void nn_clients_report_free(struct nn_clients_report *r)
{
	if (!r)
		return;
	free(r->clients);
	r->clients = NULL;
	r->n_clients = 0;
	free(r->rolled_back);
	r->rolled_back = NULL;
	r->n_rolled_back = 0;
}

static void report_figures(struct nn_clients_report *rep, struct client **nw, size_t n_new,
			   const struct nn_dhcp_pace *pace, uint64_t started_us)
{
	nn_clients_report_free(rep);
	rep->asked = n_new;
	rep->leased = 0;
	rep->duration_us = nn_dhcp_now_us() - started_us;
	rep->window_peak = pace->window_peak;
	rep->window_end = nn_dhcp_pace_window(pace);
	rep->timeouts = pace->timeouts;
	rep->clients = calloc(n_new ? n_new : 1, sizeof(*rep->clients));
	if (!rep->clients)
		return;		/* the figures are a report: no memory, none */
	rep->n_clients = n_new;
	for (size_t i = 0; i < n_new; i++) {
		struct nn_client_figures *f = &rep->clients[i];
		const struct nn_dhcp_timing *t = &nw[i]->port.timing;
		bool ok = nw[i]->port.bound && !nw[i]->port.failed;

		snprintf(f->name, sizeof(f->name), "%s", nw[i]->name);
		f->leased = ok;
		rep->leased += ok;
		if (ok) {
			f->discover_offer_us = t->discover_offer_us;
			f->request_ack_us = t->request_ack_us;
			f->total_us = t->total_us;
			f->retransmits = t->lease_retransmits;
			f->naks = t->lease_naks;
		} else {
			f->retransmits = t->retransmits;
			f->naks = t->naks;
			snprintf(f->why, sizeof(f->why), "%s", why_failed(nw[i]));
		}
	}
}

static void delete_macvlan(struct nn_ctx *ctx, const char *name);

/* Drop new client C, made by this call, that got no lease: its macvlan and
 * namespace (as delete_clients() does) and its files. */
static void drop_new_client(struct nn_ctx *ctx, struct client *c)
{
	struct nn_error de = { 0 };

	nn_dhcp_port_close(&c->port);
	delete_macvlan(ctx, c->name);
	nn_ctx_ns_forget(ctx, c->name);
	if (nn_netns_del(ctx, c->name, &de) == 1) {
		nn_journal_gone(ctx, NN_OBJ_LINK, c->name, NN_CLIENTS_IFNAME, &de);
		nn_journal_gone(ctx, NN_OBJ_NETNS, "-", c->name, &de);
	}
	remove_client_files(ctx, &c->info);
}

/*
 * Lease the *N_NEW clients NW (EXISTING others of the group hold leases
 * already) through a pacing window.  All leased: 0.  Not all: with
 * spec->min met, the unleased ones are dropped and NW and *N_NEW keep the
 * leased ones only (0); else -ETIMEDOUT naming them (the caller rolls back).
 */
static int lease_new(struct nn_ctx *ctx, const struct nn_clients_spec *spec, struct client **nw,
		     size_t *n_new, size_t existing, unsigned timeout,
		     nn_clients_progress_cb progress, void *arg, struct nn_clients_report *report,
		     struct nn_error *e)
{
	struct run r = { .ctx = ctx, .spec = spec, .v = nw, .n = *n_new,
			 .progress = progress, .arg = arg };
	_cleanup_free_ struct nn_dhcp_port **ports = calloc(*n_new, sizeof(*ports));
	struct nn_dhcp_pace pace;
	uint64_t started_us;
	size_t k = 0;
	int ret;

	if (!ports)
		return nn_error_set(e, ENOMEM, "cannot allocate DHCP ports");
	for (size_t i = 0; i < *n_new; i++) {
		struct nn_dhcp_client_config cfg;

		/* thousands of sockets take a while: a signal is seen here too */
		if (nn_plan_cancelled())
			return nn_error_setx(e, ECANCELED, "interrupted");
		ports[i] = &nw[i]->port;
		client_config(nw[i], &cfg);
		cfg.fast_retransmit = true;	/* the window keeps the server safe */
		ret = nn_dhcp_client_init(&nw[i]->port.c, &cfg, e);
		if (ret == 0)
			ret = client_open(ctx, nw[i], e);
		if (ret < 0)
			return nn_error_prefix(e, "client \"%s\"", nw[i]->name);
	}
	/* The loop starts each client when the window has room. */
	nn_dhcp_pace_init(&pace, spec->max_rate);
	started_us = nn_dhcp_now_us();
	ret = nn_dhcp_loop_paced(ports, *n_new, nn_dhcp_now_ms() + timeout, -1, &create_ops, &r,
				 &pace, e);
	if (report)
		report_figures(report, nw, *n_new, &pace, started_us);
	if (ret < 0)
		return ret;
	/* The message is the caller's: it knows what it rolls back. */
	if (nn_plan_cancelled())
		return nn_error_setx(e, ECANCELED, "interrupted");
	if (r.leased == *n_new)
		return 0;
	if (!spec->min || r.leased + existing < spec->min) {
		failure_message(nw, *n_new, timeout, spec->min, r.leased + existing, e);
		return -ETIMEDOUT;
	}
	/* Enough: keep the leased, drop the others (they hold nothing to give back). */
	for (size_t i = 0; i < *n_new; i++) {
		if (nw[i]->port.bound && !nw[i]->port.failed) {
			nw[k++] = nw[i];
			continue;
		}
		drop_new_client(ctx, nw[i]);	/* freed with the caller's list of all */
		if (report)
			report->released++;
	}
	*n_new = k;
	return 0;
}

/* SIGINT, SIGTERM, ... */
static const char *signal_text(char *buf, size_t len, int sig)
{
	const char *abbrev = sigabbrev_np(sig);

	if (abbrev)
		snprintf(buf, len, "SIG%s", abbrev);
	else
		snprintf(buf, len, "signal %d", sig);
	return buf;
}

/*
 * The error of a create a signal stopped: what it was doing (STAGE, and
 * DETAIL: how far, or ""), and what of it is gone again: the N_NEW clients
 * NW when CHANGED (the call had begun to make them), else nothing.
 */
static int interrupted_error(struct nn_error *e, const char *stage, const char *detail,
			     struct client **nw, size_t n_new, bool changed)
{
	_cleanup_free_ const char **names = calloc(n_new ? n_new : 1, sizeof(*names));
	char sig[32], list[160] = "";

	signal_text(sig, sizeof(sig), nn_plan_cancelled());
	if (!changed)
		return nn_error_setx(e, ECANCELED, "interrupted by %s while %s: nothing changed", sig,
				     stage);
	for (size_t i = 0; names && i < n_new; i++)
		names[i] = nw[i]->name;
	if (names)
		nn_names_summary(list, sizeof(list), names, n_new);
	return nn_error_setx(e, ECANCELED, "interrupted by %s while %s%s%s%s: %s%zu new client%s rolled back (%s)",
			     sig, stage, *detail ? " (" : "", detail, *detail ? ")" : "",
			     n_new == 1 ? "" : "all ", n_new, n_new == 1 ? "" : "s", list);
}

static void count_step(const struct nn_step *step, void *arg)
{
	(void)step;
	(*(size_t *)arg)++;
}

int nn_clients_create(struct nn_ctx *ctx, const struct nn_clients_spec *spec,
		      nn_clients_progress_cb progress, void *arg, struct nn_error *e)
{
	return nn_clients_create_report(ctx, spec, progress, arg, NULL, e);
}

int nn_clients_create_report(struct nn_ctx *ctx, const struct nn_clients_spec *spec,
			     nn_clients_progress_cb progress, void *arg,
			     struct nn_clients_report *report, struct nn_error *e)
{
	const char *prefix = spec->prefix ? spec->prefix : NN_CLIENTS_DEFAULT_PREFIX;
	enum nn_macvlan_mode mode = spec->mode ? spec->mode : NN_MACVLAN_BRIDGE;
	unsigned timeout = spec->timeout_ms ? spec->timeout_ms : NN_CLIENTS_DEFAULT_TIMEOUT_MS;
	struct client **all = NULL, **nw = NULL;
	struct nn_prefix *hosts = NULL;
	struct nn_plan *plan = NULL;
	struct nn_lab *lab = NULL;
	struct proofs pr = { 0 };
	size_t n = spec->count, n_new = 0, steps = 0;
	/* what a signal interrupted, for its message */
	const char *stage = "waiting for the state lock";
	char detail[64] = "";
	bool applied = false, changing = false;
	int ret;

	if (nn_clients_check(ctx, spec, e) < 0)
		return -e->code;
	if (report) {
		free(report->rolled_back);
		report->rolled_back = NULL;
		report->n_rolled_back = 0;
		report->signal = 0;
	}
	/* A signal while waiting for another netnsctl's lock: EINTR. */
	if (nn_state_lock(ctx, e) < 0)
		goto failed;
	stage = "stopping the lease keeper";
	if (keeper_stop(ctx, e) < 0)
		goto failed;
	stage = "looking at the clients";
	all = calloc(n, sizeof(*all));
	nw = calloc(n, sizeof(*nw));
	if (!all || !nw) {
		ret = nn_error_set(e, ENOMEM, "cannot allocate %zu clients", n);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		struct client *c = calloc(1, sizeof(*c));

		if (!c) {
			ret = nn_error_set(e, ENOMEM, "cannot allocate %zu clients", n);
			goto out;
		}
		all[i] = c;
		c->port.fd = -1;
		nn_client_name(c->name, sizeof(c->name), prefix, i + 1, e);
		ret = load_client(ctx, c->name, &c->info, e);
		if (ret < 0)
			goto out;
		if (ret == 1) {
			ret = client_proven(ctx, &pr, c->name, NULL, 0, e);
			if (ret < 0)
				goto out;
			if (ret) {
				c->existing = true;
				memcpy(c->mac, c->info.mac, 6);
				continue;
			}
			/* Its namespace is gone: so is the client.  (Another
			 * program's namespace of its name is refused below.) */
			if ((ret = nn_netns_exists(ctx, c->name, e)) == 0)
				remove_client_files(ctx, &c->info);
		}
		/*
		 * A new client is all netnsctl's or nothing: a namespace of its
		 * name (ip netns add ns1), or files in ETC_DIR/NAME, belong to
		 * someone else, and would be changed by the client and deleted
		 * with it.  Refused before anything is changed.
		 */
		if ((ret = nn_netns_exists(ctx, c->name, e)) != 0) {
			ret = ret < 0 ? ret
				      : nn_error_setx(e, EEXIST,
						      "namespace \"%s\" exists and is not a client netnsctl made: not touched (choose another --prefix)",
						      c->name);
			goto out;
		}
		if ((ret = etc_entry_exists(ctx, c->name)) != 0) {
			ret = ret < 0 ? nn_error_set(e, -ret, "cannot look at \"%s/%s\"", nn_ctx_etc_dir(ctx), c->name)
				      : nn_error_setx(e, EEXIST,
						      "\"%s/%s\" exists: client \"%s\" would take over files netnsctl did not write (choose another --prefix)",
						      nn_ctx_etc_dir(ctx), c->name, c->name);
			goto out;
		}
		if (spec->has_mac_base)
			nn_client_mac_from_base(spec->mac_base, i, c->mac, e);
		else
			nn_client_mac_from_name(c->name, c->mac);
		memset(&c->info, 0, sizeof(c->info));
		snprintf(c->info.name, sizeof(c->info.name), "%s", c->name);
		memcpy(c->info.mac, c->mac, 6);
		nw[n_new++] = c;
	}
	ret = check_unique_macs(all, n, e);
	if (ret < 0 || n_new == 0)
		goto out;
	if (nn_plan_cancelled()) {
		ret = nn_error_setx(e, ECANCELED, "interrupted");
		goto out;
	}

	lab = nn_lab_new(spec->owner ? spec->owner : "create-clients");
	if (!lab) {
		ret = nn_error_set(e, ENOMEM, "cannot describe the clients");
		goto out;
	}
	/* Made by this call, or refused (a namespace made meanwhile). */
	nn_lab_set_new_namespaces(lab, true);
	for (size_t i = 0; i < n_new; i++) {
		ret = nn_lab_add_netns(lab, nw[i]->name, e);
		if (ret == 0)
			ret = nn_lab_add_macvlan(lab, nw[i]->name, NN_CLIENTS_IFNAME, "", spec->parent,
						 nw[i]->mac, mode, e);
		if (ret < 0)
			goto out;
	}
	ret = nn_plan_make(ctx, lab, &plan, e);
	if (ret < 0)
		goto out;
	stage = "making namespaces";
	changing = true;
	ret = nn_plan_apply(ctx, plan, count_step, NULL, &steps, e);
	if (ret < 0) {
		snprintf(detail, sizeof(detail), "step %zu of %zu", steps + 1, nn_plan_len(plan));
		goto out;	/* undone by apply */
	}
	applied = true;
	made_indexes(plan, nw, n_new);

	if (spec->is_static) {
		hosts = calloc(n, sizeof(*hosts));
		if (!hosts) {
			ret = nn_error_set(e, ENOMEM, "cannot allocate addresses");
			goto out;
		}
		stage = "adding addresses";
		ret = nn_prefix_hosts(&spec->static_net, n, hosts, e);
		for (size_t i = 0; ret == 0 && i < n; i++) {
			struct client *c = all[i];
			struct in_addr none = { 0 };

			if (c->existing)
				continue;
			if (nn_plan_cancelled()) {
				ret = nn_error_setx(e, ECANCELED, "interrupted");
				break;
			}
			c->info.n_dns = spec->n_dns;
			memcpy(c->info.dns, spec->dns, sizeof(c->info.dns));
			c->info.is_static = true;
			c->info.has_addr = true;
			c->info.addr = hosts[i];
			/* The lease file before the resolv.conf: see on_bound(). */
			if (client_link(ctx, c, e) < 0 ||
			    install_addr(c->ns, c->ifindex, hosts[i].addr.v4, hosts[i].len, none, e) < 0 ||
			    save_client(ctx, &c->info, e) < 0 || write_resolv(ctx, &c->info, e) < 0) {
				ret = nn_error_prefix(e, "client \"%s\"", c->name);
				break;
			}
			if (progress)
				progress(i + 1, n, arg);
		}
		if (ret < 0)
			goto out;
	} else {
		stage = "leasing";
		ret = lease_new(ctx, spec, nw, &n_new, n - n_new, timeout, progress, arg, report, e);
		if (ret < 0) {
			size_t leased = 0;

			for (size_t i = 0; i < n_new; i++)
				leased += nw[i]->port.bound && !nw[i]->port.failed;
			snprintf(detail, sizeof(detail), "%zu of %zu leased", leased, n_new);
			goto out;
		}
	}
	stage = "saving the clients";
	for (size_t i = 0; i < n_new; i++) {
		ret = save_client(ctx, &nw[i]->info, e);
		if (ret < 0)
			goto out;
	}
	/* Until here a signal rolls the call back; after, it is done. */
	if (nn_plan_cancelled()) {
		ret = nn_error_setx(e, ECANCELED, "interrupted");
		goto out;
	}
	ret = n_new;
out:
	if (ret < 0 && nn_plan_cancelled() && (e->code == ECANCELED || e->code == EINTR))
		ret = interrupted_error(e, stage, detail, nw, n_new, changing);
	if (ret < 0 && report) {
		report->signal = nn_plan_cancelled();
		if (changing && n_new && (report->rolled_back = calloc(n_new, sizeof(*report->rolled_back)))) {
			for (size_t i = 0; i < n_new; i++)
				snprintf(report->rolled_back[i], sizeof(report->rolled_back[i]), "%s", nw[i]->name);
			report->n_rolled_back = n_new;
		}
	}
	if (ret < 0 && applied) {
		/* The create's --max-rate, when it is the slower: its server is
		 * fragile; a faster one would be the burst that overruns it. */
		release_all(nw, n_new, spec->max_rate && spec->max_rate < NN_CLIENTS_RELEASE_RATE ?
					       spec->max_rate : NN_CLIENTS_RELEASE_RATE);
		/* Each macvlan before its namespace, as delete_clients() does:
		 * left to the namespace's teardown, it would hold its MAC on the
		 * parent after we return, and the same clients made again at
		 * once (their MACs come from their names) would fail. */
		for (size_t i = 0; i < n_new; i++) {
			nn_dhcp_port_close(&nw[i]->port);
			delete_macvlan(ctx, nw[i]->name);
			remove_client_files(ctx, &nw[i]->info);
		}
		nn_plan_undo(ctx, plan, NULL, NULL);
		for (size_t i = 0; i < n_new; i++)
			nn_ctx_ns_forget(ctx, nw[i]->name);
	}
	/* The earlier clients' keeper was stopped for this call: back it comes. */
	if (ret < 0) {
		struct nn_error ignored = { 0 };

		nn_clients_keeper_ensure(ctx, NULL, &ignored);
	} else {
		for (size_t i = 0; i < n_new; i++)
			nn_dhcp_port_close(&nw[i]->port);
		if (nn_clients_keeper_ensure(ctx, NULL, e) < 0)
			ret = nn_error_prefix(e, "clients made, but");
	}
	free(hosts);
	free(pr.v);
	nn_plan_free(plan);
	nn_lab_free(lab);
	free(nw);
	if (all)
		clients_free(all, n);
	return ret;
failed:
	if (nn_plan_cancelled() && (e->code == ECANCELED || e->code == EINTR))
		interrupted_error(e, stage, "", NULL, 0, false);
	if (report)
		report->signal = nn_plan_cancelled();
	return -e->code;
}

/* --- delete and list ------------------------------------------------------ */

static void delete_macvlan(struct nn_ctx *ctx, const char *name)
{
	struct nn_error e = { 0 };
	struct nn_link_info li;
	struct nn_ns *ns;

	if (nn_netns_exists(ctx, name, &e) == 1 && nn_ctx_ns(ctx, name, &ns, &e) == 0 &&
	    nn_link_find(ns, NN_CLIENTS_IFNAME, &li, &e) == 1 && !strcmp(li.kind, "macvlan"))
		nn_link_del(ns, li.ifindex, &e);
}

static void progress_of(struct nn_ctx *ctx, const char *doing, const char *name, size_t done,
			size_t total)
{
	char what[NAME_MAX + 32];

	snprintf(what, sizeof(what), "%s %s", doing, name);
	nn_ctx_progress(ctx, what, done, total);
}

/*
 * The clients PREFIXk with FIRST <= k <= LAST (LAST 0: all of them) that
 * netnsctl made (OWNER not NULL: only that owner's): their leases released,
 * their namespaces and files deleted.  A lease file whose namespace is gone,
 * or is another program's by now, is no client: only netnsctl's files of it
 * go.  Returns how many clients were deleted.
 */
static int delete_clients(struct nn_ctx *ctx, const char *prefix, unsigned first, unsigned last,
			  const char *owner, unsigned rate, struct nn_error *e)
{
	struct client **v = NULL;
	struct proofs pr = { 0 };
	char **names = NULL;
	size_t n = 0;
	int ret, deleted = 0;

	if (nn_state_lock(ctx, e) < 0 || keeper_stop(ctx, e) < 0)
		return -e->code;
	ret = scan_clients(ctx, prefix, &names, &n, e);
	if (ret < 0)
		goto out;
	if (last && prefix) {
		size_t k = 0;

		for (size_t i = 0; i < n; i++) {
			unsigned long num = strtoul(names[i] + strlen(prefix), NULL, 10);

			if (num >= first && num <= last)
				names[k++] = names[i];
			else
				free(names[i]);
		}
		n = k;
	}
	v = calloc(n ? n : 1, sizeof(*v));
	if (!v) {
		ret = nn_error_set(e, ENOMEM, "cannot allocate clients");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		struct nn_dhcp_client_config cfg;
		struct nn_dhcp_lease l;
		struct nn_error le = { 0 };
		struct client *c = calloc(1, sizeof(*c));
		char whose[64];
		int readable, proven;

		if (!c) {
			ret = nn_error_set(e, ENOMEM, "cannot allocate clients");
			goto out;
		}
		v[i] = c;
		c->port.fd = -1;
		snprintf(c->name, sizeof(c->name), "%s", names[i]);
		progress_of(ctx, "read client", c->name, i, 2 * n);
		readable = load_client(ctx, names[i], &c->info, &le) == 1;
		if (!readable) {
			memset(&c->info, 0, sizeof(c->info));
			snprintf(c->info.name, sizeof(c->info.name), "%s", names[i]);
		}
		/* Not knowing is not "not ours": stop before deleting anything. */
		if ((proven = client_proven(ctx, &pr, c->name, whose, sizeof(whose), e)) < 0) {
			ret = proven;
			goto out;
		}
		if (owner && (!proven || strcmp(whose, owner))) {
			c->skip = true;
			continue;
		}
		if (!proven) {
			c->stale = true;
			continue;
		}
		if (!readable)
			continue;	/* unreadable: deleted all the same */
		memcpy(c->mac, c->info.mac, 6);
		if (c->info.is_static || !c->info.has_addr)
			continue;
		client_config(c, &cfg);
		lease_from_info(&l, &c->info);
		/* A client we cannot reach still gets deleted; the server's lease just runs out. */
		if (nn_dhcp_client_resume(&c->port.c, &cfg, &l, nn_dhcp_now_ms(), &le) < 0 ||
		    client_open(ctx, c, &le) < 0)
			continue;
		c->port.bound = true;
	}
	release_all(v, n, rate);
	/* Their leases are given back: every one of them goes now, even
	 * past one that fails (the first failure is the error). */
	ret = 0;
	for (size_t i = 0; i < n; i++) {
		struct client *c = v[i];
		struct nn_error de = { 0 };
		int r;

		if (c->skip)
			continue;
		progress_of(ctx, "delete client", c->name, n + i, 2 * n);
		nn_dhcp_port_close(&c->port);
		if (c->stale) {
			remove_client_files(ctx, &c->info);
			continue;
		}
		/* The macvlan first, synchronously: a namespace is torn down by
		 * the kernel after its deletion returns, and until then its
		 * macvlan holds the MAC on the parent, so re-making the client
		 * at once would fail with EADDRINUSE. */
		delete_macvlan(ctx, c->name);
		nn_ctx_ns_forget(ctx, c->name);
		r = nn_netns_del(ctx, c->name, &de);
		if (r < 0) {
			if (ret == 0) {
				*e = de;
				ret = r;
			}
			continue;
		}
		if (r == 1) {
			nn_journal_gone(ctx, NN_OBJ_LINK, c->name, NN_CLIENTS_IFNAME, &de);
			nn_journal_gone(ctx, NN_OBJ_NETNS, "-", c->name, &de);
		}
		remove_client_files(ctx, &c->info);
		deleted++;
	}
	if (ret == 0)
		ret = deleted;
	nn_ctx_progress(ctx, "", 2 * n, 2 * n);
out:
	if (nn_clients_keeper_ensure(ctx, NULL, ret < 0 ? &(struct nn_error){ 0 } : e) < 0 && ret >= 0)
		ret = -e->code;
	clients_free(v, n);
	free_names(names, n);
	free(pr.v);
	return ret;
}

int nn_clients_delete(struct nn_ctx *ctx, const char *prefix, unsigned max_rate,
		      struct nn_error *e)
{
	if (max_rate > NN_DHCP_PACE_RATE_MAX)
		return nn_error_setx(e, EINVAL, "invalid RELEASE rate \"%u\": must be 1 to %u",
				     max_rate, NN_DHCP_PACE_RATE_MAX);
	return delete_clients(ctx, prefix, 0, 0, NULL, max_rate, e);
}

int nn_clients_delete_owned(struct nn_ctx *ctx, const char *prefix, const char *owner,
			    struct nn_error *e)
{
	return delete_clients(ctx, prefix, 0, 0, owner, 0, e);
}

int nn_clients_delete_range(struct nn_ctx *ctx, const char *prefix, unsigned first, unsigned last,
			    const char *owner, struct nn_error *e)
{
	if (!prefix || first < 1 || last < first)
		return nn_error_setx(e, EINVAL, "invalid range of clients %u..%u%s", first, last,
				     prefix ? "" : " without a prefix");
	return delete_clients(ctx, prefix, first, last, owner, 0, e);
}

/* Which of V the running keeper holds: those its keeper.held names. */
static void mark_renewing(struct nn_ctx *ctx, struct nn_client_info *v, size_t n)
{
	pid_t pid = keeper_holder(ctx), said;
	char **held = NULL;
	size_t nh = 0;

	said = keeper_held(ctx, &held, &nh);
	/* Who holds the lock unknown (a user without access to it): the
	 * file's keeper, while a process of that pid lives. */
	if (pid < 0 && said > 0 && (kill(said, 0) == 0 || errno == EPERM))
		pid = said;
	if (pid > 0 && said == pid)
		for (size_t i = 0; i < n; i++) {
			const char *name = v[i].name;

			v[i].renewing = !v[i].is_static &&
					bsearch(&name, held, nh, sizeof(*held), cmp_str);
		}
	free_names(held, nh);
}

int nn_clients_list(struct nn_ctx *ctx, const char *prefix, struct nn_client_info **out,
		    size_t *n_out, struct nn_error *e)
{
	struct nn_client_info *v;
	struct proofs pr = { 0 };
	char **names;
	size_t n, k = 0;
	int ret;

	*out = NULL;
	*n_out = 0;
	ret = scan_clients(ctx, prefix, &names, &n, e);
	if (ret < 0)
		return ret;
	v = calloc(n ? n : 1, sizeof(*v));
	if (!v) {
		free_names(names, n);
		return nn_error_set(e, ENOMEM, "cannot list clients");
	}
	for (size_t i = 0; i < n; i++) {
		ret = load_client(ctx, names[i], &v[k], e);
		/* A client whose namespace someone else deleted (or made again)
		 * is gone.  Without the privileges to read the journal, only
		 * whether a namespace of its name exists can be told. */
		if (ret == 1 && !pr.unreadable) {
			ret = client_proven(ctx, &pr, names[i], v[k].owner, sizeof(v[k].owner), e);
			if (ret == -EACCES || ret == -EPERM) {
				nn_error_clear(e);
				pr.unreadable = true;
				ret = 1;
			}
		}
		if (ret == 1 && pr.unreadable)
			ret = nn_netns_exists(ctx, names[i], e);
		if (ret < 0) {
			free(v);
			free_names(names, n);
			free(pr.v);
			return ret;
		}
		if (ret == 1)
			k++;
	}
	free_names(names, n);
	free(pr.v);
	qsort(v, k, sizeof(*v), cmp_info);
	mark_renewing(ctx, v, k);
	*out = v;
	*n_out = k;
	return 0;
}

/* --- the keeper ------------------------------------------------------------ */

/*
 * The keeper holds every client's lease in its state machine, but a client's
 * socket only while a request of it is out (RENEWING, REBINDING, getting a
 * new lease), and its namespace only for the moment it takes to open that
 * socket or to configure an answer.  So the clients it keeps are not bounded
 * by its limit of open files: at most r->max_open sockets are open at once,
 * and a renewal due while they are all in use waits for one to close.
 */

__attribute__((format(printf, 2, 3)))
static void keeper_log(struct run *r, const char *fmt, ...)
{
	char msg[NN_ERROR_MAX + 256];
	va_list ap;

	if (!r->log)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	r->log(msg, r->log_arg);
}

/* C's namespace, opened by name; the one the keeper first saw under that
 * name (a namespace deleted and made again by someone else is not ours). */
static int keeper_ns(struct run *r, struct client *c, struct nn_error *e)
{
	struct nn_shown sh;
	uint64_t cookie;

	if (nn_ctx_ns(r->ctx, c->name, &c->ns, e) < 0)
		return -e->code;
	if (nn_ns_cookie(c->ns, &cookie, e) < 0)
		return -e->code;
	if (!c->cookie)
		c->cookie = cookie;
	else if (cookie != c->cookie)
		return nn_error_setx(e, ESTALE, "namespace \"%s\" was deleted and made again by someone else",
				     nn_show(&sh, c->name));
	return 0;
}

static void keeper_ns_close(struct run *r, struct client *c)
{
	nn_ctx_ns_forget(r->ctx, c->name);
	c->ns = NULL;
	c->port.ns = NULL;
}

static int keeper_bound(struct nn_dhcp_port *p, const struct nn_dhcp_lease *l, void *arg,
			struct nn_error *e)
{
	struct run *r = arg;
	struct client *c = p->data;
	struct nn_shown sh;
	int ret = keeper_ns(r, c, e);

	if (ret == 0)
		ret = on_bound(p, l, arg, e);
	keeper_ns_close(r, c);
	if (ret < 0)
		keeper_log(r, "client \"%s\": cannot take its renewed lease: %s", nn_show(&sh, c->name),
			   e->msg);
	return ret;
}

static void keeper_lost(struct nn_dhcp_port *p, const struct nn_dhcp_lease *l,
			enum nn_dhcp_lost_reason why, void *arg)
{
	struct run *r = arg;
	struct client *c = p->data;
	struct nn_error e = { 0 };
	struct nn_shown sh;

	keeper_log(r, "client \"%s\": lease lost (%s)", nn_show(&sh, c->name),
		   why == NN_DHCP_LOST_NAK ? "DHCPNAK" : why == NN_DHCP_LOST_EXPIRED ? "expired" : "given up");
	if (keeper_ns(r, c, &e) == 0) {
		on_lost(p, l, why, arg);
	} else {
		c->info.has_addr = false;
		c->info.has_gateway = false;
		save_client(r->ctx, &c->info, &e);
	}
	keeper_ns_close(r, c);
}

/* No request of C is out, and none is due yet: its socket can close. */
static bool keeper_idle(const struct client *c, uint64_t now)
{
	const struct nn_dhcp_client *d = &c->port.c;

	return (d->state == NN_DHCP_BOUND || d->state == NN_DHCP_INIT) && !c->start &&
	       (!d->deadline_ms || d->deadline_ms > now);
}

/* While renewals wait for a socket, the loop ends as soon as one can close. */
static bool keeper_done(void *arg)
{
	struct run *r = arg;
	uint64_t now;

	if (!r->waiting)
		return false;
	now = nn_dhcp_now_ms();
	for (size_t i = 0; i < r->n; i++)
		if (r->v[i]->port.fd >= 0 && keeper_idle(r->v[i], now))
			return true;
	return false;
}

static const struct nn_dhcp_ops keeper_ops = {
	.bound = keeper_bound,
	.lost = keeper_lost,
	.done = keeper_done,
};

/* When C, asleep, must have its socket: its timer, or its retry after a failure. */
static uint64_t keeper_due(const struct client *c)
{
	uint64_t d = c->start ? 1 : c->port.c.deadline_ms;

	if (d && c->stalled && c->retry_ms > d)
		d = c->retry_ms;
	return d;
}

/* Open C's socket for a request. */
static int keeper_wake(struct run *r, struct client *c, uint64_t now, struct nn_error *e)
{
	struct nn_shown sh;
	int ret = keeper_ns(r, c, e);

	if (ret == 0)
		ret = client_open(r->ctx, c, e);
	keeper_ns_close(r, c);
	if (ret < 0) {
		nn_dhcp_port_close(&c->port);
		/* Said once, and again only after it worked in between. */
		if (!c->stalled)
			keeper_log(r, "client \"%s\": cannot renew its lease: %s (retrying)",
				   nn_show(&sh, c->name), e->msg);
		if (!c->stalled)
			r->held_changed = true;
		c->stalled = true;
		c->retry_wait = c->retry_wait ? c->retry_wait * 2 : KEEPER_RETRY_MS;
		if (c->retry_wait > KEEPER_RETRY_MAX_MS)
			c->retry_wait = KEEPER_RETRY_MAX_MS;
		c->retry_ms = now + c->retry_wait;
		return ret;
	}
	c->retry_wait = 0;
	if (c->stalled) {
		keeper_log(r, "client \"%s\": renewing again", nn_show(&sh, c->name));
		r->held_changed = true;
	}
	c->stalled = false;
	if (c->start) {
		struct nn_dhcp_event ev = { .type = NN_DHCP_EV_START };

		c->start = false;
		nn_dhcp_port_feed(&c->port, &ev, now, &keeper_ops, r, e);
	}
	return 0;
}

/* keeper.held: "keeper PID", then each client it renews (not the stalled). */
static void keeper_write_held(struct run *r)
{
	struct nn_error e = { 0 };
	size_t len = 32, off;
	char *text;

	for (size_t i = 0; i < r->n; i++)
		len += strlen(r->v[i]->name) + 1;
	text = malloc(len);
	if (!text)
		return;	/* held_changed stays: written next round */
	off = snprintf(text, len, "keeper %d\n", (int)getpid());
	for (size_t i = 0; i < r->n; i++)
		if (!r->v[i]->stalled)
			off += snprintf(text + off, len - off, "%s\n", r->v[i]->name);
	if (write_state_file(r->ctx, "", "keeper.held", text, &e) == 0)
		r->held_changed = false;
	else
		keeper_log(r, "%s", e.msg);
	free(text);
}

/* Drop clients whose namespace or lease file went away (someone deleted them). */
static void keeper_prune(struct run *r)
{
	size_t k = 0;

	for (size_t i = 0; i < r->n; i++) {
		struct client *c = r->v[i];
		char path[PATH_MAX];

		lease_path(r->ctx, c->name, path, sizeof(path));
		/* Gone only when it is known to be gone. */
		if (nn_netns_exists(r->ctx, c->name, NULL) != 0 && access(path, F_OK) == 0) {
			r->v[k++] = c;
			continue;
		}
		nn_dhcp_port_close(&c->port);
		keeper_ns_close(r, c);
		if (access(path, F_OK) == 0)
			remove_client_files(r->ctx, &c->info);
		free(c);
		r->held_changed = true;
	}
	r->n = k;
}

/* How many client sockets may be open at once: the limit of open files
 * (raised to its hard limit by the CLI) less what the keeper keeps. */
static size_t keeper_max_open(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY)
		return 1024;
	if (rl.rlim_cur <= 2 * KEEPER_FD_RESERVE)
		return rl.rlim_cur > KEEPER_FD_RESERVE / 2 ? rl.rlim_cur - KEEPER_FD_RESERVE / 2 : 1;
	return rl.rlim_cur - KEEPER_FD_RESERVE;
}

/* Read every client's lease file: a keeper that cannot hold a client says so. */
static int keeper_load(struct run *r, char **names, size_t n, struct nn_error *e)
{
	uint64_t now = nn_dhcp_now_ms();

	for (size_t i = 0; i < n; i++) {
		struct nn_dhcp_client_config cfg;
		struct nn_dhcp_lease l;
		struct nn_error le = { 0 };
		struct client *c = calloc(1, sizeof(*c));
		struct nn_shown sh;
		int rr, live;

		if (!c)
			return nn_error_set(e, ENOMEM, "cannot allocate clients");
		c->port.fd = -1;
		snprintf(c->name, sizeof(c->name), "%s", names[i]);
		rr = load_client(r->ctx, names[i], &c->info, &le);
		/* Only clients netnsctl made: a namespace of the name made by
		 * another program since is none of the keeper's business. */
		live = rr == 1 && !c->info.is_static ?
			       client_proven(r->ctx, &r->proofs, c->name, NULL, 0, &le) : 0;
		if (rr < 0 || live < 0)
			keeper_log(r, "client \"%s\": not renewed: %s", nn_show(&sh, names[i]), le.msg);
		if (rr != 1 || c->info.is_static || live != 1) {
			free(c);
			continue;
		}
		memcpy(c->mac, c->info.mac, 6);
		client_config(c, &cfg);
		if (c->info.has_addr) {
			lease_from_info(&l, &c->info);
			rr = nn_dhcp_client_resume(&c->port.c, &cfg, &l, now, &le);
		} else {
			rr = nn_dhcp_client_init(&c->port.c, &cfg, &le);
			c->start = true;
		}
		if (rr < 0) {
			keeper_log(r, "client \"%s\": not renewed: %s", nn_show(&sh, c->name), le.msg);
			free(c);
			continue;
		}
		c->port.data = c;
		c->port.bound = c->info.has_addr;
		r->v[r->n++] = c;
	}
	return 0;
}

int nn_clients_keeper_run(struct nn_ctx *ctx, int stop_fd, nn_clients_log_cb log, void *log_arg,
			  struct nn_error *e)
{
	char path[PATH_MAX], dir[PATH_MAX], **names = NULL;
	_cleanup_close_ int lock = -1;
	struct run r = { .ctx = ctx, .keeper = true, .log = log, .log_arg = log_arg };
	struct nn_dhcp_port **ports = NULL;
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	uint64_t next_prune;
	size_t n = 0, waited = 0;
	int ret;

	keeper_path(ctx, "lock", path, sizeof(path));
	snprintf(dir, sizeof(dir), "%s/clients", nn_ctx_state_dir(ctx));
	if (mkdir_p(dir, e) < 0)
		return -e->code;
	lock = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (lock < 0)
		return nn_error_set(e, errno, "cannot open \"%s\"", path);
	/* Held until this process ends; its holder is who the keeper is. */
	if (fcntl(lock, F_SETLK, &fl) < 0) {
		if (errno == EAGAIN || errno == EACCES)
			return nn_error_setx(e, EALREADY, "a lease keeper is running already");
		return nn_error_set(e, errno, "cannot lock \"%s\"", path);
	}
	/* Written by keepers before this one: nothing reads it now. */
	keeper_path(ctx, "pid", path, sizeof(path));
	unlink(path);

	r.max_open = keeper_max_open();
	ret = scan_clients(ctx, NULL, &names, &n, e);
	if (ret < 0)
		goto out;
	r.v = calloc(n ? n : 1, sizeof(*r.v));
	ports = calloc(n ? n : 1, sizeof(*ports));
	if (!r.v || !ports) {
		ret = nn_error_set(e, ENOMEM, "cannot allocate clients");
		goto out;
	}
	ret = keeper_load(&r, names, n, e);
	if (ret < 0)
		goto out;
	keeper_write_held(&r);
	next_prune = nn_dhcp_now_ms() + KEEPER_TICK_MS;
	for (;;) {
		uint64_t now = nn_dhcp_now_ms(), until = now + KEEPER_TICK_MS;
		size_t open_now = 0, k = 0;

		if (now >= next_prune) {
			keeper_prune(&r);
			next_prune = now + KEEPER_TICK_MS;
		}
		if (r.n == 0) {
			ret = 0;
			break;
		}
		/* Open the sockets of the renewals that are due, as many as may be. */
		for (size_t i = 0; i < r.n; i++)
			open_now += r.v[i]->port.fd >= 0;
		r.waiting = 0;
		for (size_t i = 0; i < r.n; i++) {
			struct client *c = r.v[i];
			uint64_t d = keeper_due(c);
			struct nn_error we = { 0 };

			if (c->port.fd >= 0 || !d || d > now)
				continue;
			if (open_now >= r.max_open) {
				r.waiting++;
				continue;
			}
			if (keeper_wake(&r, c, now, &we) == 0)
				open_now++;
		}
		/* Said when it starts, not every round. */
		if (r.waiting && !waited)
			keeper_log(&r, "%zu renewals wait: %zu client sockets are open, as many as the limit of open files allows",
				   r.waiting, open_now);
		waited = r.waiting;
		if (r.held_changed)
			keeper_write_held(&r);
		for (size_t i = 0; i < r.n; i++) {
			struct client *c = r.v[i];
			uint64_t d;

			if (c->port.fd >= 0) {
				ports[k++] = &c->port;
				continue;
			}
			d = keeper_due(c);
			if (d && d < until)
				until = d > now ? d : now + 1;
		}
		if (next_prune < until)
			until = next_prune;
		ret = nn_dhcp_loop(ports, k, until, stop_fd, &keeper_ops, &r, e);
		if (ret < 0 || ret == 2) {
			ret = ret < 0 ? ret : 0;
			break;
		}
		/* Done asking: its socket closes until the next request. */
		now = nn_dhcp_now_ms();
		for (size_t i = 0; i < r.n; i++)
			if (r.v[i]->port.fd >= 0 && keeper_idle(r.v[i], now))
				nn_dhcp_port_close(&r.v[i]->port);
	}
out:
	keeper_path(ctx, "held", path, sizeof(path));
	unlink(path);
	if (r.v)
		clients_free(r.v, r.n);
	free(ports);
	free_names(names, n);
	free(r.proofs.v);
	return ret;
}
