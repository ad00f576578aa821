/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NETNSCTL_TCMSG_H
#define NETNSCTL_TCMSG_H

/* Shared by the tc codecs: bounded attribute parsing and request headers. */

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

static inline const void *nn_attr_data(const struct nlattr *a)
{
	return (const char *)a + NLA_HDRLEN;
}

static inline size_t nn_attr_len(const struct nlattr *a)
{
	return a->nla_len - NLA_HDRLEN;
}

/*
 * Index the attributes in LEN bytes at BUF by type (the last of a type
 * wins, as in the kernel; types above MAX are skipped).  Every header and
 * length is checked against LEN before it is used.  -EINVAL when malformed.
 */
static inline int nn_attr_parse(const void *buf, size_t len, const struct nlattr **tb,
				unsigned int max)
{
	const char *p = buf;

	memset(tb, 0, (max + 1) * sizeof(*tb));
	while (len > 0) {
		const struct nlattr *a = (const struct nlattr *)p;
		unsigned int type;
		size_t step;

		if (len < NLA_HDRLEN || a->nla_len < NLA_HDRLEN || a->nla_len > len)
			return -EINVAL;
		type = a->nla_type & NLA_TYPE_MASK;
		if (type <= max)
			tb[type] = a;
		step = NLA_ALIGN(a->nla_len);
		if (step >= len)
			break;
		p += step;
		len -= step;
	}
	return 0;
}

/* The attributes nested in A. */
static inline int nn_attr_parse_nested(const struct nlattr *a, const struct nlattr **tb,
				       unsigned int max)
{
	return nn_attr_parse(nn_attr_data(a), nn_attr_len(a), tb, max);
}

/* Copy a fixed-size payload; a longer one is fine (newer kernels grow structs). */
static inline int nn_attr_copy(const struct nlattr *a, void *out, size_t size)
{
	if (nn_attr_len(a) < size)
		return -EINVAL;
	memcpy(out, nn_attr_data(a), size);
	return 0;
}

/* A NUL-terminated string payload, or NULL. */
static inline const char *nn_attr_str(const struct nlattr *a)
{
	size_t n = nn_attr_len(a);

	if (!n || strnlen(nn_attr_data(a), n) == n)
		return NULL;
	return nn_attr_data(a);
}

/* A nest without NLA_F_NESTED, the way tc sends TCA_OPTIONS. */
static inline struct nlattr *nn_nest_start(struct nlmsghdr *nlh, uint16_t type)
{
	struct nlattr *a = mnl_nlmsg_get_payload_tail(nlh);

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN;
	nlh->nlmsg_len += NLA_HDRLEN;
	return a;
}

static inline void nn_nest_end(struct nlmsghdr *nlh, struct nlattr *a)
{
	a->nla_len = (uint16_t)((char *)mnl_nlmsg_get_payload_tail(nlh) - (char *)a);
}

/* A tc request: header and tcmsg. */
static inline struct nlmsghdr *nn_tc_request(void *buf, uint16_t type, uint16_t flags, int ifindex,
					     uint32_t parent, uint32_t handle, uint32_t info)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct tcmsg *tcm;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	tcm = mnl_nlmsg_put_extra_header(nlh, sizeof(*tcm));
	tcm->tcm_family = AF_UNSPEC;
	tcm->tcm_ifindex = ifindex;
	tcm->tcm_parent = parent;
	tcm->tcm_handle = handle;
	tcm->tcm_info = info;
	return nlh;
}

/* The attributes after a tc message's tcmsg. */
static inline int nn_tc_msg_parse(const struct nlmsghdr *nlh, const struct nlattr **tb,
				  unsigned int max)
{
	size_t off = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct tcmsg));

	if (nlh->nlmsg_len < off)
		return -EINVAL;
	return nn_attr_parse((const char *)nlh + off, nlh->nlmsg_len - off, tb, max);
}

/* 64 ns psched ticks (PSCHED_SHIFT 6). */
#define NN_PSCHED_SHIFT 6

#endif
