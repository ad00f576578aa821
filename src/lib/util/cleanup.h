/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NETNSCTL_CLEANUP_H
#define NETNSCTL_CLEANUP_H

/* Scope-bound cleanup, one helper per resource kind, in one place. */

#include <stdlib.h>
#include <unistd.h>
#include <stdio.h>

static inline void nn_freep(void *p) { free(*(void **)p); }
static inline void nn_closep(const int *fd) { if (*fd >= 0) close(*fd); }
static inline void nn_fclosep(FILE **f) { if (*f) fclose(*f); }

#define _cleanup_free_ __attribute__((cleanup(nn_freep)))
#define _cleanup_close_ __attribute__((cleanup(nn_closep)))
#define _cleanup_fclose_ __attribute__((cleanup(nn_fclosep)))

/* Hand a resource out of a cleanup-scoped variable. */
#define steal_pointer(pp) ({ __typeof__(*(pp)) _p = *(pp); *(pp) = NULL; _p; })
#define steal_fd(fdp) ({ int _fd = *(fdp); *(fdp) = -1; _fd; })

#define NN_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
