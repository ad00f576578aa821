#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lanes: host
# why: link state is the same on both kernels; one lane is enough
#
# link-down NS IF / link-up NS IF (issue 15): a veth's peer loses its
# carrier and gets it back; both are idempotent ("unchanged", exit 0);
# a link netnsctl took down is journalled (the deadline journal, held: no
# deadline) and shown by list --json; cleanup brings up only the links
# netnsctl took down, in namespaces it did not make too; bad input is one
# line naming the value, exit 2 (malformed) or 1 (missing), nothing changed.
#
#   a veth-a 10.10.0.1/30 ==== veth-b 10.10.0.2/30 b      (netnsctl's)
#   x vx ==== vy y                                          (iproute2's)

. "$(dirname "$(readlink -f "$0")")/lib.sh"

cleanup() {
	local rc=$?
	set +e
	n cleanup >/dev/null 2>&1
	del_namespaces x y
	exit $rc
}
trap cleanup EXIT

carrier() { [[ $(ipn "$1" -o link show dev "$2") == *LOWER_UP* ]] && echo up || echo down; }
pings() { nsx a ping -c 1 -W 1 -q 10.10.0.2 >/dev/null 2>&1; }

n create-veth-pair a b --cidr 10.10.0.0/30 >/dev/null
wait_for 10 ns_settled a
wait_for 10 ns_settled b
pings || fail "a does not reach b before anything"

pretty "link-down: the peer loses its carrier, traffic stops"
ok n link-down a veth-a
assert_eq "$OUT" "set link veth-a in a down"
link_is_up a veth-a && fail "veth-a is still up"
assert_eq "$(carrier b veth-b)" down "veth-b's carrier"
link_is_up b veth-b || fail "veth-b itself went down"
! pings || fail "a reaches b through a link that is down"

pretty "down again: unchanged, exit 0"
ok n link-down a veth-a
assert_eq "$OUT" "unchanged"

pretty "list --json shows the held change"
ok n list --json
[[ $OUT == *'"changes":[{"id":"'*'","kind":"link","ns":"a","name":"veth-a","deadline":null,'*'"before":"up","during":"down"}]'* ]] ||
	fail "list --json: $OUT"
why=$("$PYTHON" "$TEST_DIR/schemacheck.py" list <<<"$OUT" 2>&1) || fail "list --json does not match docs/schema/list.json: $why"

pretty "link-up: the carrier and the traffic come back; again: unchanged"
ok n link-up a veth-a
assert_eq "$OUT" "set link veth-a in a up"
wait_for 5 test "$(carrier b veth-b)" = up
wait_for 5 pings
ok n link-up a veth-a
assert_eq "$OUT" "unchanged"
ok n list --json
[[ $OUT == *'"changes":[]'* ]] || fail "a change is left after link-up: $OUT"

pretty "bad input: one line naming the value, nothing changed"
take_reference
expect_fail_naming 1 nosuch n link-down a nosuch
expect_fail_naming 1 nons n link-down nons veth-a
expect_fail_naming 2 "a/b" n link-down a/b veth-a
expect_fail_naming 2 "0s" n link-down a veth-a --for 0s
expect_fail_naming 2 "5" n link-down a veth-a --for 5
expect_fail_naming 2 "40000000s" n link-down a veth-a --for 40000000s
expect_fail_with 2 'missing arguments' n link-up a
expect_fail_with 2 'unknown option.*"--for"' n link-up a veth-a --for 1s
assert_unchanged "a refused link-down or link-up changed something"

pretty "--dry-run says what it would do and does nothing"
ok n link-down a veth-a --dry-run
assert_eq "$OUT" "would set link veth-a in a down"
link_is_up a veth-a || fail "--dry-run took veth-a down"

pretty "--json: the engine's step (docs/schema/change.json), with --dry-run too"
ok n link-down a veth-a --dry-run --json
[[ $OUT == '{"version":1,"changed":false,"dry_run":true,"steps":[{"state":"differs","kind":"link","action":"set_state","reason":"asked","ns":"a","link":"veth-a","up":false,"for_ms":null,"step":"set link veth-a in a down"}]}' ]] ||
	fail "link-down --dry-run --json: $OUT"
link_is_up a veth-a || fail "--dry-run --json took veth-a down"
ok n link-down a veth-a --json
why=$("$PYTHON" "$TEST_DIR/schemacheck.py" change <<<"$OUT" 2>&1) || fail "link-down --json: $why: $OUT"
[[ $OUT == '{"version":1,"changed":true,"dry_run":false,"steps":[{"state":"differs","kind":"link","action":"set_state",'* ]] ||
	fail "link-down --json: $OUT"
ok n link-up a veth-a --json
why=$("$PYTHON" "$TEST_DIR/schemacheck.py" change <<<"$OUT" 2>&1) || fail "link-up --json: $why: $OUT"
[[ $OUT == *'"reason":"down","ns":"a","link":"veth-a","up":true,'* ]] || fail "link-up --json: $OUT"
ok n link-up a veth-a --json
assert_eq "$OUT" '{"version":1,"changed":false,"dry_run":false,"steps":[]}'
link_is_up a veth-a || fail "veth-a is down after link-up --json"

pretty "cleanup brings up only what netnsctl took down"
ip netns add x
ip netns add y
ip -n x link add vx type veth peer name vy netns y
ip -n x link set vx up
ip -n y link set vy up
ip -n x link add vz type veth peer name vw
ip -n x link set vz down
ok n link-down x vx
assert_eq "$(carrier y vy)" down "vy's carrier"
ok n link-down x vz
assert_eq "$OUT" "unchanged"
ok n cleanup
[[ $OUT == *"put back link vx in x: up"* && $OUT != *unchanged* ]] || fail "cleanup said: $OUT"
link_is_up x vx || fail "cleanup left vx down"
wait_for 5 test "$(carrier y vy)" = up
link_is_up x vz && fail "cleanup brought up vz, which netnsctl did not take down"
link_is_up x vw && fail "cleanup brought up vw"
ok n cleanup
assert_eq "$OUT" "unchanged"

del_namespaces x y
trap - EXIT
assert_nothing_left
