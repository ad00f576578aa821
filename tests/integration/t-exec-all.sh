#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lanes: host
# why: 50 DHCP clients; the DHCP loop in UML is untested (t-clients covers it there)
#
# exec-all: one command in every client's namespace (or a lab's nodes'),
# "when all clients ping, then all respond" in one command.
#
#   sandbox's namespace                       netns router
#   lan0 UP ================================= r0 10.77.1.1/24  dnsmasq
#    |  macvlan eth0 in ns1 .. ns50 (DNS 10.77.1.53 in each resolv.conf)
#
#   lab file: nodes ea, eb joined by a veth (10.78.0.1/30, .2)

. "$(dirname "$(readlink -f "$0")")/lib.sh"
. "$TEST_DIR/clients-lib.sh"

LAB=$TMPDIR/exec-all-lab.yaml

cleanup() {
	local rc=$?
	set +e
	"$NETNSCTL" delete-clients >/dev/null 2>&1
	[[ -e $LAB ]] && "$NETNSCTL" destroy "$LAB" >/dev/null 2>&1
	lan_down
	exit $rc
}
trap cleanup EXIT

# shape SCHEMA < DOCUMENT: valid as docs/schema/SCHEMA.json says
shape() { "$PYTHON" "$TEST_DIR/schemacheck.py" "$@"; }
py() { "$PYTHON" -c "import json, sys; d = json.load(sys.stdin); print(*[$1])"; }

lan_up 100 200
ok n create-clients 50 --parent lan0

pretty "exec-all -- ping -c1 the gateway, on 50 clients: exit 0"
ok n exec-all -- ping -c 1 -W 2 10.77.1.1
assert_eq "$OUT" "all 50 clients exited 0, in ${OUT##*, in }" "output"
[[ $OUT =~ ^all\ 50\ clients\ exited\ 0,\ in\ [0-9]+\.[0-9]{3}\ s$ ]] || fail "output: $OUT"

pretty "--json: each client's exit code, duration, output tails"
ok n exec-all --json --parallel 7 -- ping -c 1 -W 2 10.77.1.1
shape exec-all <<<"$OUT" || fail "exec-all --json does not match its schema"
assert_eq "$(py 'd["count"], d["ran"], d["ok"], d["failed"], d["parallel"], d["targets"], d["command"]' <<<"$OUT")" \
	"50 50 50 0 7 clients ['ping', '-c', '1', '-W', '2', '10.77.1.1']" "summary"
"$PYTHON" - "$OUT" <<'EOF' || fail "the results do not add up"
import json, sys
d = json.loads(sys.argv[1])
names = [r["name"] for r in d["results"]]
assert names == ["ns%d" % i for i in range(1, 51)], names
for r in d["results"]:
    assert r["ran"] and r["exit"] == 0 and r["signal"] is None and not r["timed_out"], r
    assert "1 packets transmitted, 1 received" in r["stdout"], r
EOF

pretty "each command sees its client's resolv.conf, as exec does"
ok n exec-all --json --prefix ns -- cat /etc/resolv.conf
"$PYTHON" - "$OUT" <<'EOF' || fail "a client did not see its own resolv.conf"
import json, sys
for r in json.loads(sys.argv[1])["results"]:
    assert r["stdout"] == "# netnsctl create-clients\nnameserver 10.77.1.53\n", r
EOF

pretty "the gateway's address removed: exit 1, every client named"
ip -n router addr del 10.77.1.1/24 dev r0
run n exec-all --timeout 5 -- ping -c 1 -W 1 10.77.1.1
assert_eq "$RC" 1 "exit status"
assert_eq "$ERR" "" "stderr"
mapfile -t lines <<<"$OUT"
assert_eq "${#lines[@]}" 51 "lines: one per client and the summary"
for ((i = 1; i <= 50; i++)); do
	# ping exits 1 without an answer (its stderr is empty: no last line)
	[[ ${lines[i - 1]} == "ns$i: exit 1" ]] || fail "line $i: ${lines[i - 1]}"
done
[[ ${lines[50]} =~ ^50\ of\ 50\ clients\ failed,\ 0\ exited\ 0,\ in\ [0-9.]+\ s$ ]] || fail "summary: ${lines[50]}"
run n exec-all --json -- ping -c 1 -W 1 10.77.1.1
assert_eq "$RC" 1 "exit status with --json"
shape exec-all <<<"$OUT" || fail "exec-all --json does not match its schema"
assert_eq "$(py 'd["failed"], d["ok"], sorted(set(r["exit"] for r in d["results"]))' <<<"$OUT")" "50 0 [1]" "failed, ok, exit codes"
ip -n router addr add 10.77.1.1/24 dev r0

pretty "the last line of stderr, a timeout, a missing program"
run n exec-all --prefix ns --parallel 50 -- sh -c 'echo out; echo first >&2; echo "last of ${HOSTNAME:-x}" >&2; exit 3'
assert_eq "$RC" 1 "exit status"
[[ ${OUT%%$'\n'*} == 'ns1: exit 3: last of x' ]] || fail "first line: ${OUT%%$'\n'*}"
ok n exec-all --parallel 50 -- true
run n exec-all --timeout 1 --parallel 50 -- sh -c 'if [ -e /proc/self/ns/net ]; then sleep 30; fi'
assert_eq "$RC" 1 "exit status of timed out commands"
[[ ${OUT%%$'\n'*} == "ns1: timed out (exit 124)" ]] || fail "first line: ${OUT%%$'\n'*}"
[[ $(grep -c 'timed out (exit 124)$' <<<"$OUT") -eq 50 ]] || fail "not every client timed out: $OUT"
run n exec-all -- /nonexistent/program
assert_eq "$RC" 1 "exit status"
[[ ${OUT%%$'\n'*} == 'ns1: exit 127: netnsctl: cannot run \"/nonexistent/program\": No such file or directory' ]] ||
	fail "first line: ${OUT%%$'\n'*}"
# nothing of a command is left: no process, no mount namespace
assert_eq "$(pgrep -c -x sleep || true)" 0 "sleeps left"

pretty "SIGTERM: the running commands stopped, no more started, what ran reported"
"$NETNSCTL" exec-all --parallel 2 -- sleep 30 >"$TMPDIR/int.out" 2>"$TMPDIR/int.err" &
pid=$!
two_sleeping() { [[ $(pgrep -c -x sleep) -eq 2 ]]; }
wait_for 10 two_sleeping
# (SIGTERM: a non-interactive shell starts background jobs with SIGINT ignored)
kill -TERM $pid
rc=0
wait $pid || rc=$?
assert_eq "$rc" 143 "exit status of the interrupted exec-all"
assert_eq "$(<"$TMPDIR/int.err")" "netnsctl: interrupted by signal 15: 48 of 50 commands not started" "stderr"
mapfile -t lines <"$TMPDIR/int.out"
assert_eq "${lines[0]}" "ns1: killed by signal 15 (exit 143)" "first line"
assert_eq "${lines[2]}" "ns3: not run" "third line"
[[ ${lines[50]} == "50 of 50 clients failed, 0 exited 0, in "* ]] || fail "summary: ${lines[50]}"
wait_for 5 bash -c '! pgrep -x sleep'

pretty "examples/stress-router.sh against dnsmasq, a web server on the router"
ip netns exec router "$PYTHON" -m http.server --bind 10.77.1.1 8080 >/dev/null 2>&1 &
HTTP_PID=$!
wait_for 10 nsx ns1 "$PYTHON" -c 'import socket; socket.create_connection(("10.77.1.1", 8080), 1)'
url=
command -v curl >/dev/null && url=http://10.77.1.1:8080/
run env NETNSCTL="$NETNSCTL" PARENT=lan0 GATEWAY=10.77.1.1 COUNT=12 MIN=12 URL="$url" ROUNDS=0 \
	OUT="$TMPDIR/stress" "$TEST_DIR/../../examples/stress-router.sh"
kill "$HTTP_PID"
wait "$HTTP_PID" 2>/dev/null || true
[[ $RC -eq 0 && -z $ERR ]] || { show_run examples/stress-router.sh; fail "the example failed"; }
[[ $OUT == *$'\n'"leased 12 of 12 new clients (12 in all)"$'\n'"DISCOVER to ACK: p50 "* ]] || fail "example: $OUT"
[[ $OUT == *$'\n'"all 12 clients exited 0, in "* ]] || fail "example: $OUT"
[[ -z $url || $OUT == *$'\n'"12 of 12 fetched it; 0 failed"$'\n'* ]] || fail "example: $OUT"
assert_eq "$(n list-clients --prefix st)" "" "the example's clients after it"

pretty "--lab FILE: a lab's nodes"
cat >"$LAB" <<'EOF'
name: exec-all-test
nodes: [ea, eb]
links:
  - endpoints: [ea:v0, eb:v0]
    cidr: 10.78.0.0/30
EOF
expect_fail_with 1 'node "ea" of lab ".*" does not exist \(apply the lab first\)$' \
	n exec-all --lab "$LAB" -- true
ok n apply "$LAB"
ok n exec-all --lab "$LAB" --json -- ip -br -4 addr show dev v0
shape exec-all <<<"$OUT" || fail "exec-all --lab --json does not match its schema"
assert_eq "$(py 'd["targets"], [(r["name"], r["stdout"].split()[2]) for r in d["results"]]' <<<"$OUT")" \
	"nodes [('ea', '10.78.0.1/30'), ('eb', '10.78.0.2/30')]" "the nodes' addresses"
ok n exec-all --lab "$LAB" -- ping -c 1 -W 2 10.78.0.2
assert_eq "$OUT" "all 2 nodes exited 0, in ${OUT##*, in }" "output"
ok n destroy "$LAB"

pretty "bad input: exit 2 (or 1 when nothing matches), one line"
expect_fail_with 2 'no command given' n exec-all
expect_fail_with 2 'no command given' n exec-all --prefix ns --
expect_fail_naming 2 0 n exec-all --parallel 0 -- true
expect_fail_naming 2 x n exec-all --parallel x -- true
expect_fail_naming 2 0 n exec-all --timeout 0 -- true
expect_fail_naming 2 a/b n exec-all --prefix a/b -- true
expect_fail_with 2 'exclude each other' n exec-all --prefix ns --lab "$LAB" -- true
expect_fail_with 1 'no clients named zz1, zz2 \.\.\.$' n exec-all --prefix zz -- true
expect_fail_naming 1 "$TMPDIR/nosuch.yaml" n exec-all --lab "$TMPDIR/nosuch.yaml" -- true

ok n delete-clients
wait_for 10 dnsmasq_empty
lan_down
rm -f "$LAB"
assert_nothing_left
