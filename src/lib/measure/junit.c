// SPDX-License-Identifier: GPL-2.0-or-later
/* JUnit XML (junit.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "netnsctl/junit.h"
#include "util/show.h"

/* The length of the UTF-8 sequence at S that XML may carry (1-4), or 0:
 * valid UTF-8 (nn_utf8_len) but not the two non-characters XML refuses. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n = nn_utf8_len((const char *)s);
	unsigned cp = n ? nn_utf8_cp((const char *)s, n) : 0;

	return cp == 0xfffe || cp == 0xffff ? 0 : n;
}

static void text(FILE *f, const char *s, bool attr)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");

	while (*p) {
		size_t n;

		switch (*p) {
		case '&': fputs("&amp;", f); p++; continue;
		case '<': fputs("&lt;", f); p++; continue;
		case '>': fputs("&gt;", f); p++; continue;
		case '"': fputs(attr ? "&quot;" : "\"", f); p++; continue;
		case '\n': fputs(attr ? "&#10;" : "\n", f); p++; continue;
		case '\t': fputs(attr ? "&#9;" : "\t", f); p++; continue;
		case '\r': fputs("&#13;", f); p++; continue;
		default: break;
		}
		if (*p < 0x20 || !(n = utf8_len(p))) {
			/* XML 1.0 has no way to carry these bytes, not even as references */
			fprintf(f, "\\x%02x", *p);
			p++;
			continue;
		}
		fwrite(p, 1, n, f);
		p += n;
	}
}

static void attr(FILE *f, const char *name, const char *value)
{
	fprintf(f, " %s=\"", name);
	text(f, value, true);
	fputc('"', f);
}

int nn_junit_write(FILE *f, const struct nn_junit_suite *s)
{
	size_t failures = 0, errors = 0;

	for (size_t i = 0; i < s->n_cases; i++) {
		failures += s->cases[i].status == NN_JUNIT_FAIL;
		errors += s->cases[i].status == NN_JUNIT_ERROR;
	}
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites", f);
	attr(f, "name", s->name);
	fprintf(f, " tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"0\" time=\"%.3f\">\n",
		s->n_cases, failures, errors, s->seconds);
	fputs("  <testsuite", f);
	attr(f, "name", s->name);
	fprintf(f, " tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"0\" time=\"%.3f\"",
		s->n_cases, failures, errors, s->seconds);
	if (s->timestamp)
		attr(f, "timestamp", s->timestamp);
	if (s->hostname)
		attr(f, "hostname", s->hostname);
	fputs(">\n", f);
	for (size_t i = 0; i < s->n_cases; i++) {
		const struct nn_junit_case *c = &s->cases[i];

		fputs("    <testcase", f);
		attr(f, "name", c->name);
		attr(f, "classname", c->classname);
		fprintf(f, " time=\"%.3f\"", c->seconds >= 0 ? c->seconds : 0);
		if (c->status == NN_JUNIT_PASS && !c->output) {
			fputs("/>\n", f);
			continue;
		}
		fputs(">\n", f);
		if (c->status != NN_JUNIT_PASS) {
			const char *el = c->status == NN_JUNIT_FAIL ? "failure" : "error";

			fprintf(f, "      <%s", el);
			attr(f, "message", c->message);
			attr(f, "type", c->type);
			fputc('>', f);
			text(f, c->detail, false);
			fprintf(f, "</%s>\n", el);
		}
		if (c->output) {
			fputs("      <system-out>", f);
			text(f, c->output, false);
			fputs("</system-out>\n", f);
		}
		fputs("    </testcase>\n", f);
	}
	fputs("  </testsuite>\n</testsuites>\n", f);
	return ferror(f) ? -EIO : 0;
}
