/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NETNSCTL_NAMES_H
#define NETNSCTL_NAMES_H

#include <stdint.h>
#include "netnsctl/error.h"

/*
 * Namespace names as iproute2 accepts them, plus no control characters or
 * whitespace (a name becomes a file under /run/netns and /etc/netns): non-empty,
 * at most NAME_MAX bytes, no '/', not "." or "..".  -EINVAL, naming the value.
 */
int nn_check_netns_name(const char *name, struct nn_error *e);

/* Interface names: 1..15 bytes (IFNAMSIZ - 1), no '/', ':' or whitespace, not "." or "..". */
int nn_check_ifname(const char *name, struct nn_error *e);

/* "02:00:5e:10:00:01" (also '-' separated); -EINVAL naming the value. */
int nn_parse_mac(const char *s, uint8_t mac[6], struct nn_error *e);

#endif
