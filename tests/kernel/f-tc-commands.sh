#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lanes: uml
# why: the host kernel has no sch_netem
#
# Issue #17's UML measurements through netnsctl's own commands (f-tc-tree
# measures the same trees made by nn-tctool), in one short boot:
#
#   sva  veth-a 10.10.0.1/30 ===== veth-b 10.10.0.2/30  svb
#                                         10.10.9.2/32  (a second destination,
#                                                        routed over veth-a)
#
# The second destination is an address, not a third namespace: the u32
# filter of --to sees only the destination address, and a namespace and
# its links cost the UML seconds (every process it starts costs 0.2-1 s).
# The delays are 20 ms and more apart, more than the 15 ms bounds below,
# so a packet that took another rule's netem fails.
#
#   1. per destination: add-delay --to 10.10.0.2/32 --delay 60ms; ping
#      10.10.0.2 delayed, 10.10.9.2 not;
#   2. per port: add-delay --port 5001 --proto udp --loss 20% (a second
#      rule); 1000 datagrams to port 5001 lose a count in the 99.9% binomial
#      band, 1000 to port 5002 none;
#   3. asymmetric: add-delay --delay 30ms (what the rules leave: sva -> svb)
#      and add-delay --direction ingress --delay 10ms (svb -> sva); the
#      one-way delay of each direction measured on its own;
#   4. stacked: set-rate --direction ingress --rate 2mbit --latency 200ms on
#      that netem: the svb -> sva delay still 10 ms, and a stream at 4 Mbit/s
#      arrives at 2.
#
# One python3 (udp-probe.py) holds sockets in both namespaces, so its
# one-way delays read one clock: the kernel's receive time of a datagram
# less the send time it carries. netem holds every packet for its delay: no
# measured delay can be below it (the send time is taken before sendto);
# the median may be up to 15 ms above it, as in f-delay, for the UML's
# timers on a busy host.

. "$(dirname "$(readlink -f "$0")")/../integration/lib.sh"
. "$(dirname "$(readlink -f "$0")")/fidelity.sh"

ADDR_B2=10.10.9.2
D_TO=60 D_AB=30 D_BA=10 LOSS=20 N_LOSS=1000
# The tbf's rate and, 10% each side, the bounds of what is measured (see 4.).
RATE=2 RATE_LO=1.8 RATE_HI=2.2 SEND_RATE=4

# probe CMD...: one command to udp-probe.py; its answer in PROBE_OUT.
probe() {
	echo "$*" >&"${PROBE[1]}"
	read -r -t 60 PROBE_OUT <&"${PROBE[0]}" || fail "udp-probe.py gave no answer to \"$*\""
}

# ping_med_min FILE: "MEDIAN MIN" (ms) of the RTTs ping wrote to FILE, at
# least 18 of 20 (one awk: every process costs the UML a lot).
ping_med_min() {
	awk 'match($0, / time=[0-9.]+ ms/) {
		t = substr($0, RSTART + 6, RLENGTH - 9) + 0
		for (i = ++n; i > 1 && v[i - 1] > t; i--) v[i] = v[i - 1]
		v[i] = t
	}
	END {
		if (n < 18) { print "only " n " replies in " FILENAME > "/dev/stderr"; exit 1 }
		print (n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2), v[1]
	}' "$1"
}

# delay_ok ASKED_MS MIN MEDIAN: MIN >= ASKED and ASKED <= MEDIAN <= ASKED + 15.
delay_ok() { awk -v d="$1" -v m="$2" -v med="$3" 'BEGIN { exit !(m >= d && med >= d && med <= d + 15) }'; }

ok n create-veth-pair sva svb
ip -n svb addr add "$ADDR_B2/32" dev veth-b
ip -n sva route add "$ADDR_B2/32" dev veth-a
coproc PROBE { exec "$PYTHON" "$TEST_DIR/../kernel/udp-probe.py" "$RUN_DIR" sva "$ADDR_A" svb "$ADDR_B2"; }
_fid_pids+=("$PROBE_PID")

pretty "1. per destination: add-delay --to $ADDR_B/32 --delay ${D_TO}ms"
ok n add-delay sva veth-a --to "$ADDR_B/32" --delay "${D_TO}ms"
# (the pings after python3's start, which loads the UML's one CPU)
read -r -t 60 PROBE_OUT <&"${PROBE[0]}" && [[ $PROBE_OUT == ready ]] || fail "udp-probe.py did not start"
nsx sva ping -n -c 20 -i 0.02 -W 2 "$ADDR_B" >"$_fid_tmp/ping.to" 2>&1 &
p1=$!
nsx sva ping -n -c 20 -i 0.02 -W 2 "$ADDR_B2" >"$_fid_tmp/ping.other" 2>&1 &
p2=$!
wait "$p1" || { cat "$_fid_tmp/ping.to" >&2; fail "ping $ADDR_B"; }
wait "$p2" || { cat "$_fid_tmp/ping.other" >&2; fail "ping $ADDR_B2"; }
read -r med min <<<"$(ping_med_min "$_fid_tmp/ping.to")"
record "netem per destination (command), delayed" "--to $ADDR_B/32 --delay ${D_TO}ms" \
	"median RTT $med ms (min $min) to $ADDR_B" "median $D_TO-$((D_TO + 15)) ms, min >= $D_TO ms" \
	delay_ok "$D_TO" "$min" "$med"
read -r med min <<<"$(ping_med_min "$_fid_tmp/ping.other")"
record "netem per destination (command), the other" "--to $ADDR_B/32 --delay ${D_TO}ms" \
	"median RTT $med ms to $ADDR_B2" "median < 5 ms" within "$med" 0 5

pretty "2. per port: add-delay --port 5001 --proto udp --loss $LOSS%"
ok n add-delay sva veth-a --port 5001 --proto udp --loss "$LOSS%"
probe loss 5001 5002 "$N_LOSS"
read -r lost other <<<"$PROBE_OUT"
read -r lo hi <<<"$(binom_band "$N_LOSS" "$(printf 0.%02d "$LOSS")")"
record "netem per port (command), lossy" "--port 5001 --proto udp --loss $LOSS%" \
	"$lost of $N_LOSS lost to udp port 5001" "$lo-$hi lost (99.9% binomial band)" \
	within "$lost" "$lo" "$hi"
record "netem per port (command), the other" "--port 5001 --proto udp --loss $LOSS%" \
	"$other of $N_LOSS lost to udp port 5002" "none lost" within "$other" 0 0

pretty "3. asymmetric: sva -> svb ${D_AB}ms (egress), svb -> sva ${D_BA}ms (ingress)"
ok n add-delay sva veth-a --delay "${D_AB}ms"
ok n add-delay sva veth-a --direction ingress --delay "${D_BA}ms"
probe oneway 30 10 6000
read -r n_ab min_ab med_ab n_ba min_ba med_ba <<<"$PROBE_OUT"
asked="--delay ${D_AB}ms; --direction ingress --delay ${D_BA}ms"
record "asymmetric link (commands), sva -> svb" "$asked" \
	"median one-way $med_ab ms (min $min_ab, $n_ab of 30)" \
	"median $D_AB-$((D_AB + 15)) ms, min >= $D_AB ms" eval \
	'((n_ab == 30)) && delay_ok "$D_AB" "$min_ab" "$med_ab"'
record "asymmetric link (commands), svb -> sva" "$asked" \
	"median one-way $med_ba ms (min $min_ba, $n_ba of 30)" \
	"median $D_BA-$((D_BA + 15)) ms, min >= $D_BA ms" eval \
	'((n_ba == 30)) && delay_ok "$D_BA" "$min_ba" "$med_ba"'

pretty "4. stacked: set-rate --direction ingress --rate ${RATE}mbit on the netem"
ok n set-rate sva veth-a --direction ingress --rate "${RATE}mbit" --latency 200ms
asked="--direction ingress --delay ${D_BA}ms, then --rate ${RATE}mbit --latency 200ms"
probe oneway 20 10 6000
read -r _ _ _ n_ba min_ba med_ba <<<"$PROBE_OUT"
record "netem+tbf (commands): delay" "$asked" \
	"median one-way $med_ba ms (min $min_ba, $n_ba of 20) svb -> sva" \
	"median $D_BA-$((D_BA + 15)) ms, min >= $D_BA ms" eval \
	'((n_ba == 20)) && delay_ok "$D_BA" "$min_ba" "$med_ba"'
# set-rate's default burst is 20 ms of traffic at the rate: the bucket's
# fill time, which udp-probe.py counts a longer gap between arrivals as.
probe rate ba 1000 "$SEND_RATE" 0.8 6001 20
read -r sent got l2 span longest reached <<<"$PROBE_OUT"
# The tbf is measured only when it has more to send than its rate: a UML
# that a busy host runs too slowly to send at 1.5 times it fails here.
within "$reached" "$(awk -v r="$RATE" 'BEGIN { print 1.5 * r }')" 1e9 ||
	fail "the sender in the UML reached $reached Mbit/s of the $SEND_RATE asked, too little to keep a ${RATE}mbit tbf busy (a busy host: rerun)"
# tbf meters Ethernet frames; the receiver counts them from 100 ms after the
# first arrival (past the 20 ms burst) to the last, about 0.9 s and 210
# frames: one frame is 0.5% of that, the rest of the 10% (as in f-rate) is
# for the UML on a busy host. A host that does not run the UML for a while
# costs the tbf the tokens beyond a full bucket, and a plain span then reads
# low (a 5 Mbit/s tbf measured 3.85 Mbit/s at a load average of 10): a gap
# counts at most the bucket's fill time. The sender is the UML's python:
# --latency 200ms gives the tbf a queue that outlasts its stalls (the
# default 50 ms ran dry and measured 7% low); 2 Mbit/s, 240 frames a
# second, and twice that sent, because at a load average of 12 the UML's
# python sent no more than 370 a second.
record "netem+tbf (commands): rate" "$asked" \
	"$l2 Mbit/s of frames svb -> sva ($span over the plain span, longest gap $longest ms; $got of $sent datagrams sent at $reached Mbit/s)" \
	"$RATE_LO-$RATE_HI Mbit/s" within "$l2" "$RATE_LO" "$RATE_HI"

fd=${PROBE[1]}
exec {fd}>&-
rc=0
wait "$PROBE_PID" || rc=$?
((rc == 0)) || fail "udp-probe.py: exit $rc"
_fid_pids=()
fidelity_teardown
