// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nn-tcdump KIND DEV PARENT NAME: one RTM_GET{QDISC,TCLASS,TFILTER} dump of
 * DEV's tc objects under PARENT (hex, 0: all) as the kernel sends it, every
 * message as it came, written as a C array NAME: how tc-capture.sh records
 * what kernels dump for tc_dumps.h.  A tool for regenerating test data, not
 * a test.
 */
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>

static unsigned char all[1 << 20];
static size_t n;

static int keep(const struct nlmsghdr *nlh, void *data)
{
	size_t len = MNL_ALIGN(nlh->nlmsg_len);

	(void)data;
	if (n + len > sizeof(all))
		return MNL_CB_ERROR;
	memset(all + n, 0, len);
	memcpy(all + n, nlh, nlh->nlmsg_len);
	n += len;
	return MNL_CB_OK;
}

int main(int argc, char **argv)
{
	static char buf[1 << 16];
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	struct tcmsg *t;
	unsigned int seq = (unsigned int)time(NULL);
	int type, ret;

	if (argc != 5) {
		fputs("usage: nn-tcdump qdisc|class|filter DEV PARENT NAME\n", stderr);
		return 2;
	}
	type = !strcmp(argv[1], "qdisc") ? RTM_GETQDISC : !strcmp(argv[1], "class") ? RTM_GETTCLASS :
	       RTM_GETTFILTER;
	nl = mnl_socket_open(NETLINK_ROUTE);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("nn-tcdump: netlink");
		return 1;
	}
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = (uint16_t)type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	t = mnl_nlmsg_put_extra_header(nlh, sizeof(*t));
	t->tcm_ifindex = (int)if_nametoindex(argv[2]);
	t->tcm_parent = (uint32_t)strtoul(argv[3], NULL, 16);
	if (!t->tcm_ifindex || mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		fprintf(stderr, "nn-tcdump: cannot ask about \"%s\"\n", argv[2]);
		return 1;
	}
	while ((ret = (int)mnl_socket_recvfrom(nl, buf, sizeof(buf))) > 0) {
		ret = mnl_cb_run(buf, (size_t)ret, seq, mnl_socket_get_portid(nl), keep, NULL);
		if (ret <= MNL_CB_STOP)
			break;
	}
	if (ret < 0) {
		perror("nn-tcdump: dump");
		return 1;
	}
	printf("/* %s dump of %s (ifindex %d), parent %s: %zu bytes */\nstatic const unsigned char %s[] = {\n",
	       argv[1], argv[2], t->tcm_ifindex, argv[3], n, argv[4]);
	for (size_t i = 0; i < n; i++)
		printf("%s0x%02x,%s", i % 12 ? "" : "\t", all[i], (i % 12 == 11 || i == n - 1) ? "\n" : " ");
	puts("};");
	mnl_socket_close(nl);
	return 0;
}
