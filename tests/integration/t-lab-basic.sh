#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lanes: host uml-extended
#
# Lab files without NAT or netem: the seed pair, the A-B-C controlled-access
# lab, a routed lab and two namespaces on a bridge, each applied from
# examples/, checked with pings that must pass and pings that must not,
# re-applied ("unchanged", status in sync), edited and re-applied (only the
# difference, as --dry-run and status said), and destroyed (nothing left).
#
#   abc:     a 10.30.1.1 --- 10.30.1.2 b 10.30.2.1 --- 10.30.2.2 c   (b does not forward)
#   routed:  left 10.50.1.2 --- 10.50.1.1 r 10.50.2.1 --- 10.50.2.2 right  (r forwards)
#   bridge:  h1 10.20.0.1 --- br0 in sw --- h2 10.20.0.2

. "$(dirname "$(readlink -f "$0")")/lib.sh"

EX=$TEST_DIR/../../examples
WORK=$(mktemp -d)

cleanup() {
	local rc=$?
	set +e
	del_namespaces sva svb a b c left r right sw h1 h2
	rm -rf "$WORK"
	exit $rc
}
trap cleanup EXIT

ping_ok() { nsx "$1" ping -c 1 -W 2 "$2" >/dev/null || fail "$1 cannot reach $2"; }
ping_fails() { ! nsx "$1" ping -c 1 -W 1 "$2" >/dev/null 2>&1 || fail "$1 reaches $2"; }

# apply_twice FILE: apply, then again: "unchanged", and status says in sync.
apply_twice() {
	ok n apply "$1"
	ok n apply "$1"
	assert_eq "$OUT" unchanged "re-apply of $1"
	ok n status "$1"
	assert_eq "$OUT" "in sync" "status of $1"
}

pretty "two-namespaces.yaml: the seed pair"
ok n apply --dry-run "$EX/two-namespaces.yaml"
[[ $OUT == *"would create namespace sva"* ]] || fail "dry-run does not create sva: $OUT"
! netns_exists sva || fail "--dry-run made sva"
apply_twice "$EX/two-namespaces.yaml"
assert_pair sva veth-a svb veth-b 10.10.0.1/30 10.10.0.2/30
ping_ok svb 10.10.0.1
ok n destroy "$EX/two-namespaces.yaml"
! netns_exists sva || fail "destroy left sva"
ok n destroy "$EX/two-namespaces.yaml"
assert_eq "$OUT" unchanged "destroy again"

pretty "a delete the kernel refuses half way is reported, and a later destroy finishes it"
ok n apply "$EX/two-namespaces.yaml"
chattr +i /run/netns	# sva's unmount goes through, its unlink is refused
expect_fail_with 1 'cannot delete namespace "sva"' n destroy "$EX/two-namespaces.yaml"
chattr -i /run/netns
ok n destroy "$EX/two-namespaces.yaml"
[[ ! -e /run/netns/sva && ! -e /run/netns/svb ]] || fail "destroy left $(ls /run/netns)"

pretty "abc.yaml: a<->b and b<->c, never a<->c"
apply_twice "$EX/abc.yaml"
ping_ok a 10.30.1.2
ping_ok c 10.30.2.1
ping_ok b 10.30.1.1
ping_ok b 10.30.2.2
ping_fails a 10.30.2.2
ping_fails c 10.30.1.1
assert_eq "$(nsx b cat /proc/sys/net/ipv4/ip_forward)" 0 "forwarding in b"

pretty "abc edited: b forwards -> a reaches c; only that changes"
sed 's/forwarding: false/forwarding: true/' "$EX/abc.yaml" >"$WORK/abc.yaml"
ok n apply --dry-run "$WORK/abc.yaml"
assert_eq "$(grep -c . <<<"$OUT")" 1 "steps for turning forwarding on: $OUT"
[[ $OUT == "would "*forwarding*" b"* || $OUT == "would "*forwarding*b* ]] || fail "unexpected step: $OUT"
run n status "$WORK/abc.yaml"
assert_eq "$RC" 1 "status exit code when the lab differs"
[[ $OUT == "missing: "*forwarding* || $OUT == "differs: "*forwarding* ]] || fail "status: $OUT"
ok n apply "$WORK/abc.yaml"
ping_ok a 10.30.2.2
ok n apply "$WORK/abc.yaml"
assert_eq "$OUT" unchanged "re-apply of the edited abc"

pretty "abc edited: c removed -> c and its link go, nothing else"
python3 - "$EX/abc.yaml" "$WORK/abc-noc.yaml" <<'PY'
import sys
text = open(sys.argv[1]).read()
head, _, _ = text.partition("  - name: c\n")
links = "links:\n  - endpoints: [a:to-b, b:to-a]\n    cidr: 10.30.1.0/30\n"
open(sys.argv[2], "w").write(head + links)
PY
ok n apply --dry-run "$WORK/abc-noc.yaml"
[[ $OUT == *"namespace c"* ]] || fail "dry-run does not delete c: $OUT"
! grep -v -e 'namespace c' -e 'to-c' -e 'forwarding' <<<"$OUT" | grep -q . ||
	fail "dry-run lists more than c: $OUT"
take_reference
ok n apply "$WORK/abc-noc.yaml"
! netns_exists c || fail "c is still there"
netns_exists a && netns_exists b || fail "a or b went"
ping_ok a 10.30.1.2
ok n destroy "$WORK/abc-noc.yaml"
! netns_exists a || fail "destroy left a"

pretty "routed.yaml: r forwards between two subnets"
apply_twice "$EX/routed.yaml"
ping_ok left 10.50.2.2
ping_ok right 10.50.1.2
assert_eq "$(nsx r cat /proc/sys/net/ipv4/ip_forward)" 1 "forwarding in r"

pretty "routed edited: a tbf on r's eth2 -> only that qdisc is added"
sed 's|{node: r, if: eth2, addr: 10.50.2.1/24}|{node: r, if: eth2, addr: 10.50.2.1/24, egress: {rate: 5mbit}}|' \
	"$EX/routed.yaml" >"$WORK/routed.yaml"
ok n apply --dry-run "$WORK/routed.yaml"
assert_eq "$(grep -c . <<<"$OUT")" 1 "steps for one tbf: $OUT"
[[ $OUT == *tbf*eth2* ]] || fail "unexpected step: $OUT"
ok n apply "$WORK/routed.yaml"
[[ $(qdisc_of r eth2) == *"tbf 1: root"*"rate 5Mbit"* ]] || fail "no tbf on eth2: $(qdisc_of r eth2)"
ok n apply "$EX/routed.yaml"
[[ $(qdisc_of r eth2) != *tbf* ]] || fail "tbf not cleared: $(qdisc_of r eth2)"
ok n destroy "$EX/routed.yaml"

pretty "bridge.yaml: two namespaces on a bridge"
apply_twice "$EX/bridge.yaml"
ping_ok h1 10.20.0.2
ping_ok h2 10.20.0.1
[[ $(link_get sw br0-h1 master) == br0 ]] || fail "br0-h1 is not a port of br0"
ok n destroy "$EX/bridge.yaml"

pretty "malformed lab files are refused, nothing changed"
ok n apply "$EX/two-namespaces.yaml"
take_reference
printf 'nodes: [sva, svb]\nlinks:\n  - endpoints: [sva:veth-a, svb:veth-b]\n    cidr: 10.10.0.0/30\n    impair: {dealy: 10ms}\n' >"$WORK/bad.yaml"
expect_fail_with 2 'bad.yaml:5:14: unknown key "dealy" in impairment$' n apply "$WORK/bad.yaml"
printf 'nodes: [sva, svb\n' >"$WORK/bad.yaml"
expect_fail_with 2 'bad.yaml:2:1: YAML syntax error' n apply "$WORK/bad.yaml"
printf 'nodes: [sva]\nlinks: [{endpoints: [sva, nowhere]}]\n' >"$WORK/bad.yaml"
expect_fail_with 2 'bad.yaml:2:27: undeclared node "nowhere"$' n apply "$WORK/bad.yaml"
printf 'nodes: [sva, sva]\n' >"$WORK/bad.yaml"
expect_fail_with 2 'bad.yaml:1:14: duplicate node "sva"$' n apply "$WORK/bad.yaml"
printf 'nodes: [sva, svb]\nlinks:\n  - {endpoints: [sva, svb], impair: {delay: 10xs}}\n' >"$WORK/bad.yaml"
expect_fail_with 2 'bad.yaml:3:45: invalid delay "10xs": unknown unit "xs"$' n apply "$WORK/bad.yaml"
expect_fail_with 2 'bad.yaml' n destroy "$WORK/bad.yaml"
expect_fail_with 2 'bad.yaml' n status "$WORK/bad.yaml"
expect_fail_with 1 'cannot open lab file' n apply "$WORK/missing.yaml"
assert_unchanged "a refused lab file changed something"
ok n destroy "$EX/two-namespaces.yaml"

assert_nothing_left
