#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lanes: host uml-extended
#
# examples/clients.yaml: a client group (create-clients) on the lab's host
# bridge, static addresses; applied, re-applied, status, one client deleted
# behind the lab's back and made again, destroyed.
#
#   host bridge labbr -- srv eth0 10.60.0.250/24; cl1..cl3 macvlans 10.60.0.1-3/24

. "$(dirname "$(readlink -f "$0")")/lib.sh"

EX=$TEST_DIR/../../examples

cleanup() {
	local rc=$?
	set +e
	n destroy "$EX/clients.yaml" >/dev/null 2>&1
	[[ -n ${fail_lab:-} ]] && n destroy "$fail_lab" >/dev/null 2>&1
	del_namespaces srv cl1 cl2 cl3 cl4 cl5 fsrv
	ip link del labbr 2>/dev/null
	ip link del fbr 2>/dev/null
	exit $rc
}
trap cleanup EXIT

pretty "apply clients.yaml"
ok n apply "$EX/clients.yaml"
[[ $OUT == *"create clients cl1..cl3 on labbr"* ]] || fail "no clients step: $OUT"
ok n apply "$EX/clients.yaml"
assert_eq "$OUT" unchanged "re-apply"
ok n status "$EX/clients.yaml"
assert_eq "$OUT" "in sync" "status"
for k in 1 2 3; do
	netns_exists cl$k || fail "no cl$k"
	nsx cl$k ping -c 1 -W 2 10.60.0.250 >/dev/null || fail "cl$k cannot reach srv"
done
assert_eq "$(addrs_of cl2 eth0)" 10.60.0.2/24 "cl2's address"

pretty "clients deleted behind the lab's back come back"
ok n delete-clients --prefix cl
run n status "$EX/clients.yaml"
assert_eq "$RC" 1 "status exit code"
assert_eq "$OUT" "missing: 3 of clients cl1..cl3" "status"
ok n apply "$EX/clients.yaml"
netns_exists cl3 || fail "cl3 not made again"

pretty "a group made smaller loses the clients beyond its count"
small=$TMPDIR/clients-small.yaml
sed 's/count: 3/count: 2/' "$EX/clients.yaml" >"$small"
run n status "$small"
assert_eq "$RC" 1 "status exit code of a group with too many clients"
assert_eq "$OUT" "extra: 1 client beyond cl2" "status"
ok n apply "$small" --dry-run
assert_eq "$OUT" "would delete clients cl3..cl3" "plan of the smaller group"
ok n apply "$small"
assert_eq "$OUT" "delete clients cl3..cl3" "apply of the smaller group"
! netns_exists cl3 || fail "cl3 is left after its group was made smaller"
netns_exists cl2 || fail "cl2 went with cl3"
ok n apply "$small"
assert_eq "$OUT" unchanged "re-apply of the smaller group"
ok n apply "$EX/clients.yaml"
netns_exists cl3 || fail "cl3 not made again"

pretty "clients of the prefix that the lab did not make are left alone"
ok n create-clients 5 --parent labbr --prefix cl --static 10.60.0.0/24
ok n status "$EX/clients.yaml"
assert_eq "$OUT" "in sync" "status with cl4, cl5 made by create-clients"
ok n apply "$EX/clients.yaml"
assert_eq "$OUT" unchanged "apply with cl4, cl5 made by create-clients"
netns_exists cl5 || fail "apply deleted cl5, which create-clients made"
ok n delete-clients --prefix cl
ok n apply "$EX/clients.yaml"
netns_exists cl3 || fail "cl3 not made again"

pretty "a group removed from the file is deleted by the next apply"
lab=$TMPDIR/clients-nogroup.yaml
"$PYTHON" - "$EX/clients.yaml" "$lab" <<'PY'
import sys
lines = open(sys.argv[1]).read().split("\n")
out, skip = [], False
for l in lines:
    if l.startswith("clients:"):
        skip = True
        continue
    if skip and (l.startswith(" ") or l.startswith("-")):
        continue
    skip = False
    out.append(l)
open(sys.argv[2], "w").write("\n".join(out))
PY
ok n apply "$lab" --dry-run
assert_eq "$OUT" "would delete 3 clients cl*" "plan without the group"
ok n apply "$lab"
! netns_exists cl1 || fail "cl1 is left after its group was removed"
ok n apply "$EX/clients.yaml"
netns_exists cl1 || fail "cl1 not made again"

pretty "destroy"
ok n destroy "$EX/clients.yaml"
[[ $OUT == *"delete 3 clients cl*"* ]] || fail "clients not deleted: $OUT"
! link_exists "" labbr || fail "labbr left"

pretty "a failed apply stops the command it started and removes what it made"
fail_lab=$(mktemp --suffix=.yaml)
cat >"$fail_lab" <<'EOF'
name: failing
nodes:
  - name: fsrv
    commands: [[sleep, '1000']]
bridges:
  - name: fbr
    members: [{node: fsrv, if: eth0, addr: 10.61.0.250/24}]
clients:
  - {prefix: fc, count: 2, parent: fbr, timeout: 1s}
EOF
run n apply "$fail_lab"
assert_eq "$RC" 1 "exit status of an apply whose clients get no lease"
[[ $OUT == *"rolled back: start command 1 in fsrv"* ]] || fail "command not rolled back: $OUT"
! pgrep -fx 'sleep 1000' >/dev/null || fail "the command of a failed apply is still running"
! netns_exists fsrv || fail "fsrv left after a failed apply"
ok n destroy "$fail_lab"
rm -f "$fail_lab"

assert_nothing_left
