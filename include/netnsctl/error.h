/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NETNSCTL_ERROR_H
#define NETNSCTL_ERROR_H

/*
 * One error object carries what went wrong through every layer: the errno,
 * and a message that names the object and the step ("cannot create veth-a in
 * sva"), ending with the kernel's extended-ack text when there is one, else
 * strerror().  Library functions fill it and return -errno; only the CLI
 * prints it.
 */

#define NN_ERROR_MAX 512

struct nn_error {
	int code;		/* positive errno, 0 when unset */
	char msg[NN_ERROR_MAX];
};

/* "FMT: strerror(errnum)"; returns -errnum. */
int nn_error_set(struct nn_error *e, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* "FMT" alone (the text already says why); returns -errnum. */
int nn_error_setx(struct nn_error *e, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* "FMT: KERNELTEXT" when the kernel sent an extended ack, else like nn_error_set. */
int nn_error_set_kernel(struct nn_error *e, int errnum, const char *extack,
			const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Prepend "FMT: " to the message already there; returns -e->code. */
int nn_error_prefix(struct nn_error *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

void nn_error_clear(struct nn_error *e);

#endif
