#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lanes: host
# why: process handling, the same on both kernels; the host lane covers it
#
# The lease keeper as a process (issue #12): it holds none of its caller's
# descriptors or directories; it keeps every client under a small limit of
# open files, and list-clients says which ones it does not hold; stopping it
# signals the process that holds its lock, never a pid read from a file; a
# keeper of an older netnsctl (an flock on keeper.lock) is stopped, not run
# beside.
#
#   sandbox's namespace                       netns router
#   lan0 UP ================================= r0 10.77.1.1/24  dhcpd.py, T1 2 s

. "$(dirname "$(readlink -f "$0")")/lib.sh"
. "$TEST_DIR/clients-lib.sh"

IMPOSTOR=
BYSTANDER=
cleanup() {
	local rc=$?
	set +e
	[[ -n $IMPOSTOR ]] && kill "$IMPOSTOR" 2>/dev/null
	[[ -n $BYSTANDER ]] && kill "$BYSTANDER" 2>/dev/null
	"$NETNSCTL" delete-clients >/dev/null 2>&1
	lan_down
	exit $rc
}
trap cleanup EXIT

lan_up_scripted 100 150 --lease 120 --t1 2 --t2 100

pretty "the keeper holds none of the caller's descriptors, and not its directory"
cd "$TMPDIR"
# The pipe's reader ends only when every writer is gone: a keeper that kept
# fd 3 (or stdout) would hold it open for as long as it runs.
timeout 30 bash -c '{ "$1" create-clients 2 --parent lan0 >"$2"; } 3>&1 | cat >/dev/null' \
	- "$NETNSCTL" "$TMPDIR/create.out" || fail "create-clients with fd 3 on a pipe did not end (exit $?)"
cd /
keeper=$(keeper_pids)
[[ -n $keeper && $keeper != *$'\n'* ]] || fail "not one lease keeper: \"$keeper\""
assert_eq "$(readlink "/proc/$keeper/cwd")" / "working directory of the keeper"
assert_eq "$(readlink "/proc/$keeper/fd/0")" /dev/null "stdin of the keeper"
assert_eq "$(readlink "/proc/$keeper/fd/1")" /dev/null "stdout of the keeper"
assert_eq "$(readlink "/proc/$keeper/fd/2")" "$STATE_DIR/clients/keeper.log" "stderr of the keeper"
for fd in /proc/"$keeper"/fd/*; do
	t=$(readlink "$fd") || continue
	[[ $t != pipe:* && $t != "$TMPDIR"* && $t != /dev/pts/* && $t != /dev/tty* ]] ||
		fail "the keeper holds ${fd##*/} -> $t"
done
# a session of its own, and not its leader (it can never get a terminal)
read -r -a st <"/proc/$keeper/stat"
[[ ${st[5]} != "$(awk '{ print $6 }' /proc/self/stat)" && ${st[5]} != "$keeper" ]] ||
	fail "the keeper's session is ${st[5]}"
ok n delete-clients

pretty "ulimit -n 64, 12 clients, then 24: every one renews"
lim() { bash -c 'ulimit -n 64 && exec "$@"' - "$@"; }
ok lim "$NETNSCTL" create-clients 12 --parent lan0
ok lim "$NETNSCTL" create-clients 24 --parent lan0
keeper=$(keeper_pids)
assert_eq "$(awk '$1 == "Max" && $2 == "open" { print $4 }' "/proc/$keeper/limits")" 64 \
	"the keeper's limit of open files"
# a renewal is a DHCPREQUEST from the client's address (ciaddr set)
renewed() {
	local mac
	mac=$(awk '$1 == "mac" { print $2 }' "$STATE_DIR/clients/leases/$1")
	grep -q "^REQUEST $mac ciaddr 10\." "$LAN_LOG"
}
all_renewed() {
	local i
	for ((i = 1; i <= 24; i++)); do renewed "ns$i" || return 1; done
}
wait_for 20 all_renewed
ok n list-clients
[[ $OUT != *"not renewing"* ]] || fail "list-clients: $OUT"

pretty "a client the keeper cannot renew: logged, and list-clients says so"
ip -n ns5 link del eth0
not_renewing() { "$NETNSCTL" list-clients | grep -q '^ns5 .*not renewing$'; }
wait_for 15 not_renewing
grep -q 'ns5' "$STATE_DIR/clients/keeper.log" || fail "nothing about ns5 in the keeper's log"
ok n list-clients --json --prefix ns
"$PYTHON" -c '
import json, sys
v = {c["name"]: c["renewing"] for c in json.loads(sys.argv[1])["clients"]}
assert v["ns5"] is False and v["ns4"] is True, v
' "$OUT" || fail "list-clients --json: $OUT"
ok n delete-clients

pretty "stopping a keeper signals the holder of its lock, not the pid in a file"
ok n create-clients 1 --parent lan0
keeper=$(keeper_pids)
kill -KILL "$keeper"
wait_for 5 [ ! -e "/proc/$keeper" ]
# A process that is not a keeper, and a "keeper" caught between taking its
# lock and writing its pid: both kinds of lock on keeper.lock, a pid file
# naming the bystander (as a stale one from a dead keeper would after pid reuse).
sleep 300 &
BYSTANDER=$!
"$PYTHON" -c '
import fcntl, os, signal, sys, time
f = open(sys.argv[1], "a+")
fcntl.flock(f, fcntl.LOCK_EX)
fcntl.lockf(f, fcntl.LOCK_EX)
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
print("locked", flush=True)
time.sleep(60)
' "$STATE_DIR/clients/keeper.lock" >"$TMPDIR/impostor.out" &
IMPOSTOR=$!
wait_for 5 grep -q locked "$TMPDIR/impostor.out"
echo "$BYSTANDER" >"$STATE_DIR/clients/keeper.pid"
ok n create-clients 2 --parent lan0
[[ -e /proc/$BYSTANDER ]] || fail "netnsctl killed the process named in keeper.pid"
[[ ! -e /proc/$IMPOSTOR ]] || fail "the holder of the keeper's lock was not stopped"
wait "$IMPOSTOR" || true
IMPOSTOR=
kill "$BYSTANDER"
wait "$BYSTANDER" 2>/dev/null || true
BYSTANDER=
[[ -n $(keeper_pids) ]] || fail "no keeper after create-clients"
ok n delete-clients

pretty "a keeper of an older netnsctl (an flock on keeper.lock) is stopped, never run beside"
# A stand-in for it: what that keeper did (flock(LOCK_EX) on keeper.lock,
# its pid in keeper.pid), with "lease-keeper" among its arguments.
# old_keeper [ARG]: start one (ARG: its last argument); OLD is its pid.
old_keeper() {
	"$PYTHON" -c '
import fcntl, os, sys, time
f = open(sys.argv[1], "a+")
fcntl.flock(f, fcntl.LOCK_EX)
open(sys.argv[2], "w").write("%d\n" % os.getpid())
print("locked", flush=True)
time.sleep(60)
' "$STATE_DIR/clients/keeper.lock" "$STATE_DIR/clients/keeper.pid" "$1" >"$TMPDIR/old.out" &
	OLD=$!
	IMPOSTOR=$OLD
	wait_for 5 grep -q locked "$TMPDIR/old.out"
}
# ended by SIGTERM, and the keeper is one process: the current netnsctl's
old_keeper_stopped() {
	local rc=0 k
	wait_for 10 [ ! -e "/proc/$OLD" ]
	wait "$OLD" || rc=$?
	IMPOSTOR=
	assert_eq "$rc" 143 "exit status of the older keeper ($1)"
	k=$(keeper_pids)
	[[ -n $k && $k != *$'\n'* && $k != "$OLD" ]] || fail "keepers after $1: \"$k\""
	[[ ! -e $STATE_DIR/clients/keeper.pid ]] || fail "keeper.pid is left after $1"
}
ok n create-clients 2 --parent lan0
# after an upgrade: the older keeper runs, the current one does not
keeper=$(keeper_pids)
kill -KILL "$keeper"
wait_for 5 [ ! -e "/proc/$keeper" ]
old_keeper lease-keeper
ok n list-clients
old_keeper_stopped "list-clients"
# the two at once: a create stops both, and starts the current one
old_keeper lease-keeper
[[ $(keeper_pids | wc -l) == 2 ]] || fail "not two keepers: $(keeper_pids)"
ok n create-clients 3 --parent lan0
old_keeper_stopped "create-clients"
# an flock on keeper.lock by a process that is no keeper is left alone
keeper=$(keeper_pids)
kill -KILL "$keeper"
wait_for 5 [ ! -e "/proc/$keeper" ]
old_keeper not-a-keeper
ok n list-clients
[[ -e /proc/$OLD ]] || fail "netnsctl stopped an flock holder that is no lease keeper"
kill "$OLD"
wait "$OLD" 2>/dev/null || true
IMPOSTOR=
ok n delete-clients

lan_down
assert_nothing_left
