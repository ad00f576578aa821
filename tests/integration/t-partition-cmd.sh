#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lanes: host
# why: UML 6.1 has no nftables inet family
#
# partition NS... --from NS... and heal [ID | NS... --from NS...] (issue 15),
# the commands over include/netnsctl/partition.h (t-partition.sh tests that
# library on a 3 + 3 cluster).  Partitioned, a and b reach each other
# neither way while every link keeps its carrier and a third namespace (c)
# still reaches a; partition again: unchanged; list --json shows it; heal
# with the groups the other way round finds it; heal ID and heal (all);
# cleanup heals a partition of namespaces netnsctl did not make and leaves
# no table of its own; bad input: one line, nothing changed.
#
#   b veth-b 10.10.0.2 ==== veth-a 10.10.0.1 a veth-c 10.10.1.1 ==== veth-b 10.10.1.2 c
#   x vx 10.20.0.1 ==== vy 10.20.0.2 y                     (iproute2's)

. "$(dirname "$(readlink -f "$0")")/lib.sh"

command -v nft >/dev/null || fail "nft (package nftables) is missing"

cleanup() {
	local rc=$?
	set +e
	n cleanup >/dev/null 2>&1
	del_namespaces x y
	exit $rc
}
trap cleanup EXIT

carrier() { [[ $(ipn "$1" -o link show dev "$2") == *LOWER_UP* ]] && echo up || echo down; }
reach() { nsx "$1" ping -c 1 -W 1 -q "$2" >/dev/null 2>&1; }
no_table() { ! nsx "$1" nft list table inet netnsctl >/dev/null 2>&1; }

n create-veth-pair a b --cidr 10.10.0.0/30 >/dev/null
n create-veth-pair a c --if-a veth-c --cidr 10.10.1.0/30 >/dev/null
for ns in a b c; do wait_for 10 ns_settled $ns; done
reach a 10.10.0.2 && reach b 10.10.0.1 && reach c 10.10.1.1 || fail "no traffic before the partition"

pretty "partition b --from a: cut both ways, links up, c still reaches a"
ok n partition b --from a
[[ $OUT =~ ^partition\ (p[0-9a-f]{16}):\ b\ from\ a$ ]] || fail "partition said: $OUT"
ID=${BASH_REMATCH[1]}
! reach a 10.10.0.2 || fail "a reaches b through the partition"
! reach b 10.10.0.1 || fail "b reaches a through the partition"
reach c 10.10.1.1 || fail "c no longer reaches a"
reach a 10.10.1.2 || fail "a no longer reaches c"
assert_eq "$(carrier a veth-a)" up "veth-a's carrier"
assert_eq "$(carrier b veth-b)" up "veth-b's carrier"
no_table c || fail "c has a partition table"

pretty "--json: the engine's steps (docs/schema/change.json)"
ok n partition c --from b --dry-run --json
why=$("$PYTHON" "$TEST_DIR/schemacheck.py" change <<<"$OUT" 2>&1) || fail "partition --json: $why: $OUT"
[[ $OUT == *'"kind":"partition","action":"add","reason":"absent","ns":"","id":"p'*'","groups":[["c"],["b"]],"for_ms":null,'* ]] ||
	fail "partition --dry-run --json: $OUT"
no_table c || fail "partition --dry-run --json made a table in c"

pretty "again (the groups either way round): unchanged"
ok n partition b --from a
assert_eq "$OUT" "unchanged"
ok n partition a --from b
assert_eq "$OUT" "unchanged"

pretty "list --json shows it, one record per namespace"
ok n list --json
[[ $OUT == *'"kind":"partition","ns":"b","name":"'$ID'","deadline":null'* &&
   $OUT == *'"kind":"partition","ns":"a","name":"'$ID'","deadline":null'* ]] || fail "list --json: $OUT"

pretty "bad input: one line naming the value, nothing changed"
take_reference
expect_fail_with 2 'namespace "a" is named twice \(in both groups\)' n partition a --from a c
expect_fail_naming 1 nons n partition a --from nons
expect_fail_naming 2 "x/y" n partition a --from x/y
expect_fail_with 2 'missing arguments' n partition a b
expect_fail_with 2 'missing arguments' n partition --from a
expect_fail_naming 2 "0s" n partition c --from b --for 0s
expect_fail_naming 2 "P!x" n heal "P!x"
expect_fail_with 2 'groups need --from' n heal a b
expect_fail_naming 2 "--bogus" n heal --bogus
assert_unchanged "a refused partition or heal changed something"

pretty "heal a --from b heals partition b --from a"
ok n heal a --from b
assert_eq "$OUT" "heal partition $ID"
wait_for 5 reach a 10.10.0.2
reach b 10.10.0.1 || fail "b does not reach a after heal"
no_table a && no_table b || fail "a partition table is left after heal"
ok n heal a --from b
assert_eq "$OUT" "unchanged"

pretty "heal ID; heal without arguments heals every partition"
ok n partition a --from b
ok n heal "$ID"
assert_eq "$OUT" "heal partition $ID"
ok n partition a --from b
ok n partition c --from b
ok n heal --dry-run
[[ $(grep -c '^would heal partition p' <<<"$OUT") == 2 ]] || fail "heal --dry-run: $OUT"
ok n heal --dry-run --json
why=$("$PYTHON" "$TEST_DIR/schemacheck.py" change <<<"$OUT" 2>&1) || fail "heal --dry-run --json: $why: $OUT"
[[ $(grep -o '"kind":"partition","action":"heal"' <<<"$OUT" | wc -l) == 2 ]] || fail "heal --dry-run --json: $OUT"
ok n heal
[[ $(grep -c '^heal partition p[0-9a-f]\{16\}$' <<<"$OUT") == 2 && $(wc -l <<<"$OUT") == 2 ]] || fail "heal said: $OUT"
wait_for 5 reach a 10.10.0.2
for ns in a b c; do no_table $ns || fail "$ns has a partition table after heal"; done

pretty "cleanup heals the partitions of namespaces it did not make"
ip netns add x
ip netns add y
ip -n x link add vx type veth peer name vy netns y
ip -n x addr add 10.20.0.1/30 dev vx
ip -n y addr add 10.20.0.2/30 dev vy
ip -n x link set vx up
ip -n y link set vy up
wait_for 10 reach x 10.20.0.2
ok n partition x --from y
! reach x 10.20.0.2 || fail "x reaches y through the partition"
ok n cleanup
[[ $OUT == *"heal partition p"*" in x"* && $OUT == *"heal partition p"*" in y"* ]] || fail "cleanup said: $OUT"
no_table x && no_table y || fail "cleanup left a partition table"
reach x 10.20.0.2 || fail "x does not reach y after cleanup"
assert_eq "$(nsx x nft list ruleset)" "" "x's ruleset after cleanup"

del_namespaces x y
trap - EXIT
assert_nothing_left
