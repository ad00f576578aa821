// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "netnsctl/error.h"

__attribute__((format(printf, 4, 0)))
static int set_v(struct nn_error *e, int errnum, const char *why,
		 const char *fmt, va_list ap)
{
	int n;

	if (errnum <= 0)
		errnum = errnum < 0 ? -errnum : EIO;
	if (!e)
		return -errnum;
	e->code = errnum;
	n = vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	if (why && n >= 0 && (size_t)n < sizeof(e->msg))
		snprintf(e->msg + n, sizeof(e->msg) - n, ": %s", why);
	return -errnum;
}

int nn_error_set(struct nn_error *e, int errnum, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = set_v(e, errnum, strerror(errnum < 0 ? -errnum : errnum), fmt, ap);
	va_end(ap);
	return ret;
}

int nn_error_setx(struct nn_error *e, int errnum, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = set_v(e, errnum, NULL, fmt, ap);
	va_end(ap);
	return ret;
}

int nn_error_set_kernel(struct nn_error *e, int errnum, const char *extack,
			const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = set_v(e, errnum,
		    extack && *extack ? extack : strerror(errnum < 0 ? -errnum : errnum),
		    fmt, ap);
	va_end(ap);
	return ret;
}

int nn_error_prefix(struct nn_error *e, const char *fmt, ...)
{
	char old[NN_ERROR_MAX];
	va_list ap;
	int n;

	if (!e)
		return -EIO;
	memcpy(old, e->msg, sizeof(old));
	va_start(ap, fmt);
	n = vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < sizeof(e->msg))
		snprintf(e->msg + n, sizeof(e->msg) - n, ": %s", old);
	return -(e->code ? e->code : EIO);
}

void nn_error_clear(struct nn_error *e)
{
	if (e) {
		e->code = 0;
		e->msg[0] = '\0';
	}
}
