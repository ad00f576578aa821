#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lanes: host
# why: what is under test is the CLI's signal handling and rollback, not the
#      kernel; UML has no pty for script(1) to drive
#
# Ctrl-C at a terminal on a foreground create-clients: the terminal sends
# SIGINT to the job (a background job of a non-interactive shell would
# ignore it, which is why script(1) runs netnsctl on a pty here and the test
# types ^C into it).  The call says it was interrupted, by what, while doing
# what, and what it rolled back (a long list of names in short: ns1..ns100),
# exits 128 + 2, and leaves nothing.  --json writes the document then too,
# with the error and every client rolled back.
#
#   sandbox's namespace                  netns quiet (no DHCP server: no answer, ever)
#   lan0 UP ============================ q0 10.78.1.1/24
#     macvlans eth0 in ns1 .. ns100

. "$(dirname "$(readlink -f "$0")")/lib.sh"

command -v script >/dev/null || refuse "script (Debian: bsdutils) is missing"

TTY_PID=
cleanup() {
	local rc=$?
	set +e
	exec 7>&- 2>/dev/null
	[[ -z $TTY_PID ]] || kill -9 "$TTY_PID" 2>/dev/null
	wait 2>/dev/null
	"$NETNSCTL" delete-clients >/dev/null 2>&1
	ip link del lan0 2>/dev/null
	del_namespaces quiet
	exit $rc
}
trap cleanup EXIT

# on_tty OUT ERR CMD...: CMD (its words must need no quoting) as a terminal's
# foreground job: script(1) runs it on a new pty, in that pty's session and
# foreground process group.  An interactive shell starts a job with SIGINT
# at its default; this script's background jobs start with it ignored, and
# script(1) would pass that on: env puts it back.  What is written to fd 7
# is typed at it.  TTY_PID is script's.
on_tty() {
	local out=$1 err=$2
	shift 2
	rm -f "$TMPDIR/tty.in"
	mkfifo "$TMPDIR/tty.in"
	env --default-signal=INT script --quiet --return --flush --command "exec $* >$out 2>$err" /dev/null \
		<"$TMPDIR/tty.in" >/dev/null 2>&1 &
	TTY_PID=$!
	exec 7>"$TMPDIR/tty.in"
}

# ctrl_c: type ^C; then wait for the job: its exit status in RC.
ctrl_c() {
	printf '\003' >&7
	RC=0
	wait "$TTY_PID" || RC=$?
	TTY_PID=
	exec 7>&-
}

nothing_of_the_call() {
	local left
	left=$(netns_names | grep -v '^quiet$' || true)
	[[ -z $left ]] || fail "namespaces left: $left"
	[[ -z $(ls -A "$STATE_DIR/clients/leases" 2>/dev/null) ]] ||
		fail "lease files left: $(ls "$STATE_DIR/clients/leases")"
	[[ -z $(ls -A "$ETC_DIR") ]] || fail "left in $ETC_DIR: $(ls "$ETC_DIR")"
	ok n cleanup --dry-run
	assert_eq "$OUT" unchanged "cleanup after the interrupted call"
}

ip netns add quiet
ip link add lan0 type veth peer name q0 netns quiet
ip link set lan0 up
ip -n quiet link set q0 up
ip -n quiet addr add 10.78.1.1/24 dev q0
wait_for 10 bash -c '[[ $(cat /sys/class/net/lan0/carrier 2>/dev/null) == 1 ]]'
out=$TMPDIR/cc.out err=$TMPDIR/cc.err

pretty "Ctrl-C while 100 clients wait for a DHCPOFFER that never comes"
on_tty "$out" "$err" "$NETNSCTL" create-clients 100 --parent lan0 --timeout 60
wait_for 30 test -e "$RUN_DIR/ns100"
# in the DHCP loop: every client has a socket and has sent a DISCOVER
sleep 1
ctrl_c
assert_eq "$RC" 130 "exit status after Ctrl-C"
assert_eq "$(wc -l <"$err")" 1 "lines on stderr"
assert_eq "$(<"$err")" \
	"netnsctl: interrupted by SIGINT while leasing (0 of 100 leased): all 100 new clients rolled back (ns1..ns100)" \
	"the error"
nothing_of_the_call

pretty "the same with --json: the document says it, and names every client rolled back"
on_tty "$out" "$err" "$NETNSCTL" create-clients 100 --parent lan0 --timeout 60 --json
wait_for 30 test -e "$RUN_DIR/ns100"
sleep 1
ctrl_c
assert_eq "$RC" 130 "exit status after Ctrl-C (--json)"
assert_eq "$(wc -l <"$err")" 1 "lines on stderr (--json)"
why=$("$PYTHON" "$TEST_DIR/schemacheck.py" create-clients <"$out" 2>&1) ||
	fail "the document does not match docs/schema/create-clients.json: $why"
"$PYTHON" -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["error"].startswith("interrupted by SIGINT while leasing"), d["error"]
assert d["signal"] == "SIGINT", d["signal"]
assert d["created"] == 0 and d["clients"] == [] and d["asked"] == 100 and d["leased"] == 0, d
names = [c["name"] for c in d["rolled_back"]]
assert names == ["ns%d" % i for i in range(1, 101)], names
assert all(c["leased"] is False and c["why"] for c in d["rolled_back"]), d["rolled_back"][:3]
' "$out" || fail "create-clients --json after Ctrl-C: $(head -c 600 "$out")"
nothing_of_the_call

pretty "Ctrl-C while another netnsctl holds the state lock: nothing changed"
mkdir -p "$STATE_DIR"
# (one process, so that killing it frees the lock)
"$PYTHON" -c '
import fcntl, sys, time
f = open(sys.argv[1], "w")
fcntl.flock(f, fcntl.LOCK_EX)
time.sleep(60)' "$STATE_DIR/lock" &
holder=$!
wait_for 10 bash -c "grep -q ' FLOCK .* WRITE ' /proc/locks"
on_tty "$out" "$err" "$NETNSCTL" create-clients 3 --parent lan0
sleep 1
kill -0 "$TTY_PID" 2>/dev/null || fail "create-clients did not wait for the lock: $(<"$err")"
ctrl_c
kill "$holder"
wait "$holder" 2>/dev/null || true
assert_eq "$RC" 130 "exit status after Ctrl-C at the lock"
assert_eq "$(<"$err")" \
	"netnsctl: interrupted by SIGINT while waiting for the state lock: nothing changed" \
	"the error at the lock"
nothing_of_the_call

ip link del lan0
del_namespaces quiet
ok n cleanup
assert_nothing_left
