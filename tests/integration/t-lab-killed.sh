#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lanes: host
# why: what is under test is netnsctl's journal and the plan's convergence,
#      not the kernel; the traced runs are far too slow under UML's ptrace
#
# apply killed with SIGKILL half way, at every namespace switch, netlink
# request, mount and write it makes (strace injects the signal as the call
# is entered): afterwards apply must converge to the whole lab (pings pass,
# a second apply says "unchanged"), and destroy and cleanup must leave
# nothing.  Every other kill is followed by destroy straight away instead.
#
#   left 10.50.1.2 --- 10.50.1.1 r 10.50.2.1 --- 10.50.2.2 right  (r forwards,
#   tbf 5mbit on r's eth2; no commands: strace -f would wait for them)

. "$(dirname "$(readlink -f "$0")")/lib.sh"

EX=$TEST_DIR/../../examples
WORK=$(mktemp -d)
LAB=$WORK/routed.yaml

cleanup() {
	local rc=$?
	set +e
	n destroy "$LAB" >/dev/null 2>&1
	del_namespaces left r right
	rm -rf "$WORK"
	exit $rc
}
trap cleanup EXIT

command -v strace >/dev/null || fail "strace is missing (Debian: strace)"
sed 's|{node: r, if: eth2, addr: 10.50.2.1/24}|{node: r, if: eth2, addr: 10.50.2.1/24, egress: {rate: 5mbit}}|' \
	"$EX/routed.yaml" >"$LAB"
grep -q 5mbit "$LAB" || fail "the sed did not apply"

converged() {
	ok n apply "$LAB"
	nsx left ping -c 1 -W 2 10.50.2.2 >/dev/null || fail "left cannot reach right"
	[[ $(qdisc_of r eth2) == *"tbf 1: root"* ]] || fail "no tbf on eth2"
	ok n apply "$LAB"
	assert_eq "$OUT" unchanged "apply after apply"
}

points=0
netlink=0
for sc in unshare mount setns sendmsg sendto write; do
	for ((i = 1; i <= 200; i++)); do
		CONTEXT="apply killed at $sc #$i"
		kill_at "$sc" "$i" "$NETNSCTL" apply "$LAB" || break
		points=$((points + 1))
		if ((points % 2)); then
			converged
		fi
		ok n destroy "$LAB"
		ok n cleanup
		assert_nothing_left >/dev/null
	done
	CONTEXT=
	# Netlink requests go out by sendto (libmnl) or sendmsg: one of them.
	case $sc in
	sendmsg) netlink=$((i - 1)) ;;
	sendto) ((netlink + i > 1)) || fail "apply makes no netlink request: the kill points need updating" ;;
	*) ((i > 1)) || fail "apply makes no $sc call: the kill points need updating" ;;
	esac
	# the last run was not killed
	converged
	ok n destroy "$LAB"
	assert_nothing_left >/dev/null
done
pretty "killed at $points points"

assert_nothing_left
