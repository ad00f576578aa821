#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lanes: host uml
#
# set-rate (tbf) measured with iperf3 from sva to svb (see fidelity.sh): the
# link-layer rate within 10% of the one asked, with the default burst and
# latency; clear-qdisc gives the full speed back.

. "$(dirname "$(readlink -f "$0")")/../integration/lib.sh"
. "$(dirname "$(readlink -f "$0")")/fidelity.sh"

fidelity_setup

pretty "baseline"
base=$(full_speed_mbit)
record "no qdisc" "-" "$base Mbit/s" "> 100 Mbit/s" within "$base" 100 1e12

pretty "set-rate --rate 10mbit"
ok n set-rate sva veth-a --rate 10mbit
assert_eq "$(qjson sva veth-a rate_bytes_per_sec)" 1250000 "rate in show-qdisc --json"
shaped_rate "tbf rate" "set-rate --rate 10mbit" 10 10

pretty "clear-qdisc"
ok n clear-qdisc sva veth-a
unshaped_rate "tbf rate cleared" "$base" 10

fidelity_teardown
