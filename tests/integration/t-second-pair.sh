#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lanes: host uml-extended
#
# A second pair with its own names and network, sharing a namespace with the
# first: both work, and making or deleting the second leaves the first as it
# was.
#
#   +---------------------+      +-----------------------+      +---------------------+
#   | netns sva           |      | netns svb             |      | netns svc           |
#   |  veth-a 10.10.0.1/30 ======== veth-b 10.10.0.2/30  |      |                     |
#   |                     |      |  veth-c 10.10.1.1/30 ======== veth-d 10.10.1.2/30  |
#   +---------------------+      +-----------------------+      +---------------------+

. "$(dirname "$(readlink -f "$0")")/lib.sh"

cleanup() {
	local rc=$?
	set +e
	del_namespaces sva svb svc
	exit $rc
}
trap cleanup EXIT

# The first pair, as the kernel has it: ifindexes, addresses, flags.
first_pair() {
	ipn sva -d -j addr show dev veth-a
	ipn svb -d -j addr show dev veth-b
}

pretty "the first pair"
ok n create-veth-pair sva svb
assert_veth_pair sva veth-a svb veth-b
wait_for 10 ns_settled sva
wait_for 10 ns_settled svb
first=$(first_pair)

pretty "the second pair"
ok n create-veth-pair svb svc --if-a veth-c --if-b veth-d --cidr 10.10.1.0/30
netns_exists svc || fail "create-veth-pair did not create svc"
assert_pair svb veth-c svc veth-d 10.10.1.1/30 10.10.1.2/30
wait_for 10 ns_settled svb
assert_same "$first" "$(first_pair)" "making the second pair changed the first"
nsx svb ping -c 3 -W 1 10.10.0.1 >/dev/null
nsx svc ping -c 3 -W 1 10.10.1.1 >/dev/null
nsx sva ping -c 1 -W 1 10.10.0.2 >/dev/null
nsx svb ping -c 1 -W 1 10.10.1.2 >/dev/null

pretty "both pairs again: unchanged"
before=$(state)
ok n create-veth-pair sva svb
ok n create-veth-pair svb svc --if-a veth-c --if-b veth-d --cidr 10.10.1.0/30
assert_same "$before" "$(state)" "re-running create-veth-pair changed something"

pretty "delete the second pair"
ok n delete-veth-pair svb svc --if-a veth-c
! link_exists svb veth-c || false
! link_exists svc veth-d || false
assert_same "$first" "$(first_pair)" "deleting the second pair changed the first"
nsx svb ping -c 3 -W 1 10.10.0.1 >/dev/null

pretty "take it down"
ok n delete-veth-pair sva svb
ok n delete-namespaces sva svb svc
assert_nothing_left
