/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NETNSCTL_TIMELINE_INT_H
#define NETNSCTL_TIMELINE_INT_H

/* Internal to src/lib/timeline: what the parser and the schedule share. */

#include <stdint.h>

#include "netnsctl/labfile.h"
#include "netnsctl/timeline.h"

/* Set the field WHAT of IM (delay, loss, or the rate of its kind) to V. */
void nn_tl_ramp_set(struct nn_labfile_impair *im, enum nn_tl_ramp_what what, uint64_t v);
/* The value of that field in IM. */
uint64_t nn_tl_ramp_get(const struct nn_labfile_impair *im, enum nn_tl_ramp_what what);

/* Ramp step K of N from FROM to TO, rounded to the nearest unit, a half
 * away from FROM: FROM at 0, exactly TO at N. */
uint64_t nn_tl_interp(uint64_t from, uint64_t to, unsigned int k, unsigned int n);

#endif
