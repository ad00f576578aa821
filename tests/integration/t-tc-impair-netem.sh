#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lanes: uml
# why: the host kernel has no sch_netem (t-tc-impair is the host lane's ifb, htb, tbf)
#
# Issue #17 with netem, through the commands, in one short boot:
#   - add-delay --direction ingress: what sva receives is delayed (ping),
#     its egress root untouched;
#   - add-delay then set-rate on the egress: stacked (netem root, tbf
#     child), not replaced; add-delay again changes the netem, keeps the tbf;
#   - clear-qdisc --direction both leaves nothing;
#   - a lab file: a link asymmetric by direction (A->B), an end's ingress:
#     both delays measured, destroy leaves nothing.
#
#   sva  veth-a 10.10.0.1/30 ====== veth-b 10.10.0.2/30  svb

. "$(dirname "$(readlink -f "$0")")/lib.sh"

LABDIR=$(mktemp -d)
cleanup() {
	local rc=$?
	set +e
	[[ -f $LABDIR/nl.yaml ]] && n destroy "$LABDIR/nl.yaml" >/dev/null 2>&1
	del_namespaces sva svb
	rm -rf "$LABDIR"
	exit $rc
}
trap cleanup EXIT

# rtt: "MIN AVG" (ms) of 10 pings sva -> svb.
rtt() {
	nsx sva ping -n -q -c 10 -i 0.05 -W 2 10.10.0.2 |
		awk -F'[/ =]+' '/^rtt|^round-trip/ { print $6, $7 }'
}
# rtt_within MIN_MS MAX_MS WHAT: the min RTT at least MIN, the average at most MAX.
rtt_within() {
	local r
	r=$(rtt)
	[[ -n $r ]] || fail "$3: no answer to ping"
	awk -v r="$r" -v lo="$1" -v hi="$2" 'BEGIN { split(r, v, " "); exit !(v[1] >= lo && v[2] <= hi) }' ||
		fail "$3: rtt min/avg $r ms, expected min >= $1 and avg <= $2"
	pretty "$3: rtt min/avg $r ms"
}

ok n create-veth-pair sva svb
wait_for 10 nsx sva ping -n -q -c 1 -W 1 10.10.0.2
egress_default=$(tc -n sva qdisc show dev veth-a)

pretty "add-delay --direction ingress"
ok n add-delay sva veth-a --delay 50ms --direction ingress
[[ $OUT == *"create ifb ifb-veth-a"*"set ifb-veth-a in sva (the ingress of veth-a): netem delay 50ms"*"redirect the ingress of veth-a"* ]] ||
	fail "add-delay --direction ingress: $OUT"
assert_eq "$(tc -n sva qdisc show dev veth-a | grep -v clsact)" "$egress_default" "the egress root of veth-a"
[[ $(tc -n sva qdisc show dev ifb-veth-a) == *"qdisc netem 1: root"*"delay 50ms"* ]] ||
	fail "the ifb's root: $(tc -n sva qdisc show dev ifb-veth-a)"
rtt_within 50 90 "ingress delay 50ms"

pretty "add-delay, then set-rate on the egress: stacked"
ok n add-delay sva veth-a --delay 20ms
ok n set-rate sva veth-a --rate 10mbit
[[ $OUT == "change veth-a in sva (egress) default: netem delay 20ms -> netem delay 20ms"*", then tbf rate 10Mbit"* ]] ||
	fail "set-rate on netem: $OUT"
q=$(tc -n sva qdisc show dev veth-a)
[[ $q == *"qdisc netem 1: root"*"delay 20ms"* && $q =~ qdisc\ tbf\ 900:\ parent\ 1:1\ rate\ 10Mbit ]] ||
	fail "not netem with a tbf child: $q"
ok n show-qdisc sva veth-a --json
assert_eq "$(ipjson get egress.kind <<<"$OUT")" netem "show-qdisc --json: the egress root"
assert_eq "$(ipjson get egress.child.rate_bytes_per_sec <<<"$OUT")" 1250000 "show-qdisc --json: its tbf child"
rtt_within 70 110 "egress delay 20ms (stacked) + ingress delay 50ms"
ok n set-rate sva veth-a --rate 10mbit
assert_eq "$OUT" unchanged "the same set-rate again"

pretty "add-delay again: the netem changes, the tbf stays"
ok n add-delay sva veth-a --delay 30ms
[[ $OUT == "change veth-a in sva (egress) default: netem delay 20ms"*"-> netem delay 30ms"*"then tbf rate 10Mbit"* ]] ||
	fail "add-delay on the stack: $OUT"
q=$(tc -n sva qdisc show dev veth-a)
[[ $q == *"delay 30ms"* && $q =~ qdisc\ tbf\ 900:\ parent\ 1:1\ rate\ 10Mbit ]] || fail "after add-delay: $q"

pretty "clear-qdisc --direction both"
ok n clear-qdisc sva veth-a --direction both
assert_eq "$(tc -n sva qdisc show dev veth-a)" "$egress_default" "veth-a's qdiscs after clear-qdisc"
! ip -n sva link show dev ifb-veth-a >/dev/null 2>&1 || fail "ifb-veth-a is left"
[[ -z $(tc -n sva filter show dev veth-a ingress) ]] || fail "the redirect is left"
rtt_within 0 20 "no impairment"

ok n delete-namespaces sva svb

pretty "a lab file: sva->svb delayed 30ms, what sva receives 20ms more, svb->sva not"
cat >"$LABDIR/nl.yaml" <<EOF
name: nl
nodes: [sva, svb]
links:
  - endpoints: [{node: sva, if: veth-a, ingress: {delay: 20ms}}, {node: svb, if: veth-b}]
    cidr: 10.10.0.0/30
    impair: {sva->svb: {delay: 30ms}}
EOF
ok n apply "$LABDIR/nl.yaml"
[[ $(tc -n sva qdisc show dev veth-a) == *"qdisc netem 1: root"*"delay 30ms"* ]] ||
	fail "sva's egress: $(tc -n sva qdisc show dev veth-a)"
[[ $(tc -n sva qdisc show dev ifb-veth-a) == *"qdisc netem 1: root"*"delay 20ms"* ]] ||
	fail "sva's ingress: $(tc -n sva qdisc show dev ifb-veth-a)"
[[ $(tc -n svb qdisc show dev veth-b) != *netem* ]] || fail "svb's egress: $(tc -n svb qdisc show dev veth-b)"
wait_for 10 nsx sva ping -n -q -c 1 -W 1 10.10.0.2
rtt_within 50 90 "lab: 30ms out, 20ms in"
ok n apply "$LABDIR/nl.yaml"
assert_eq "$OUT" unchanged "the lab again"
ok n destroy "$LABDIR/nl.yaml"
! netns_exists sva && ! netns_exists svb || fail "the lab's namespaces are left"
