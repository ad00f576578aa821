#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lanes: host
# why: what is under test is netnsctl's rollback and journal under signals,
#      not the kernel; and the timing (a signal after the Nth of 200
#      namespaces) is the host's: UML is too slow to land in the middle
#
# Long commands interrupted part way: SIGINT or SIGTERM (once, or twice in a
# row) when 1, 60 or 150 of 200 namespaces exist, and during a lab apply of
# 40 nodes on a bridge.  Then the run either completed (exit 0, everything
# there) or rolled back (exit 130 or 143, one line "netnsctl: ..." on stderr,
# nothing of this run left, what existed before it untouched, and a cleanup
# finds nothing of it to remove).  SIGKILL at the same moments: the next
# cleanup leaves nothing, and a re-run completes.  A delete and a cleanup
# interrupted part way leave no half-deleted namespace (no dead mount point),
# and the next cleanup finishes the job.
#
#   netns keep (made before by ip, must survive)     netns n001 .. n200 (the run)

. "$(dirname "$(readlink -f "$0")")/lib.sh"

N=200
names=()
for ((i = 1; i <= N; i++)); do
	names+=("$(printf 'n%03d' "$i")")
done

cleanup() {
	local rc=$?
	set +e
	jobs -p | xargs -r kill -9 2>/dev/null
	wait 2>/dev/null
	del_namespaces keep "${names[@]}" lab-sw $(printf 'lab-h%d ' {1..40})
	exit $rc
}
trap cleanup EXIT

# How many of PATTERN (a glob in the run dir) exist, without a fork.
count() {
	local f=("$RUN_DIR"/$1)
	echo ${#f[@]}
}

# wait_count PATTERN K PID: until K match or PID has exited.
wait_count() {
	local f
	while kill -0 "$3" 2>/dev/null; do
		f=("$RUN_DIR"/$1)
		((${#f[@]} < $2)) || return 0
	done
}

# Every name in the run dir is a live namespace (no dead mount point).
assert_run_dir_live() {
	local f
	for f in "$RUN_DIR"/*; do
		[[ $(mount_fstype "$f" 2>/dev/null) == nsfs ]] || fail "${f##*/} in the run dir is not a mounted namespace"
	done
}

# after_signal RC ERRFILE PATTERN TOTAL: the run completed or rolled back.
after_signal() {
	local rc=$1 err=$2 pattern=$3 total=$4 have lines
	have=$(count "$pattern")
	lines=$(wc -l <"$err")
	case $rc in
	0)
		[[ $have -eq $total ]] || fail "exit 0 but $have of $total made"
		RESULT=completed ;;
	130 | 143)
		[[ $lines -eq 1 && $(<"$err") == "netnsctl: "* ]] ||
			fail "interrupted (exit $rc) with $lines lines on stderr: $(<"$err")"
		[[ $have -eq 0 ]] || fail "interrupted (exit $rc) but $have of $total are left"
		RESULT="rolled back"
		ok n cleanup --dry-run
		assert_eq "$OUT" unchanged "cleanup after a rollback" ;;
	*) fail "exit $rc: $(<"$err")" ;;
	esac
	netns_exists keep || fail "the namespace made before the run is gone"
	assert_run_dir_live
}

# A background job of a non-interactive shell starts with SIGINT ignored:
# start netnsctl as a terminal's foreground job would be.
# Only ever as "bg_n ... &": it replaces the job's subshell, so $! is netnsctl.
bg_n() { exec env --default-signal=INT,TERM "$NETNSCTL" "$@"; }
# Made by ip, so no cleanup of netnsctl's may touch it.
ip netns add keep
err=$TMPDIR/interrupt.err
tried=0

pretty "create-namespaces of $N, interrupted"
for sig in INT TERM; do
	for at in 1 60 150; do
		for times in 1 2; do
			CONTEXT="SIG$sig x$times at $at of $N"
			bg_n create-namespaces keep "${names[@]}" >/dev/null 2>"$err" &
			pid=$!
			wait_count 'n[0-9]*' "$at" "$pid"
			kill -s "$sig" "$pid" 2>/dev/null || true
			[[ $times -eq 1 ]] || kill -s "$sig" "$pid" 2>/dev/null || true
			rc=0
			wait "$pid" || rc=$?
			after_signal "$rc" "$err" 'n[0-9]*' "$N"
			tried=$((tried + 1))
			pretty "$CONTEXT: $RESULT"
			[[ $RESULT == "rolled back" ]] || ok n delete-namespaces "${names[@]}"
		done
	done
done
CONTEXT=

pretty "create-namespaces of $N, killed; cleanup repairs"
for at in 1 60 150; do
	CONTEXT="SIGKILL at $at of $N, then cleanup"
	bg_n create-namespaces "${names[@]}" >/dev/null 2>&1 &
	pid=$!
	wait_count 'n[0-9]*' "$at" "$pid"
	kill -9 "$pid" 2>/dev/null || true
	wait "$pid" || true
	ok n cleanup
	[[ $(count 'n[0-9]*') -eq 0 ]] || fail "cleanup left $(count 'n[0-9]*') namespaces"
	netns_exists keep || fail "cleanup removed keep, which ip made"

	CONTEXT="SIGKILL at $at of $N, then a re-run"
	bg_n create-namespaces "${names[@]}" >/dev/null 2>&1 &
	pid=$!
	wait_count 'n[0-9]*' "$at" "$pid"
	kill -9 "$pid" 2>/dev/null || true
	wait "$pid" || true
	ok n create-namespaces "${names[@]}"
	[[ $(count 'n[0-9]*') -eq $N ]] || fail "the re-run made $(count 'n[0-9]*') of $N"
	assert_run_dir_live
	ok n cleanup
	netns_exists keep || fail "cleanup removed keep, which ip made"
	tried=$((tried + 2))
done
CONTEXT=

pretty "apply of a 40-node lab, interrupted"
lab=$TMPDIR/storm-lab.yaml
{
	echo "name: interrupt"
	printf 'nodes: [lab-sw'
	for ((i = 1; i <= 40; i++)); do printf ', lab-h%d' "$i"; done
	echo ']'
	echo 'bridges:'
	echo '  - name: br0'
	echo '    node: lab-sw'
	echo '    members:'
	for ((i = 1; i <= 40; i++)); do
		echo "      - {node: lab-h$i, if: eth0, addr: 10.30.0.$i/24}"
	done
} >"$lab"
ok n apply --dry-run "$lab"
for sig in INT TERM; do
	for at in 1 20; do
		CONTEXT="apply, SIG$sig at $at of 41 namespaces"
		bg_n apply "$lab" >/dev/null 2>"$err" &
		pid=$!
		wait_count 'lab-*' "$at" "$pid"
		kill -s "$sig" "$pid" 2>/dev/null || true
		rc=0
		wait "$pid" || rc=$?
		after_signal "$rc" "$err" 'lab-*' 41
		tried=$((tried + 1))
		pretty "$CONTEXT: $RESULT"
		if [[ $RESULT == completed ]]; then
			ok n destroy "$lab"
		fi
	done
done
CONTEXT=

pretty "delete-namespaces and cleanup of $N, interrupted"
for what in delete cleanup; do
	for sig in INT TERM KILL; do
		CONTEXT="$what SIG$sig at 100 of $N"
		ok n create-namespaces "${names[@]}"
		if [[ $what == delete ]]; then
			bg_n delete-namespaces "${names[@]}" >/dev/null 2>"$err" &
		else
			bg_n cleanup >/dev/null 2>"$err" &
		fi
		pid=$!
		while kill -0 "$pid" 2>/dev/null && (($(count 'n[0-9]*') > 100)); do :; done
		kill -s "$sig" "$pid" 2>/dev/null || true
		rc=0
		wait "$pid" || rc=$?
		case $rc in 0 | 130 | 137 | 143) ;; *) fail "exit $rc: $(<"$err")" ;; esac
		# A SIGKILL between umount and unlink may leave a dead mount
		# point, which the next cleanup removes; a signal that can be
		# caught must not.
		[[ $sig == KILL ]] || assert_run_dir_live
		ok n cleanup
		[[ $(count 'n[0-9]*') -eq 0 ]] || fail "the next cleanup left $(count 'n[0-9]*')"
		netns_exists keep || fail "cleanup removed keep, which ip made"
		tried=$((tried + 1))
	done
done
CONTEXT=

pretty "$tried interruptions"
ip netns del keep
ok n cleanup
assert_nothing_left
