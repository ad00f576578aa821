#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lanes: host
# why: what is under test is lab names and cleanup's walk of the state dir,
#      not the kernel
#
# cleanup skipped labs whose name starts with '.' (issue #12, item 5): their
# commands kept running, and kept the deleted namespace alive.  Such names
# are refused now (name: .hidden, a file .lab.yaml), and cleanup stops the
# commands of every lab it finds, an older netnsctl's ".hid" too.
#
#   netns hn (lab "hid"): sleep 4242, the lab's command

. "$(dirname "$(readlink -f "$0")")/lib.sh"

DIR=$(mktemp -d)

cleanup() {
	local rc=$?
	set +e
	pkill -x -f 'sleep 4242' 2>/dev/null
	"$NETNSCTL" cleanup >/dev/null 2>&1
	del_namespaces hn
	rm -rf "$DIR"
	exit $rc
}
trap cleanup EXIT

pretty "lab names starting with '.' are refused"
printf 'name: .hidden\nnodes: [hn]\n' >"$DIR/lab.yaml"
take_reference
expect_fail_naming 2 .hidden n apply "$DIR/lab.yaml"
printf 'nodes: [hn]\n' >"$DIR/.lab.yaml"
expect_fail_naming 2 .lab n apply "$DIR/.lab.yaml"
assert_unchanged "refused lab files"

pretty "cleanup stops the commands of a lab an older netnsctl named \".hid\""
printf 'name: hid\nnodes:\n  - name: hn\n    commands: [[sleep, "4242"]]\n' >"$DIR/hid.yaml"
ok n apply "$DIR/hid.yaml"
wait_for 5 pgrep -x -f 'sleep 4242'
# what an older netnsctl made of "name: .hid"
mv "$STATE_DIR/labs/hid" "$STATE_DIR/labs/.hid"
ok n cleanup
[[ $OUT == *"stop command 1 of hn in lab .hid"* ]] || fail "cleanup did not stop the command: $OUT"
! pgrep -x -f 'sleep 4242' >/dev/null || fail "the command of lab .hid is still running"
[[ ! -e $STATE_DIR/labs ]] || fail "left in the state dir: $(find "$STATE_DIR/labs")"

assert_nothing_left
