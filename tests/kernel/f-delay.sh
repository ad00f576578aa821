#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lanes: uml
# why: the host kernel has no sch_netem
#
# add-delay --delay and --jitter, measured with ping from sva to svb (see
# fidelity.sh). netem holds every packet for the delay, so no RTT can be
# shorter than it; a median more than 15 ms above it means the delay is not
# the one asked for. Jitter without a distribution is uniform over
# delay +- jitter (standard deviation jitter/sqrt(3)); with --distribution
# normal it is a normal with standard deviation jitter, and then about 27% of
# the RTTs lie more than 1.1 jitter from the delay, where a uniform one puts
# none.

. "$(dirname "$(readlink -f "$0")")/../integration/lib.sh"
. "$(dirname "$(readlink -f "$0")")/fidelity.sh"

fidelity_setup

pretty "baseline"
s=$(rtt_stats sva 40 0.05)
read -r _ _ _ base _ _ _ base_sd <<<"$s"
record "no qdisc" "-" "median RTT $base ms, sd $base_sd ms" "median < 5 ms" within "$base" 0 5

pretty "add-delay --delay 100ms"
ok n add-delay sva veth-a --delay 100ms
s=$(rtt_stats sva 40 0.05)
read -r cnt min q1 med q3 _ _ sd <<<"$s"
assert_eq "$cnt" 40 "replies"
iqr=$(calc "$q3 - $q1")
record delay "--delay 100ms" "median RTT $med ms (min $min, sd $sd; baseline $base)" \
	"median 100-115 ms, min >= 100 ms" \
	eval 'within "$med" 100 115 && within "$min" 100 1000'
# ping shows RTTs of 100 ms and more in whole milliseconds.
record "delay spread" "--delay 100ms" "IQR $iqr ms (sd $sd ms)" "IQR <= 3 ms" within "$iqr" 0 3

pretty "add-delay --delay 100ms --jitter 20ms"
ok n add-delay sva veth-a --delay 100ms --jitter 20ms
s=$(rtt_stats sva 200 0.05)
read -r cnt min q1 med q3 max mean sd <<<"$s"
iqr=$(calc "$q3 - $q1")
out=$(ping_rtts | awk '$1 < 78 || $1 > 122 { k++ } END { print k + 0 }')
# Uniform on [80, 120]: interquartile range 20 ms (sd 11.5 ms), nothing
# beyond 100 +- 22 ms but the odd RTT that a busy host stretched (a normal
# distribution would put 27% there). The bounds leave room for 200 samples;
# the sd, which one stretched RTT moves a lot, is only reported.
record jitter "--delay 100ms --jitter 20ms" \
	"median $med ms, IQR $iqr ms, sd $sd ms, range $min-$max ms, $out of $cnt beyond 100 +- 22 ms" \
	"median 95-108 ms, IQR 16-25 ms, at most 5% beyond 100 +- 22 ms" \
	eval 'within "$med" 95 108 && within "$iqr" 16 25 && ((out * 20 <= cnt))'

pretty "add-delay --delay 100ms --jitter 20ms --distribution normal"
ok n add-delay sva veth-a --delay 100ms --jitter 20ms --distribution normal
ping_probe sva "$ADDR_B" 200 0.05
s=$(ping_rtts | stats)
read -r cnt min q1 med q3 max mean sd <<<"$s"
iqr=$(calc "$q3 - $q1")
# |RTT - 100 ms| > 22 ms: 27.1% of a normal with sd 20 ms, none of a
# uniform; its interquartile range is 27 ms.
out=$(ping_rtts | awk '$1 < 78 || $1 > 122 { k++ } END { print k + 0 }')
s=$(binom_band "$cnt" 0.271)
read -r lo hi <<<"$s"
record "jitter, normal" "--delay 100ms --jitter 20ms --distribution normal" \
	"median $med ms, IQR $iqr ms, sd $sd ms, $out of $cnt beyond 100 +- 22 ms" \
	"median 95-108 ms, IQR 21-34 ms, $lo-$hi beyond 100 +- 22 ms" \
	eval 'within "$med" 95 108 && within "$iqr" 21 34 && within "$out" "$lo" "$hi"'

pretty "clear-qdisc"
ok n clear-qdisc sva veth-a
s=$(rtt_stats sva 20 0.05)
read -r _ _ _ med _ _ _ _ <<<"$s"
record "delay cleared" "clear-qdisc" "median RTT $med ms" "median < 5 ms" within "$med" 0 5

fidelity_teardown
