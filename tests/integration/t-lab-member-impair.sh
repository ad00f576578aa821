#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lanes: host uml-extended
#
# Impairments on bridge members: "egress" on the member's own end,
# "port_egress" on the bridge's port.  Re-applied: unchanged; one rate
# edited: one replace; one impairment removed from the file: that qdisc
# (netnsctl's) is cleared and nothing else moves; destroy leaves nothing.
#
#   ma eth0 10.41.0.1/24 --- p-ma [tbf 5mbit]   br-mi (host)
#   mb eth0 10.41.0.2/24 [tbf 2mbit] --- p-mb

. "$(dirname "$(readlink -f "$0")")/lib.sh"

WORK=$(mktemp -d)
LAB=$WORK/mi.yaml

cleanup() {
	local rc=$?
	set +e
	n destroy "$LAB" >/dev/null 2>&1
	del_namespaces ma mb mic1
	ip link del br-mi 2>/dev/null
	ip link del br-other 2>/dev/null
	rm -rf "$WORK"
	exit $rc
}
trap cleanup EXIT

write_lab() { # RATE_A EGRESS_B_LINE
	cat >"$LAB" <<EOF
name: mi
nodes: [ma, mb]
bridges:
  - name: br-mi
    members:
      - {node: ma, if: eth0, addr: 10.41.0.1/24, port: p-ma, port_egress: {rate: $1, burst: 32kb}}
      - {node: mb, if: eth0, addr: 10.41.0.2/24, port: p-mb$2}
EOF
}

pretty "apply: a tbf on ma's port and on mb's own end"
write_lab 5mbit ", egress: {rate: 2mbit, burst: 32kb}"
ok n apply "$LAB"
[[ $(qdisc_of "" p-ma) == *"tbf 1: root"*"rate 5Mbit"* ]] || fail "p-ma: $(qdisc_of "" p-ma)"
[[ $(qdisc_of mb eth0) == *"tbf 1: root"*"rate 2Mbit"* ]] || fail "mb eth0: $(qdisc_of mb eth0)"
[[ $(qdisc_of ma eth0) != *tbf* ]] || fail "ma eth0 got a qdisc: $(qdisc_of ma eth0)"
[[ $(qdisc_of "" p-mb) != *tbf* ]] || fail "p-mb got a qdisc: $(qdisc_of "" p-mb)"
wait_for 10 nsx ma ping -c1 -W1 10.41.0.2
ok n apply "$LAB"
assert_eq "$OUT" unchanged "re-apply"

pretty "a member without an impairment keeps a qdisc the user put there"
tc qdisc replace dev p-mb root handle 5: tbf rate 3mbit burst 32kb latency 50ms
ok n apply "$LAB"
assert_eq "$OUT" unchanged "re-apply with the user's qdisc on p-mb"
[[ $(qdisc_of "" p-mb) == *"tbf 5: root"*"rate 3Mbit"* ]] || fail "p-mb: $(qdisc_of "" p-mb)"
tc qdisc del dev p-mb root

pretty "one rate edited: one replace"
write_lab 8mbit ", egress: {rate: 2mbit, burst: 32kb}"
ok n apply --dry-run "$LAB"
[[ $(grep -c . <<<"$OUT") == 1 && $OUT == "would replace qdisc tbf"*"on p-ma in the host" ]] || fail "plan: $OUT"
ok n apply "$LAB"
[[ $(qdisc_of "" p-ma) == *"rate 8Mbit"* ]] || fail "p-ma: $(qdisc_of "" p-ma)"

pretty "a failed apply puts back the member qdiscs it cleared and replaced"
write_lab 9mbit ""
# a client group that gets no lease (no DHCP server on br-mi) fails the apply
printf 'clients:\n  - {prefix: mic, count: 1, parent: br-mi, timeout: 1s}\n' >>"$LAB"
# and p-ma moved to a bridge of the user's: the apply moves it back, the
# rollback puts it where it was
ip link add br-other type bridge
ip link set p-ma master br-other
run n apply "$LAB"
assert_eq "$RC" 1 "exit status of an apply whose client gets no lease"
[[ $OUT == *"clear qdisc tbf on eth0 in mb"* ]] || fail "the apply did not clear mb's qdisc: $OUT"
[[ $OUT == *"replace qdisc tbf rate 9Mbit"* ]] || fail "the apply did not replace p-ma's qdisc: $OUT"
[[ $(qdisc_of mb eth0) == *"tbf 1: root"*"rate 2Mbit"* ]] || fail "mb eth0 after the rollback: $(qdisc_of mb eth0)"
[[ $(qdisc_of "" p-ma) == *"tbf 1: root"*"rate 8Mbit"* ]] || fail "p-ma after the rollback: $(qdisc_of "" p-ma)"
[[ $OUT == *"attach p-ma in the host to bridge br-mi"* ]] || fail "the apply did not move p-ma: $OUT"
assert_eq "$(link_get "" p-ma master)" br-other "p-ma's bridge after the rollback"
ip link set p-ma master br-mi
ip link del br-other

pretty "mb's impairment removed from the file: only that qdisc is cleared"
write_lab 8mbit ""
ok n apply --dry-run "$LAB"
[[ $(grep -c . <<<"$OUT") == 1 && $OUT == "would clear qdisc tbf on eth0 in mb" ]] || fail "plan: $OUT"
ok n apply "$LAB"
[[ $(qdisc_of mb eth0) != *tbf* ]] || fail "mb eth0 kept its tbf: $(qdisc_of mb eth0)"
[[ $(qdisc_of "" p-ma) == *"rate 8Mbit"* ]] || fail "p-ma: $(qdisc_of "" p-ma)"
ok n apply "$LAB"
assert_eq "$OUT" unchanged "re-apply after the removal"

pretty "graph shows the port's impairment"
ok n graph "$LAB"
[[ $OUT == *"tbf rate 8Mbit"* ]] || fail "graph: $OUT"

pretty "destroy"
ok n destroy "$LAB"
assert_nothing_left
