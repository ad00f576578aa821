#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lanes: host uml-extended
#
# A create never deletes a working pair (issue #13, item 1).  A veth end that
# stands where a new pair wants one is replaced only when it is half-made: its
# peer in one of the command's own namespaces, or in a namespace with no name.
# A complete pair to another named namespace is refused, exit 2, and nothing
# changes.  Both ends in one namespace is refused too.
#
#   +-------------+      +-------------+      +-------------+
#   | netns sva   |      | netns svb   |      | netns svc   |
#   |  veth-a ============= veth-b     |      |  (never     |
#   +-------------+      +-------------+      |   made)     |
#                                              +-------------+
#   netns svd: veth-a whose peer is in an unnamed namespace (half-made)

. "$(dirname "$(readlink -f "$0")")/lib.sh"

HOLDER=
cleanup() {
	local rc=$?
	set +e
	[[ -z $HOLDER ]] || { kill "$HOLDER"; wait "$HOLDER"; } 2>/dev/null
	del_namespaces sva svb svc svd sve
	exit $rc
}
trap cleanup EXIT

pretty "a working pair"
ok n create-veth-pair sva svb
wait_for 10 ns_settled sva
wait_for 10 ns_settled svb
nsx svb ping -c 1 -W 1 10.10.0.1 >/dev/null
before=$(state)

pretty "a second pair that would take veth-a from it: refused"
expect_fail_with 2 '^netnsctl: veth-a in sva already connects to svb; name other links with --if-a/--if-b, or delete-veth-pair sva svb first$' \
	n create-veth-pair sva svc
assert_same "$before" "$(state)" "a refused create changed something"
! netns_exists svc || fail "a refused create made svc"
expect_fail_with 2 '^netnsctl: veth-a in sva already connects to svb' \
	n create-veth-pair sva svc --dry-run

pretty "the same from the other end"
expect_fail_with 2 '^netnsctl: veth-b in svb already connects to sva; name other links with --if-a/--if-b, or delete-veth-pair svb sva --if-a veth-b first$' \
	n create-veth-pair svc svb
assert_same "$before" "$(state)" "a refused create changed something"

pretty "both ends in one namespace: refused"
expect_fail_with 2 '^netnsctl: create-veth-pair: both ends in namespace "sva": a veth pair connects two namespaces$' \
	n create-veth-pair sva sva
expect_fail_with 2 'both ends in namespace "sve"' n create-veth-pair sve sve --if-a x --if-b y
assert_same "$before" "$(state)" "a refused create changed something"

pretty "attach and connect-host refuse to take it too"
expect_fail_with 2 '^netnsctl: veth-a in sva already connects to svb; name other links, or delete-veth-pair sva svb first$' \
	n attach sva br9 --if veth-a
assert_same "$before" "$(state)" "a refused attach changed something"

pretty "other names: both pairs work"
ok n create-veth-pair sva svc --if-a veth-c --if-b veth-d --cidr 10.10.1.0/30
wait_for 10 ns_settled svc
nsx svb ping -c 1 -W 1 10.10.0.1 >/dev/null
nsx svc ping -c 1 -W 1 10.10.1.1 >/dev/null

pretty "a half-made end (its peer in a namespace with no name) is still repaired"
unshare --net sleep 300 &
HOLDER=$!
own_net() { [[ $(readlink "/proc/$HOLDER/ns/net") != "$(readlink /proc/self/ns/net)" ]]; }
wait_for 10 own_net
# netnsctl's own pair, its veth-b moved where no name reaches it (a link
# made by ip instead would be refused: netnsctl replaces only its own)
ok n create-veth-pair svd sve
ip -n sve link set veth-b netns "$HOLDER"
ok n create-veth-pair svd sve
[[ $OUT == *"delete stale veth-a in svd"* ]] || fail "the half-made veth-a was not named: $OUT"
assert_veth_pair svd veth-a sve veth-b
kill "$HOLDER"; wait "$HOLDER" 2>/dev/null || true
HOLDER=

pretty "take it down"
ok n delete-veth-pair sva svb
ok n create-veth-pair sva svc
ok n delete-namespaces sva svb svc svd sve
assert_nothing_left
