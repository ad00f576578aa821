#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lanes: host
# why: it holds a process between its plan and its first step with strace,
#      which UML's ptrace makes slow; the ownership check is not the kernel's
#
# destroy judges a namespace ours by its cookie when it plans, and keeps the
# namespace's descriptor so that the delete need not enter it again to read
# the cookie once more (issue 14: teardown).  A namespace deleted and made
# again under the same name by someone else between the plan and the delete
# is another namespace: the name no longer leads to the descriptor's inode,
# and the delete leaves it alone, as when the cookie was read twice.
#
#   ra, rb (lab "replaced"), each alone; rb is replaced by `ip netns add rb`
#   while destroy waits before its first step

. "$(dirname "$(readlink -f "$0")")/lib.sh"

WORK=$(mktemp -d)

cleanup() {
	local rc=$?
	set +e
	n destroy "$WORK/replaced.yaml" >/dev/null 2>&1
	del_namespaces ra rb
	rm -rf "$WORK"
	exit $rc
}
trap cleanup EXIT

command -v strace >/dev/null || fail "strace is missing (Debian: strace)"

printf 'name: replaced\nnodes: [ra, rb]\n' >"$WORK/replaced.yaml"
ok n apply "$WORK/replaced.yaml"

pretty "rb made again by another program between destroy's plan and its steps"
# The first rt_sigaction of the process is apply's signal handlers, after
# the plan: held there 2 s.
# LeakSanitizer cannot work under a tracer (an ASan build).
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
	strace -f -qq -o /dev/null -e trace=rt_sigaction -e inject=rt_sigaction:delay_enter=2000000:when=1 \
	"$NETNSCTL" destroy "$WORK/replaced.yaml" >"$WORK/out" 2>&1 &
pid=$!
# The plan of two namespaces is made in milliseconds: replace rb well
# within the 2 s (replaced before the plan, rb would be foreign to it, and
# left alone all the same).
sleep 0.7
ip netns del rb
ip netns add rb
wait "$pid" || fail "destroy failed: $(<"$WORK/out")"
ip netns list | grep -qx 'rb' || fail "destroy deleted rb, which another program made: $(<"$WORK/out")"
ip netns list | grep -qx 'ra' && fail "destroy left ra: $(<"$WORK/out")"
pretty "destroy: $(tr '\n' ';' <"$WORK/out")"

ip netns del rb
assert_nothing_left
