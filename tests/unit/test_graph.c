// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "netnsctl/graph.h"
#include "netnsctl/labfile.h"

static char *quoted(const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	nn_graph_write_quoted(f, s);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void quote_is(const char *in, const char *want)
{
	char *got = quoted(in);

	if (strcmp(got, want))
		print_error("input \"%s\": got %s, want %s\n", in, got, want);
	assert_string_equal(got, want);
	free(got);
}

static void test_quote(void **state)
{
	(void)state;
	quote_is("sva", "\"sva\"");
	quote_is("", "\"\"");
	/* the parser's one escape, and the label escapes neutralised */
	quote_is("a\"b", "\"a\\\"b\"");
	quote_is("a\\b", "\"a\\\\b\"");
	quote_is("\\N\\G\\l", "\"\\\\N\\\\G\\\\l\"");
	quote_is("\"", "\"\\\"\"");
	quote_is("x\\", "\"x\\\\\"");	/* a trailing backslash cannot eat the closing quote */
	/* DOT's own punctuation is plain text inside quotes */
	quote_is("a -- b; c=d {e} [f] <g>", "\"a -- b; c=d {e} [f] <g>\"");
	/* control characters and DEL as the text \xHH */
	quote_is("a\nb", "\"a\\\\x0ab\"");
	quote_is("\t\r\x1b\x7f", "\"\\\\x09\\\\x0d\\\\x1b\\\\x7f\"");
	/* well-formed UTF-8 passes, anything else is escaped byte by byte */
	quote_is("gr\xc3\xbcne", "\"gr\xc3\xbcne\"");
	quote_is("\xe2\x82\xac\xf0\x9f\x90\xa7", "\"\xe2\x82\xac\xf0\x9f\x90\xa7\"");
	quote_is("\xff", "\"\\\\xff\"");
	quote_is("\xc3", "\"\\\\xc3\"");			/* cut short at the end */
	quote_is("\xc3x", "\"\\\\xc3x\"");
	quote_is("\xe2\x82", "\"\\\\xe2\\\\x82\"");
	quote_is("\xc0\x80", "\"\\\\xc0\\\\x80\"");		/* overlong NUL */
	quote_is("\xe0\x80\xaf", "\"\\\\xe0\\\\x80\\\\xaf\"");	/* overlong '/' */
	quote_is("\xed\xa0\x80", "\"\\\\xed\\\\xa0\\\\x80\"");	/* a UTF-16 surrogate */
	quote_is("\xf4\x90\x80\x80", "\"\\\\xf4\\\\x90\\\\x80\\\\x80\"");	/* > U+10FFFF */
	quote_is("\x80", "\"\\\\x80\"");
}

static char *dot(const struct nn_graph *g)
{
	struct nn_error e = { 0 };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(nn_graph_write_dot(g, f, &e), 0);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static const char header[] =
	"graph \"netnsctl\" {\n"
	"\tgraph [rankdir=LR, fontname=\"Helvetica\", nodesep=0.5, ranksep=1.2];\n"
	"\tnode [fontname=\"Helvetica\", fontsize=11];\n"
	"\tedge [fontname=\"Helvetica\", fontsize=9];\n";

static void test_empty(void **state)
{
	struct nn_graph *g = nn_graph_new();
	char *got;

	(void)state;
	assert_non_null(g);
	got = dot(g);
	assert_memory_equal(got, header, strlen(header));
	assert_string_equal(got + strlen(header), "}\n");
	free(got);
	nn_graph_free(g);
}

/* The same lab, added in two different orders. */
static struct nn_graph *lab(bool reversed)
{
	struct nn_graph_end ab_a = { .ns = "a", .ifname = "veth-a", .detail = "10.0.0.1/30\nnetem delay 10ms" };
	struct nn_graph_end ab_b = { .ns = "b", .ifname = "veth-b", .detail = "10.0.0.2/30" };
	struct nn_graph_end port = { .ns = "", .ifname = "p-b", .bridge = "br0" };
	struct nn_graph_end b_eth = { .ns = "b", .ifname = "eth1" };
	struct nn_graph_end mv = { .ns = "a", .ifname = "mv0" };
	struct nn_graph_end parent = { .ns = "", .bridge = "br0" };
	struct nn_error e = { 0 };
	struct nn_graph *g = nn_graph_new();

	assert_non_null(g);
	if (!reversed) {
		assert_int_equal(nn_graph_add_netns(g, "a", &e), 0);
		assert_int_equal(nn_graph_add_netns(g, "b", &e), 0);
		assert_int_equal(nn_graph_add_netns(g, "c\"", &e), 0);
		assert_int_equal(nn_graph_add_bridge(g, NULL, "br0", "10.1.0.1/24", &e), 0);
		assert_int_equal(nn_graph_add_iface(g, "c\"", "dummy0", "dummy", "10.9.0.1/24\n10.9.0.2/24", &e), 0);
		assert_int_equal(nn_graph_add_iface(g, "c\"", "ab", NULL, NULL, &e), 0);
		assert_int_equal(nn_graph_add_edge(g, NN_GRAPH_VETH, &ab_a, &ab_b, &e), 0);
		assert_int_equal(nn_graph_add_edge(g, NN_GRAPH_VETH, &port, &b_eth, &e), 0);
		assert_int_equal(nn_graph_add_edge(g, NN_GRAPH_MACVLAN, &mv, &parent, &e), 0);
	} else {
		/* edges first: they make the nodes; the bridge's details come later */
		assert_int_equal(nn_graph_add_edge(g, NN_GRAPH_MACVLAN, &mv, &parent, &e), 0);
		assert_int_equal(nn_graph_add_edge(g, NN_GRAPH_VETH, &b_eth, &port, &e), 0);
		assert_int_equal(nn_graph_add_edge(g, NN_GRAPH_VETH, &ab_b, &ab_a, &e), 0);
		assert_int_equal(nn_graph_add_iface(g, "c\"", "ab", NULL, NULL, &e), 0);
		assert_int_equal(nn_graph_add_iface(g, "c\"", "dummy0", "dummy", "10.9.0.1/24\n10.9.0.2/24", &e), 0);
		assert_int_equal(nn_graph_add_bridge(g, "", "br0", "10.1.0.1/24", &e), 0);
		assert_int_equal(nn_graph_add_netns(g, "c\"", &e), 0);
		assert_int_equal(nn_graph_add_netns(g, "b", &e), 0);
		assert_int_equal(nn_graph_add_netns(g, "a", &e), 0);
		assert_int_equal(nn_graph_add_netns(g, "a", &e), 0);	/* twice is once */
	}
	return g;
}

static void test_order(void **state)
{
	static const char body[] =
		"\tsubgraph \"cluster_/host\" {\n"
		"\t\tgraph [style=dashed, color=\"#7f7f7f\", label=\"\"];\n"
		"\t\t\"host\" [shape=box, style=filled, fillcolor=\"#e8e8e8\", label=\"host\"];\n"
		"\t\t\"br:/br0\" [shape=octagon, style=filled, fillcolor=\"#f6ecd0\", label=\"br0\\n10.1.0.1/24\"];\n"
		"\t}\n"
		"\t\"ns:a\" [shape=box, style=\"rounded,filled\", fillcolor=\"#dbe8f6\", label=\"a\"];\n"
		"\t\"ns:b\" [shape=box, style=\"rounded,filled\", fillcolor=\"#dbe8f6\", label=\"b\"];\n"
		"\t\"ns:c\\\"\" [shape=box, style=\"rounded,filled\", fillcolor=\"#dbe8f6\", label=\"c\\\"\\nab\\ndummy0 (dummy) 10.9.0.1/24 10.9.0.2/24\"];\n"
		"\t\"br:/br0\" -- \"ns:b\" [label=\"host:p-b\\lb:eth1\\l\"];\n"
		"\t\"ns:a\" -- \"br:/br0\" [style=dashed, label=\"macvlan\\la:mv0\\l\"];\n"
		"\t\"ns:a\" -- \"ns:b\" [label=\"a:veth-a\\l  10.0.0.1/30\\l  netem delay 10ms\\lb:veth-b\\l  10.0.0.2/30\\l\"];\n"
		"}\n";
	struct nn_graph *g1 = lab(false), *g2 = lab(true);
	char *d1 = dot(g1), *d2 = dot(g2);

	(void)state;
	assert_memory_equal(d1, header, strlen(header));
	if (strcmp(d1 + strlen(header), body))
		print_error("got:\n%s", d1 + strlen(header));
	assert_string_equal(d1 + strlen(header), body);
	assert_string_equal(d1, d2);
	/* writing does not reorder the graph itself: the same text again */
	free(d2);
	d2 = dot(g1);
	assert_string_equal(d1, d2);
	free(d1);
	free(d2);
	nn_graph_free(g1);
	nn_graph_free(g2);
}

static void test_escaped_everywhere(void **state)
{
	struct nn_graph_end a = { .ns = "x\\n", .ifname = "e\"0", .detail = "1\\2\nl\x01" };
	struct nn_graph_end b = { .ns = "y", .ifname = "e1", .bridge = "b\"r" };
	struct nn_error e = { 0 };
	struct nn_graph *g = nn_graph_new();
	char *d;

	(void)state;
	assert_int_equal(nn_graph_add_edge(g, NN_GRAPH_VETH, &a, &b, &e), 0);
	d = dot(g);
	assert_non_null(strstr(d, "\"ns:x\\\\n\" [shape=box"));
	assert_non_null(strstr(d, "label=\"x\\\\n\"]"));
	assert_non_null(strstr(d, "subgraph \"cluster_y\""));
	assert_non_null(strstr(d, "\"br:y/b\\\"r\" [shape=octagon"));
	assert_non_null(strstr(d, "\"ns:x\\\\n\" -- \"br:y/b\\\"r\" [label=\"x\\\\n:e\\\"0\\l  1\\\\2\\l  l\\\\x01\\ly:e1\\l\"];"));
	free(d);
	nn_graph_free(g);
}

static void test_write_error(void **state)
{
	struct nn_error e = { 0 };
	struct nn_graph *g = nn_graph_new();
	FILE *f = fopen("/dev/full", "w");

	(void)state;
	if (!f)
		skip();
	assert_int_equal(nn_graph_add_netns(g, "a", &e), 0);
	assert_int_equal(nn_graph_write_dot(g, f, &e), -ENOSPC);
	assert_string_equal(e.msg, "cannot write the graph: No space left on device");
	fclose(f);
	nn_graph_free(g);
}

static void test_labfile(void **state)
{
	static const char text[] =
		"name: t\n"
		"nodes:\n"
		"  - name: r\n"
		"    forwarding: true\n"
		"    routes:\n"
		"      - {to: default, via: 10.1.0.2}\n"
		"    commands:\n"
		"      - [sleep, '1000']\n"
		"  - b\n"
		"links:\n"
		"  - endpoints:\n"
		"      - {node: r, if: eth1, addr: 10.1.0.1/24, egress: {delay: 5ms}}\n"
		"      - {node: b, if: eth0, addr: 10.1.0.2/24}\n"
		"bridges:\n"
		"  - name: lan\n"
		"    members:\n"
		"      - {node: b, if: eth1, addr: 10.2.0.2/24, port: p-b}\n"
		"uplinks:\n"
		"  - {node: r, cidr: 10.200.0.0/30, nat: true}\n"
		"port_forwards:\n"
		"  - {node: r, proto: udp, host_port: 5353, port: 53}\n"
		"clients:\n"
		"  - {prefix: cl, count: 3, parent: lan, static: 10.2.0.64/29}\n";
	struct nn_error e = { 0 };
	struct nn_labfile *lf = NULL;
	struct nn_graph *g = nn_graph_new();
	char *d;

	(void)state;
	if (nn_labfile_parse(text, strlen(text), "t.yaml", &lf, &e) < 0)
		print_error("%s\n", e.msg);
	assert_non_null(lf);
	assert_int_equal(nn_graph_from_labfile(lf, g, &e), 0);
	d = dot(g);
	assert_non_null(strstr(d, "\t\t\"host\" [shape=box, style=filled, fillcolor=\"#e8e8e8\", label=\"host\\nudp :5353 -> r 10.200.0.2:53\"];\n"));
	assert_non_null(strstr(d, "\t\t\"br:/lan\" [shape=octagon"));
	assert_non_null(strstr(d, "\t\"ns:r\" [shape=box, style=\"rounded,filled\", fillcolor=\"#dbe8f6\", label=\"r\\nforwarding\\nroute default via 10.1.0.2\\nruns sleep 1000\"];\n"));
	assert_non_null(strstr(d, "\t\"ns:b\" -- \"ns:r\" [label=\"b:eth0\\l  10.1.0.2/24\\lr:eth1\\l  10.1.0.1/24\\l  netem delay 5ms\\l\"];\n"));
	assert_non_null(strstr(d, "\t\"br:/lan\" -- \"ns:b\" [label=\"host:p-b\\lb:eth1\\l  10.2.0.2/24\\l\"];\n"));
	assert_non_null(strstr(d, "\t\"host\" -- \"ns:r\" [label=\"host:"));
	assert_non_null(strstr(d, "masquerade (NAT)"));
	assert_non_null(strstr(d, "\t\"ns:cl1..cl3\" -- \"br:/lan\" [style=dashed, label=\"macvlan\\lcl1..cl3:eth0\\l  mode bridge\\l  static 10.2.0.64/29\\l\"];\n"));
	free(d);
	nn_graph_free(g);
	nn_labfile_free(lf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quote),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_escaped_everywhere),
		cmocka_unit_test(test_write_error),
		cmocka_unit_test(test_labfile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
