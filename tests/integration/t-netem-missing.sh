#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lanes: host
# why: the host kernel has no sch_netem (the UML kernel has it, and the UML
#      lane has its own netem tests); skips with 77 on a host that has it.
#
# add-delay on a kernel without sch_netem: exit 1, one line on stderr that
# says so, and the link's qdiscs as they were, whether that was the default
# or a tbf; nor does the failed attempt make netnsctl cleanup later take a
# qdisc that tc put there.  --dry-run fails the same way, and apply of a lab
# with netem fails before its first step (issue #13, item 4): the planner
# asks the kernel for the qdisc kinds a plan needs.
#
#   +--------------------------+           +--------------------------+
#   | netns sva                |           | netns svb                |
#   |   veth-a 10.10.0.1/30    =============   veth-b 10.10.0.2/30    |
#   +--------------------------+           +--------------------------+
#   +--------------------------+
#   | netns other (ip)         |
#   |   lo, tbf made by tc     |
#   +--------------------------+

. "$(dirname "$(readlink -f "$0")")/lib.sh"

cleanup() {
	local rc=$?
	set +e
	ip link del itest-probe 2>/dev/null
	del_namespaces sva svb other
	exit $rc
}
trap cleanup EXIT

ip link add itest-probe type veth peer name itest-probe1
if tc qdisc add dev itest-probe root netem delay 1ms 2>/dev/null; then
	echo "SKIP: this kernel has sch_netem" >&2
	ip link del itest-probe
	exit 77
fi
ip link del itest-probe

ok n create-veth-pair sva svb

# no_netem CMD...: CMD fails as it should and changes nothing.
no_netem() {
	local before
	before=$(state)
	expect_fail_with 1 'this kernel has no sch_netem' "$@"
	assert_same "$before" "$(state)" "a failed add-delay changed something"
}

pretty "add-delay over the default qdisc"
no_netem n add-delay sva veth-a --delay 100ms
no_netem n add-delay svb veth-b --loss 1%
no_netem n add-delay sva veth-a --delay 10ms --jitter 1ms --distribution normal

pretty "add-delay over a tbf"
ok n set-rate sva veth-a --rate 10mbit
no_netem n add-delay sva veth-a --delay 100ms
[[ $(qdisc_of sva veth-a) == *"qdisc tbf "*" rate 10Mbit "* ]] || fail "the tbf is gone: $(qdisc_of sva veth-a)"

pretty "a failed add-delay does not make a tc qdisc netnsctl's"
ip netns add other
ip -n other link set lo up
no_netem n add-delay other lo --delay 100ms
tc -n other qdisc add dev lo root tbf rate 3mbit burst 32kb latency 10ms
mine=$(qdisc_of other lo)
ok n cleanup
assert_eq "$(qdisc_of other lo)" "$mine" "the tbf tc put on lo in other, after netnsctl cleanup"
ip netns del other
ok n create-veth-pair sva svb

pretty "add-delay --dry-run: the same failure, not \"would set qdisc netem\""
no_netem n add-delay sva veth-a --delay 100ms --dry-run
[[ $OUT != *"would"* ]] || fail "add-delay --dry-run promised a step: $OUT"

pretty "apply of a lab with netem: refused before its first step"
WORK=$(mktemp -d)
cat >"$WORK/lab.yaml" <<'EOF2'
name: netem-lab
nodes: [la, lb]
links:
  - endpoints: [la, lb]
    impair: {delay: 10ms}
EOF2
no_netem n apply "$WORK/lab.yaml"
assert_eq "$OUT" "" "apply's steps and roll-backs"
no_netem n apply "$WORK/lab.yaml" --dry-run
rm -rf "$WORK"

pretty "take it down"
ok n delete-namespaces sva svb
assert_nothing_left
