#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lanes: host uml-extended
#
# Labs that share names.  A second lab that declares another lab's node, or
# a host link another lab made, is refused, naming the owner, and changes
# nothing; so is a lab that declares a namespace create-veth-pair made.
# With "adopt: true" the lab takes the node over: destroying the first lab
# then leaves it (and the second lab's links in it), the first lab's apply
# refuses it, and the second lab's destroy removes it.  "prefix:" gives two
# copies of one lab (nodes and client groups) namespaces of their own.
# `labs` lists the applied labs (file, objects, in sync), and `status LAB`
# and `destroy LAB` work by name, without the file.
#
#   one:   a eth0 10.61.0.1 --- 10.61.0.2 eth0 b;  a on host bridge brx
#   two:   a eth1 10.62.0.1 --- 10.62.0.2 eth0 c
#   three: x on host bridge brx
#   p1/p2 (one file, prefix p1-/p2-): a --- b; client group cl (static) on host bridge

. "$(dirname "$(readlink -f "$0")")/lib.sh"

WORK=$(mktemp -d)

cleanup() {
	local rc=$?
	set +e
	for f in "$WORK"/*.yaml; do
		n destroy "$f" >/dev/null 2>&1
	done
	del_namespaces a b c x p q p1-a p1-b p2-a p2-b p1-cl1 p1-cl2 p2-cl1 p2-cl2
	ip link del brx 2>/dev/null
	ip link del br-p1 2>/dev/null
	ip link del br-p2 2>/dev/null
	rm -rf "$WORK"
	exit $rc
}
trap cleanup EXIT

cat >"$WORK/one.yaml" <<'EOF'
name: one
nodes: [a, b]
links:
  - {endpoints: [a:eth0, b:eth0], cidr: 10.61.0.0/30}
bridges:
  - {name: brx, members: [a]}
EOF
cat >"$WORK/two.yaml" <<'EOF'
name: two
nodes: [a, c]
links:
  - {endpoints: [a:eth1, c:eth0], cidr: 10.62.0.0/30}
EOF
cat >"$WORK/three.yaml" <<'EOF'
name: three
nodes: [x]
bridges:
  - {name: brx, members: [x]}
EOF
cat >"$WORK/pq.yaml" <<'EOF'
name: pq
nodes: [p]
EOF

pretty "a second lab that declares lab one's node a is refused"
ok n apply "$WORK/one.yaml"
assert_pair a eth0 b eth0 10.61.0.1/30 10.61.0.2/30
take_reference
expect_fail_with 1 'namespace a belongs to lab "one"' n apply "$WORK/two.yaml"
[[ $ERR == *two.yaml* && $ERR == *adopt* ]] || fail "the refusal does not name the file and adopt: $ERR"
assert_unchanged "a refused apply"
expect_fail_with 1 'namespace a belongs to lab "one"' n apply --dry-run "$WORK/two.yaml"
expect_fail_with 1 'namespace a belongs to lab "one"' n status "$WORK/two.yaml"
assert_unchanged "a refused dry run and status"

pretty "a host bridge another lab made is refused too"
expect_fail_with 1 'brx in the host belongs to lab "one"' n apply "$WORK/three.yaml"
assert_unchanged "a refused apply of a lab wanting brx"
! netns_exists x || fail "the refused lab made x"

pretty "a namespace create-veth-pair made is refused"
ok n create-veth-pair p q
take_reference
expect_fail_with 1 'namespace p belongs to netnsctl create-veth-pair' n apply "$WORK/pq.yaml"
assert_unchanged "a refused apply of a lab wanting p"
ok n delete-veth-pair p q
ok n delete-namespaces p q

pretty "adopt: true takes node a over from lab one"
printf 'adopt: true\n' >>"$WORK/two.yaml"
ok n apply --dry-run "$WORK/two.yaml"
[[ $OUT == *'would adopt namespace a from lab "one"'* ]] || fail "no adopt step: $OUT"
ok n apply "$WORK/two.yaml"
[[ $OUT == *'adopt namespace a from lab "one"'* ]] || fail "apply did not adopt: $OUT"
assert_pair a eth1 c eth0 10.62.0.1/30 10.62.0.2/30
ok n apply "$WORK/two.yaml"
assert_eq "$OUT" unchanged "re-apply of the adopting lab"
ok n status "$WORK/two.yaml"
assert_eq "$OUT" "in sync" "status of the adopting lab"

pretty "destroying lab one leaves a to lab two, with two's link in it"
ok n destroy "$WORK/one.yaml"
netns_exists a || fail "destroy of lab one deleted the node lab two adopted"
! netns_exists b || fail "destroy of lab one left its own node b"
! link_exists a eth0 || fail "destroy of lab one left its link in a"
! link_exists "" brx || fail "destroy of lab one left its bridge"
assert_pair a eth1 c eth0 10.62.0.1/30 10.62.0.2/30
expect_fail_with 1 'namespace a belongs to lab "two"' n apply "$WORK/one.yaml"
ok n status "$WORK/two.yaml"
assert_eq "$OUT" "in sync" "status of lab two after lab one's destroy"
ok n destroy "$WORK/two.yaml"
! netns_exists a || fail "destroy of lab two left the node it adopted"
! netns_exists c || fail "destroy of lab two left c"

pretty "prefix: two copies of one lab side by side"
cat >"$WORK/p1.yaml" <<'EOF'
name: p1
prefix: p1-
nodes: [a, b]
links:
  - {endpoints: [a, b], cidr: 10.63.0.0/30}
bridges:
  - name: br-p1
    addr: 10.64.0.254/24
    members: [{node: a, if: lan}]
clients:
  - {prefix: cl, count: 2, parent: br-p1, static: 10.64.0.0/24}
EOF
sed 's/p1/p2/g' "$WORK/p1.yaml" >"$WORK/p2.yaml"
ok n apply "$WORK/p1.yaml"
ok n apply "$WORK/p2.yaml"
# interface names come from the names the file gives: "to-b", not "to-p1-b"
assert_pair p1-a to-b p1-b to-a 10.63.0.1/30 10.63.0.2/30
assert_pair p2-a to-b p2-b to-a 10.63.0.1/30 10.63.0.2/30
for ns in p1-cl1 p1-cl2 p2-cl1 p2-cl2; do
	netns_exists "$ns" || fail "no client namespace $ns"
done
! netns_exists a || fail "a prefixed lab made a"

pretty "labs lists the applied labs"
mkdir "$WORK/elsewhere"
ok n labs --json
"$PYTHON" - "$WORK" "$OUT" <<'PY' || fail "labs --json: $OUT"
import json, sys
work, doc = sys.argv[1], json.loads(sys.argv[2])
assert doc["version"] == 1, doc
labs = {l["name"]: l for l in doc["labs"]}
assert sorted(labs) == ["p1", "p2"], sorted(labs)
for name in ("p1", "p2"):
    l = labs[name]
    assert l["file"] == f"{work}/{name}.yaml", l
    assert l["in_sync"] is True, l
    assert l["objects"]["namespaces"] == 2, l
    assert l["objects"]["clients"] == 2, l
PY
ok n labs
[[ $(grep -c '^p[12] .*in sync' <<<"$OUT") -eq 2 ]] || fail "labs: $OUT"

pretty "status and destroy by name, without the file"
rm "$WORK/p1.yaml"
ip netns del p1-b
cd "$WORK/elsewhere"
run n status p1
assert_eq "$RC" 1 "status of a broken lab by name"
[[ $OUT == *"missing: create namespace p1-b"* ]] || fail "status p1: $OUT"
ok n status --json p1
ok n labs --json
"$PYTHON" -c '
import json, sys
labs = {l["name"]: l for l in json.load(sys.stdin)["labs"]}
assert labs["p1"]["in_sync"] is False and labs["p2"]["in_sync"] is True, labs
' <<<"$OUT" || fail "labs after p1-b went: $OUT"
expect_fail_with 1 'no lab file "nosuch" and no applied lab' n status nosuch
ok n destroy p1
for ns in p1-a p1-cl1 p1-cl2; do
	! netns_exists "$ns" || fail "destroy p1 left $ns"
done
netns_exists p2-a || fail "destroy p1 took p2-a"
ok n labs --json
"$PYTHON" -c '
import json, sys
assert [l["name"] for l in json.load(sys.stdin)["labs"]] == ["p2"]
' <<<"$OUT" || fail "labs after destroy p1: $OUT"
cd /
ok n destroy "$WORK/p2.yaml"
ok n labs
assert_eq "$OUT" "" "labs with none applied"

assert_nothing_left
