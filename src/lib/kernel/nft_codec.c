// SPDX-License-Identifier: GPL-2.0-or-later
#include <endian.h>
#include <errno.h>
#include <string.h>
#include <linux/netfilter/nfnetlink.h>

#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>

#include "kernel/nft_codec.h"

bool nn_nft_attrs_whole(const struct nlmsghdr *nlh)
{
	const struct nlattr *attr;
	const char *end = (const char *)nlh + NLMSG_HDRLEN + MNL_ALIGN(sizeof(struct nfgenmsg));

	if (nlh->nlmsg_len < NLMSG_HDRLEN + MNL_ALIGN(sizeof(struct nfgenmsg)))
		return false;
	mnl_attr_for_each(attr, nlh, sizeof(struct nfgenmsg))
		end = (const char *)mnl_attr_next(attr);
	return end == (const char *)mnl_nlmsg_get_payload_tail(nlh);
}

void nn_nft_udata_read(const uint8_t *p, uint32_t n, uint8_t comment_type, uint8_t nonce_type,
		       const char **comment, size_t *comment_len, uint64_t *nonce)
{
	uint32_t off = 0;

	*comment = NULL;
	*comment_len = 0;
	*nonce = 0;
	while (p && off + 2 <= n) {
		uint8_t type = p[off], l = p[off + 1];
		const char *v = (const char *)p + off + 2;

		if (off + 2 + l > n)
			return;
		if (type == comment_type && !*comment && l > 0 && v[l - 1] == '\0') {
			*comment = v;
			*comment_len = l;
		} else if (type == nonce_type && l == sizeof(*nonce)) {
			uint64_t be;

			memcpy(&be, v, sizeof(be));
			*nonce = be64toh(be);
		}
		off += 2u + l;
	}
}

int nn_nft_rule_exprs(struct nftnl_rule *nr, const struct nftnl_expr **x, size_t max, size_t *n,
		      struct nn_error *e)
{
	struct nftnl_expr_iter *it = nftnl_expr_iter_create(nr);
	struct nftnl_expr *v;
	int more = 0;

	*n = 0;
	if (!it)
		return nn_error_set(e, ENOMEM, "cannot read an nftables rule");
	while ((v = nftnl_expr_iter_next(it))) {
		if (*n == max) {
			more = 1;
			break;
		}
		x[(*n)++] = v;
	}
	nftnl_expr_iter_destroy(it);
	return more;
}

/* nn_nft_rule_msg() and its kin: the header, the object's payload, the
 * object freed. */
#define MSG(kind)                                                                          \
	struct nlmsghdr *nn_nft_##kind##_msg(char *buf, int type, int family, int flags,  \
					     uint32_t seq, struct nftnl_##kind *o)      \
	{                                                                                  \
		struct nlmsghdr *nlh = nftnl_nlmsg_build_hdr(                              \
			buf, (uint16_t)type, (uint16_t)family, (uint16_t)flags, seq);      \
                                                                                           \
		nftnl_##kind##_nlmsg_build_payload(nlh, o);                                \
		nftnl_##kind##_free(o);                                                     \
		return nlh;                                                                 \
	}
MSG(rule)
MSG(chain)
MSG(table)
MSG(set)
#undef MSG
