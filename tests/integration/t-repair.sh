#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lanes: host uml-extended
#
# create-veth-pair repairs a stale or damaged pair it made, and leaves other
# pairs alone: a link of the names asked for that another program made is
# refused, never deleted.
#
#   +--------------------------+        +--------------------------+        +-----------+
#   | netns sva                |        | netns svb                |        | netns svc |
#   |   veth-a 10.10.0.1/30    ==========   veth-b 10.10.0.2/30    |        |  (where a |
#   |   veth-c (ip, untouched) ==========   veth-d (ip, untouched) |        |  stray    |
#   +--------------------------+        +--------------------------+        |  veth-b   |
#                                                                           |  goes)    |
#                                                                           +-----------+
# Refused (made with iproute2): a veth-a whose peer "junk" is in sva, a
# veth-b whose peer is in svb, both ends in sva.
# Damage to netnsctl's pair, one kind at a time, then `netnsctl
# create-veth-pair sva svb`:
#   both ends in sva (veth-b moved)           veth-b moved to svc (refused:
#                                             a working pair to svc)
#   veth-a down, lo down                      an extra address, a wrong prefix
#   a stale namespace file (not a mount) in the run dir

. "$(dirname "$(readlink -f "$0")")/lib.sh"

cleanup() {
	local rc=$?
	set +e
	del_namespaces sva svb svc svx
	exit $rc
}
trap cleanup EXIT

# The pair is as create-veth-pair makes it, and works.
assert_pair_ok() {
	assert_pair sva veth-a svb veth-b 10.10.0.1/30 10.10.0.2/30
	nsx svb ping -c 3 -W 1 10.10.0.1 >/dev/null || fail "no ping across the repaired pair"
}

# repair WHAT: run create-veth-pair sva svb; it must fix the pair, and the
# unrelated veth-c/veth-d pair must keep its ifindexes and addresses.
repair() {
	pretty "repair: $1"
	ok n create-veth-pair sva svb
	assert_pair_ok
	assert_same "$other" "$(other_pair)" "the veth-c/veth-d pair changed"
}

# The veth-c/veth-d pair as the kernel reports it (ifindexes, flags, addresses).
other_pair() {
	ipn sva -d -j addr show dev veth-c
	ipn svb -d -j addr show dev veth-d
}

ok n create-namespaces sva svb svc
# a pair that is not netnsctl's default one: repairs must never touch it
ip -n sva link add veth-c type veth peer name veth-d netns svb
ip -n sva addr add 10.99.0.1/30 dev veth-c
ip -n svb addr add 10.99.0.2/30 dev veth-d
ip -n sva link set veth-c up
ip -n svb link set veth-d up
wait_for 10 ns_settled sva
wait_for 10 ns_settled svb
other=$(other_pair)

# a stale veth-a: its peer has the wrong name and sits in sva
refused() {
	pretty "refused: $1"
	take_reference
	expect_fail_with 2 "$2 in $3 was not made by netnsctl \\(it is paired with another link\\): not replaced" \
		n create-veth-pair sva svb
	assert_unchanged "a refused create-veth-pair"
}

ip -n sva link add veth-a type veth peer name junk
refused "veth-a's peer is \"junk\" in sva" veth-a sva
ip -n sva link del veth-a

ip -n svb link add veth-b type veth peer name junk
refused "veth-b's peer is \"junk\" in svb" veth-b svb
ip -n svb link del veth-b

ip -n sva link add veth-a type veth peer name veth-b
refused "both ends in sva" veth-a sva
ip -n sva link del veth-a

ok n create-veth-pair sva svb
ip -n svb link set veth-b netns sva
repair "netnsctl's veth-b moved to sva"
! link_exists sva veth-b || fail "veth-b is still in sva"

# the peer moved to another named namespace: that is a complete pair from sva
# to svc, which works for somebody; a create refuses it (exit 2, nothing
# changed), and once it is deleted the pair is made again
ip -n svb link set veth-b netns svc
pretty "refused: veth-a in sva connects to svc"
before=$(state)
expect_fail_with 2 "^netnsctl: veth-a in sva already connects to svc; .*delete-veth-pair sva svc first" \
	n create-veth-pair sva svb
assert_same "$before" "$(state)" "a refused create changed something"
ok n delete-veth-pair sva svc
repair "veth-b in svc, deleted"
! link_exists svc veth-b || fail "veth-b is still in svc"

ip -n sva link set veth-a down
ip -n svb link set lo down
repair "veth-a and svb's lo down"

ip -n sva addr add 10.10.0.5/30 dev veth-a
ip -n sva addr add 192.0.2.1/24 dev veth-a
repair "extra addresses on veth-a"

ip -n svb addr del 10.10.0.2/30 dev veth-b
ip -n svb addr add 10.10.0.2/24 dev veth-b
repair "10.10.0.2/24 instead of /30 on veth-b"

ip -n svb addr flush dev veth-b
repair "no address on veth-b"

pretty "repair: a stale namespace file in the run dir"
ip netns del svc
: >"$RUN_DIR/svx"
ok n create-namespaces svx
[[ $(nsx svx readlink /proc/self/ns/net) != $(readlink /proc/self/ns/net) ]] ||
	fail "svx is not a namespace of its own"
ok n create-veth-pair svx sva --if-a veth-x --if-b veth-y --cidr 10.10.9.0/30
assert_pair svx veth-x sva veth-y 10.10.9.1/30 10.10.9.2/30
nsx svx ping -c 1 -W 1 10.10.9.2 >/dev/null

pretty "take it down"
ok n delete-namespaces sva svb svx
assert_nothing_left
