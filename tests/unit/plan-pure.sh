#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# plan-pure.sh NM OBJECT...: the planner (src/lib/engine/plan.c, and
# plan_tc.c for tc trees) does no I/O.  Of the objects of netnsctl_core,
# theirs may call only the pure
# helpers below (the snapshot's lookups, the ownership judges, the spec's
# names, prefixes, the hash map, the error type, qdisc and NAT rule
# comparison; tc trees' checks, diffs and ifb names; each other), libc's
# memory and string functions and the sanitizers'
# hooks of an ASan build: a call into the kernel layer, the journal, the
# context or a file fails this test.
set -eu
nm=$1
shift
obj=
tcobj=
# (CMake may hand the objects over as one ';'-separated list.)
for o in $(printf '%s\n' "$@" | tr ';' '\n'); do
	case $o in */engine/plan.c.o) obj=$o ;; */engine/plan_tc.c.o) tcobj=$o ;; esac
done
[ -n "$obj" ] || { echo "plan-pure: no plan.c object among the arguments" >&2; exit 1; }
[ -n "$tcobj" ] || { echo "plan-pure: no plan_tc.c object among the arguments" >&2; exit 1; }
allowed='^(nn_snap_[a-z_]+|nn_owner_(in_ns|link|nat|nat_nonce|netns|qdisc|route|filter|clsact)|nn_plan_(tc_item|tc_prune|tc_has_ifb|add_step|qdisc|makes_link|makes_ns|deletes_ns)|nn_tc_(tree_diff|tree_empty|tree_check|match_same)|nn_ifb_name|nn_hash_(find|free|get|len|next|put)|nn_lab_has_ns|nn_prefix_equal|nn_format_prefix|nn_journal_route_dst|nn_qdisc_same|nn_nat_rule_same|nn_error_(set|setx)|calloc|malloc|realloc|free|memset|memcpy|memmove|memcmp|strcmp|strncmp|strlen|snprintf|__[a-z_]+_chk|__stack_chk_fail|__(asan|ubsan)_[a-z0-9_]+)$'
bad=$("$nm" -u "$obj" "$tcobj" | awk 'NF == 2 {print $2}' | grep -Ev "$allowed" || true)
if [ -n "$bad" ]; then
	echo "plan-pure: the planner calls what may do I/O:" $bad >&2
	exit 1
fi
