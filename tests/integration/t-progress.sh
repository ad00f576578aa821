#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lanes: host
# why: the progress line is the CLI's own drawing on a terminal; one lane
#      is enough.
#
# On a terminal (script(1)'s pty), commands that work through many items
# show a progress line ("[12/60] create namespace pg13") on stderr,
# redrawn in place and wiped before any other output, so the lines they
# print are the same as without a terminal.  delete-clients, silent before
# for seconds, shows its clients going.  Not on a terminal (or with stderr
# elsewhere): no progress, no escape sequences.

. "$(dirname "$(readlink -f "$0")")/lib.sh"

cleanup() {
	local rc=$?
	set +e
	n delete-clients >/dev/null 2>&1
	n cleanup >/dev/null 2>&1
	ip link del pgbr 2>/dev/null
	for i in $(seq 1 40); do del_namespaces "pg$i"; done
	exit $rc
}
trap cleanup EXIT

NAMES=$(printf 'pg%d ' $(seq 1 40))

# on_tty CMD...: run CMD on a pseudo-terminal (stdout and stderr); OUT is what
# the terminal got, with \r\n as \n.
on_tty() {
	local q
	printf -v q '%q ' "$@"
	OUT=$(script -qefc "$q" /dev/null </dev/null) || fail "on a terminal, \"$*\" failed: $OUT"
	OUT=${OUT//$'\r\n'/$'\n'}
	OUT=${OUT%$'\r'}
}

# visible: OUT without the progress lines drawn and wiped.
visible() {
	"$PYTHON" -c '
import re, sys
s = sys.stdin.read()
s = re.sub(r"\r\x1b\[K\[\d+/\d+\][^\r\n]*", "", s)
print(s.replace("\r\x1b[K", ""), end="")
' <<<"$OUT"
}

pretty "not on a terminal: no progress, no escapes"
ok n create-namespaces --dry-run $NAMES
plain=$OUT
run n create-namespaces $NAMES
[[ $RC -eq 0 && $OUT != *$'\e'* && $OUT != *$'\r'* && -z $ERR ]] || fail "escapes off a terminal: $OUT $ERR"
ok n delete-namespaces $NAMES

pretty "on a terminal: a progress line, wiped before each line printed"
on_tty "$NETNSCTL" create-namespaces $NAMES
[[ $OUT == *$'\r\e[K[0/40] create namespace pg1'* ]] || fail "no progress line on a terminal: ${OUT:0:300}"
assert_eq "$(visible)" "${plain//would /}" "what create-namespaces prints on a terminal, progress wiped"
for ns in pg1 pg40; do netns_exists "$ns" || fail "no $ns"; done

pretty "stdout to a file, stderr on the terminal: the file has the lines only"
file=$TMPDIR/progress-out
ok n delete-namespaces $NAMES
script -qefc "$(printf '%q ' "$NETNSCTL" create-namespaces $NAMES) >$file" /dev/null >/dev/null </dev/null ||
	fail "create-namespaces >file on a terminal failed"
assert_eq "$(<"$file")" "${plain//would /}" "stdout of create-namespaces in a file"

pretty "delete-clients shows its clients going"
ok n create-bridge pgbr --addr 10.71.0.254/24
ok n create-clients 20 --parent pgbr --prefix pgc --static 10.71.0.0/24
on_tty "$NETNSCTL" delete-clients --prefix pgc
[[ $OUT == *'] delete client pgc'* ]] || fail "delete-clients shows no progress: ${OUT:0:300}"
assert_eq "$(visible)" "deleted 20 clients" "what delete-clients prints on a terminal, progress wiped"

ok n delete-namespaces $NAMES
ok n cleanup
assert_nothing_left
