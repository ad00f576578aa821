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
#include <sys/file.h>
#include <sys/ioctl.h>
#include <linux/sockios.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "netnsctl/clients.h"
#include "netnsctl/ctx.h"
#include "netnsctl/journal.h"
#include "netnsctl/lab.h"
#include "netnsctl/link.h"
#include "netnsctl/names.h"
#include "netnsctl/netns.h"
#include "netnsctl/route.h"
#include "cleanup.h"
#include "show.h"
#include "dhcp_driver.h"

#define NEVER UINT64_MAX
#define KEEPER_TICK_MS 5000
#define KEEPER_WAIT_MS 3000
#define RELEASE_WAIT_MS 5000	/* longer than ARP takes to give up (3 probes, 1 s apart) */

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

/* Write PATH atomically (temp file, fsync-free rename: /run is a tmpfs). */
static int write_file(const char *path, const char *text, struct nn_error *e)
{
	char tmp[PATH_MAX];
	size_t len = strlen(text);
	int fd;

	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return nn_error_set(e, errno, "cannot write \"%s\"", tmp);
	if (write(fd, text, len) != (ssize_t)len) {
		int err = errno ? errno : EIO;

		close(fd);
		unlink(tmp);
		return nn_error_set(e, err, "cannot write \"%s\"", tmp);
	}
	close(fd);
	if (rename(tmp, path) < 0) {
		int err = errno;

		unlink(tmp);
		return nn_error_set(e, err, "cannot rename \"%s\"", tmp);
	}
	return 0;
}

static int save_client(struct nn_ctx *ctx, const struct nn_client_info *c, struct nn_error *e)
{
	char dir[PATH_MAX], path[PATH_MAX], text[2048];

	leases_dir(ctx, dir, sizeof(dir));
	if (mkdir_p(dir, e) < 0)
		return -e->code;
	if (nn_client_format(c, text, sizeof(text)) < 0)
		return nn_error_setx(e, ENOSPC, "client \"%s\": lease file too long", c->name);
	lease_path(ctx, c->name, path, sizeof(path));
	return write_file(path, text, e);
}

/* 1 and *C when NAME has a lease file, 0 when not. */
static int load_client(struct nn_ctx *ctx, const char *name, struct nn_client_info *c,
		       struct nn_error *e)
{
	char path[PATH_MAX], text[4096];
	ssize_t n;
	_cleanup_close_ int fd = -1;

	lease_path(ctx, name, path, sizeof(path));
	fd = open(path, O_RDONLY | O_CLOEXEC);
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

static void remove_client_files(struct nn_ctx *ctx, const char *name)
{
	char path[PATH_MAX];

	lease_path(ctx, name, path, sizeof(path));
	unlink(path);
	snprintf(path, sizeof(path), "%s/%s/resolv.conf", nn_ctx_etc_dir(ctx), name);
	unlink(path);
	snprintf(path, sizeof(path), "%s/%s", nn_ctx_etc_dir(ctx), name);
	rmdir(path);	/* kept when the user put other files there */
}

static int write_resolv(struct nn_ctx *ctx, const char *name, const struct in_addr *dns,
			unsigned n, const char *domain, struct nn_error *e)
{
	char path[PATH_MAX], text[1024], a[INET_ADDRSTRLEN];
	size_t off;

	snprintf(path, sizeof(path), "%s/%s", nn_ctx_etc_dir(ctx), name);
	if (n == 0)
		return 0;
	if (mkdir_p(path, e) < 0)
		return -e->code;
	off = snprintf(text, sizeof(text), "# netnsctl create-clients\n");
	if (domain && *domain)
		off += snprintf(text + off, sizeof(text) - off, "search %s\n", domain);
	for (unsigned i = 0; i < n && off < sizeof(text); i++)
		off += snprintf(text + off, sizeof(text) - off, "nameserver %s\n",
				inet_ntop(AF_INET, &dns[i], a, sizeof(a)));
	snprintf(path, sizeof(path), "%s/%s/resolv.conf", nn_ctx_etc_dir(ctx), name);
	return write_file(path, text, e);
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

		if (de->d_name[0] == '.' && (!de->d_name[1] || !strcmp(de->d_name, "..")))
			continue;
		if (strstr(de->d_name, ".tmp."))
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

static int install_addr(struct nn_ns *ns, int ifindex, struct in_addr addr, unsigned len,
			struct in_addr gw, struct nn_error *e)
{
	struct nn_prefix p = { .family = AF_INET, .addr.v4 = addr, .len = len };
	struct nn_prefix def = { .family = AF_INET, .len = 0 };
	struct nn_prefix g = { .family = AF_INET, .addr.v4 = gw, .len = 32 };

	if (nn_addr_add(ns, ifindex, &p, e) < 0)
		return -e->code;
	if (gw.s_addr && nn_route_replace(ns, &def, &g, ifindex, e) < 0)
		return -e->code;
	return 0;
}

static void remove_addr(struct nn_ns *ns, int ifindex, const struct nn_dhcp_lease *l)
{
	struct nn_prefix p = { .family = AF_INET, .addr.v4 = l->address, .len = l->prefixlen };
	struct nn_error e = { 0 };

	/* The default route via the lease's router goes with its subnet's address. */
	nn_addr_del(ns, ifindex, &p, &e);
}

/* --- the lease keeper's process ------------------------------------------ */

/* 1 when a keeper holds its lock, 0 when none does. */
static int keeper_running(struct nn_ctx *ctx)
{
	char path[PATH_MAX];
	_cleanup_close_ int fd = -1;

	keeper_path(ctx, "lock", path, sizeof(path));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0)
		return errno == EWOULDBLOCK;
	flock(fd, LOCK_UN);
	return 0;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static bool wait_keeper(struct nn_ctx *ctx, bool running, unsigned ms)
{
	for (unsigned t = 0; t < ms; t += 5) {
		if (keeper_running(ctx) == running)
			return true;
		sleep_ms(5);
	}
	return keeper_running(ctx) == running;
}

static pid_t keeper_pid(struct nn_ctx *ctx)
{
	char path[PATH_MAX];
	FILE *f;
	long pid = 0;

	keeper_path(ctx, "pid", path, sizeof(path));
	f = fopen(path, "re");
	if (!f)
		return 0;
	if (fscanf(f, "%ld", &pid) != 1 || pid <= 1 || pid > INT_MAX)
		pid = 0;
	fclose(f);
	return pid;
}

/* Stop the keeper so that this process alone owns the leases.  The keeper
 * exits on SIGTERM without releasing anything: its lease files say where it
 * left off. */
static int keeper_stop(struct nn_ctx *ctx, struct nn_error *e)
{
	pid_t pid;

	if (!keeper_running(ctx))
		return 0;
	pid = keeper_pid(ctx);
	if (pid > 0)
		kill(pid, SIGTERM);
	if (wait_keeper(ctx, false, KEEPER_WAIT_MS))
		return 0;
	if (pid > 0)
		kill(pid, SIGKILL);
	if (wait_keeper(ctx, false, KEEPER_WAIT_MS))
		return 0;
	return nn_error_setx(e, EBUSY, "the lease keeper (pid %d) does not stop", (int)pid);
}

static bool any_dhcp_lease(struct nn_ctx *ctx)
{
	char **names;
	size_t n;
	struct nn_error e = { 0 };
	bool any = false;

	if (scan_clients(ctx, NULL, &names, &n, &e) < 0)
		return false;
	for (size_t i = 0; i < n && !any; i++) {
		struct nn_client_info c;

		if (load_client(ctx, names[i], &c, &e) == 1 && !c.is_static &&
		    nn_netns_exists(ctx, c.name) == 1)
			any = true;
	}
	free_names(names, n);
	return any;
}

int nn_clients_keeper_ensure(struct nn_ctx *ctx, char *const argv[], struct nn_error *e)
{
	static char *const def[] = { "netnsctl", "lease-keeper", NULL };
	const char *prog = argv ? argv[0] : "/proc/self/exe";
	pid_t pid;
	int status;

	if (keeper_running(ctx) || !any_dhcp_lease(ctx))
		return 0;
	if (!argv)
		argv = def;
	pid = fork();
	if (pid < 0)
		return nn_error_set(e, errno, "cannot start the lease keeper");
	if (pid == 0) {
		/* A session of its own, and not our child: it outlives this command. */
		int fd;

		setsid();
		if (fork() != 0)
			_exit(0);
		fd = open("/dev/null", O_RDWR);
		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
			if (fd > 2)
				close(fd);
		}
		setenv("NETNSCTL_RUN_DIR", nn_ctx_run_dir(ctx), 1);
		setenv("NETNSCTL_STATE_DIR", nn_ctx_state_dir(ctx), 1);
		setenv("NETNSCTL_ETC_DIR", nn_ctx_etc_dir(ctx), 1);
		execv(prog, argv);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!wait_keeper(ctx, true, KEEPER_WAIT_MS))
		return nn_error_setx(e, ESRCH, "the lease keeper did not start");
	return 0;
}

/* --- one client in a DHCP loop ------------------------------------------- */

struct client {
	char name[256];
	uint8_t mac[6];
	bool existing;		/* left alone by this call */
	struct nn_ns *ns;
	int ifindex;
	struct nn_dhcp_port port;
	struct nn_client_info info;
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
};

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

static int on_bound(struct nn_dhcp_port *p, const struct nn_dhcp_lease *l, void *arg,
		    struct nn_error *e)
{
	struct run *r = arg;
	struct client *c = p->data;
	bool was_bound = p->bound;

	if (install_addr(c->ns, c->ifindex, l->address, l->prefixlen, l->router, e) < 0)
		return nn_error_prefix(e, "client \"%s\"", c->name);
	info_from_lease(&c->info, l);
	note_figures(&c->info, &p->timing);
	if (!r->keeper) {
		const struct in_addr *dns = r->spec->n_dns ? r->spec->dns : l->dns;
		unsigned n = r->spec->n_dns ? r->spec->n_dns : l->n_dns;

		c->info.n_dns = n;
		memcpy(c->info.dns, dns, n * sizeof(*dns));
		snprintf(c->info.domain, sizeof(c->info.domain), "%s", l->domain);
		if (!was_bound && write_resolv(r->ctx, c->name, dns, n, l->domain, e) < 0)
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

static int client_open(struct nn_ctx *ctx, struct client *c, struct nn_error *e)
{
	struct nn_link_info li;

	if (nn_ctx_ns(ctx, c->name, &c->ns, e) < 0 ||
	    nn_link_get(c->ns, NN_CLIENTS_IFNAME, &li, e) < 0)
		return -e->code;
	c->ifindex = li.ifindex;
	c->port.ns = c->ns;
	c->port.ifindex = li.ifindex;
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

/* Give back the leases of V's bound clients: every RELEASE goes out before any namespace goes. */
static void release_all(struct client **v, size_t n)
{
	uint64_t now = nn_dhcp_now_ms();

	for (size_t i = 0; i < n; i++) {
		struct nn_dhcp_event ev = { .type = NN_DHCP_EV_RELEASE };
		struct nn_error e = { 0 };

		if (!v[i] || v[i]->port.fd < 0 || !v[i]->port.bound)
			continue;
		nn_dhcp_port_feed(&v[i]->port, &ev, now, NULL, NULL, &e);
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
		sleep_ms(2);
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

static void failure_message(struct client **nw, size_t n_new, unsigned timeout_ms,
			    unsigned min, size_t have, struct nn_error *e)
{
	/* What the message's head leaves of an error's NN_ERROR_MAX. */
	char list[NN_ERROR_MAX - 128] = "";
	size_t off = 0, bad = 0, shown = 0;

	for (size_t i = 0; i < n_new; i++)
		bad += !nw[i]->port.bound || nw[i]->port.failed;
	for (size_t i = 0; i < n_new; i++) {
		int k;

		if (nw[i]->port.bound && !nw[i]->port.failed)
			continue;
		/* Room kept for " and N more" after the last one that fits. */
		k = snprintf(list + off, sizeof(list) - 32 - off, "%s%s (%.80s)", shown ? ", " : "",
			     nw[i]->name, why_failed(nw[i]));
		if (k < 0 || (size_t)k >= sizeof(list) - 32 - off) {
			list[off] = '\0';	/* no half a name */
			break;
		}
		off += (size_t)k;
		shown++;
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
	remove_client_files(ctx, c->name);
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
	if (nn_plan_cancelled())
		return nn_error_setx(e, ECANCELED,
				     "interrupted by signal %d while leasing: all %zu new clients rolled back",
				     nn_plan_cancelled(), *n_new);
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
	size_t n = spec->count, n_new = 0;
	bool applied = false;
	int ret;

	if (nn_clients_check(ctx, spec, e) < 0)
		return -e->code;
	if (nn_state_lock(ctx, e) < 0 || keeper_stop(ctx, e) < 0)
		return -e->code;
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
			int live = nn_netns_exists(ctx, c->name);

			if (live < 0) {
				ret = nn_error_set(e, -live, "cannot look at namespace \"%s\"", c->name);
				goto out;
			}
			if (live) {
				c->existing = true;
				memcpy(c->mac, c->info.mac, 6);
				continue;
			}
			remove_client_files(ctx, c->name);	/* its namespace is gone */
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

	lab = nn_lab_new("create-clients");
	if (!lab) {
		ret = nn_error_set(e, ENOMEM, "cannot describe the clients");
		goto out;
	}
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
	ret = nn_plan_apply(ctx, plan, NULL, NULL, NULL, e);
	if (ret < 0)
		goto out;	/* undone by apply */
	applied = true;

	if (spec->is_static) {
		hosts = calloc(n, sizeof(*hosts));
		if (!hosts) {
			ret = nn_error_set(e, ENOMEM, "cannot allocate addresses");
			goto out;
		}
		ret = nn_prefix_hosts(&spec->static_net, n, hosts, e);
		for (size_t i = 0; ret == 0 && i < n; i++) {
			struct client *c = all[i];
			struct nn_link_info li;
			struct in_addr none = { 0 };

			if (c->existing)
				continue;
			if (nn_ctx_ns(ctx, c->name, &c->ns, e) < 0 ||
			    nn_link_get(c->ns, NN_CLIENTS_IFNAME, &li, e) < 0 ||
			    install_addr(c->ns, li.ifindex, hosts[i].addr.v4, hosts[i].len, none, e) < 0 ||
			    write_resolv(ctx, c->name, spec->dns, spec->n_dns, NULL, e) < 0) {
				ret = nn_error_prefix(e, "client \"%s\"", c->name);
				break;
			}
			c->info.is_static = true;
			c->info.has_addr = true;
			c->info.addr = hosts[i];
			c->info.n_dns = spec->n_dns;
			memcpy(c->info.dns, spec->dns, sizeof(c->info.dns));
			if (progress)
				progress(i + 1, n, arg);
		}
		if (ret < 0)
			goto out;
	} else {
		ret = lease_new(ctx, spec, nw, &n_new, n - n_new, timeout, progress, arg, report, e);
		if (ret < 0)
			goto out;
	}
	for (size_t i = 0; i < n_new; i++) {
		ret = save_client(ctx, &nw[i]->info, e);
		if (ret < 0)
			goto out;
	}
	ret = n_new;
out:
	if (ret < 0 && applied) {
		release_all(nw, n_new);
		for (size_t i = 0; i < n_new; i++) {
			nn_dhcp_port_close(&nw[i]->port);
			remove_client_files(ctx, nw[i]->name);
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
	nn_plan_free(plan);
	nn_lab_free(lab);
	free(nw);
	if (all)
		clients_free(all, n);
	return ret;
}

/* --- delete and list ------------------------------------------------------ */

static void delete_macvlan(struct nn_ctx *ctx, const char *name)
{
	struct nn_error e = { 0 };
	struct nn_link_info li;
	struct nn_ns *ns;

	if (nn_netns_exists(ctx, name) == 1 && nn_ctx_ns(ctx, name, &ns, &e) == 0 &&
	    nn_link_find(ns, NN_CLIENTS_IFNAME, &li, &e) == 1 && !strcmp(li.kind, "macvlan"))
		nn_link_del(ns, li.ifindex, &e);
}

/* Clients PREFIXk with FIRST <= k <= LAST (LAST 0: all of them). */
static int delete_clients(struct nn_ctx *ctx, const char *prefix, unsigned first, unsigned last,
			  struct nn_error *e)
{
	struct client **v = NULL;
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

		if (!c) {
			ret = nn_error_set(e, ENOMEM, "cannot allocate clients");
			goto out;
		}
		v[i] = c;
		c->port.fd = -1;
		snprintf(c->name, sizeof(c->name), "%s", names[i]);
		if (load_client(ctx, names[i], &c->info, &le) != 1)
			continue;	/* unreadable: deleted all the same */
		memcpy(c->mac, c->info.mac, 6);
		if (c->info.is_static || !c->info.has_addr || nn_netns_exists(ctx, c->name) != 1)
			continue;
		client_config(c, &cfg);
		lease_from_info(&l, &c->info);
		/* A client we cannot reach still gets deleted; the server's lease just runs out. */
		if (nn_dhcp_client_resume(&c->port.c, &cfg, &l, nn_dhcp_now_ms(), &le) < 0 ||
		    client_open(ctx, c, &le) < 0)
			continue;
		c->port.bound = true;
	}
	release_all(v, n);
	/* Their leases are given back: every one of them goes now, even
	 * past one that fails (the first failure is the error). */
	ret = 0;
	for (size_t i = 0; i < n; i++) {
		struct client *c = v[i];
		struct nn_error de = { 0 };
		int r;

		nn_dhcp_port_close(&c->port);
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
		remove_client_files(ctx, c->name);
		deleted++;
	}
	if (ret == 0)
		ret = deleted;
out:
	if (nn_clients_keeper_ensure(ctx, NULL, ret < 0 ? &(struct nn_error){ 0 } : e) < 0 && ret >= 0)
		ret = -e->code;
	clients_free(v, n);
	free_names(names, n);
	return ret;
}

int nn_clients_delete(struct nn_ctx *ctx, const char *prefix, struct nn_error *e)
{
	return delete_clients(ctx, prefix, 0, 0, e);
}

int nn_clients_delete_range(struct nn_ctx *ctx, const char *prefix, unsigned first, unsigned last,
			    struct nn_error *e)
{
	if (!prefix || first < 1 || last < first)
		return nn_error_setx(e, EINVAL, "invalid range of clients %u..%u%s", first, last,
				     prefix ? "" : " without a prefix");
	return delete_clients(ctx, prefix, first, last, e);
}

int nn_clients_list(struct nn_ctx *ctx, const char *prefix, struct nn_client_info **out,
		    size_t *n_out, struct nn_error *e)
{
	struct nn_client_info *v;
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
		if (ret < 0) {
			free(v);
			free_names(names, n);
			return ret;
		}
		/* A client whose namespace someone else deleted is gone. */
		if (ret == 1 && (ret = nn_netns_exists(ctx, names[i])) < 0) {
			free(v);
			free_names(names, n);
			return nn_error_set(e, -ret, "cannot look at namespace \"%s\"", names[i]);
		}
		if (ret == 1)
			k++;
	}
	free_names(names, n);
	qsort(v, k, sizeof(*v), cmp_info);
	*out = v;
	*n_out = k;
	return 0;
}

/* --- the keeper ------------------------------------------------------------ */

static bool keeper_done(void *arg)
{
	(void)arg;
	return false;
}

static const struct nn_dhcp_ops keeper_ops = {
	.bound = on_bound,
	.lost = on_lost,
	.done = keeper_done,
};

/* Drop clients whose namespace or lease file went away (someone deleted them). */
static void keeper_prune(struct run *r)
{
	size_t k = 0;

	for (size_t i = 0; i < r->n; i++) {
		struct client *c = r->v[i];
		char path[PATH_MAX];

		lease_path(r->ctx, c->name, path, sizeof(path));
		/* Gone only when it is known to be gone. */
		if (nn_netns_exists(r->ctx, c->name) != 0 && access(path, F_OK) == 0) {
			r->v[k++] = c;
			continue;
		}
		nn_dhcp_port_close(&c->port);
		nn_ctx_ns_forget(r->ctx, c->name);
		if (access(path, F_OK) == 0)
			remove_client_files(r->ctx, c->name);
		free(c);
	}
	r->n = k;
}

int nn_clients_keeper_run(struct nn_ctx *ctx, int stop_fd, struct nn_error *e)
{
	char path[PATH_MAX], pid[32], **names = NULL;
	_cleanup_close_ int lock = -1;
	struct run r = { .ctx = ctx, .keeper = true };
	struct nn_dhcp_port **ports = NULL;
	size_t n = 0;
	int ret;

	keeper_path(ctx, "lock", path, sizeof(path));
	snprintf(pid, sizeof(pid), "%s/clients", nn_ctx_state_dir(ctx));
	if (mkdir_p(pid, e) < 0)
		return -e->code;
	lock = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (lock < 0)
		return nn_error_set(e, errno, "cannot open \"%s\"", path);
	/* keeper_running() takes the lock for a moment to test it: only one
	 * held for longer is another keeper. */
	for (int tries = 0; flock(lock, LOCK_EX | LOCK_NB) < 0; tries++) {
		if (errno != EWOULDBLOCK || tries == 100)
			return nn_error_setx(e, EALREADY, "a lease keeper is running already");
		sleep_ms(1);
	}
	keeper_path(ctx, "pid", path, sizeof(path));
	snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	if (write_file(path, pid, e) < 0)
		return -e->code;

	ret = scan_clients(ctx, NULL, &names, &n, e);
	if (ret < 0)
		goto out;
	r.v = calloc(n ? n : 1, sizeof(*r.v));
	ports = calloc(n ? n : 1, sizeof(*ports));
	if (!r.v || !ports) {
		ret = nn_error_set(e, ENOMEM, "cannot allocate clients");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		struct nn_dhcp_client_config cfg;
		struct nn_dhcp_lease l;
		struct nn_error le = { 0 };
		struct client *c = calloc(1, sizeof(*c));
		uint64_t now = nn_dhcp_now_ms();
		int rr;

		if (!c) {
			ret = nn_error_set(e, ENOMEM, "cannot allocate clients");
			goto out;
		}
		c->port.fd = -1;
		snprintf(c->name, sizeof(c->name), "%s", names[i]);
		if (load_client(ctx, names[i], &c->info, &le) != 1 || c->info.is_static ||
		    nn_netns_exists(ctx, c->name) != 1) {
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
		}
		if (rr < 0 || client_open(ctx, c, &le) < 0) {
			nn_dhcp_port_close(&c->port);
			free(c);
			continue;
		}
		c->port.bound = c->info.has_addr;
		if (!c->info.has_addr) {
			struct nn_dhcp_event ev = { .type = NN_DHCP_EV_START };

			nn_dhcp_port_feed(&c->port, &ev, now, &keeper_ops, &r, &le);
		}
		r.v[r.n++] = c;
	}
	for (;;) {
		for (size_t i = 0; i < r.n; i++)
			ports[i] = &r.v[i]->port;
		if (r.n == 0) {
			ret = 0;
			break;
		}
		ret = nn_dhcp_loop(ports, r.n, nn_dhcp_now_ms() + KEEPER_TICK_MS, stop_fd,
				   &keeper_ops, &r, e);
		if (ret < 0 || ret == 2) {
			ret = ret < 0 ? ret : 0;
			break;
		}
		keeper_prune(&r);
	}
out:
	keeper_path(ctx, "pid", path, sizeof(path));
	unlink(path);
	if (r.v)
		clients_free(r.v, r.n);
	free(ports);
	free_names(names, n);
	return ret;
}
