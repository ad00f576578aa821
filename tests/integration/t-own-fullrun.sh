#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lanes: host
# why: what is under test is the journal on a full file system, not the
#      kernel's network side
#
# A full /run (issue #12, item 10): an apply rolled back because the
# journal could not be written left the record of the forwarding it had
# turned on (value before: off), and a later cleanup turned the admin's own
# ip_forward off; the error said "Input/output error" for ENOSPC.
#
# The state dir is a tmpfs of one page here; the journal is filled to
# 4096 - L bytes with a line the reader skips, for L every 8 bytes over
# what connect-host writes, so that each of its records in turn is the one
# that does not fit.  After each failed run: the error names ENOSPC,
# forwarding is off again; the admin turns it on, room is made, and cleanup
# must leave it on.
#
#   sandbox's namespace                 netns fx (ip netns add)
#   nn-fx 10.200.0.1/30 ================ host0 10.200.0.2/30, default via .1

. "$(dirname "$(readlink -f "$0")")/lib.sh"

cleanup() {
	local rc=$?
	set +e
	mount -o remount,size=1m "$STATE_DIR" 2>/dev/null
	"$NETNSCTL" cleanup >/dev/null 2>&1
	umount "$STATE_DIR" 2>/dev/null
	del_namespaces fx
	ip link del nn-fx 2>/dev/null
	echo 0 >/proc/sys/net/ipv4/ip_forward
	exit $rc
}
trap cleanup EXIT

FWD=/proc/sys/net/ipv4/ip_forward
mkdir -p "$STATE_DIR"
mount -t tmpfs -o size=4k,mode=0755 none "$STATE_DIR"
ip netns add fx
echo 0 >"$FWD"

pretty "connect-host with the journal filled up to 4096 - L bytes"
failed=0 reached=0
for ((l = 8; l <= 800; l += 8)); do
	CONTEXT="journal full but $l bytes"
	rm -f "$STATE_DIR/journal"
	printf '%*s\n' $((4096 - l - 1)) '' | tr ' ' '#' >"$STATE_DIR/journal"
	run n connect-host fx
	if ((RC == 0)); then
		mount -o remount,size=1m "$STATE_DIR"
		ok n cleanup
		mount -o remount,size=4k "$STATE_DIR"
		assert_eq "$(<"$FWD")" 0 "forwarding after cleanup"
		continue
	fi
	failed=$((failed + 1))
	assert_eq "$RC" 1 "exit status of a connect-host that could not write its journal"
	[[ $ERR == *"No space left on device"* ]] || fail "the error does not name ENOSPC: $ERR"
	assert_eq "$(<"$FWD")" 0 "forwarding after the rollback"
	grep -q ' sysctl ' "$STATE_DIR/journal" && reached=$((reached + 1))
	# the admin turns forwarding on; netnsctl must not turn it back off
	echo 1 >"$FWD"
	mount -o remount,size=1m "$STATE_DIR"
	ok n cleanup
	assert_eq "$(<"$FWD")" 1 "the admin's forwarding after cleanup"
	echo 0 >"$FWD"
	mount -o remount,size=4k "$STATE_DIR"
	! link_exists "" nn-fx || fail "nn-fx left"
done
CONTEXT=
pretty "$failed runs failed for want of room, $reached of them after the forwarding record"
((reached > 0)) || fail "no run got as far as its forwarding record: the sizes need updating"

pretty "take it down"
mount -o remount,size=1m "$STATE_DIR"
ok n cleanup
umount "$STATE_DIR"
del_namespaces fx
assert_nothing_left
