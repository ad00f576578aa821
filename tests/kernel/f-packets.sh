#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lanes: uml
# why: the host kernel has no sch_netem
#
# add-delay --duplicate, --corrupt and --reorder, seen in ping's counts and
# the receiver's checksum counters (sva -> svb, see fidelity.sh):
#
# duplicate  svb answers a duplicated echo request twice: ping's "+N
#            duplicates" is Binomial(N, P).
# corrupt    netem flips one bit of the frame. The receiver drops it unless
#            the bit is in the source MAC address or is the destination's
#            multicast bit (49 of the 784 bits of a 98-byte ping frame), and
#            counts a checksum error (Icmp or IpExt InCsumErrors) when the bit
#            is in the IP header or the ICMP message: lost requests are about
#            Binomial(N, 0.9375 P) and most of them are checksum errors.
#            Loss instead of corruption shows no checksum errors.
# reorder    with a delay, netem sends a fraction P of the packets at once
#            (gap 1): their RTT is the baseline's, not the delay's, and they
#            arrive ahead of requests sent before them.

. "$(dirname "$(readlink -f "$0")")/../integration/lib.sh"
. "$(dirname "$(readlink -f "$0")")/fidelity.sh"

fidelity_setup

pretty "add-delay --duplicate 20%"
ok n add-delay sva veth-a --duplicate 20%
ping_probe sva "$ADDR_B" 1000 0.003
s=$(ping_counts)
read -r sent got dups <<<"$s"
s=$(binom_band "$sent" 0.2)
read -r lo hi <<<"$s"
record duplicate "--duplicate 20%" "$dups duplicates of $sent, $((sent - got)) lost" \
	"$lo-$hi duplicates, none lost" eval 'within "$dups" "$lo" "$hi" && ((sent == got))'

pretty "add-delay --corrupt 20%"
ok n add-delay sva veth-a --corrupt 20%
csum0=$(($(snmp svb Icmp InCsumErrors) + $(snmp svb IpExt InCsumErrors)))
ping_probe sva "$ADDR_B" 1000 0.003
csum=$(($(snmp svb Icmp InCsumErrors) + $(snmp svb IpExt InCsumErrors) - csum0))
s=$(ping_counts)
read -r sent got dups <<<"$s"
lost=$((sent - got))
s=$(binom_band "$sent" 0.18 0.2)
read -r lo hi <<<"$s"
record corrupt "--corrupt 20%" "$lost of $sent lost, $csum checksum errors at the receiver" \
	"$lo-$hi lost, 75-100% of them checksum errors" \
	eval 'within "$lost" "$lo" "$hi" && within "$csum" "$(calc "0.75 * $lost")" "$lost"'

# UML's ping sends a request every few ms at best: 50 ms keeps several of
# them in netem's queue for the ones sent at once to overtake.
pretty "add-delay --delay 50ms --reorder 25%"
ok n add-delay sva veth-a --delay 50ms --reorder 25%
ping_probe sva "$ADDR_B" 1000 0.002
s=$(ping_counts)
read -r sent got dups <<<"$s"
fast=$(ping_rtts | awk '$1 < 25 { k++ } END { print k + 0 }')
slow=$(ping_rtts | awk '$1 >= 50 { k++ } END { print k + 0 }')
# replies that arrive after one to a later request
late=$(ping_seqs | awk '$1 < max { k++ } $1 > max { max = $1 } END { print k + 0 }')
s=$(binom_band "$got" 0.25)
read -r lo hi <<<"$s"
record reorder "--delay 50ms --reorder 25%" \
	"$fast of $got sent at once, $slow delayed, $late overtaken" \
	"$lo-$hi at once, the rest delayed >= 50 ms, overtaken >= at once / 2" \
	eval 'within "$fast" "$lo" "$hi" && ((fast + slow == got && late * 2 >= fast && sent == got))'

pretty "clear-qdisc"
ok n clear-qdisc sva veth-a
ping_probe sva "$ADDR_B" 500 0.003
s=$(ping_counts)
read -r sent got dups <<<"$s"
late=$(ping_seqs | awk '$1 < max { k++ } $1 > max { max = $1 } END { print k + 0 }')
record "cleared" "clear-qdisc" "$((sent - got)) of $sent lost, $dups duplicates, $late overtaken" \
	"none" eval '((sent == got && dups == 0 && late == 0))'

fidelity_teardown
