#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lanes: host uml-extended
#
# Every command that prints (list, show-qdisc, list-clients, status, labs,
# graph, create-clients, exec-all) takes --json and -j and writes one document of
# the shape docs/json.md and docs/schema/ describe (an object with
# "version"), valid even for a namespace whose name is not UTF-8.  status
# --json exits 0 when the lab differs (the document says so), status
# without it 1; a lab never applied is all "missing", its routes too.
# Commands that change something print {version, changed, dry_run, steps},
# each step typed (docs/schema/step.json), with --json and -j.
#
#   sva veth-a (tbf) --- veth-b svb; sva host0 --- nn-sva (host)
#   host bridge jbr0 with static clients jc1, jc2
#   examples/routed.yaml: left --- r --- right

. "$(dirname "$(readlink -f "$0")")/lib.sh"

EX=$TEST_DIR/../../examples
ODD=$'odd\xff\xfename'

cleanup() {
	local rc=$?
	set +e
	n destroy "$EX/routed.yaml" >/dev/null 2>&1
	n cleanup >/dev/null 2>&1
	del_namespaces sva svb jc1 jc2 left r right "$ODD"
	ip link del jbr0 2>/dev/null
	exit $rc
}
trap cleanup EXIT

# valid SCHEMA CMD...: CMD succeeds, and its stdout is a valid SCHEMA document.
valid() {
	local schema=$1 why
	shift
	ok "$@"
	why=$("$PYTHON" "$TEST_DIR/schemacheck.py" "$schema" <<<"$OUT" 2>&1) ||
		fail "$* does not match docs/schema/$schema.json: $why"
}

ok n create-veth-pair sva svb
ok n set-rate sva veth-a --rate 10mbit
ok n connect-host sva
ok n create-bridge jbr0 --addr 10.9.0.254/24
valid create-clients n create-clients 2 --parent jbr0 --prefix jc --static 10.9.0.0/24 --json
ip netns add "$ODD"

pretty "list, show-qdisc, list-clients: one document each, as the schemas say"
valid list n list --json
valid list n list -j sva "$ODD"
"$PYTHON" -c '
import json, sys
names = [n["name"] for n in json.load(sys.stdin)["namespaces"]]
assert names == ["odd\\xff\\xfename", "sva"], names
' <<<"$OUT" || fail "list --json does not write the odd name as \\xHH: $OUT"
valid show-qdisc n show-qdisc sva veth-a --json
[[ $OUT == *'"kind":"tbf"'* ]] || fail "show-qdisc --json: $OUT"
mine=$OUT
valid show-qdisc n show-qdisc -j sva veth-a
assert_eq "$OUT" "$mine" "show-qdisc -j"
valid list-clients n list-clients --json
[[ $OUT == *'"name":"jc1"'*'"name":"jc2"'* ]] || fail "list-clients --json: $OUT"
valid list-clients n list-clients -j --prefix nosuch
assert_eq "$OUT" '{"version":1,"clients":[]}' "list-clients of no clients"

pretty "create-clients and exec-all: as their schemas say"
valid create-clients n create-clients 2 --parent jbr0 --prefix jc --static 10.9.0.0/24 -j
[[ $OUT == *'"created":0,'*'"new":false'* ]] || fail "create-clients --json of clients that exist: $OUT"
valid exec-all n exec-all --prefix jc --json -- sh -c 'echo out; echo err >&2'
"$PYTHON" -c '
import json, sys
d = json.load(sys.stdin)
assert [(r["name"], r["exit"], r["stdout"], r["stderr"]) for r in d["results"]] == \
	[("jc1", 0, "out\n", "err\n"), ("jc2", 0, "out\n", "err\n")], d
' <<<"$OUT" || fail "exec-all --json: $OUT"
run n exec-all --prefix jc -j -- false
assert_eq "$RC" 1 "exit status of exec-all -j -- false"
why=$("$PYTHON" "$TEST_DIR/schemacheck.py" exec-all <<<"$OUT" 2>&1) ||
	fail "exec-all -j -- false does not match docs/schema/exec-all.json: $why"
# the schemas are strict: a document with a member they do not know fails
! "$PYTHON" "$TEST_DIR/schemacheck.py" exec-all <<<"${OUT%\}},\"extra\":1}" 2>/dev/null ||
	fail "docs/schema/exec-all.json takes an unknown member"

pretty "graph: the picture as data"
valid graph n graph --json "$EX/abc.yaml"
"$PYTHON" -c '
import json, sys
d = json.load(sys.stdin)
ends = sorted((e["a"]["namespace"], e["a"]["interface"], e["b"]["namespace"], e["b"]["interface"])
              for e in d["edges"])
assert ends == [("a", "to-b", "b", "to-a"), ("b", "to-c", "c", "to-b")], ends
' <<<"$OUT" || fail "graph --json of abc.yaml: $OUT"
valid graph n graph -j

pretty "status of a lab never applied: all missing, routes too"
run n status "$EX/routed.yaml"
assert_eq "$RC" 1 "status exit code of a lab never applied"
[[ $OUT == *"missing: route default via 10.50.1.1 in left"* ]] || fail "status: $OUT"
! grep -v '^missing: ' <<<"$OUT" >/dev/null || fail "status of a lab never applied has more than missing: $OUT"
valid status n status --json "$EX/routed.yaml"
"$PYTHON" -c '
import json, sys
d = json.load(sys.stdin)
assert d["in_sync"] is False and d["steps"], d
assert {s["state"] for s in d["steps"]} == {"missing"}, d["steps"]
' <<<"$OUT" || fail "status --json: $OUT"
valid status n status -j "$EX/routed.yaml"
# (lib.sh runs the test under pipefail)
if ! n status --json "$EX/routed.yaml" | "$PYTHON" -c 'import json, sys; json.load(sys.stdin)'; then
	fail "status --json | reader fails a pipefail pipeline when the lab differs"
fi

pretty "status and labs of an applied lab"
ok n apply "$EX/routed.yaml"
valid status n status --json "$EX/routed.yaml"
[[ $OUT == *'"in_sync":true'* ]] || fail "status --json of an applied lab: $OUT"
ok n status "$EX/routed.yaml"
assert_eq "$OUT" "in sync" "status of an applied lab"
valid labs n labs --json
[[ $OUT == *'"name":"routed"'*'"in_sync":true'* ]] || fail "labs --json: $OUT"
ip -n r link set eth2 down
run n status routed
assert_eq "$RC" 1 "status exit code when the lab differs"
assert_eq "$OUT" "missing: set eth2 in r up" "status when the lab differs"
valid status n status -j routed
[[ $OUT == *'"in_sync":false'* ]] || fail "status -j of a lab that differs: $OUT"
valid labs n labs -j
[[ $OUT == *'"in_sync":false'* ]] || fail "labs -j of a lab that differs: $OUT"
ok n destroy "$EX/routed.yaml"
valid labs n labs --json
assert_eq "$OUT" '{"version":1,"labs":[]}' "labs with none"

pretty "commands that change something: {version, changed, dry_run, steps}, typed steps"
valid change n create-namespaces --json --dry-run jx1 jx2
"$PYTHON" -c '
import json, sys
d = json.load(sys.stdin)
assert d["changed"] is False and d["dry_run"] is True, d
assert [(s["kind"], s["action"], s["ns"], s["state"]) for s in d["steps"]] == \
       [("netns", "create", "jx1", "missing"), ("netns", "create", "jx2", "missing")], d
' <<<"$OUT" || fail "create-namespaces --json --dry-run: $OUT"
assert_eq "$(netns_names | grep -c '^jx')" 0 "namespaces after --json --dry-run"
valid change n create-veth-pair -j jx1 jx2 --cidr 10.61.0.0/30
"$PYTHON" -c '
import json, sys
d = json.load(sys.stdin)
assert d["changed"] is True and d["dry_run"] is False, d
addr = [s for s in d["steps"] if s["kind"] == "addr"]
assert {(s["ns"], s["link"], s["addr"]) for s in addr} == \
       {("jx1", "veth-a", "10.61.0.1/30"), ("jx2", "veth-b", "10.61.0.2/30")}, addr
veth = [s for s in d["steps"] if s["kind"] == "veth"][0]
assert (veth["ns"], veth["link"], veth["peer_ns"], veth["peer"]) == ("jx1", "veth-a", "jx2", "veth-b"), veth
' <<<"$OUT" || fail "create-veth-pair --json: $OUT"
valid change n create-veth-pair --json jx1 jx2 --cidr 10.61.0.0/30
assert_eq "$OUT" '{"version":1,"changed":false,"dry_run":false,"steps":[]}' "an unchanged pair"
valid change n set-rate --json jx1 veth-a --rate 1mbit
[[ $OUT == *'"kind":"qdisc","action":"set"'*'"qdisc":{"kind":"tbf"'* ]] || fail "set-rate --json: $OUT"
valid change n clear-qdisc -j jx1 veth-a
[[ $OUT == *'"kind":"qdisc","action":"clear"'* ]] || fail "clear-qdisc --json: $OUT"
valid change n delete-veth-pair --json jx1 jx2
[[ $OUT == *'"kind":"veth","action":"delete","reason":"asked"'* ]] || fail "delete-veth-pair --json: $OUT"
valid change n apply --json --dry-run "$EX/routed.yaml"
valid change n apply -j "$EX/routed.yaml"
[[ $OUT == *'"changed":true'*'"kind":"route"'* ]] || fail "apply --json: $OUT"
valid change n destroy --json "$EX/routed.yaml"
[[ $OUT == *'"state":"extra","kind":"netns","action":"delete","reason":"pruned","ns":"left"'* ]] ||
	fail "destroy --json: $OUT"
valid change n delete-namespaces --json jx1 jx2
valid change n cleanup --json --dry-run

ip netns del "$ODD"
ok n delete-clients --prefix jc
ok n cleanup
assert_nothing_left
