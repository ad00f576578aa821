#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lanes: host uml
#
# set-rate puts a tbf root qdisc on a link, clear-qdisc takes it away again,
# show-qdisc reports it; checked against what tc reads back from the kernel.
#
#   +------------------------------+           +--------------------------+
#   | netns sva                    |           | netns svb                |
#   |   veth-a 10.10.0.1/30        =============   veth-b 10.10.0.2/30    |
#   |   root: tbf rate 10Mbit      |           |                          |
#   +------------------------------+           +--------------------------+

. "$(dirname "$(readlink -f "$0")")/lib.sh"

cleanup() {
	local rc=$?
	set +e
	del_namespaces sva svb
	exit $rc
}
trap cleanup EXIT

# The root qdisc line of IF in NS, as tc prints it.
root_qdisc() { qdisc_of "$1" "$2" | grep ' root '; }

ok n create-veth-pair sva svb
default_a=$(qdisc_of sva veth-a)
default_b=$(qdisc_of svb veth-b)

pretty "set-rate sva veth-a --rate 10mbit"
ok n set-rate sva veth-a --rate 10mbit
[[ $(root_qdisc sva veth-a) =~ ^qdisc\ tbf\ [0-9a-f]+:\ root\ .*\ rate\ 10Mbit\  ]] ||
	fail "root qdisc of veth-a: \"$(qdisc_of sva veth-a)\", expected tbf rate 10Mbit"
assert_eq "$(tcn sva -j qdisc show dev veth-a | ipjson get 0.options.rate)" 1250000 "tbf rate in bytes/s"
assert_eq "$(qdisc_of svb veth-b)" "$default_b" "qdiscs of veth-b"
nsx svb ping -c 1 -W 1 10.10.0.1 >/dev/null

pretty "show-qdisc"
ok n show-qdisc sva veth-a
[[ $OUT == *tbf* && $OUT == *10Mbit* ]] || fail "show-qdisc does not show tbf 10Mbit: $OUT"
ok n show-qdisc sva veth-a --json
"$PYTHON" -c 'import json, sys; json.load(sys.stdin)' <<<"$OUT" || fail "show-qdisc --json is not JSON: $OUT"
ipjson contains tbf <<<"$OUT" || fail "show-qdisc --json does not say tbf: $OUT"
ipjson contains 10Mbit <<<"$OUT" || ipjson number 1250000 <<<"$OUT" || ipjson number 10000000 <<<"$OUT" ||
	fail "show-qdisc --json does not report the rate: $OUT"

pretty "set-rate with burst and latency, then another rate"
ok n set-rate sva veth-a --rate 1mbit --burst 32kbit --latency 70ms
[[ $(root_qdisc sva veth-a) =~ \ rate\ 1Mbit\ burst\ 4Kb\ lat\ 70ms ]] ||
	fail "root qdisc of veth-a: \"$(qdisc_of sva veth-a)\", expected tbf rate 1Mbit burst 4Kb lat 70ms"
ok n set-rate sva veth-a --rate 1gbit
[[ $(root_qdisc sva veth-a) =~ \ rate\ 1Gbit\  ]] || fail "root qdisc of veth-a: \"$(qdisc_of sva veth-a)\", expected rate 1Gbit"
ok n set-rate svb veth-b --rate 500kbit
[[ $(root_qdisc svb veth-b) =~ ^qdisc\ tbf\ .*\ rate\ 500Kbit\  ]] ||
	fail "root qdisc of veth-b: \"$(qdisc_of svb veth-b)\", expected tbf rate 500Kbit"
nsx svb ping -c 1 -W 1 10.10.0.1 >/dev/null

pretty "clear-qdisc"
ok n clear-qdisc sva veth-a
assert_eq "$(qdisc_of sva veth-a)" "$default_a" "qdiscs of veth-a after clear-qdisc"
ok n clear-qdisc svb veth-b
assert_eq "$(qdisc_of svb veth-b)" "$default_b" "qdiscs of veth-b after clear-qdisc"
before=$(state)
ok n clear-qdisc sva veth-a
assert_same "$before" "$(state)" "clear-qdisc without a qdisc changed something"
ok n show-qdisc sva veth-a
ok n show-qdisc sva veth-a --json
"$PYTHON" -c 'import json, sys; json.load(sys.stdin)' <<<"$OUT" || fail "show-qdisc --json is not JSON: $OUT"

pretty "clear-qdisc takes any root qdisc, also one tc made"
tc -n sva qdisc add dev veth-a root tbf rate 2mbit burst 16kb latency 10ms
ok n clear-qdisc sva veth-a
assert_eq "$(qdisc_of sva veth-a)" "$default_a" "qdiscs of veth-a after clear-qdisc"

pretty "take it down"
ok n delete-namespaces sva svb
assert_nothing_left
