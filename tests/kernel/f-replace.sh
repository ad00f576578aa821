#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lanes: uml
# why: the host kernel has no sch_netem
#
# A second add-delay (or set-rate) on a link that has one changes the qdisc
# in place: same handle, and its packet counters carry on where they were;
# set-rate after add-delay (and the other way round) stacks a tbf under the
# netem rather than replacing it (issue #17)
# (a delete and add would start them from zero). What the new call leaves out
# is gone, including reorder and corrupt, which the kernel keeps on a change
# that does not mention them. show-qdisc, tc and the packets (ping from sva
# to svb, see fidelity.sh) all agree on the result.

. "$(dirname "$(readlink -f "$0")")/../integration/lib.sh"
. "$(dirname "$(readlink -f "$0")")/fidelity.sh"

handle() { tcjson sva veth-a handle; }
sent_packets() { tcjson sva veth-a packets; }
csum_errors() { echo $(($(snmp svb Icmp InCsumErrors) + $(snmp svb IpExt InCsumErrors))); }

# probe COUNT INTERVAL: ping sva -> svb; sets SENT GOT DUPS MED FAST (RTT < 5 ms).
probe() {
	local s
	ping_probe sva "$ADDR_B" "$1" "$2"
	s=$(ping_counts)
	read -r SENT GOT DUPS <<<"$s"
	s=$(ping_rtts | stats)
	read -r _ _ _ MED _ _ _ _ <<<"$s"
	FAST=$(ping_rtts | awk '$1 < 5 { k++ } END { print k + 0 }')
}

fidelity_setup

pretty "add-delay --delay 100ms --loss 30%"
ok n add-delay sva veth-a --delay 100ms --loss 30%
h1=$(handle)
probe 200 0.01
s=$(binom_band "$SENT" 0.3)
read -r lo hi <<<"$s"
record "before the replace" "--delay 100ms --loss 30%" \
	"median RTT $MED ms, $((SENT - GOT)) of $SENT lost" "median 100-115 ms, $lo-$hi lost" \
	eval 'within "$MED" 100 115 && within "$((SENT - GOT))" "$lo" "$hi"'
p1=$(sent_packets)

pretty "add-delay --delay 20ms: in place, and the loss is gone"
ok n add-delay sva veth-a --delay 20ms
h2=$(handle)
p2=$(sent_packets)
assert_eq "$(qjson sva veth-a delay)" 20ms "delay in show-qdisc --json"
assert_eq "$(qjson sva veth-a loss_prob)" 0 "loss in show-qdisc --json"
[[ $(tc -n sva qdisc show dev veth-a root) != *loss* ]] || fail "tc still shows a loss: $(qdisc_of sva veth-a)"
probe 200 0.01
record "replaced in place" "--delay 20ms after --delay 100ms --loss 30%" \
	"handle $h1 -> $h2, $p2 packets counted at the replace (of $p1), median RTT $MED ms, $((SENT - GOT)) of $SENT lost" \
	"same handle, counters kept, median 20-35 ms, none lost" \
	eval '[[ $h1 == "$h2" ]] && ((p2 >= p1 && p1 > 0)) && within "$MED" 20 35 && ((SENT == GOT))'

pretty "reorder and corrupt are cleared by a replace that leaves them out"
ok n add-delay sva veth-a --delay 50ms --reorder 50% --corrupt 30%
probe 100 0.005
((FAST > 0 && GOT < SENT)) || fail "--reorder 50% --corrupt 30% had no effect: $FAST sent at once, $((SENT - GOT)) lost"
ok n add-delay sva veth-a --delay 50ms
for f in reorder corrupt; do
	[[ $(tc -n sva qdisc show dev veth-a root) != *" $f "* ]] || fail "tc still shows $f: $(qdisc_of sva veth-a)"
	assert_eq "$(qjson sva veth-a "${f}_prob")" 0 "$f in show-qdisc --json"
done
c0=$(csum_errors)
probe 300 0.005
c=$(($(csum_errors) - c0))
record "replace clears" "--delay 50ms after --delay 50ms --reorder 50% --corrupt 30%" \
	"$FAST of $GOT sent at once, $((SENT - GOT)) of $SENT lost, $c checksum errors, median RTT $MED ms" \
	"none at once, none lost, none corrupted, median 50-65 ms" \
	eval '((FAST == 0 && SENT == GOT && c == 0)) && within "$MED" 50 65'

pretty "netem -> netem+tbf -> its tbf changed -> its netem changed (issue #17: stacked, not replaced)"
ok n set-rate sva veth-a --rate 10mbit
assert_eq "$(qjson sva veth-a kind)" netem "root kind in show-qdisc --json"
assert_eq "$(n show-qdisc sva veth-a --json | ipjson get egress.child.kind)" tbf "the root's child in show-qdisc --json"
assert_eq "$(tcjson sva veth-a kind)" netem "root kind in tc"
probe 100 0.01
record "tbf stacked under netem" "set-rate --rate 10mbit after add-delay --delay 50ms" \
	"median RTT $MED ms, $((SENT - GOT)) of $SENT lost" "median 50-65 ms, none lost" \
	eval 'within "$MED" 50 65 && ((SENT == GOT))'
h1=$(handle)
p1=$(sent_packets)
ok n set-rate sva veth-a --rate 20mbit
h2=$(handle)
p2=$(sent_packets)
assert_eq "$(n show-qdisc sva veth-a --json | ipjson get egress.child.rate_bytes_per_sec)" 2500000 \
	"the tbf child's rate in show-qdisc --json"
assert_eq "$(tc -n sva -j qdisc show dev veth-a parent 1:1 | ipjson get 0.options.rate)" 2500000 "the tbf child's rate in tc"
record "tbf child changed in place" "set-rate --rate 20mbit after --rate 10mbit" \
	"handle $h1 -> $h2, $p2 packets counted at the change (of $p1)" "same root handle, counters kept" \
	eval '[[ $h1 == "$h2" ]] && ((p2 >= p1 && p1 > 0))'
ok n add-delay sva veth-a --delay 30ms
assert_eq "$(qjson sva veth-a kind)" netem "kind in show-qdisc --json"
assert_eq "$(qjson sva veth-a delay)" 30ms "delay in show-qdisc --json"
assert_eq "$(n show-qdisc sva veth-a --json | ipjson get egress.child.rate_bytes_per_sec)" 2500000 \
	"the tbf child kept by add-delay"
probe 100 0.01
record "netem changed, tbf kept" "--delay 30ms after set-rate" "median RTT $MED ms, $((SENT - GOT)) of $SENT lost" \
	"median 30-45 ms, none lost" eval 'within "$MED" 30 45 && ((SENT == GOT))'

pretty "a root qdisc that tc made is replaced too"
ok n clear-qdisc sva veth-a
tc -n sva qdisc add dev veth-a root handle 5: netem delay 80ms
ok n add-delay sva veth-a --delay 40ms
[[ $(tc -n sva qdisc show dev veth-a | grep -c '^qdisc netem') == 1 ]] ||
	fail "more than one netem on veth-a: $(qdisc_of sva veth-a)"
assert_eq "$(qjson sva veth-a delay)" 40ms "delay in show-qdisc --json"
probe 100 0.01
record "tc's qdisc replaced" "--delay 40ms over tc's netem delay 80ms" "median RTT $MED ms" \
	"median 40-55 ms" within "$MED" 40 55

fidelity_teardown
