#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lanes: host
# why: what is under test is which clients a lab counts and deletes as its
#      own, not the kernel; static clients, so no DHCP server
#
# A lab's client group is the clients that lab made (issue #12, item 3):
# destroy of a file never applied deletes none of the clients of its prefix
# that create-clients made by hand; after a real apply, destroy deletes the
# lab's 3, not the 5 of the prefix; apply does not take over clients of the
# group's names that it did not make.
#
#   sandbox's namespace
#   lan0 UP (veth, peer lan0p)   -- parent of every client, --static
#     macvlans eth0 in cl1 .. cl5

. "$(dirname "$(readlink -f "$0")")/lib.sh"

cleanup() {
	local rc=$?
	set +e
	"$NETNSCTL" destroy "$GRP" >/dev/null 2>&1
	"$NETNSCTL" delete-clients >/dev/null 2>&1
	del_namespaces cl1 cl2 cl3 cl4 cl5
	ip link del lan0 2>/dev/null
	rm -f "$GRP" "$SMALL"
	exit $rc
}
trap cleanup EXIT

GRP=$(mktemp --suffix=.yaml)
SMALL=$(mktemp --suffix=.yaml)
cat >"$GRP" <<'YAML'
name: grp
clients:
  - {prefix: cl, count: 3, parent: lan0, static: 10.55.0.0/24}
YAML
sed 's/count: 3/count: 1/' "$GRP" >"$SMALL"

ip link add lan0 type veth peer name lan0p
ip link set lan0 up
ip link set lan0p up

present() {
	local k out=
	for k in 1 2 3 4 5; do
		netns_exists "cl$k" && out+="cl$k "
	done
	echo "$out"
}

pretty "destroy of a file never applied: none of create-clients' 5 go"
ok n create-clients 5 --parent lan0 --prefix cl --static 10.55.0.0/24
ok n destroy "$GRP"
assert_eq "$OUT" unchanged "destroy of a lab that made nothing"
assert_eq "$(present)" "cl1 cl2 cl3 cl4 cl5 " "clients after destroy"

pretty "apply does not take over clients of its names that it did not make"
take_reference
expect_fail_with 2 "client group cl: client cl1 \\(made by create-clients\\), not by lab grp: not taken over" \
	n apply "$GRP"
assert_unchanged "a refused apply"
run n status "$GRP"
assert_eq "$RC" 1 "status of a group whose clients another made"
assert_eq "$OUT" "missing: 3 of clients cl1..cl3" "status"

pretty "after a real apply, destroy deletes the lab's 3, not the 5 of the prefix"
ok n delete-clients --prefix cl
ok n apply "$GRP"
ok n create-clients 5 --parent lan0 --prefix cl --static 10.55.0.0/24
assert_eq "$OUT" "created 2 clients, 5 in all" "create-clients next to the lab's"
ok n status "$GRP"
assert_eq "$OUT" "in sync" "status with cl4, cl5 made by hand"
ok n destroy "$GRP" --dry-run
assert_eq "$OUT" "would delete 3 clients cl*" "destroy --dry-run"
ok n destroy "$GRP"
assert_eq "$OUT" "delete 3 clients cl*" "destroy"
assert_eq "$(present)" "cl4 cl5 " "clients after destroy"

pretty "a group made smaller, or removed, loses only the lab's clients"
ok n delete-clients --prefix cl
ok n apply "$GRP"
ok n create-clients 5 --parent lan0 --prefix cl --static 10.55.0.0/24
ok n apply "$SMALL"
assert_eq "$OUT" "delete clients cl2..cl3" "apply of the smaller group"
assert_eq "$(present)" "cl1 cl4 cl5 " "clients after the group was made smaller"
ok n destroy "$SMALL"
assert_eq "$(present)" "cl4 cl5 " "clients after destroy of the smaller group"

pretty "take it down"
ok n delete-clients
ip link del lan0
assert_nothing_left
