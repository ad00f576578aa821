#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lanes: host uml-extended
# serial: it measures a rate, which a test beside it on the 2 cores would skew
#
# examples/rate-limit.yaml: a 10 Mbit/s tbf each way and an iperf3 server
# started by the lab; iperf3 measures the rate.  Edited to 2 Mbit/s, only
# the two qdiscs change and the server keeps running; destroy stops it.
#
#   cli eth0 10.40.0.1/30 <== tbf 10mbit ==> eth0 10.40.0.2/30 srv (iperf3 -s)

. "$(dirname "$(readlink -f "$0")")/lib.sh"

EX=$TEST_DIR/../../examples
WORK=$(mktemp -d)

cleanup() {
	local rc=$?
	set +e
	n destroy "$EX/rate-limit.yaml" >/dev/null 2>&1
	del_namespaces cli srv
	rm -rf "$WORK"
	exit $rc
}
trap cleanup EXIT

command -v iperf3 >/dev/null || fail "iperf3 is missing (Debian: iperf3)"

# measure: the receiver's rate of a 2 s iperf3 run, in Mbit/s (integer)
measure() {
	nsx cli iperf3 -c 10.40.0.2 -t 2 -J | python3 -c \
		'import json,sys; print(int(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 1e6))'
}

pretty "apply rate-limit.yaml"
ok n apply "$EX/rate-limit.yaml"
ok n apply "$EX/rate-limit.yaml"
assert_eq "$OUT" unchanged "re-apply"
[[ $(qdisc_of cli eth0) == *"tbf 1: root"*"rate 10Mbit"* ]] || fail "cli eth0: $(qdisc_of cli eth0)"
[[ $(qdisc_of srv eth0) == *"tbf 1: root"*"rate 10Mbit"* ]] || fail "srv eth0: $(qdisc_of srv eth0)"
pid=$(pgrep -x iperf3) || fail "iperf3 -s is not running"
wait_for 10 nsx srv ss -Hltn 'sport = :5201'

pretty "iperf3 measures about 10 Mbit/s"
rate=$(measure)
((rate >= 7 && rate <= 11)) || fail "measured $rate Mbit/s through a 10mbit tbf"

pretty "edited to 2mbit: two qdiscs change, the server stays"
sed 's/rate: 10mbit/rate: 2mbit/' "$EX/rate-limit.yaml" >"$WORK/rate-limit.yaml"
ok n apply --dry-run "$WORK/rate-limit.yaml"
assert_eq "$(grep -c . <<<"$OUT")" 2 "steps: $OUT"
[[ $(grep -c tbf <<<"$OUT") == 2 ]] || fail "not two tbf steps: $OUT"
ok n apply "$WORK/rate-limit.yaml"
assert_eq "$(pgrep -x iperf3)" "$pid" "iperf3 server pid"
rate=$(measure)
((rate >= 1 && rate <= 3)) || fail "measured $rate Mbit/s through a 2mbit tbf"

pretty "the server dies: status says so, apply starts it again"
kill "$pid"
wait_for 5 bash -c "! kill -0 $pid 2>/dev/null"
run n status "$WORK/rate-limit.yaml"
assert_eq "$RC" 1 "status exit code"
[[ $OUT == *"not running: command 1 in srv"* ]] || fail "status: $OUT"
ok n apply "$WORK/rate-limit.yaml"
assert_eq "$OUT" 'start command 1 in srv: "iperf3 -s -B 10.40.0.2"' "apply output"
pgrep -x iperf3 >/dev/null || fail "iperf3 not restarted"

pretty "destroy"
ok n destroy "$WORK/rate-limit.yaml"
[[ $OUT == *"stop command 1 in srv"* ]] || fail "destroy did not stop the server: $OUT"
! pgrep -x iperf3 >/dev/null || fail "iperf3 left running"

assert_nothing_left
