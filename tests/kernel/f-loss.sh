#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lanes: uml
# why: the host kernel has no sch_netem
#
# add-delay --loss, counted with ping from sva to svb (see fidelity.sh):
# netem drops each echo request on its own with the probability asked, so
# the number lost out of N is Binomial(N, P) and must lie in its central
# 99.9% band. Two sizes, so that a loss off by a factor of ten fails too.

. "$(dirname "$(readlink -f "$0")")/../integration/lib.sh"
. "$(dirname "$(readlink -f "$0")")/fidelity.sh"

fidelity_setup

# loss_run PERCENT PROBES INTERVAL
loss_run() {
	local pct=$1 probes=$2 interval=$3 sent got dups lost lo hi s
	ok n add-delay sva veth-a --loss "$pct%"
	assert_eq "$(qjson sva veth-a loss)" "$pct%" "loss in show-qdisc --json"
	ping_probe sva "$ADDR_B" "$probes" "$interval"
	s=$(ping_counts)
	read -r sent got dups <<<"$s"
	lost=$((sent - got))
	s=$(binom_band "$sent" "$(calc "$pct / 100")")
	read -r lo hi <<<"$s"
	record loss "--loss $pct%" "$lost of $sent lost ($(calc "100 * $lost / $sent")%)" \
		"$lo-$hi lost" eval 'within "$lost" "$lo" "$hi" && ((dups == 0))'
}

pretty "baseline"
ping_probe sva "$ADDR_B" 500 0.003
s=$(ping_counts)
read -r sent got dups <<<"$s"
record "no qdisc" "-" "$((sent - got)) of $sent lost" "none lost" eval '((sent == got && dups == 0))'

pretty "add-delay --loss 20%"
loss_run 20 1000 0.003
pretty "add-delay --loss 2%"
loss_run 2 1000 0.003

pretty "clear-qdisc"
ok n clear-qdisc sva veth-a
ping_probe sva "$ADDR_B" 500 0.003
s=$(ping_counts)
read -r sent got dups <<<"$s"
record "loss cleared" "clear-qdisc" "$((sent - got)) of $sent lost" "none lost" eval '((sent == got))'

fidelity_teardown
