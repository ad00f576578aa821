#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lanes: host uml-extended
#
# Edits that change a thing netnsctl changed before:
# - forwarding in a namespace the lab did not make, switched on and then off
#   again by two applies: destroy leaves the value from before the first
#   (off), not the one from before the second (on);
# - a link moved to another peer: the plan deletes the stale veth and makes it
#   again, and a route over it, gone with the old link, is made again on the
#   new one by the same apply.
#
#   r1 (ip netns add, not the lab's)      a eth1 10.60.0.1 --- 10.60.0.2 eth0 b
#                                                 \--- then --- 10.60.0.2 eth0 c

. "$(dirname "$(readlink -f "$0")")/lib.sh"

WORK=$(mktemp -d)

cleanup() {
	local rc=$?
	set +e
	n destroy "$WORK/edits.yaml" >/dev/null 2>&1
	del_namespaces r1 a b c
	rm -rf "$WORK"
	exit $rc
}
trap cleanup EXIT

lab() {	# lab FORWARDING PEER
	cat >"$WORK/edits.yaml" <<-EOF2
	name: edits
	nodes:
	  - name: r1
	    forwarding: $1
	  - name: a
	    routes:
	      - {to: 10.61.0.0/24, via: 10.60.0.2, dev: eth1}
	  - name: $2
	links:
	  - endpoints:
	      - {node: a, if: eth1, addr: 10.60.0.1/24}
	      - {node: $2, if: eth0, addr: 10.60.0.2/24}
	EOF2
}

fwd() { nsx r1 cat /proc/sys/net/ipv4/ip_forward; }

pretty "forwarding on, then off again, in a namespace the lab did not make"
ip netns add r1
assert_eq "$(fwd)" 0 "forwarding in r1 at first"
lab true b
ok n apply "$WORK/edits.yaml"
assert_eq "$(fwd)" 1 "forwarding in r1 after the first apply"
lab false b
ok n apply "$WORK/edits.yaml"
assert_eq "$OUT" "turn IPv4 forwarding off in r1" "second apply"
assert_eq "$(fwd)" 0 "forwarding in r1 after the second apply"

pretty "the link moves from b to c: a's route over it is made again"
ip -n a route show 10.61.0.0/24 | grep -q 'via 10.60.0.2 dev eth1' || fail "no route in a: $(ip -n a route)"
lab false c
ok n apply "$WORK/edits.yaml"
[[ $OUT == *"route 10.61.0.0/24 via 10.60.0.2 dev eth1 in a"* ]] || fail "the route is not in the plan: $OUT"
ip -n a route show 10.61.0.0/24 | grep -q 'via 10.60.0.2 dev eth1' || fail "no route in a: $(ip -n a route)"
nsx a ping -c 1 -W 2 10.60.0.2 >/dev/null || fail "a cannot reach c"
ok n status "$WORK/edits.yaml"
assert_eq "$OUT" "in sync" "status after the move"
ok n apply "$WORK/edits.yaml"
assert_eq "$OUT" unchanged "re-apply after the move"

pretty "destroy: forwarding in r1 as it was before the lab, r1 kept"
ok n destroy "$WORK/edits.yaml"
assert_eq "$(fwd)" 0 "forwarding in r1 after destroy"
assert_eq "$(netns_names)" r1 "namespaces after destroy"
ip netns del r1
assert_nothing_left
