// SPDX-License-Identifier: GPL-2.0-or-later
/* Expectations and their bounds (expect.h).  Pure. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "netnsctl/expect.h"
#include "netnsctl/units.h"
#include "util/show.h"

/* The reason a unit parser gave, without its 'invalid WHAT "VALUE": '. */
static const char *reason_of(const struct nn_error *tmp)
{
	const char *r = strstr(tmp->msg, "\": ");

	return r ? r + 3 : tmp->msg;
}

static void trim(char **s)
{
	char *end;

	while (**s == ' ' || **s == '\t')
		(*s)++;
	end = *s + strlen(*s);
	while (end > *s && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
}

/* S in KIND's unit into *V (0 when S is refused). */
static int parse_value(const char *s, enum nn_bound_kind kind, double *v, struct nn_error *tmp)
{
	uint64_t u64 = 0;
	uint32_t prob = 0;
	int ret;

	switch (kind) {
	case NN_BOUND_TIME:
		ret = nn_parse_time(s, "value", &u64, tmp);
		*v = (double)u64;
		return ret;
	case NN_BOUND_RATE:
		ret = nn_parse_rate(s, "value", &u64, tmp);
		*v = (double)u64 * 8;
		return ret;
	case NN_BOUND_LOSS:
	default:
		ret = nn_parse_percent(s, "value", &prob, tmp);
		*v = (double)prob / UINT32_MAX;
		return ret;
	}
}

/* S for a message: printable, with "±" written "+-" (a message is escaped
 * to ASCII on its way out, which would make "±" \xc2\xb1). */
static const char *shown(char *buf, size_t len, const char *val, const char *tol)
{
	struct nn_shown a, b;

	if (tol)
		snprintf(buf, len, "%s+-%s", nn_show(&a, val), nn_show(&b, tol));
	else
		snprintf(buf, len, "%s", nn_show(&a, val));
	return buf;
}

int nn_bound_parse(const char *s, enum nn_bound_kind kind, const char *what, struct nn_bound *b,
		   struct nn_error *e)
{
	char buf[sizeof(b->text)], *val, *tol = NULL, *sep, show[2 * sizeof(struct nn_shown)];
	struct nn_error tmp = { 0 };
	struct nn_shown sh;
	double t;

	memset(b, 0, sizeof(*b));
	if (strlen(s) >= sizeof(buf))
		return nn_error_setx(e, EINVAL, "invalid %s \"%s\": longer than %zu bytes", what,
				     nn_show(&sh, s), sizeof(buf) - 1);
	snprintf(buf, sizeof(buf), "%s", s);
	val = buf;
	if ((sep = strstr(buf, "\xc2\xb1"))) {	/* "±" in UTF-8 */
		*sep = '\0';
		tol = sep + 2;
	} else if ((sep = strstr(buf, "+-"))) {
		*sep = '\0';
		tol = sep + 2;
	}
	trim(&val);
	if (tol)
		trim(&tol);
	shown(show, sizeof(show), val, tol);
	if (parse_value(val, kind, &b->value, &tmp) < 0)
		return nn_error_setx(e, EINVAL, "invalid %s \"%s\": %s", what, show, reason_of(&tmp));
	b->lo = b->hi = b->value;
	if (tol) {
		size_t n = strlen(tol);

		if (!n)
			return nn_error_setx(e, EINVAL, "invalid %s \"%s\": no tolerance after \"+-\"",
					     what, show);
		if (tol[n - 1] == '%' && kind != NN_BOUND_LOSS) {
			uint32_t prob;

			if (nn_parse_percent(tol, "value", &prob, &tmp) < 0)
				return nn_error_setx(e, EINVAL, "invalid %s \"%s\": tolerance: %s", what,
						     show, reason_of(&tmp));
			t = b->value * ((double)prob / UINT32_MAX);
		} else if (parse_value(tol, kind, &t, &tmp) < 0) {
			return nn_error_setx(e, EINVAL, "invalid %s \"%s\": tolerance: %s", what, show,
					     reason_of(&tmp));
		}
		b->has_tol = true;
		b->lo = b->value > t ? b->value - t : 0;
		b->hi = b->value + t;
		if (kind == NN_BOUND_LOSS && b->hi > 1)
			b->hi = 1;
	}
	snprintf(b->text, sizeof(b->text), "%s", s);
	b->set = true;
	return 0;
}

bool nn_expect_unbounded(const struct nn_expect *x)
{
	return !x->rtt.set && !x->loss.set && !x->rate.set;
}

const char *nn_expect_name(char *buf, size_t len, const struct nn_expect *x)
{
	char addr[64];

	if (x->to_is_addr)
		snprintf(buf, len, "%s -> %s", x->from,
			 nn_format_prefix(addr, sizeof(addr), &x->to_addr, false));
	else
		snprintf(buf, len, "%s -> %s", x->from, x->to);
	return buf;
}
