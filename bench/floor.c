// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * THE FLOOR: not netnsctl, not a product path.
 *
 * The least a program must do to build and tear down the benchmark's labs,
 * so that bench/run can say how far each tool is from it: no state, no
 * journal, no checks, no error recovery beyond stopping at the first
 * failure.  Built by bench/run with cc; never installed.
 *
 *   floor star-up N      bridge br0 (up) in the current namespace; N named
 *                        namespaces n1..nN, each with eth0 = 10.77.i/16 (up,
 *                        lo up) whose peer v-nI is a port of br0 (up)
 *   floor star-up N no-bridge
 *                        the same with the veths left out of br0: what the
 *                        bridge costs per port (bench/report.py, "Reading")
 *   floor star-down N    delete n1..nN (their veths go with them) and br0
 *   floor tbf N RATE     root tbf RATE (bytes/s) on v-n1..v-nN (replace)
 *   floor netem N MS     root netem delay MS ms on v-n1..v-nN (replace)
 *
 * With FLOOR_NL_STATS=FILE in the environment it appends, at exit, one line
 * "netlink pid=PID sends=S" to FILE, S its netlink sends (each a request
 * and its ack), in the form of netnsctl's NETNSCTL_NL_STATS: bench/case
 * puts the two counts side by side (issue 14, round trips per star node).
 *
 * Namespaces are made the way iproute2 makes them (a bind mount of
 * /proc/self/ns/net on /run/netns/NAME), so `ip netns` sees them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <linux/if_addr.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <libmnl/libmnl.h>

#define RUN_NETNS "/run/netns"

static char buf[8192];	/* MNL_SOCKET_BUFFER_SIZE is not a constant */
static unsigned int seq;
static unsigned long sends;	/* talk() is the only netlink send */

static void die(const char *what)
{
	fprintf(stderr, "floor: %s: %s\n", what, strerror(errno));
	exit(1);
}

static struct mnl_socket *open_rtnl(void)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_ROUTE);

	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		die("netlink socket");
	return nl;
}

/* One request, one ack: the kernel's answer is all we read. */
static void talk(struct mnl_socket *nl, struct nlmsghdr *nlh, const char *what)
{
	ssize_t n;

	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = ++seq;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		die(what);
	sends++;
	n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
	if (n < 0)
		die(what);
	if (mnl_cb_run(buf, n, seq, mnl_socket_get_portid(nl), NULL, NULL) < 0)
		die(what);
}

static struct nlmsghdr *link_msg(int type, int flags, int index)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = index;
	return nlh;
}

static void set_up(struct mnl_socket *nl, int index, const char *name)
{
	struct nlmsghdr *nlh = link_msg(RTM_NEWLINK, 0, index);
	struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);

	if (name)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	talk(nl, nlh, "set link up");
}

static void make_bridge(struct mnl_socket *nl)
{
	struct nlmsghdr *nlh = link_msg(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0);
	struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	struct nlattr *info;

	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "br0");
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "bridge");
	mnl_attr_nest_end(nlh, info);
	talk(nl, nlh, "create br0");
}

/* iproute2's way: unshare a fresh namespace, bind it on the run dir, and
 * keep a netlink socket opened inside it before going back. */
static struct mnl_socket *make_netns(const char *name, int home, int *nsfd)
{
	char path[64];
	struct mnl_socket *nl;
	int fd;

	snprintf(path, sizeof(path), RUN_NETNS "/%s", name);
	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (fd < 0)
		die(path);
	close(fd);
	if (unshare(CLONE_NEWNET) < 0)
		die("unshare");
	if (mount("/proc/self/ns/net", path, "none", MS_BIND, NULL) < 0)
		die("bind netns");
	*nsfd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (*nsfd < 0)
		die("open netns");
	nl = open_rtnl();
	if (setns(home, CLONE_NEWNET) < 0)
		die("setns home");
	return nl;
}

static void star_up(int n, int enslave)
{
	struct mnl_socket *nl = open_rtnl();
	int home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	int br, i;

	if (home < 0)
		die("open own netns");
	mkdir(RUN_NETNS, 0755);
	/* iproute2 makes the run dir a shared mount point once */
	if (mount("", RUN_NETNS, "none", MS_SHARED | MS_REC, NULL) < 0) {
		if (mount(RUN_NETNS, RUN_NETNS, "none", MS_BIND | MS_REC, NULL) < 0 ||
		    mount("", RUN_NETNS, "none", MS_SHARED | MS_REC, NULL) < 0)
			die("share " RUN_NETNS);
	}
	make_bridge(nl);
	br = if_nametoindex("br0");
	if (!br)
		die("br0 index");

	for (i = 1; i <= n; i++) {
		char ns[16], host[IFNAMSIZ];
		struct mnl_socket *in;
		struct nlmsghdr *nlh;
		struct ifinfomsg *ifi, *peer;
		struct ifaddrmsg *ifa;
		struct nlattr *info, *data, *p;
		uint32_t addr;
		int nsfd;

		snprintf(ns, sizeof(ns), "n%d", i);
		snprintf(host, sizeof(host), "v-n%d", i);
		in = make_netns(ns, home, &nsfd);

		/* the host end, enslaved and up in the same request; the
		 * peer goes straight into the namespace as ifindex 2 */
		nlh = link_msg(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0);
		ifi = mnl_nlmsg_get_payload(nlh);
		ifi->ifi_flags = IFF_UP;
		ifi->ifi_change = IFF_UP;
		mnl_attr_put_strz(nlh, IFLA_IFNAME, host);
		if (enslave)
			mnl_attr_put_u32(nlh, IFLA_MASTER, br);
		info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
		mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
		data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
		p = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
		peer = mnl_nlmsg_put_extra_header(nlh, sizeof(*peer));
		peer->ifi_index = 2;
		mnl_attr_put_strz(nlh, IFLA_IFNAME, "eth0");
		mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, nsfd);
		mnl_attr_nest_end(nlh, p);
		mnl_attr_nest_end(nlh, data);
		mnl_attr_nest_end(nlh, info);
		talk(nl, nlh, "create veth");
		close(nsfd);

		set_up(in, 1, NULL);

		nlh = mnl_nlmsg_put_header(buf);
		nlh->nlmsg_type = RTM_NEWADDR;
		nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
		ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
		ifa->ifa_family = AF_INET;
		ifa->ifa_prefixlen = 16;
		ifa->ifa_index = 2;
		addr = htonl(0x0a4d0000u | (uint32_t)i);	/* 10.77.0.0/16 + i */
		mnl_attr_put_u32(nlh, IFA_LOCAL, addr);
		mnl_attr_put_u32(nlh, IFA_ADDRESS, addr);
		talk(in, nlh, "add address");

		set_up(in, 2, NULL);
		mnl_socket_close(in);
	}
	close(home);
	mnl_socket_close(nl);
}

static void star_down(int n)
{
	struct mnl_socket *nl = open_rtnl();
	struct nlmsghdr *nlh;
	int i;

	for (i = 1; i <= n; i++) {
		char path[64];

		snprintf(path, sizeof(path), RUN_NETNS "/n%d", i);
		if (umount2(path, MNT_DETACH) < 0)
			die(path);
		if (unlink(path) < 0)
			die(path);
	}
	nlh = link_msg(RTM_DELLINK, 0, 0);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "br0");
	talk(nl, nlh, "delete br0");
	mnl_socket_close(nl);
}

/* RTM_NEWQDISC replacing the root of v-nI with KIND; its options follow. */
static struct nlmsghdr *root_qdisc_msg(int i, const char *kind)
{
	char host[IFNAMSIZ];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct tcmsg *tcm;
	int index;

	snprintf(host, sizeof(host), "v-n%d", i);
	index = if_nametoindex(host);
	if (!index)
		die(host);
	nlh->nlmsg_type = RTM_NEWQDISC;
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_REPLACE;
	tcm = mnl_nlmsg_put_extra_header(nlh, sizeof(*tcm));
	tcm->tcm_family = AF_UNSPEC;
	tcm->tcm_ifindex = index;
	tcm->tcm_parent = TC_H_ROOT;
	mnl_attr_put_strz(nlh, TCA_KIND, kind);
	return nlh;
}

static void tbf(int n, unsigned int rate)
{
	struct mnl_socket *nl = open_rtnl();
	int i;

	for (i = 1; i <= n; i++) {
		struct nlmsghdr *nlh = root_qdisc_msg(i, "tbf");
		struct tc_tbf_qopt q = { 0 };
		struct nlattr *opt;
		uint32_t burst = 32768, limit = 32768;

		opt = mnl_attr_nest_start(nlh, TCA_OPTIONS);
		q.rate.rate = rate;
		q.limit = limit;
		/* buffer is in tc's ticks, 15.625 per microsecond (the
		 * numbers in /proc/net/psched), as tc computes it */
		q.buffer = (uint32_t)((double)burst / rate * 1e9 / 64);
		mnl_attr_put(nlh, TCA_TBF_PARMS, sizeof(q), &q);
		mnl_attr_put_u32(nlh, TCA_TBF_BURST, burst);
		mnl_attr_nest_end(nlh, opt);
		talk(nl, nlh, "tbf");
	}
	mnl_socket_close(nl);
}

/* netem's TCA_OPTIONS is a struct tc_netem_qopt followed by attributes. */
static void netem(int n, unsigned int ms)
{
	struct mnl_socket *nl = open_rtnl();
	int i;

	for (i = 1; i <= n; i++) {
		struct nlmsghdr *nlh = root_qdisc_msg(i, "netem");
		struct tc_netem_qopt q = { 0 };
		struct nlattr *opt;
		uint64_t ns = (uint64_t)ms * 1000000;

		opt = mnl_attr_nest_start(nlh, TCA_OPTIONS);
		q.limit = 1000;
		q.latency = (uint32_t)(ns >> 6);	/* ticks of 64 ns */
		memcpy(mnl_nlmsg_get_payload_tail(nlh), &q, sizeof(q));
		nlh->nlmsg_len += MNL_ALIGN(sizeof(q));
		mnl_attr_put_u64(nlh, TCA_NETEM_LATENCY64, ns);
		mnl_attr_nest_end(nlh, opt);
		talk(nl, nlh, "netem");
	}
	mnl_socket_close(nl);
}

/* Appended once, at exit, so the count costs the timed work nothing. */
static void write_stats(void)
{
	const char *path = getenv("FLOOR_NL_STATS");
	FILE *f;

	if (!path || !*path || !(f = fopen(path, "a")))
		return;
	fprintf(f, "netlink pid=%d sends=%lu\n", (int)getpid(), sends);
	fclose(f);
}

int main(int argc, char **argv)
{
	int n = argc > 2 ? atoi(argv[2]) : 0;

	atexit(write_stats);

	if (argc >= 3 && !strcmp(argv[1], "star-up") && n > 0)
		star_up(n, !(argc >= 4 && !strcmp(argv[3], "no-bridge")));
	else if (argc >= 3 && !strcmp(argv[1], "star-down") && n > 0)
		star_down(n);
	else if (argc >= 4 && !strcmp(argv[1], "tbf") && n > 0)
		tbf(n, (unsigned int)strtoul(argv[3], NULL, 0));
	else if (argc >= 4 && !strcmp(argv[1], "netem") && n > 0)
		netem(n, (unsigned int)strtoul(argv[3], NULL, 0));
	else {
		fprintf(stderr, "usage: floor star-up N [no-bridge] | star-down N | tbf N RATE_BYTES_PER_S"
			" | netem N DELAY_MS\n");
		return 2;
	}
	return 0;
}
