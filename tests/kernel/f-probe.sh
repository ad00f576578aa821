#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lanes: uml
# why: the host kernel has no sch_netem
#
# netnsctl's own probes against netem, in one lab (one apply, one verify):
#
#   b  a's egress: delay 100ms jitter 10ms   rtt inside the bounds verify
#                                            derives, and inside 100ms±10ms
#   c  a's egress: loss 5%                   lost probes inside the binomial band
#   f  a's egress: delay 10ms rate 10mbit    TCP through netem's rate: 9-11 Mbit/s
#   d  a's egress: duplicate 20%             probe counts the duplicates
#   e  a's egress: delay 50ms reorder 25%    probe counts the answers that
#                                            arrive after a later probe's
#   g  a's egress: delay 50ms                ... and none without reordering
#
# All from a; each link 10.60.N.0/30, a .1, the other .2.

. "$(dirname "$(readlink -f "$0")")/../integration/lib.sh"
. "$(dirname "$(readlink -f "$0")")/fidelity.sh"

WORK=$(mktemp -d)
LAB=$WORK/probe-netem.yaml

# fidelity.sh's cleanup (it exits) after the lab's
_probe_cleanup() {
	local rc=$?
	set +e
	n destroy "$LAB" >/dev/null 2>&1
	rm -rf "$WORK"
	(exit $rc)
	_fid_cleanup
}
trap _probe_cleanup EXIT

cat >"$LAB" <<'EOF'
name: probe-netem
nodes: [a, b, c, d, e, f, g]
links:
  - endpoints: [{node: a, if: b, addr: 10.60.1.1/30, egress: {delay: 100ms, jitter: 10ms}},
                {node: b, if: a, addr: 10.60.1.2/30}]
  - endpoints: [{node: a, if: c, addr: 10.60.2.1/30, egress: {loss: 5%}},
                {node: c, if: a, addr: 10.60.2.2/30}]
  - endpoints: [{node: a, if: f, addr: 10.60.6.1/30, egress: {delay: 10ms, rate: 10mbit}},
                {node: f, if: a, addr: 10.60.6.2/30}]
  - endpoints: [{node: a, if: d, addr: 10.60.4.1/30, egress: {duplicate: 20%}},
                {node: d, if: a, addr: 10.60.4.2/30}]
  - endpoints: [{node: a, if: e, addr: 10.60.5.1/30, egress: {delay: 50ms, reorder: 25%}},
                {node: e, if: a, addr: 10.60.5.2/30}]
  - endpoints: [{node: a, if: g, addr: 10.60.7.1/30, egress: {delay: 50ms}},
                {node: g, if: a, addr: 10.60.7.2/30}]
expect:
  - {from: a, to: b}
  - {from: a, to: b, rtt: 100ms±10ms}
  - {from: a, to: c}
  - {from: a, to: f}
EOF

pj() { ipjson get "$1" <<<"$OUT"; }

ok n apply "$LAB"

pretty "verify: derived delay, loss and rate bounds hold"
N=400
run n verify "$LAB" --count $N --interval 5ms --rate-test 3s --json
[[ $RC -eq 0 ]] || { show_run n verify "$LAB"; fail "verify: exit $RC"; }
# a -> b: the median inside the derived band, and inside 100ms±10ms
lo=$(pj expectations.0.checks.1.lo) hi=$(pj expectations.0.checks.1.hi)
med=$(pj expectations.0.probes.0.rtt_ms.p50)
record "verify: derived rtt" "delay 100ms jitter 10ms, $N probes" "median $(calc "$med") ms" \
	"$(calc "$lo")-$(calc "$hi") ms (derived)" eval 'within "$med" "$lo" "$hi" && within "$med" 90 110'
assert_eq "$(pj expectations.1.checks.0.check)/$(pj expectations.1.checks.0.pass)" rtt/true \
	"rtt 100ms±10ms"
# a -> c: lost probes inside the band verify derived for 5%
sent=$(pj expectations.2.probes.0.sent) got=$(pj expectations.2.probes.0.received)
s=$(binom_band "$sent" 0.05)
read -r blo bhi <<<"$s"
assert_eq "$(pj expectations.2.checks.2.lo)/$(pj expectations.2.checks.2.hi)" "$blo/$bhi" \
	"verify's band against fidelity.sh's"
record "verify: derived loss" "loss 5%, $sent probes" "$((sent - got)) of $sent lost" \
	"$blo-$bhi lost" within "$((sent - got))" "$blo" "$bhi"
# a -> f: netem's own rate
rate=$(pj expectations.3.checks.3.value)
record "verify: derived rate" "delay 10ms rate 10mbit" "$(calc "$rate / 1e6") Mbit/s on the link" \
	"9-11 Mbit/s" within "$rate" 9e6 11e6

pretty "probe counts duplicates"
ok n probe a d --count $N --interval 2ms --json
s=$(binom_band "$(pj sent)" 0.2)
read -r lo hi <<<"$s"
record "probe: duplicates" "duplicate 20%, $(pj sent) probes" \
	"$(pj duplicates) duplicates, $(pj received) answered" "$lo-$hi duplicates, all answered" \
	eval 'within "$(pj duplicates)" "$lo" "$hi" && (($(pj received) == $(pj sent)))'

pretty "probe counts reordering"
# netem sends 25% of the probes at once; each of the others, held 50 ms,
# is overtaken by one of the probes sent after it unless the next 50 ms of
# probes were all held too: reordered is about 75% of the answers, and
# certainly more than half of them.
ok n probe a e --count $N --interval 2ms --json
record "probe: reordered" "delay 50ms reorder 25%, $(pj sent) probes" \
	"$(pj reordered) of $(pj received) answers after a later probe's" "50-85% of the answers" \
	eval 'within "$(pj reordered)" "$(calc "0.5 * $(pj received)")" "$(calc "0.85 * $(pj received)")"'
ok n probe a g --count 100 --interval 2ms --json
record "probe: not reordered" "delay 50ms, $(pj sent) probes" "$(pj reordered) reordered" "none" \
	eval '(($(pj reordered) == 0 && $(pj duplicates) == 0))'

ok n destroy "$LAB"
assert_nothing_left
((_fid_failures == 0)) || fail "$_fid_failures measurement(s) out of bounds (see FAIL above)"
