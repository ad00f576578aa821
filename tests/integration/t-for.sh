#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lanes: host
# why: partitions need the nftables inet family (UML 6.1 has none); the
#      host has no sch_netem, so add-delay --for is refused here (and tested
#      in UML: tests/integration/t-timeline-netem.sh, lane uml)
#
# --for DURATION on link-down, set-rate and partition (issue 15): the
# deadline is in the deadline journal, list --json shows it, and the
# reverter (a detached `netnsctl reverter`) puts the change back when it is
# over, also when the netnsctl that made it was killed with SIGKILL; a tbf
# that was there before comes back on its handle; cleanup puts back one
# whose deadline is far off; a change the kernel refuses leaves no record.
#
#   a veth-a 10.10.0.1/30 ==== veth-b 10.10.0.2/30 b

. "$(dirname "$(readlink -f "$0")")/lib.sh"

command -v nft >/dev/null || fail "nft (package nftables) is missing"
command -v strace >/dev/null || fail "strace is missing"

reverter_pid() {
	local pid
	pid=$(fuser "$STATE_DIR/timed/reverter.lock" 2>/dev/null | tr -d ' ') || true
	echo "${pid:-0}"
}
cleanup() {
	local rc=$? pid
	set +e
	pid=$(reverter_pid)
	[[ $pid -le 0 ]] || kill "$pid"
	n cleanup >/dev/null 2>&1
	exit $rc
}
trap cleanup EXIT

carrier() { [[ $(ipn "$1" -o link show dev "$2") == *LOWER_UP* ]] && echo up || echo down; }
reach() { nsx "$1" ping -c 1 -W 1 -q "$2" >/dev/null 2>&1; }
no_changes() { n list --json | grep -q '"changes":\[\]'; }
reverter_gone() { [[ ! -e $STATE_DIR/timed/reverter.lock ]] || ! fuser "$STATE_DIR/timed/reverter.lock" >/dev/null 2>&1; }

n create-veth-pair a b --cidr 10.10.0.0/30 >/dev/null
wait_for 10 ns_settled a
wait_for 10 ns_settled b

# The deadlines are seconds long: each check of the changed state must
# come before the reverter, on a busy CI machine too.
pretty "link-down --for 3s: down, the deadline in list --json, back up by the reverter"
ok n link-down a veth-a --for 3s
[[ $OUT =~ ^set\ link\ veth-a\ in\ a\ down\ for\ 3s\ \(until\ 20[0-9-]+T[0-9:]+Z\)$ ]] || fail "link-down said: $OUT"
assert_eq "$(carrier b veth-b)" down "veth-b's carrier"
ok n list --json
[[ $OUT =~ \"changes\":\[\{\"id\":\"[0-9a-f]{16}\",\"kind\":\"link\",\"ns\":\"a\",\"name\":\"veth-a\",\"deadline\":\"20[^\"]+Z\",\"deadline_s\":[0-9]+,\"in_ms\":[0-9]+,\"before\":\"up\",\"during\":\"down\"\}\] ]] ||
	fail "list --json: $OUT"
why=$("$PYTHON" "$TEST_DIR/schemacheck.py" list <<<"$OUT" 2>&1) || fail "list --json does not match docs/schema/list.json: $why"
rev=$(reverter_pid)
[[ $rev -gt 0 ]] || fail "no reverter runs"
wait_for 10 link_is_up a veth-a
wait_for 5 test "$(carrier b veth-b)" = up
wait_for 5 reach a 10.10.0.2
wait_for 5 reverter_gone
no_changes || fail "a record is left: $(n list --json)"

pretty "set-rate --for 4s, its maker killed with SIGKILL as it exits: the reverter puts the kernel's default back"
# (strace without -f: the reverter it starts is not traced, and not waited for)
rc=0
(ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 strace -qq -o /dev/null \
	-e trace=exit_group -e inject=exit_group:signal=KILL:when=1 \
	"$NETNSCTL" set-rate a veth-a --rate 1mbit --for 4s >/dev/null 2>&1; exit $?) 2>/dev/null || rc=$?
assert_eq "$rc" 137 "set-rate's exit status under strace (killed)"
[[ $(qdisc_of a veth-a) == *"qdisc tbf "*"rate 1Mbit"* ]] || fail "no tbf: $(qdisc_of a veth-a)"
wait_for 10 reverter_gone
[[ $(qdisc_of a veth-a) != *tbf* ]] || fail "the tbf is still there: $(qdisc_of a veth-a)"
no_changes || fail "a record is left: $(n list --json)"

pretty "a tbf that was there comes back, on its handle"
ok n set-rate a veth-a --rate 2mbit
before=$(qdisc_of a veth-a)
ok n set-rate a veth-a --rate 1mbit --for 3s
[[ $(qdisc_of a veth-a) == *"rate 1Mbit"* ]] || fail "no 1 Mbit/s tbf: $(qdisc_of a veth-a)"
assert_eq "$(qdisc_of a veth-a | awk '{ print $3 }')" "$(awk '{ print $3 }' <<<"$before")" "the handle during the change"
wait_for 10 reverter_gone
assert_eq "$(qdisc_of a veth-a)" "$before" "the root after --for"
ok n clear-qdisc a veth-a

pretty "partition --for 3s: cut, then healed by the reverter"
ok n partition a --from b --for 3s
! reach a 10.10.0.2 || fail "a reaches b through the partition"
wait_for 10 reverter_gone
reach a 10.10.0.2 || fail "a does not reach b after the deadline"
! nsx a nft list table inet netnsctl >/dev/null 2>&1 || fail "a's partition table is left"

pretty "add-delay --for on a kernel without netem: refused, no record, nothing changed"
take_reference
expect_fail_with 1 'sch_netem' n add-delay a veth-a --delay 10ms --for 5s
assert_unchanged "a refused add-delay --for changed something"

pretty "--for with an ingress or a selector's tree: refused, exit 2, nothing changed"
take_reference
expect_fail_with 2 '^netnsctl: set-rate: --for cannot go with' \
	n set-rate a veth-a --rate 1mbit --direction ingress --for 3s
expect_fail_with 2 '^netnsctl: set-rate: --for cannot go with' \
	n set-rate a veth-a --rate 1mbit --to 10.10.0.2/32 --for 3s
assert_unchanged "a refused set-rate --for changed something"

pretty "cleanup puts back a change whose deadline is an hour off"
ok n link-down b veth-b --for 3600s
[[ $(reverter_pid) -gt 0 ]] || fail "no reverter runs"
ok n cleanup
[[ $OUT == *"put back link veth-b in b: up"* ]] || fail "cleanup said: $OUT"
wait_for 5 reverter_gone

trap - EXIT
assert_nothing_left
