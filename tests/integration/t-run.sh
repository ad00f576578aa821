#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lanes: host
# why: partitions need the nftables inet family (UML 6.1 has none); netem
#      steps are tested in UML (tests/kernel/t-timeline-netem.sh)
#
# run FILE (issue 15): applies the lab when it is not applied, plays the
# timeline (a flap sampled by the kernel's link state, a tbf changed in
# place on its handle, a partition and heal, a command started in a node),
# one line per step, and leaves the lab in the file's base state; --json
# is the event log; --dry-run prints the schedule and changes nothing;
# Ctrl-C (SIGINT) stops the run and puts the base state back, exit 130; a
# step that fails stops the run, puts the base state back, exit 1.
#
#   a to-b 10.1.0.1/30 ==== to-a 10.1.0.2/30 b
#   a to-c 10.1.1.1/30 ==== to-a 10.1.1.2/30 c

. "$(dirname "$(readlink -f "$0")")/lib.sh"

command -v nft >/dev/null || fail "nft (package nftables) is missing"

LAB=$TMPDIR/tlrun.yaml
cleanup() {
	local rc=$?
	set +e
	n destroy "$LAB" >/dev/null 2>&1
	n cleanup >/dev/null 2>&1
	exit $rc
}
trap cleanup EXIT

cat >"$LAB" <<'EOF'
name: tlrun
nodes: [a, b, c]
links:
  - endpoints: [a, b]
    cidr: 10.1.0.0/30
  - endpoints: [a, c]
    cidr: 10.1.1.0/30
    impair: {rate: 2mbit}
timeline:
  - {at: 300ms, down: a:to-b, repeat: {every: 600ms, count: 3}}
  - {at: 600ms, up: a:to-b, repeat: {every: 600ms, count: 3}}
  - {at: 2s, rate: {link: a:to-c, rate: 1mbit}}
  - {at: 2100ms, partition: {nodes: [b], from: [c]}}
  - {at: 2200ms, run: {node: c, command: [touch, RUNDIR/ran-in-c]}}
  - {at: 2300ms, heal: {nodes: [c], from: [b]}}
EOF
sed -i "s|RUNDIR|$TMPDIR|" "$LAB"

pretty "--dry-run prints the schedule and changes nothing"
take_reference
ok n run "$LAB" --dry-run
[[ $OUT == *"+0.300s  down a:to-b"*"+2.300s  heal"*"end: back to the lab's base state"* ]] || fail "run --dry-run: $OUT"
assert_unchanged "run --dry-run changed something"

pretty "bad input: a file without a timeline, an unknown file: one line"
sed '/^timeline:/,$d' "$LAB" >"$TMPDIR/still.yaml"
expect_fail_with 2 'has no timeline' n run "$TMPDIR/still.yaml"
expect_fail_naming 1 "$TMPDIR/nosuch.yaml" n run "$TMPDIR/nosuch.yaml"
sed 's/down: a:to-b, repeat/down: a:to-x, repeat/' "$LAB" >"$TMPDIR/bad.yaml"
expect_fail_with 2 'bad.yaml:[0-9]+:[0-9]+: .*"to-x"' n run "$TMPDIR/bad.yaml"
assert_unchanged "a refused run changed something"

pretty "run: applies the lab, plays the flap (each transition seen), then the rest"
n run "$LAB" >"$TMPDIR/run.out" 2>"$TMPDIR/run.err" &
RUN=$!
# the kernel's link state, sampled every 20 ms, until the run ends
states=
while kill -0 $RUN 2>/dev/null; do
	s=$(ipn a -o link show dev to-b 2>/dev/null) || { sleep 0.02; continue; }
	[[ $s == *"<"*UP*">"* && $s != *"<"*",UP"*NO-CARRIER* ]] && s=U || s=D
	[[ ${states: -1} == "$s" ]] || states+=$s
	sleep 0.02
done
wait $RUN || fail "run failed: $(<"$TMPDIR/run.err")"
[[ -z $(<"$TMPDIR/run.err") ]] || fail "run wrote on stderr: $(<"$TMPDIR/run.err")"
out=$(<"$TMPDIR/run.out")
# the lab's link is up once made: then three flaps, down and up each
[[ $states == *UDUDUDU ]] || fail "the link's states as sampled: $states"
[[ $(grep -c ' down a:to-b' <<<"$out") == 3 && $(grep -c ' up a:to-b' <<<"$out") == 3 ]] || fail "run said: $out"
[[ $out == *"+2.0"*"rate a:to-c"*"partition b from c"*"run in c: touch"*"heal"*"end: back to the lab's base state"* ]] ||
	fail "run said: $out"
[[ -e $TMPDIR/ran-in-c ]] || fail "the command of the run event did not run"

pretty "the lab is back in its base state, and in sync with its file"
ok n status "$LAB"
[[ $(qdisc_of a to-c) == *"qdisc tbf "*"rate 2Mbit"* ]] || fail "a:to-c after the run: $(qdisc_of a to-c)"
link_is_up a to-b || fail "to-b is down after the run"
! nsx b nft list table inet netnsctl >/dev/null 2>&1 || fail "b's partition table is left"
ok n list --json
[[ $OUT == *'"changes":[]'* ]] || fail "changes left: $OUT"

pretty "a tbf step is a change in place: the root keeps its handle"
cat >"$TMPDIR/rate.yaml" <<EOF
$(sed '/^timeline:/,$d' "$LAB")
timeline:
  - {at: 0s, rate: {link: a:to-c, rate: 1mbit}}
  - {at: 100ms, expect: {from: a, to: c, rate: 1mbit}}
EOF
h0=$(qdisc_of a to-c | awk '{ print $3 }')
ok n run "$TMPDIR/rate.yaml" --json
[[ $OUT == '{"version":1,"lab":"tlrun","started":"'*'","result":"ok","events":['*'"event":"rate a:to-c'*'"result":"ok"'*'"event":"expect a -> c'*'"result":"ok"}]}' ]] ||
	fail "run --json: $OUT"
assert_eq "$(qdisc_of a to-c | awk '{ print $3 }')" "$h0" "the root's handle after the run"

pretty "a failing step stops the run, the base state comes back, exit 1"
cat >"$TMPDIR/fail.yaml" <<EOF
$(sed '/^timeline:/,$d' "$LAB")
timeline:
  - {at: 0s, down: a:to-b}
  - {at: 100ms, expect: {from: a, to: b, reach: true}}
  - {at: 5s, up: a:to-b}
EOF
run n run "$TMPDIR/fail.yaml"
[[ $RC == 1 && $ERR == "netnsctl: expect a -> b failed"* && $ERR_LINES == 1 ]] || { show_run n run fail.yaml; fail "a failing expect"; }
[[ $OUT != *"+5.000s"* ]] || fail "the run went on after a failed step: $OUT"
link_is_up a to-b || fail "to-b is down after the failed run"

pretty "Ctrl-C stops the run and puts the base state back, exit 130"
cat >"$TMPDIR/long.yaml" <<EOF
$(sed '/^timeline:/,$d' "$LAB")
timeline:
  - {at: 0s, down: a:to-b}
  - {at: 60s, up: a:to-b}
EOF
# (a background job's SIGINT is ignored unless put back to its default)
env --default-signal=INT "$NETNSCTL" run "$TMPDIR/long.yaml" >"$TMPDIR/run.out" 2>"$TMPDIR/run.err" &
RUN=$!
wait_for 10 grep -q 'down a:to-b' "$TMPDIR/run.out"
kill -INT $RUN
rc=0
wait $RUN || rc=$?
assert_eq "$rc" 130 "run's exit status after SIGINT"
[[ $(<"$TMPDIR/run.err") == "netnsctl: run: interrupted by signal 2" ]] || fail "stderr: $(<"$TMPDIR/run.err")"
link_is_up a to-b || fail "to-b is down after Ctrl-C"
ok n status "$LAB"

ok n destroy "$LAB"
trap - EXIT
n cleanup >/dev/null
assert_nothing_left
