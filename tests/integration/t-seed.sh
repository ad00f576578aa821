#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lanes: host uml
#
# The seed walkthrough: two namespaces, one veth pair between them, a ping
# across, then everything taken down again.
#
#   +---------------------------+           +---------------------------+
#   | netns sva                 |           | netns svb                 |
#   |   lo UP                   |           |   lo UP                   |
#   |   veth-a 10.10.0.1/30 UP ===============  veth-b 10.10.0.2/30 UP  |
#   +---------------------------+           +---------------------------+
#
# Every check reads what the kernel reports (ip -j, ip netns), never what
# netnsctl printed.

. "$(dirname "$(readlink -f "$0")")/lib.sh"

cleanup() {
	local rc=$?
	set +e
	del_namespaces sva svb
	exit $rc
}
trap cleanup EXIT

pretty "create-namespaces sva svb"
ok n create-namespaces sva svb
netns_exists sva || fail "sva is not in ip netns list"
netns_exists svb || fail "svb is not in ip netns list"
# the namespaces are distinct, and not the sandbox's own
[[ $(nsx sva readlink /proc/self/ns/net) != $(nsx svb readlink /proc/self/ns/net) ]] ||
	fail "sva and svb are the same namespace"
[[ $(nsx sva readlink /proc/self/ns/net) != $(readlink /proc/self/ns/net) ]] ||
	fail "sva is the sandbox's own namespace"

pretty "create-veth-pair sva svb"
ok n create-veth-pair sva svb
assert_pair sva veth-a svb veth-b 10.10.0.1/30 10.10.0.2/30
# the connected route of the /30 is what makes the other side reachable
assert_eq "$(ipn sva -j route show 10.10.0.0/30 | ipjson get 0.dev "")" veth-a "route to 10.10.0.0/30 in sva"
assert_eq "$(ipn svb -j route show 10.10.0.0/30 | ipjson get 0.dev "")" veth-b "route to 10.10.0.0/30 in svb"

pretty "ping 10.10.0.1 from svb"
nsx svb ping -c 3 -W 1 10.10.0.1 >/dev/null
nsx sva ping -c 1 -W 1 10.10.0.2 >/dev/null

pretty "delete-veth-pair sva svb"
ok n delete-veth-pair sva svb
! link_exists sva veth-a || false
! link_exists svb veth-b || false
assert_eq "$(ipn sva -o link show | awk -F': ' '{ print $2 }')" lo "links left in sva"
assert_eq "$(ipn svb -o link show | awk -F': ' '{ print $2 }')" lo "links left in svb"

pretty "delete-namespaces sva svb"
ok n delete-namespaces sva svb
! netns_exists sva || false
! netns_exists svb || false

assert_nothing_left
