#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lanes: uml
# why: the host kernel has no sch_netem
#
# A netem delay changed in place while traffic flows (issue 15): `run`
# plays a ramp of a's netem delay from 1 ms to 20 ms in 20 steps (21
# changes, then one more back to the file's 1 ms at the end), each an
# RTM_NEWQDISC with NLM_F_REPLACE on the same handle, while 1000 pings at
# 10 ms intervals go from a to b: none is lost, the root keeps its handle,
# and the round trips follow the ramp (the first second's median near 1 ms,
# the last's near 20 ms).  A loss burst: 20% loss for 6 s, 200 pings
# inside it, the loss counted within its binomial band.  Then add-delay
# --for 4s: back to the file's netem by the reverter.
#
#   a to-b 10.1.0.1/30 ==delay==> to-a 10.1.0.2/30 b

. "$(dirname "$(readlink -f "$0")")/lib.sh"

LAB=$(mktemp --suffix=.yaml)
PINGS=$(mktemp)
RUNLOG=$(mktemp)
cleanup() {
	local rc=$?
	set +e
	n destroy "$LAB" >/dev/null 2>&1
	n cleanup >/dev/null 2>&1
	rm -f "$LAB" "$PINGS" "$RUNLOG"
	exit $rc
}
trap cleanup EXIT

cat >"$LAB" <<'EOF'
name: tlnetem
nodes: [a, b]
links:
  - endpoints:
      - {node: a, if: to-b, addr: 10.1.0.1/30, egress: {delay: 1ms}}
      - {node: b, if: to-a, addr: 10.1.0.2/30}
timeline:
  - at: 1s
    impair: {link: a:to-b, delay: 1ms}
    ramp: {to: 20ms, over: 7s, steps: 20}
EOF

ok n apply "$LAB"
handle=$(qdisc_of a to-b | awk '/netem/ { print $3 }')
[[ -n $handle ]] || fail "no netem on a:to-b: $(qdisc_of a to-b)"

pretty "1000 pings at 10 ms while run changes the delay 22 times: none lost"
nsx a ping -D -c 1000 -i 0.01 -W 2 10.1.0.2 >"$PINGS" 2>&1 &
PING=$!
ok n run "$LAB"
[[ $(grep -c ' impair a:to-b netem delay' <<<"$OUT") == 21 ]] || fail "run said: $OUT"
wait $PING || fail "ping: $(tail -3 "$PINGS")"
grep -q '^1000 packets transmitted, 1000 received' "$PINGS" || fail "pings lost: $(grep transmitted "$PINGS")"
assert_eq "$(qdisc_of a to-b | awk '/netem/ { print $3 }')" "$handle" "the netem's handle after the run"
[[ $(qdisc_of a to-b) == *"delay 1ms"* ]] || fail "not back to the file's 1 ms: $(qdisc_of a to-b)"

pretty "the round trips followed the ramp"
# [time] ... time=X ms: the median round trip of each second of the pings;
# they rise from about 1 ms to near 20 ms, then fall back to 1 ms (the end)
medians=$(awk -F'[][ =]+' '/time=/ {
		t = $2; if (!t0) t0 = t; for (i = 1; i <= NF; i++) if ($i == "time") rtt = $(i + 1)
		s = int(t - t0); v[s, ++n[s]] = rtt
	}
	function med(s,   k, j, x, m) { m = n[s]; for (k = 1; k <= m; k++) a[k] = v[s, k]
		for (k = 2; k <= m; k++) { x = a[k]; for (j = k - 1; j > 0 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
		return a[int((m + 1) / 2)] }
	END { for (s = 0; s in n; s++) printf "%s ", med(s) }' "$PINGS")
awk -v m="$medians" 'BEGIN { k = split(m, v, " "); top = 1
		for (i = 2; i <= k; i++) if (v[i] + 0 > v[top] + 0) top = i
		if (!(v[1] < 6 && v[top] >= 16 && v[top] < 30 && v[k] < 6)) exit 1
		for (i = 2; i <= top; i++) if (v[i] + 0.5 < v[i - 1]) exit 1 }' ||
	fail "the medians of each second do not follow the ramp: $medians"

pretty "a loss burst: 20% for 6 s, the loss of 200 pings inside its binomial band"
cat >"$LAB" <<'EOF'
name: tlnetem
nodes: [a, b]
links:
  - endpoints:
      - {node: a, if: to-b, addr: 10.1.0.1/30, egress: {delay: 1ms}}
      - {node: b, if: to-a, addr: 10.1.0.2/30}
timeline:
  - at: 0s
    impair: {link: a:to-b, delay: 1ms, loss: 20%}
  - at: 6s
    impair: {link: a:to-b, delay: 1ms}
EOF
n run "$LAB" >"$RUNLOG" 2>&1 &
RUN=$!
wait_for 15 grep -q 'loss 20%' "$RUNLOG"
# 200 pings 10 ms apart take 2 s; the burst lasts 6 s from its event
nsx a ping -c 200 -i 0.01 -W 1 10.1.0.2 >"$PINGS" 2>&1
wait $RUN || fail "run: $(cat "$RUNLOG")"
got=$(awk '/packets transmitted/ { print $4 }' "$PINGS")
# p = 0.2 of 200: 40 lost expected; the 99.9% band (3.29 sigma) is 21..59
awk -v r="$got" 'BEGIN { n = 200; p = 0.2; sd = sqrt(n * p * (1 - p)); l = n - r
		exit !(l >= n * p - 3.29 * sd && l <= n * p + 3.29 * sd) }' ||
	fail "$((200 - ${got:-0})) of 200 pings lost in a 20% burst: $(grep transmitted "$PINGS")"
[[ $(qdisc_of a to-b) != *loss* ]] || fail "the burst outlived the run: $(qdisc_of a to-b)"

pretty "add-delay --for 4s: the reverter puts the file's netem back"
# 4 s: the check below must come before the reverter on a busy machine
ok n add-delay a to-b --delay 50ms --for 4s
[[ $(qdisc_of a to-b) == *"delay 50ms"* ]] || fail "no 50 ms delay: $(qdisc_of a to-b)"
wait_for 15 eval '[[ $(qdisc_of a to-b) == *"delay 1ms"* ]]'
assert_eq "$(qdisc_of a to-b | awk '/netem/ { print $3 }')" "$handle" "the netem's handle after --for"

ok n destroy "$LAB"
rm -f "$LAB" "$PINGS" "$RUNLOG"
trap - EXIT
