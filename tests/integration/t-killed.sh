#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lanes: host
# why: what is under test is netnsctl's journal and cleanup, not the kernel;
#      and the ~90 traced runs take far longer than the lane's 9 minutes in
#      UML, where ptrace and every fork are slow
#
# Runs killed half way, at every point where they touch the outside world:
# every unshare, mount, setns, netlink request and write, and for cleanup
# every umount, unlink, rename and write (strace injects SIGKILL as the call
# is entered, so the call is not made).  After each kill, cleanup must leave
# nothing behind; and after the same kill, a re-run must give a whole
# working pair.
#
#   +--------------------------+           +--------------------------+
#   | netns ka                 |           | netns kb                 |
#   |   veth-a 10.10.0.1/30    =============   veth-b 10.10.0.2/30    |
#   |   (root: tbf 1mbit, for  |           |                          |
#   |    the cleanup kills)    |           |                          |
#   +--------------------------+           +--------------------------+

. "$(dirname "$(readlink -f "$0")")/lib.sh"

cleanup() {
	local rc=$?
	set +e
	del_namespaces ka kb
	exit $rc
}
trap cleanup EXIT

command -v strace >/dev/null || fail "strace is missing (Debian: strace)"
pretty "create-veth-pair killed at every step"
points=0
netlink=0
for sc in unshare mount setns sendto sendmsg write; do
	for ((i = 1; i <= 100; i++)); do
		CONTEXT="create-veth-pair ka kb killed at $sc #$i"
		kill_at "$sc" "$i" "$NETNSCTL" create-veth-pair ka kb || break
		points=$((points + 1))
		ok n cleanup
		assert_nothing_left >/dev/null

		kill_at "$sc" "$i" "$NETNSCTL" create-veth-pair ka kb || fail "not killed the second time"
		ok n create-veth-pair ka kb
		assert_pair ka veth-a kb veth-b 10.10.0.1/30 10.10.0.2/30
		ok n cleanup
		assert_nothing_left >/dev/null
	done
	# Netlink requests go out by sendto (libmnl) or sendmsg: one of them.
	case $sc in
	sendto) netlink=$((i - 1)) ;;
	sendmsg) ((netlink + i > 1)) || fail "create-veth-pair makes no netlink request: the kill points need updating" ;;
	*) ((i > 1)) || fail "create-veth-pair makes no $sc call: the kill points need updating" ;;
	esac
	# the last run was not killed: it made the pair
	CONTEXT=
	assert_veth_pair ka veth-a kb veth-b
	ok n cleanup
	assert_nothing_left >/dev/null
done
pretty "killed at $points points"

pretty "cleanup killed at every step"
for sc in umount2 unlink unlinkat setns sendmsg sendto write rename fsync; do
	for ((i = 1; i <= 100; i++)); do
		CONTEXT="cleanup killed at $sc #$i"
		ok n create-veth-pair ka kb
		ok n set-rate ka veth-a --rate 1mbit
		kill_at "$sc" "$i" "$NETNSCTL" cleanup || break
		ok n cleanup
		assert_nothing_left >/dev/null
	done
	CONTEXT=
	assert_nothing_left >/dev/null
done
CONTEXT=

assert_nothing_left
