#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lanes: host
# why: tbf only (the host has no netem); one lane shows the scope of a plan
#
# A re-apply whose file differs from the one applied last only in
# impairments reads and changes the root qdiscs alone (issue #14): a link
# set down behind the lab's back is not looked at, nor repaired, by it; the
# same file applied again looks at everything and repairs it.  When the
# link of a changed impairment is gone, the whole lab is planned.
#
#   a to-b (tbf) ---- to-a b

. "$(dirname "$(readlink -f "$0")")/lib.sh"

WORK=$(mktemp -d)

cleanup() {
	local rc=$?
	set +e
	n destroy "$WORK/narrow.yaml" >/dev/null 2>&1
	n destroy "$WORK/port.yaml" >/dev/null 2>&1
	del_namespaces a b c
	rm -rf "$WORK"
	exit $rc
}
trap cleanup EXIT

lab() {	# lab RATE
	cat >"$WORK/narrow.yaml" <<-EOF2
	name: narrow
	nodes: [{name: a}, {name: b}]
	links:
	  - endpoints:
	      - {node: a, if: to-b, addr: 10.62.0.1/30, egress: {rate: $1, burst: 32kb}}
	      - {node: b, if: to-a, addr: 10.62.0.2/30}
	EOF2
}

pretty "apply, then set a link down behind the lab's back"
lab 1mbit
ok n apply "$WORK/narrow.yaml"
ip -n b link set to-a down
run n status narrow
assert_eq "$OUT" "missing: set to-a in b up" "status sees the link down"

pretty "an impairment changed: only the qdisc is read and changed"
lab 2mbit
ok n apply "$WORK/narrow.yaml" --dry-run
assert_eq "$OUT" "would replace qdisc tbf rate 2Mbit burst 32Kb on to-b in a" "dry-run of the changed impairment"
ok n apply "$WORK/narrow.yaml"
assert_eq "$OUT" "replace qdisc tbf rate 2Mbit burst 32Kb on to-b in a" "apply of the changed impairment"
[[ $(tc -n a qdisc show dev to-b root) == *"rate 2Mbit"* ]] || fail "the rate is not 2mbit: $(tc -n a qdisc show dev to-b root)"
run n status narrow
assert_eq "$OUT" "missing: set to-a in b up" "status after the narrow apply"

pretty "the same file again: everything is looked at, and repaired"
ok n apply "$WORK/narrow.yaml"
assert_eq "$OUT" "set to-a in b up" "a re-apply of the same file"
ok n status narrow
assert_eq "$OUT" "in sync" "status after the repair"

pretty "an impairment changed on a link that is gone: the whole lab is planned"
ip -n a link del to-b
lab 3mbit
ok n apply "$WORK/narrow.yaml"
[[ $OUT == *"create veth to-b in a <-> to-a in b"* && $OUT == *"set qdisc tbf rate 3Mbit"* ]] ||
	fail "the lab was not made again: $OUT"
ok n status narrow
assert_eq "$OUT" "in sync" "status after the fallback"

ok n destroy "$WORK/narrow.yaml"

# A bridge member's port has a root only where the file asks for one: the
# first impairment of a port adds a qdisc to the lab, and still only the
# qdiscs are read; the last one removed is a prune: the whole lab.
port_lab() {	# port_lab [RATE]
	local egress=${1:+", port_egress: {rate: $1, burst: 32kb}"}
	cat >"$WORK/port.yaml" <<-EOF2
	name: port
	nodes: [{name: c}]
	bridges:
	  - name: brn
	    members:
	      - {node: c, if: eth0, addr: 10.63.0.2/24, port: v-c$egress}
	EOF2
}
pretty "a port's first impairment: only the qdiscs are read and changed"
port_lab
ok n apply "$WORK/port.yaml"
ip -n c link set eth0 down
port_lab 5mbit
ok n apply "$WORK/port.yaml"
[[ $OUT == *"qdisc tbf rate 5Mbit"*"v-c"* && $OUT != *up* ]] || fail "not the qdisc alone: $OUT"
[[ $(tc qdisc show dev v-c root) == *"rate 5Mbit"* ]] || fail "the rate is not 5mbit: $(tc qdisc show dev v-c root)"
run n status port
assert_eq "$OUT" "missing: set eth0 in c up" "status after the narrow apply of an added impairment"

pretty "a port's impairment removed: the whole lab is planned (the prune of its qdisc)"
port_lab
ok n apply "$WORK/port.yaml"
[[ $OUT == *"set eth0 in c up"* && $OUT == *"qdisc tbf"*"v-c"* ]] || fail "not the whole lab: $OUT"
[[ $(tc qdisc show dev v-c root) != *tbf* ]] || fail "the pruned tbf is still there: $(tc qdisc show dev v-c root)"
ok n status port
assert_eq "$OUT" "in sync" "status after the prune"
ok n destroy "$WORK/port.yaml"
assert_nothing_left
