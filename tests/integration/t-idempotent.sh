#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lanes: host uml-extended
#
# Running a create command again changes nothing: it exits 0, says
# "unchanged", and the kernel state (links with their ifindexes, addresses,
# routes, qdiscs with their handles) is the same as before.  --dry-run
# changes nothing either.
#
#   +--------------------------+           +--------------------------+
#   | netns sva                |           | netns svb                |
#   |   veth-a 10.10.0.1/30    =============   veth-b 10.10.0.2/30    |
#   |   root qdisc tbf 10mbit  |           |                          |
#   +--------------------------+           +--------------------------+

. "$(dirname "$(readlink -f "$0")")/lib.sh"

cleanup() {
	local rc=$?
	set +e
	del_namespaces sva svb dra drb
	exit $rc
}
trap cleanup EXIT

# again WHAT CMD...: CMD was run once already; run it again and check it is
# a no-op that says so.
again() {
	local what=$1 before after
	shift
	before=$(state)
	ok "$@"
	[[ $OUT == *unchanged* ]] || { show_run "$@"; fail "$what: second run does not say \"unchanged\""; }
	after=$(state)
	assert_same "$before" "$after" "$what: the second run changed something"
}

pretty "create-namespaces twice"
ok n create-namespaces sva svb
again create-namespaces n create-namespaces sva svb
again "create-namespaces (one name)" n create-namespaces svb

pretty "create-veth-pair twice"
ok n create-veth-pair sva svb
assert_veth_pair sva veth-a svb veth-b
again create-veth-pair n create-veth-pair sva svb
again "create-veth-pair --cidr 10.10.0.0/30" n create-veth-pair sva svb --cidr 10.10.0.0/30 --if-a veth-a --if-b veth-b
again "create-namespaces after create-veth-pair" n create-namespaces sva svb
nsx svb ping -c 1 -W 1 10.10.0.1 >/dev/null

pretty "set-rate twice"
ok n set-rate sva veth-a --rate 10mbit
[[ $(qdisc_of sva veth-a) == *"qdisc tbf "*" rate 10Mbit "* ]] || fail "no tbf 10Mbit on veth-a: $(qdisc_of sva veth-a)"
again set-rate n set-rate sva veth-a --rate 10mbit
# the same rate spelled differently is the same qdisc
again "set-rate 10000kbit" n set-rate sva veth-a --rate 10000kbit

pretty "--dry-run changes nothing"
before=$(state)
ok n create-namespaces --dry-run dra drb
ok n create-veth-pair --dry-run dra drb
[[ -n $OUT ]] || fail "create-veth-pair --dry-run printed no plan"
ok n create-veth-pair sva svb --cidr 10.20.0.0/30 --dry-run
ok n set-rate sva veth-a --rate 1mbit --dry-run
ok n set-rate svb veth-b --rate 1mbit --dry-run
ok n clear-qdisc sva veth-a --dry-run
after=$(state)
assert_same "$before" "$after" "a --dry-run changed something"

pretty "take it down"
ok n clear-qdisc sva veth-a
ok n delete-veth-pair sva svb
ok n delete-namespaces sva svb
assert_nothing_left
