#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lanes: valgrind
# why: every path of probe and verify once under memcheck (valgrind.cmake);
#      what they measure is host/t-probe's and host/t-verify's business:
#      under valgrind a transfer's threads are not scheduled as they would
#      be, so their rates say nothing about netnsctl.
#
# Each command's exit status is the one its inputs call for; valgrind-wrap
# turns any invalid access, uninitialised value or definite leak into exit
# 99, which none of them allows.  Both examples, ICMP over raw and ping
# sockets, UDP, an address nobody has, transfers, JSON and JUnit output, a
# failing verify, bad input.

. "$(dirname "$(readlink -f "$0")")/lib.sh"

EX=$TEST_DIR/../../examples
WORK=$(mktemp -d)

cleanup() {
	local rc=$?
	set +e
	n destroy "$EX/abc.yaml" >/dev/null 2>&1
	n destroy "$EX/verify.yaml" >/dev/null 2>&1
	rm -rf "$WORK"
	exit $rc
}
trap cleanup EXIT

# status_in LIST CMD...: CMD exits with one of LIST (space-separated)
status_in() {
	local want=" $1 "
	shift
	run "$@"
	if [[ $want != *" $RC "* ]]; then
		show_run "$@"
		fail "expected exit status in {$want}"
	fi
}

ok n apply "$EX/abc.yaml"
ok n apply "$EX/verify.yaml"

pretty "probe: raw and ping sockets, UDP, no answer, nobody there, a transfer"
ok n probe a b --count 20 --interval 2ms --json
nsx a sysctl -qw net.ipv4.ping_group_range="0 0"
ok n probe a b --count 20 --interval 2ms
nsx a sysctl -qw net.ipv4.ping_group_range="1 0"
ok n probe a b --count 20 --interval 2ms --udp 7011 -j
status_in 1 n probe a c --count 20 --interval 2ms --wait 300ms --json
status_in 1 n probe a 10.99.0.1
status_in 1 n probe client 10.70.2.77 --count 400 --interval 5ms
ok n probe client server --count 10 --interval 2ms --rate-test 1s --json

pretty "verify: table, JSON, JUnit, a failing one"
status_in '0 1' n verify "$EX/verify.yaml" --count 20 --interval 2ms --wait 300ms --rate-test 1s
status_in '0 1' n verify "$EX/verify.yaml" --count 20 --interval 2ms --wait 300ms --rate-test 1s \
	--json --junit "$WORK/r.xml"
[[ -s $WORK/r.xml ]] || fail "no JUnit report"
nsx b sysctl -qw net.ipv4.ip_forward=1
status_in 1 n verify "$EX/abc.yaml" --count 20 --interval 2ms --wait 300ms --junit "$WORK/r.xml"
nsx b sysctl -qw net.ipv4.ip_forward=0

pretty "bad input"
printf 'nodes: [a, b]\nexpect:\n  - {from: a, to: b, rtt: 1ms+-1xs}\n' >"$WORK/bad.yaml"
status_in 2 n verify "$WORK/bad.yaml"
printf 'nodes: [a, b]\nexpect:\n  - {from: a, to: b}\n' >"$WORK/noaddr.yaml"
status_in 2 n verify "$WORK/noaddr.yaml"
status_in 2 n probe a b --count 0
status_in 1 n probe a nosuch

ok n destroy "$EX/verify.yaml"
ok n destroy "$EX/abc.yaml"
assert_nothing_left
