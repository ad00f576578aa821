#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lanes: host
# why: 600 namespaces; the host lane is enough for a limit of the process
#
# A lab of 600 namespaces holds more than 1024 files open (a handle and a
# socket per namespace), the usual soft limit.  netnsctl raises its soft
# limit to the hard one, and gives the programs it starts the limit they
# had.  Under a hard limit too low for the lab, apply fails with one line
# and changes nothing.  destroy and cleanup hold no descriptor per
# namespace (each is checked by its cookie and let go, issue #14): under
# that limit they see and delete every namespace, and forget none.

. "$(dirname "$(readlink -f "$0")")/lib.sh"

N=600
WORK=$(mktemp -d)
LAB=$WORK/big.yaml

cleanup() {
	local rc=$?
	set +e
	n destroy "$LAB" >/dev/null 2>&1
	rm -rf "$WORK"
	exit $rc
}
trap cleanup EXIT

{
	echo "name: big"
	echo "nodes:"
	echo "  - name: sw"
	for ((i = 1; i <= N; i++)); do echo "  - name: h$i"; done
	echo "bridges:"
	echo "  - {name: br0, node: sw, members: ["
	for ((i = 1; i <= N; i++)); do echo "      {node: h$i, if: eth0, addr: 10.9.$((i / 250)).$((i % 250 + 1))/16},"; done
	echo "    ]}"
} >"$LAB"

pretty "soft limit 1024: $N namespaces applied, a command exec'd sees 1024"
ok bash -c "ulimit -Sn 1024 && exec \"\$@\"" - "$NETNSCTL" apply "$LAB"
assert_eq "$(netns_names | wc -l)" $((N + 1)) "namespaces"
nsx h1 ping -c 1 -W 2 10.9.$((N / 250)).$((N % 250 + 1)) >/dev/null || fail "h1 cannot reach h$N"
ok bash -c "ulimit -Sn 1024 && exec \"\$@\"" - "$NETNSCTL" exec h1 sh -c 'ulimit -Sn'
assert_eq "$OUT" 1024 "soft limit of a command run by netnsctl exec"

pretty "hard limit 1024: cleanup --dry-run sees every namespace"
ok bash -c "ulimit -n 1024 && exec \"\$@\"" - "$NETNSCTL" cleanup --dry-run
assert_eq "$(grep -c '^would delete namespace ' <<<"$OUT")" $((N + 1)) "namespaces cleanup would delete"

pretty "hard limit 1024: destroy deletes every namespace"
ok bash -c "ulimit -n 1024 && exec \"\$@\"" - "$NETNSCTL" destroy "$LAB"
assert_eq "$(netns_names)" "" "namespaces after destroy"
ok n labs --json
assert_eq "$OUT" '{"version":1,"labs":[]}' "labs after destroy"

pretty "hard limit 1024: apply fails with one line and leaves nothing"
expect_fail_with 1 'Too many open files' \
	bash -c "ulimit -n 1024 && exec \"\$@\"" - "$NETNSCTL" apply "$LAB"
((ERR_LINES == 1)) || fail "the error is not one line: $ERR"
assert_nothing_left
