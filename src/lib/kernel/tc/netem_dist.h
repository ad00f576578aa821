/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NETNSCTL_NETEM_DIST_H
#define NETNSCTL_NETEM_DIST_H

/*
 * netem delay distribution tables, generated from the math at run time
 * instead of read from iproute2's .dist files (whose location differs per
 * distribution).  A table is the inverse CDF of a distribution with mean 0
 * and a spread of about 1, sampled at NN_NETEM_DIST_SIZE evenly spaced
 * probabilities and scaled by NETEM_DIST_SCALE (8192); the kernel picks an
 * entry t at random and delays by delay + jitter * t / 8192.
 */

#include <stdint.h>

#include "netnsctl/qdisc.h"

#define NN_NETEM_DIST_SIZE 4096

/* Fill TABLE for DIST.  NN_DIST_NONE gives a uniform table over
 * [-jitter, +jitter), the same spread the kernel uses without a table.
 * Returns 0, or -EINVAL for an unknown DIST. */
int nn_netem_dist_table(enum nn_netem_dist dist, int16_t table[NN_NETEM_DIST_SIZE]);

#endif
