// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "util/cleanup.h"
#include "util/file.h"

int nn_mkdir_p(const char *path, mode_t mode, struct nn_error *e)
{
	char buf[PATH_MAX];

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return nn_error_setx(e, ENAMETOOLONG, "path \"%s\" is too long", path);
	for (char *p = buf + 1;; p++) {
		char c = *p;

		if (c != '/' && c != '\0')
			continue;
		*p = '\0';
		if (mkdir(buf, mode) < 0 && errno != EEXIST)
			return nn_error_set(e, errno, "cannot create \"%s\"", buf);
		*p = c;
		if (!c)
			return 0;
	}
}

int nn_dir_open(const char *path, mode_t mode, struct nn_error *e)
{
	int fd;

	if (mode && nn_mkdir_p(path, mode, e) < 0)
		return -e->code;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		struct stat st;

		/* A symlink there fails as ENOTDIR (O_DIRECTORY) or ELOOP. */
		if ((errno == ELOOP || errno == ENOTDIR) && lstat(path, &st) == 0) {
			bool link = S_ISLNK(st.st_mode);

			return nn_error_setx(e, link ? ELOOP : ENOTDIR,
					     "\"%s\" is %s, not a directory: not written to", path,
					     link ? "a symlink" : "something else");
		}
		return nn_error_set(e, errno, "cannot open \"%s\"", path);
	}
	return fd;
}

#define TMP_PREFIX ".netnsctl-tmp."
#define TMP_SUFFIX ".new"

bool nn_file_is_temp(const char *name)
{
	size_t n = strlen(name), p = strlen(TMP_PREFIX), s = strlen(TMP_SUFFIX);

	if (n <= p + s || strncmp(name, TMP_PREFIX, p) || strcmp(name + n - s, TMP_SUFFIX))
		return false;
	for (size_t i = p; i < n - s; i++)
		if (name[i] < '0' || name[i] > '9')
			return false;
	return true;
}

int nn_file_replace_at(int dirfd, const char *dir, const char *name, int tmp_dirfd,
		       const void *text, size_t len, mode_t mode, bool sync, struct nn_error *e)
{
	_cleanup_close_ int fd = -1;
	const char *p = text;
	char tmp[64];
	int err;

	if (tmp_dirfd < 0)
		tmp_dirfd = dirfd;
	/* A name of our own: one a killed process left is ours to replace. */
	snprintf(tmp, sizeof(tmp), TMP_PREFIX "%d" TMP_SUFFIX, (int)getpid());
	if (unlinkat(tmp_dirfd, tmp, 0) < 0 && errno != ENOENT)
		return nn_error_set(e, errno, "cannot remove \"%s/%s\"", dir, tmp);
	fd = openat(tmp_dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0)
		return nn_error_set(e, errno, "cannot write \"%s/%s\"", dir, name);
	/* The umask does not get a say: these modes are part of the promise. */
	if (fchmod(fd, mode) < 0)
		goto fail;
	while (len > 0) {
		ssize_t w = write(fd, p, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		p += w;
		len -= (size_t)w;
	}
	if (sync && fsync(fd) < 0)
		goto fail;
	if (renameat(tmp_dirfd, tmp, dirfd, name) < 0)
		goto fail;
	return 0;
fail:
	err = errno;
	unlinkat(tmp_dirfd, tmp, 0);
	return nn_error_set(e, err, "cannot write \"%s/%s\"", dir, name);
}
