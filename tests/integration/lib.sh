# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# lib.sh: sourced first by every tests/integration/t-*.sh.
#
# These tests make and delete namespaces, links and qdiscs as root.  The guard
# below refuses to run them (exit 1: a failure, never a skip) anywhere but in
# one of the two sandboxes:
#   host  sandbox-run's namespaces on the host kernel: our own network, mount
#         and PID namespaces, private tmpfs on /run and /etc/netns, a private
#         /etc/resolv.conf
#   uml   the User-Mode Linux harness in tests/kernel/ (the host's files over
#         hostfs, tmpfs on /run, /tmp and /etc/netns)
#
# Then helpers in the style of wireguard-tools' netns.sh: n runs netnsctl,
# nsx runs a command in a namespace, wait_for polls, expect_fail_with checks
# an expected failure, state snapshots what the kernel and the run dirs hold,
# assert_nothing_left is the leak check every test ends with.
#
# Run one test:  NETNSCTL=build/netnsctl tests/integration/sandbox-run tests/integration/t-seed.sh
# Run them all:  ctest --test-dir build -L host -LE fidelity     (uml lane: -L uml)
# Needs (Debian): iproute2, iputils-ping, python3, util-linux, mount, strace.

set -eEuo pipefail
shopt -s nullglob

TEST_NAME=${0##*/}
TEST_DIR=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
PYTHON=/usr/bin/python3
[[ -x $PYTHON ]] || PYTHON=$(command -v python3)
export TMPDIR=${TMPDIR:-/tmp}
RUN_DIR=${NETNSCTL_RUN_DIR:-/run/netns}
STATE_DIR=${NETNSCTL_STATE_DIR:-/run/netnsctl}
ETC_DIR=${NETNSCTL_ETC_DIR:-/etc/netns}

refuse() {
	echo "$TEST_NAME: REFUSING TO RUN: $*" >&2
	echo "$TEST_NAME: run it through tests/integration/sandbox-run (or the UML lane)" >&2
	exit 1
}

# The filesystem type of the topmost mount on exactly PATH; fails when PATH is
# not a mount point.
mount_fstype() {
	awk -v p="$1" '$5 == p { for (i = 7; i <= NF; i++) if ($i == "-") { t = $(i + 1); break } }
		       END { if (t == "") exit 1; print t }' /proc/self/mountinfo
}

guard_host() {
	local d
	[[ -n ${NETNSCTL_HOST_NETNS:-} && -n ${NETNSCTL_HOST_MNTNS:-} &&
	   -n ${NETNSCTL_HOST_RUN_DEV:-} && -n ${NETNSCTL_HOST_ETC_NETNS_DEV:-} ]] ||
		refuse "NETNSCTL_HOST_* not set"
	[[ $(readlink /proc/self/ns/net) != "$NETNSCTL_HOST_NETNS" ]] ||
		refuse "this is the host's network namespace"
	[[ $(readlink /proc/self/ns/mnt) != "$NETNSCTL_HOST_MNTNS" ]] ||
		refuse "this is the host's mount namespace"
	[[ $(tr '\0' ' ' </proc/1/cmdline) == *"sandbox-run --inside "* ]] ||
		refuse "PID 1 is not sandbox-run"
	[[ $(mount_fstype /run) == tmpfs && $(stat -c %d /run) != "$NETNSCTL_HOST_RUN_DEV" ]] ||
		refuse "/run is not a private tmpfs"
	[[ $(mount_fstype /etc/netns) == tmpfs &&
	   $(stat -c %d /etc/netns) != "$NETNSCTL_HOST_ETC_NETNS_DEV" ]] ||
		refuse "/etc/netns is not a private tmpfs"
	d=$(readlink -f /etc/resolv.conf)
	mount_fstype "$d" >/dev/null || refuse "/etc/resolv.conf is not a private bind mount"
	[[ $(ip -o link show | awk -F': ' '{ print $2 }') == lo ]] ||
		refuse "this network namespace has links other than lo"
}

guard_uml() {
	local d
	[[ " $(</proc/cmdline) " == *" rootfstype=hostfs "* ]] ||
		refuse "not a UML booted on hostfs"
	for d in /run /tmp /etc/netns; do
		[[ $(mount_fstype "$d") == tmpfs ]] || refuse "$d is not a tmpfs"
	done
}

case ${NETNSCTL_SANDBOX:-} in
host) guard_host ;;
uml) guard_uml ;;
*) refuse "NETNSCTL_SANDBOX is \"${NETNSCTL_SANDBOX:-}\", not host or uml" ;;
esac
# netnsctl's own directories must be ones the sandbox made private
for _d in "$RUN_DIR" "$STATE_DIR" "$ETC_DIR"; do
	[[ $_d == /run/* || $_d == /etc/netns ]] || refuse "\"$_d\" is not under /run or /etc/netns"
done
unset _d
[[ -n ${NETNSCTL:-} && -x $NETNSCTL ]] || refuse "NETNSCTL (\"${NETNSCTL:-}\") is not an executable"
for _tool in ip tc ping "$PYTHON"; do
	command -v "$_tool" >/dev/null || refuse "\"$_tool\" is missing"
done
unset _tool

# --- reporting ---

pretty() { printf '[+] %s\n' "$*"; }

fail() {
	local i
	_ERR_SHOWN=1
	echo "FAIL: $TEST_NAME: $*${CONTEXT:+ ($CONTEXT)}" >&2
	for ((i = 1; i < ${#FUNCNAME[@]}; i++)); do
		echo "    at ${BASH_SOURCE[i]##*/}:${BASH_LINENO[i - 1]} ${FUNCNAME[i]}" >&2
	done
	exit 1
}

_on_err() {
	local rc=$? i
	# after set +e (cleanup functions) failures are expected
	[[ $- == *e* && -z ${_ERR_SHOWN:-} && $BASH_COMMAND != exit* ]] || return 0
	_ERR_SHOWN=1
	echo "FAIL: $TEST_NAME: \"$BASH_COMMAND\" exited $rc${CONTEXT:+ ($CONTEXT)}" >&2
	for ((i = 1; i < ${#FUNCNAME[@]}; i++)); do
		echo "    at ${BASH_SOURCE[i]##*/}:${BASH_LINENO[i - 1]} ${FUNCNAME[i]}" >&2
	done
}
trap _on_err ERR

# --- running things ---

n() { "$NETNSCTL" "$@"; }
nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }
ipjson() { "$PYTHON" "$TEST_DIR/ipjson.py" "$@"; }

# run CMD...: run CMD without stopping the test; leaves RC, OUT, ERR and
# ERR_LINES (the lines on stderr; one that does not end in a newline counts).
# No command substitution or helper process: this runs hundreds of times,
# and in UML every fork is slow.
_RUN_OUT=$(mktemp)
_RUN_ERR=$(mktemp)
run() {
	local -a lines
	RC=0
	"$@" >"$_RUN_OUT" 2>"$_RUN_ERR" || RC=$?
	OUT='' ERR=''
	IFS= read -r -d '' OUT <"$_RUN_OUT" || true
	IFS= read -r -d '' ERR <"$_RUN_ERR" || true
	mapfile -t lines <"$_RUN_ERR"
	ERR_LINES=${#lines[@]}
	# a last line without its newline is not a whole line
	[[ -z $ERR || $ERR == *$'\n' ]] || ERR_LINES=$((ERR_LINES + 1))
	OUT=${OUT%$'\n'} ERR=${ERR%$'\n'}
}

show_run() {
	echo "    command: $*" >&2
	echo "    exit status: $RC" >&2
	printf '    stdout: %s\n' "${OUT//$'\n'/$'\n'            }" >&2
	printf '    stderr: %s\n' "${ERR//$'\n'/$'\n'            }" >&2
}

# ok CMD...: CMD must succeed with nothing on stderr; its stdout is in OUT.
ok() {
	run "$@"
	if [[ $RC -ne 0 || -n $ERR ]]; then
		show_run "$@"
		fail "expected success and a quiet stderr"
	fi
}

# expect_fail_with CODE ERE CMD...: CMD must exit CODE and write exactly one
# line on stderr, "netnsctl: ...", matching ERE.
expect_fail_with() {
	local code=$1 ere=$2
	shift 2
	run "$@"
	if [[ $RC -ne $code ]]; then
		show_run "$@"
		fail "expected exit status $code"
	fi
	if [[ $ERR_LINES -ne 1 || $ERR != "netnsctl: "?* ]]; then
		show_run "$@"
		fail "expected exactly one line \"netnsctl: ...\" on stderr"
	fi
	if ! [[ $ERR =~ $ere ]]; then
		show_run "$@"
		fail "stderr does not match /$ere/"
	fi
}

# expect_fail_naming CODE VALUE CMD...: as expect_fail_with, and the line
# names VALUE in double quotes (a long VALUE may be cut short after its
# first 64 bytes).
expect_fail_naming() {
	local code=$1 value=$2 quoted
	shift 2
	expect_fail_with "$code" '' "$@"
	quoted="\"$value\""
	[[ ${#value} -le 64 ]] || quoted="\"${value:0:64}"
	if [[ $ERR != *"$quoted"* ]]; then
		show_run "$@"
		fail "stderr does not name \"$value\""
	fi
}

# wait_for SECONDS CMD...: poll CMD until it succeeds; fail after SECONDS.
wait_for() {
	local tries=$(($1 * 50))
	shift
	while ((tries-- > 0)); do
		if "$@" >/dev/null 2>&1; then
			return 0
		fi
		sleep 0.02
	done
	fail "timed out waiting for: $*"
}

# kill_at SYSCALL N CMD...: run CMD and SIGKILL it as it enters its Nth
# SYSCALL (strace's fault injection: the call is not made).  Returns 0 when
# it was killed there, 1 when CMD succeeded before getting that far.
kill_at() {
	local sc=$1 nth=$2 rc=0
	shift 2
	# In a subshell of its own, which reports the SIGKILL to /dev/null.
	# LeakSanitizer cannot work under a tracer: it fails a run of an ASan
	# build that was not killed.
	(ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
		strace -f -qq -o /dev/null -e trace="$sc" -e inject="$sc:signal=KILL:when=$nth" \
		"$@" >/dev/null 2>"$_RUN_ERR"; exit $?) 2>/dev/null || rc=$?
	case $rc in
	137) return 0 ;;
	0) return 1 ;;
	*) fail "\"$*\" exited $rc under strace (killing it at $sc #$nth): $(<"$_RUN_ERR")" ;;
	esac
}

# A message for fail to add: what the test was doing.
CONTEXT=

assert_eq() {
	[[ $1 == "$2" ]] || fail "${3:-value}: got \"$1\", expected \"$2\""
}

# --- what the kernel says ---

# Names in `ip netns list` (without "(id: N)"), sorted.
netns_names() { ip netns list | awk '{ print $1 }' | sort; }
netns_exists() { [[ $'\n'$(netns_names)$'\n' == *$'\n'"$1"$'\n'* ]]; }

# ipn NS ARGS...: ip in NS; NS "" is the sandbox's own namespace.
ipn() { local ns=$1; shift; ip ${ns:+-n "$ns"} "$@"; }
tcn() { local ns=$1; shift; tc ${ns:+-n "$ns"} "$@"; }

link_exists() { ipn "$1" link show dev "$2" >/dev/null 2>&1; }
# link_get NS IF PATH [DEFAULT]: a field of `ip -d -j link show dev IF`.
link_get() { ipn "$1" -d -j link show dev "$2" | ipjson get "0.$3" ${4+"$4"}; }
# IFF_UP (admin state), whatever the carrier: a bridge netnsctl made has its
# own MAC, and such a bridge without a port up has NO-CARRIER.
link_is_up() {
	local l
	l=$(ipn "$1" -o link show dev "$2") && [[ $l =~ \<([A-Z_-]+,)*UP(,[A-Z_-]+)*\> ]]
}
# The addresses on IF that are not link-local, "LOCAL/LEN" sorted one a line.
addrs_of() { ipn "$1" -j addr show dev "$2" | ipjson addrs; }
qdisc_of() { tcn "$1" qdisc show dev "$2"; }

ns_settled() { ipn "$1" -j addr show | ipjson settled; }

# assert_pair NS_A IF_A NS_B IF_B [ADDRS_A ADDRS_B]: IF_A in NS_A and IF_B in
# NS_B are the two ends of one veth and both up; with ADDRS (space-separated,
# link-local ones not counted) they have exactly those addresses and lo is up
# in both namespaces.  One python for all of it: in UML each costs a second.
assert_pair() {
	local a=$1 ia=$2 b=$3 ib=$4 why
	why=$({
		ipn "$a" -d -j link show dev "$ia" 2>/dev/null || echo
		ipn "$b" -d -j link show dev "$ib" 2>/dev/null || echo
		ipn "$a" -j netns list-id
		if [[ $# -gt 4 ]]; then
			ipn "$a" -j addr show dev "$ia" 2>/dev/null || echo
			ipn "$b" -j addr show dev "$ib" 2>/dev/null || echo
			ipn "$a" -j link show dev lo
			ipn "$b" -j link show dev lo
		fi
	} | ipjson pair "$@") || fail "$why"
}

assert_veth_pair() { assert_pair "$1" "$2" "$3" "$4"; }

assert_lo_up() {
	local ns
	for ns; do
		link_is_up "$ns" lo || fail "lo in $ns is down"
	done
}

assert_addrs() {
	assert_eq "$(addrs_of "$1" "$2")" "$3" "addresses of $2 in $1"
}

# --- snapshots ---

# Everything a netnsctl command could change, in a form to diff: the
# namespaces, per namespace (and the sandbox's own) links with addresses,
# routes and qdiscs, once nothing is changing on its own any more (operstate
# caught up with carrier, no IPv6 address doing DAD).
# _kernel_dump [fast]: fast leaves out the IPv6 routes (the kernel's own,
# following the addresses) to save a process per namespace.
_kernel_dump() {
	local ns names=()
	for ns in "$RUN_DIR"/*; do
		names+=("${ns##*/}")
	done
	echo "# namespaces: ${names[*]}"
	for ns in "" "${names[@]}"; do
		echo "# addr \"$ns\" (then IPv4 routes)"
		ipn "$ns" -d -j -batch - <<<$'addr show\nroute show table all' 2>&1 || continue
		if [[ ${1:-} != fast ]]; then
			echo "# IPv6 routes"
			ipn "$ns" -6 -d -j route show table all 2>&1 || true
		fi
		echo "# qdiscs"
		tcn "$ns" qdisc show 2>&1 || true
	done
}

kernel_state() {
	local tries=500 out
	while ! out=$(_kernel_dump | ipjson stream 2>/dev/null); do
		((--tries > 0)) || { _kernel_dump | ipjson stream >/dev/null; fail "the kernel state does not settle"; }
		sleep 0.02
	done
	printf '%s\n' "$out"
}

# The files: the run dir and the mounts on it, the etc dir.
file_state() { _run_dir_state; _tree "$ETC_DIR"; }

_run_dir_state() {
	local m f
	echo "# mounts on $RUN_DIR"
	while read -r _ _ _ _ m _; do
		[[ $m != "$RUN_DIR"/* ]] || echo "$m"
	done </proc/self/mountinfo
	echo "# $RUN_DIR"
	for f in "$RUN_DIR"/*; do
		echo "${f##*/}"
	done
}

# Names, types, modes, sizes and modification times of the files under DIRS
# (a file written again counts as changed, even with the same contents).
_tree() {
	echo "# $*"
	find "$@" -mindepth 1 -printf '%p %y %m %s %T@\n' 2>/dev/null || true
}

state() { kernel_state; file_state; }
# The same and netnsctl's own state dir (its journal), for commands that must
# not even get as far as writing down an intention.
state_and_journal() { state; _tree "$STATE_DIR"; }
# Much the same, unsettled, not normalized and in as few processes as can
# be: for comparing, many times over, with a settled state that nothing
# should have changed.
raw_state_and_journal() { _kernel_dump fast; _run_dir_state; _tree "$ETC_DIR" "$STATE_DIR"; }

# take_reference: remember the state, with the journal, that the next
# assert_unchanged calls compare with.
take_reference() {
	REFERENCE=$(state_and_journal)
	REFERENCE_RAW=$(raw_state_and_journal)
}

# assert_unchanged WHAT: nothing changed since take_reference (the cheap
# comparison first; the full one, with its readable diff, when that differs).
assert_unchanged() {
	[[ $(raw_state_and_journal) != "$REFERENCE_RAW" ]] || return 0
	# The full snapshot holds all the raw one does, less what changes by
	# itself (counters, a bridge's timers).
	assert_same "$REFERENCE" "$(state_and_journal)" "$1"
}

# assert_same BEFORE AFTER WHAT: two snapshots are the same.
assert_same() {
	if [[ $1 != "$2" ]]; then
		diff -u <(printf '%s\n' "$1") <(printf '%s\n' "$2") | head -60 >&2 || true
		fail "$3"
	fi
}

# --- cleanup and the leak check ---

# Remove namespaces with iproute2 (the cleanup must not depend on netnsctl).
del_namespaces() {
	local ns
	for ns; do
		ip netns del "$ns" 2>/dev/null || rm -f "$RUN_DIR/$ns" 2>/dev/null || true
	done
}

_pids() {
	local p cmd
	for p in /proc/[0-9]*; do
		p=${p#/proc/}
		[[ $p != "$$" && $p != "$BASHPID" ]] || continue
		# kernel threads have no command line
		cmd=
		read -r -d '' cmd <"/proc/$p/cmdline" 2>/dev/null || [[ -n $cmd ]] || continue
		echo "$p"
	done
}

_root_links() { ip -o link show | awk -F': ' '{ print $2 }' | sort; }

START_PIDS=$(_pids)
START_ROOT_LINKS=$(_root_links)
START_ROOT_QDISCS=$(tc qdisc show)

# Every namespace, mount, file, link and process the test made is gone.
assert_nothing_left() {
	local left p
	left=$(netns_names)
	[[ -z $left ]] || fail "namespaces left: ${left//$'\n'/ }"
	if [[ -d $RUN_DIR ]]; then
		left=$(ls -A "$RUN_DIR")
		[[ -z $left ]] || fail "files left in $RUN_DIR: ${left//$'\n'/ }"
	fi
	left=$(awk -v d="$RUN_DIR/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo)
	[[ -z $left ]] || fail "mounts left: ${left//$'\n'/ }"
	left=$(find "$ETC_DIR" -mindepth 1 2>/dev/null)
	[[ -z $left ]] || fail "files left in $ETC_DIR: ${left//$'\n'/ }"
	# A deleted namespace's veths go in a kernel work queue after the
	# deletion returns: the host end of one may linger for a moment.
	for ((p = 0; p < 100; p++)); do
		[[ $(_root_links) == "$START_ROOT_LINKS" && $(tc qdisc show) == "$START_ROOT_QDISCS" ]] &&
			break
		sleep 0.05
	done
	assert_eq "$(_root_links)" "$START_ROOT_LINKS" "links in the sandbox's namespace"
	assert_eq "$(tc qdisc show)" "$START_ROOT_QDISCS" "qdiscs in the sandbox's namespace"
	for p in $(_pids); do
		[[ $'\n'$START_PIDS$'\n' == *$'\n'$p$'\n'* ]] && continue
		[[ -e /proc/$p ]] || continue
		fail "process left: $p $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)"
	done
	pretty "nothing left behind"
}
