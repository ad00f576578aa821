/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NETNSCTL_FILE_H
#define NETNSCTL_FILE_H

/*
 * Files netnsctl writes as root (the journal, lease and lab records,
 * /etc/netns/NAME/resolv.conf), written so that a symlink never redirects
 * them: the directory is opened once (its last component not followed) and
 * every name is opened relative to it with O_NOFOLLOW, a temporary file
 * with O_EXCL too, then renamed over the name (which replaces a symlink
 * there, never what it points to).
 */

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "netnsctl/error.h"

/* PATH and its parents made (MODE) where missing, as mkdir -p. */
int nn_mkdir_p(const char *path, mode_t mode, struct nn_error *e);

/* The directory PATH as an fd to work in by name (O_DIRECTORY, its last
 * component not followed: ELOOP for a symlink).  With MODE nonzero, PATH is
 * made first when missing (its parents too). */
int nn_dir_open(const char *path, mode_t mode, struct nn_error *e);

/*
 * Replace NAME in DIRFD (DIR: its path, for messages) with LEN bytes of
 * TEXT, mode MODE: written to a temporary name in TMP_DIRFD (-1: DIRFD) and
 * renamed over NAME.  With SYNC, the file is synced before the rename.
 * The temporary name never ends in a digit (no client name can be it).
 */
int nn_file_replace_at(int dirfd, const char *dir, const char *name, int tmp_dirfd,
		       const void *text, size_t len, mode_t mode, bool sync, struct nn_error *e);

/* Is NAME a temporary name of nn_file_replace_at's? */
bool nn_file_is_temp(const char *name);

#endif
