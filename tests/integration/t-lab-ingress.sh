#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lanes: host
# why: a short lab-file test of the ifb path; the UML lane runs the same engine steps in t-tc-impair-netem
#
# A lab file's "ingress:" on an endpoint (docs/labfile.md): what that end
# receives goes through an ifb of netnsctl's with the impairment on it
# (tbf here: the host has no sch_netem).  Re-applied: unchanged; the rate
# edited: one change of the ifb's tree; the key removed: the redirect, the
# ifb and the clsact go, nothing else; an ifb of that name netnsctl did not
# make is never used; a link's impair by direction ("A->B": A's egress);
# destroy leaves nothing.
#
#   li-a eth0 10.43.0.1/30 [ingress: ifb-eth0 tbf] --- li-b eth0 10.43.0.2/30

. "$(dirname "$(readlink -f "$0")")/lib.sh"

WORK=$(mktemp -d)
LAB=$WORK/li.yaml

cleanup() {
	local rc=$?
	set +e
	n destroy "$LAB" >/dev/null 2>&1
	del_namespaces li-a li-b
	rm -rf "$WORK"
	exit $rc
}
trap cleanup EXIT

write_lab() { # INGRESS ("" none)
	cat >"$LAB" <<EOF
name: li
nodes: [li-a, li-b]
links:
  - endpoints: [{node: li-a, if: eth0$1}, {node: li-b, if: eth0}]
    cidr: 10.43.0.0/30
EOF
}

pretty "apply: an ifb for li-a's ingress, a clsact and a redirect to it"
write_lab ", ingress: {rate: 10mbit, burst: 32kb}"
ok n apply "$LAB" --dry-run --json
"$PYTHON" "$TEST_DIR/schemacheck.py" change <<<"$OUT" || fail "apply --dry-run --json against its schema: $OUT"
[[ $OUT == *'"kind":"ifb","action":"create"'*'"kind":"tc_tree","action":"set"'*'"kind":"redirect","action":"add"'* ]] ||
	fail "apply --dry-run --json: $OUT"
ok n apply "$LAB"
[[ $(ip -n li-a -d link show dev ifb-eth0) == *" ifb "* ]] || fail "no ifb-eth0 in li-a"
[[ $(qdisc_of li-a ifb-eth0) == *"tbf 1: root"*"rate 10Mbit"* ]] || fail "ifb-eth0: $(qdisc_of li-a ifb-eth0)"
[[ $(qdisc_of li-a eth0) == *"qdisc clsact"* && $(qdisc_of li-a eth0) != *tbf* ]] ||
	fail "li-a eth0: $(qdisc_of li-a eth0)"
[[ $(tcn li-a filter show dev eth0 ingress) == *"Egress Redirect to device ifb-eth0"* ]] ||
	fail "no redirect: $(tcn li-a filter show dev eth0 ingress)"
[[ $(qdisc_of li-b eth0) != *tbf* ]] || fail "li-b eth0 got a qdisc: $(qdisc_of li-b eth0)"
wait_for 10 nsx li-b ping -c1 -W1 10.43.0.1
ok n apply "$LAB"
assert_eq "$OUT" unchanged "re-apply"

pretty "the rate edited: the ifb's tree changes in place, nothing else"
write_lab ", ingress: {rate: 20mbit, burst: 32kb}"
ok n apply "$LAB"
[[ $OUT == "change ifb-eth0 in li-a (the ingress of eth0) default: tbf rate 10Mbit"*"-> tbf rate 20Mbit"* &&
	$OUT != *$'\n'* ]] || fail "one change: $OUT"
[[ $(qdisc_of li-a ifb-eth0) == *"rate 20Mbit"* ]] || fail "ifb-eth0: $(qdisc_of li-a ifb-eth0)"

pretty "bad input: file:line:col, exit 2, nothing changed"
cp "$LAB" "$WORK/good.yaml"
write_lab ", ingress: {delay: 100}"
expect_fail_with 2 "li.yaml:4:.*delay" n apply "$LAB"
cp "$WORK/good.yaml" "$LAB"
[[ $(qdisc_of li-a ifb-eth0) == *"rate 20Mbit"* ]] || fail "a refused file changed ifb-eth0"

pretty "the key removed: the redirect, the ifb and the clsact go"
write_lab ""
ok n apply "$LAB"
[[ $OUT == *"remove the ingress redirect of eth0 in li-a"* && $OUT == *"delete ifb-eth0 in li-a"* &&
	$OUT == *"delete the clsact qdisc of eth0 in li-a"* ]] || fail "apply without ingress: $OUT"
! ip -n li-a link show dev ifb-eth0 >/dev/null 2>&1 || fail "ifb-eth0 is left"
[[ -z $(tcn li-a filter show dev eth0 ingress) ]] || fail "ingress filters left"
[[ $(qdisc_of li-a eth0) != *clsact* ]] || fail "clsact left: $(qdisc_of li-a eth0)"
ok n apply "$LAB"
assert_eq "$OUT" unchanged "re-apply without ingress"

pretty "an ifb of that name netnsctl did not make: refused, left as it is"
ip -n li-a link add ifb-eth0 type ifb
write_lab ", ingress: {rate: 10mbit, burst: 32kb}"
expect_fail_naming 2 ifb-eth0 n apply "$LAB"
[[ -z $(tcn li-a filter show dev eth0 ingress) ]] || fail "a refused apply added a filter"
ip -n li-a link show dev ifb-eth0 >/dev/null || fail "the user's ifb-eth0 is gone"
ip -n li-a link del ifb-eth0

pretty "impair by direction: li-a->li-b is li-a's egress, li-b→li-a li-b's"
write_dir() { # IMPAIR
	cat >"$LAB" <<EOF
name: li
nodes: [li-a, li-b]
links:
  - endpoints: [{node: li-a, if: eth0}, {node: li-b, if: eth0}]
    cidr: 10.43.0.0/30
    impair: $1
EOF
}
write_dir "{li-a->li-b: {rate: 5mbit, burst: 32kb}, li-b→li-a: {rate: 3mbit, burst: 32kb}}"
ok n apply "$LAB"
[[ $(qdisc_of li-a eth0) == *"tbf 1: root"*"rate 5Mbit"* ]] || fail "li-a eth0: $(qdisc_of li-a eth0)"
[[ $(qdisc_of li-b eth0) == *"tbf 1: root"*"rate 3Mbit"* ]] || fail "li-b eth0: $(qdisc_of li-b eth0)"
write_dir "{li-a->li-b: {rate: 5mbit, burst: 32kb}}"
ok n apply "$LAB"
assert_eq "$OUT" "clear qdisc tbf on eth0 in li-b" "one direction dropped"
cp "$LAB" "$WORK/good.yaml"
write_dir "{li-a->li-c: {rate: 5mbit, burst: 32kb}}"
expect_fail_with 2 'li.yaml:6:.*undeclared node "li-c"' n apply "$LAB"
write_dir "{li-a->li-a: {rate: 5mbit, burst: 32kb}}"
expect_fail_with 2 'li.yaml:6:.*"li-a->li-a": this link is between li-a and li-b' n apply "$LAB"
cp "$WORK/good.yaml" "$LAB"
ok n apply "$LAB"
assert_eq "$OUT" unchanged "the good file again"

pretty "destroy leaves nothing"
ok n apply "$LAB"
ok n destroy "$LAB"
! netns_exists li-a && ! netns_exists li-b || fail "namespaces left after destroy"
