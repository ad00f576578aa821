#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lanes: uml
# why: the host kernel has no sch_netem (f-set-rate measures tbf on both)
#
# add-delay --rate, netem's own rate limit, measured with iperf3 from sva to
# svb (see fidelity.sh): the link-layer rate within 10% of the one asked;
# clear-qdisc gives the full speed back.

. "$(dirname "$(readlink -f "$0")")/../integration/lib.sh"
. "$(dirname "$(readlink -f "$0")")/fidelity.sh"

fidelity_setup

pretty "baseline"
base=$(full_speed_mbit)
record "no qdisc" "-" "$base Mbit/s" "> 100 Mbit/s" within "$base" 100 1e12

pretty "add-delay --rate 10mbit"
ok n add-delay sva veth-a --rate 10mbit
assert_eq "$(qjson sva veth-a rate_bytes_per_sec)" 1250000 "rate in show-qdisc --json"
shaped_rate "netem rate" "--rate 10mbit" 10 10

pretty "clear-qdisc"
ok n clear-qdisc sva veth-a
unshaped_rate "netem rate cleared" "$base" 10

fidelity_teardown
