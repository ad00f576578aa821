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
# the last's near 20 ms).  Then add-delay --for 1s: back to the file's
# netem by the reverter.
#
#   a to-b 10.1.0.1/30 ==delay==> to-a 10.1.0.2/30 b

. "$(dirname "$(readlink -f "$0")")/lib.sh"

LAB=$(mktemp --suffix=.yaml)
PINGS=$(mktemp)
cleanup() {
	local rc=$?
	set +e
	n destroy "$LAB" >/dev/null 2>&1
	n cleanup >/dev/null 2>&1
	rm -f "$LAB" "$PINGS"
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

pretty "add-delay --for 1s: the reverter puts the file's netem back"
ok n add-delay a to-b --delay 50ms --for 1s
[[ $(qdisc_of a to-b) == *"delay 50ms"* ]] || fail "no 50 ms delay: $(qdisc_of a to-b)"
wait_for 15 eval '[[ $(qdisc_of a to-b) == *"delay 1ms"* ]]'
assert_eq "$(qdisc_of a to-b | awk '/netem/ { print $3 }')" "$handle" "the netem's handle after --for"

ok n destroy "$LAB"
rm -f "$LAB" "$PINGS"
trap - EXIT
