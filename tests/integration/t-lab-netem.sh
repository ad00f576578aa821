#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lanes: uml
# why: the host kernel has no sch_netem
#
# Per-direction impairments from a lab file: examples/routed.yaml with a
# netem delay on r's eth2 only (r -> right), then edited: the delay changes
# (only that qdisc is replaced), netem and a rate on one direction (netem
# carries the rate), and the impairment removed (the root qdisc cleared).
#
#   left 10.50.1.2 --- 10.50.1.1 r 10.50.2.1 ==delay==> 10.50.2.2 right

. "$(dirname "$(readlink -f "$0")")/lib.sh"

EX=$TEST_DIR/../../examples
WORK=$(mktemp -d)

cleanup() {
	local rc=$?
	set +e
	del_namespaces left r right
	rm -rf "$WORK"
	exit $rc
}
trap cleanup EXIT

# with_egress IMPAIR OUT: routed.yaml with IMPAIR as r's eth2 egress
with_egress() {
	sed "s|{node: r, if: eth2, addr: 10.50.2.1/24}|{node: r, if: eth2, addr: 10.50.2.1/24, egress: $1}|" \
		"$EX/routed.yaml" >"$2"
	grep -q egress "$2" || fail "the sed did not apply"
}

# rtt_ms FROM TO: the smallest of 3 round trips, whole milliseconds
rtt_ms() {
	nsx "$1" ping -c 3 -i 0.2 -W 2 "$2" | awk -F'[ /=]+' '/^rtt/ { printf "%d\n", $7 }'
}

pretty "routed.yaml with a 100ms delay r -> right"
with_egress '{delay: 100ms}' "$WORK/a.yaml"
ok n apply "$WORK/a.yaml"
ok n apply "$WORK/a.yaml"
assert_eq "$OUT" unchanged "re-apply"
[[ $(qdisc_of r eth2) == *"netem 1: root"*"delay 100ms"* ]] || fail "r eth2: $(qdisc_of r eth2)"
[[ $(qdisc_of right eth0) != *netem* ]] || fail "the other direction has netem: $(qdisc_of right eth0)"
rtt=$(rtt_ms left 10.50.2.2)
((rtt >= 100 && rtt < 150)) || fail "rtt $rtt ms with a 100ms delay one way"

pretty "edited delay: only that qdisc is replaced"
with_egress '{delay: 30ms, loss: 1%}' "$WORK/b.yaml"
ok n apply --dry-run "$WORK/b.yaml"
assert_eq "$(grep -c . <<<"$OUT")" 1 "steps: $OUT"
[[ $OUT == *netem*eth2* ]] || fail "unexpected step: $OUT"
ok n apply "$WORK/b.yaml"
[[ $(qdisc_of r eth2) == *"delay 30ms"*"loss 1%"* ]] || fail "r eth2: $(qdisc_of r eth2)"

pretty "netem and a rate on one direction: netem carries the rate"
with_egress '{delay: 10ms, rate: 1mbit}' "$WORK/c.yaml"
ok n apply "$WORK/c.yaml"
[[ $(qdisc_of r eth2) == *"netem 1: root"*"delay 10ms"*"rate 1Mbit"* ]] || fail "r eth2: $(qdisc_of r eth2)"

pretty "impairment removed: the root qdisc is cleared"
ok n apply "$EX/routed.yaml"
[[ $(qdisc_of r eth2) != *netem* ]] || fail "netem left: $(qdisc_of r eth2)"
ok n apply "$EX/routed.yaml"
assert_eq "$OUT" unchanged "re-apply"

ok n destroy "$EX/routed.yaml"
assert_nothing_left
