#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lanes: host
# why: a bad timeline is refused before any kernel is asked
#
# A lab file's timeline (docs/labfile.md#timeline) with bad input, through
# apply, status and destroy: exit 2, one line "netnsctl: FILE:LINE:COL: ..."
# naming the value, and nothing changed (kernel, run dirs, journal).  The
# cases of issue 15: an unknown node, an unknown link, times out of order, a
# ramp to a negative value, a duration of 0 and one above a year; then a
# good timeline applies like any lab (it is checked, not played).
#
#   a to-b 10.1.0.1/30 ======== to-a 10.1.0.2/30 b

. "$(dirname "$(readlink -f "$0")")/lib.sh"

LAB=$TMPDIR/lab.yaml
cleanup() {
	local rc=$?
	set +e
	n destroy chaos-flap >/dev/null 2>&1
	exit $rc
}
trap cleanup EXIT

HEAD='name: tl
nodes: [a, b]
links:
  - endpoints: [a, b]
    cidr: 10.1.0.0/30
timeline:'

# bad ERE EVENTS: apply, status and destroy of the lab with EVENTS refuse it
# with exit 2 and one line matching ERE, and change nothing
bad() {
	local ere=$1 cmd
	printf '%s\n%s\n' "$HEAD" "$2" >"$LAB"
	for cmd in apply status destroy; do
		expect_fail_with 2 "^netnsctl: $ere\$" n "$cmd" "$LAB"
		assert_unchanged "$cmd with a bad timeline changed something"
	done
}

# Something there to be changed by mistake: the flapping lab, applied.
n apply "$TEST_DIR/../../examples/chaos-flap.yaml" >/dev/null
take_reference

pretty "an unknown node, an unknown link"
bad "$LAB:7:20: undeclared node \"c\"" '  - {at: 1s, down: c:to-b}'
bad "$LAB:7:20: node \"a\" has no interface \"eth0\" in the file" '  - {at: 1s, down: a:eth0}'
bad "$LAB:7:29: node \"b\" has no interface \"to-c\" in the file" \
	'  - {at: 1s, impair: {link: b:to-c, delay: 10ms}}'
bad "$LAB:7:45: undeclared node \"c\"" '  - {at: 1s, partition: {nodes: [a], from: [c]}}'

pretty "times out of order"
bad "$LAB:8:5: event at 2s is before the one above it \\(at 5s\\): write events in time order" \
	'  - {at: 5s, down: a:to-b}
  - {at: 2s, up: a:to-b}'

pretty "a ramp to a negative value"
bad "$LAB:7:62: invalid ramp to \"-5ms\": must not be negative" \
	'  - {at: 1s, impair: {link: a:to-b, delay: 10ms}, ramp: {to: -5ms, over: 10s}}'

pretty "durations of 0 and above a year"
bad "$LAB:7:73: invalid over \"0s\": must be more than 0" \
	'  - {at: 1s, impair: {link: a:to-b, delay: 10ms}, ramp: {to: 5ms, over: 0s}}'
bad "$LAB:7:44: invalid every \"0ms\": must be more than 0" \
	'  - {at: 1s, down: a:to-b, repeat: {every: 0ms, count: 3}}'
bad "$LAB:7:10: invalid at \"31536001s\": more than a year" '  - {at: 31536001s, down: a:to-b}'
bad "$LAB:7:73: invalid over \"31536001s\": more than a year" \
	'  - {at: 1s, impair: {link: a:to-b, delay: 10ms}, ramp: {to: 5ms, over: 31536001s}}'

pretty "a good timeline applies as any lab: checked, not played"
ok n destroy chaos-flap
printf '%s\n%s\n' "$HEAD" '  - {at: 1s, down: a:to-b, repeat: {every: 2s, count: 3}}
  - {at: 2s, up: a:to-b, repeat: {every: 2s, count: 3}}' >"$LAB"
ok n apply "$LAB"
link_is_up a to-b || fail "apply played the timeline"
ok n destroy "$LAB"
trap - EXIT
assert_nothing_left
