#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lanes: host
# why: 1023 namespaces: seconds on the host, minutes in UML
#
# A bridge takes at most 1023 ports (BR_MAX_PORTS).  A veth is made with its
# host end already a port of its bridge, in its create request: the kernel
# refuses that request whole (EXFULL) and makes no pair.  The port's error
# names the port and the bridge, and nothing of the failing step is left:
#
#   - attach n1024 br0 onto a full br0: exit 1, the message, no namespace
#     n1024, no link of it, br0 still with its 1023 ports;
#   - a lab of 1024 members in one file: exit 1, the same message for
#     v-n1024, and the 1023 nodes made before are rolled back.
#
#   br0 --- v-n1 === eth0 (n1)  ...  v-n1023 === eth0 (n1023)   [+ n1024: refused]

. "$(dirname "$(readlink -f "$0")")/lib.sh"

WORK=$(mktemp -d)

cleanup() {
	local rc=$?
	set +e
	n destroy "$WORK/star1023.yaml" >/dev/null 2>&1
	n delete-namespaces n1024 >/dev/null 2>&1
	rm -rf "$WORK"
	exit $rc
}
trap cleanup EXIT

star_file() { # FILE N
	local i
	{
		echo "name: star$2"
		echo "nodes:"
		for ((i = 1; i <= $2; i++)); do echo "  - n$i"; done
		echo "bridges:"
		echo "  - name: br0"
		echo "    members:"
		for ((i = 1; i <= $2; i++)); do
			echo "      - {node: n$i, if: eth0, addr: 10.77.$((i >> 8)).$((i & 255))/16, port: v-n$i}"
		done
	} >"$1"
}

ports() { ip -o link show master br0 | wc -l; }

FULL='it has its maximum of ports \(1023\)'

star_file "$WORK/star1023.yaml" 1023
star_file "$WORK/star1024.yaml" 1024

pretty "a star of 1023: br0 full"
ok n apply "$WORK/star1023.yaml"
assert_eq "$(ports)" 1023 "ports of br0"

pretty "attach n1024 br0: refused by the create request, nothing made"
expect_fail_with 1 "cannot attach n1024-eth-br0 to bridge br0 in the host: $FULL" \
	n attach n1024 br0
netns_exists n1024 && fail "namespace n1024 was left"
link_exists "" n1024-eth-br0 && fail "the host end n1024-eth-br0 was left"
assert_eq "$(ports)" 1023 "ports of br0 after the refusal"
ok n status "$WORK/star1023.yaml"
ok n destroy "$WORK/star1023.yaml"
assert_nothing_left >/dev/null

pretty "a star of 1024: the 1024th port refused, the lab rolled back"
expect_fail_with 1 "cannot attach v-n1024 to bridge br0 in the host: $FULL" \
	n apply "$WORK/star1024.yaml"
assert_eq "$(netns_names | wc -l)" 0 "namespaces after the rollback"
run n cleanup --dry-run
assert_eq "$OUT" unchanged "cleanup --dry-run after the rollback (no record left)"

assert_nothing_left
