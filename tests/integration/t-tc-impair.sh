#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lanes: host
# serial: it measures a rate, which a test beside it on the 2 cores would skew
# why: netem is the UML lane's (t-tc-impair-netem); this is the host kernel's ifb, htb, tbf, u32 and mirred
#
# Issue #17 through the commands: set-rate/clear-qdisc with --direction and
# selectors, a stacked request refused without sch_netem, --dry-run and
# --print-tc, show-qdisc's trees, cleanup.  Measured with iperf3.
#
#   sva  veth-a 10.10.0.1/24 --+
#   svb  veth-b 10.10.0.2/24 --+-- svr: bridge br0 (ports pa, pb, pc)
#   svc  veth-c 10.10.0.3/24 --+
#
# The namespaces and links are made with ip, not netnsctl: cleanup then has
# to remove the ifb, the redirect, the clsact and the trees one by one, and
# must leave the namespaces, which are not netnsctl's.
#
# Rates: a shaped flow must measure at most the limit + 10 % and at least
# half of it (a busy CI machine may send less, never more); an unshaped one
# at least 5 times the limit.  The ingress flow also passes the ifb's tbf
# by its own byte counter.

. "$(dirname "$(readlink -f "$0")")/lib.sh"

ADDR_A=10.10.0.1 ADDR_B=10.10.0.2 ADDR_C=10.10.0.3
TMP=$(mktemp -d)
IPERF_PID=
cleanup() {
	local rc=$?
	set +e
	[[ -z $IPERF_PID ]] || kill "$IPERF_PID" 2>/dev/null
	del_namespaces sva svb svc svr
	rm -rf "$TMP"
	exit $rc
}
trap cleanup EXIT

command -v iperf3 >/dev/null || fail "iperf3 is missing (scripts/install-deps installs it)"

for ns in svr sva svb svc; do
	ip netns add "$ns"
	ip -n "$ns" link set lo up
done
ip -n svr link add br0 type bridge
ip -n svr link set br0 up
i=0
for x in a b c; do
	i=$((i + 1))
	ip -n svr link add "p$x" type veth peer name "veth-$x" netns "sv$x"
	ip -n svr link set "p$x" master br0 up
	ip -n "sv$x" addr add "10.10.0.$i/24" dev "veth-$x"
	ip -n "sv$x" link set "veth-$x" up
done
wait_for 10 nsx sva ping -n -q -c 1 -W 1 "$ADDR_B"
wait_for 10 nsx sva ping -n -q -c 1 -W 1 "$ADDR_C"

_listening() { [[ -n $(nsx "$1" ss -Hltn "sport = :5201") ]]; }

# mbit FROM TO ADDR: the link-layer rate (Mbit/s) of a 4 s TCP transfer
# FROM -> TO (iperf3: the median of the receiver's 1 s intervals, the
# first second left out, as the fidelity tests measure), in MBIT, and the
# bytes the receiver got in BYTES.
mbit() {
	local from=$1 to=$2 addr=$3 rc=0
	nsx "$to" timeout 60 iperf3 -s -1 -B "$addr" -p 5201 -J >"$TMP/server.json" 2>&1 &
	IPERF_PID=$!
	wait_for 20 _listening "$to"
	nsx "$from" timeout 40 iperf3 -c "$addr" -p 5201 -t 4 -O 1 -J >"$TMP/client.json" 2>&1 || rc=$?
	wait "$IPERF_PID" || true
	IPERF_PID=
	((rc == 0)) || { cat "$TMP/client.json" >&2; fail "iperf3 $from -> $to: exit $rc"; }
	read -r MBIT BYTES < <("$PYTHON" -c '
import json, statistics, sys
srv = json.load(open(sys.argv[1]))
cli = json.load(open(sys.argv[2]))
bps = [i["sum"]["bits_per_second"] for i in srv["intervals"]
       if not i["sum"].get("omitted") and i["sum"]["seconds"] > 0.5]
mss = cli["start"].get("tcp_mss_default") or 1448
# goodput to the link layer: a full frame (1500 + 14) carries one MSS
print("%.2f %d" % (statistics.median(bps) * 1514 / mss / 1e6, srv["end"]["sum_received"]["bytes"]))' \
		"$TMP/server.json" "$TMP/client.json") || { cat "$TMP/server.json" >&2; fail "no intervals in iperf3's report"; }
}

# shaped WHAT LIMIT_MBIT: the last mbit() is at most LIMIT + 10 %, at least half.
shaped() {
	awk -v r="$MBIT" -v l="$2" 'BEGIN { exit !(r <= 1.1 * l && r >= 0.5 * l) }' ||
		fail "$1: $MBIT Mbit/s, expected at most $(awk -v l="$2" 'BEGIN { print 1.1 * l }') (and at least half of $2)"
	pretty "$1: $MBIT Mbit/s (limit $2)"
}
# unshaped WHAT LIMIT_MBIT: the last mbit() is at least 5 times LIMIT.
unshaped() {
	awk -v r="$MBIT" -v l="$2" 'BEGIN { exit !(r >= 5 * l) }' ||
		fail "$1: $MBIT Mbit/s, expected at least 5 x $2 (not shaped)"
	pretty "$1: $MBIT Mbit/s (not shaped)"
}

# Every tc and link object of sva, for "nothing changed".
sva_state() {
	ip -n sva -o link show | sed 's/ state [A-Z]*//'
	tc -n sva qdisc show
	tc -n sva class show dev veth-a
	tc -n sva filter show dev veth-a
	tc -n sva filter show dev veth-a ingress
	! ip -n sva link show dev ifb-veth-a >/dev/null 2>&1 || {
		tc -n sva class show dev ifb-veth-a
		tc -n sva filter show dev ifb-veth-a
	}
}

# Nothing of netnsctl's on sva: no ifb, no filter or clsact on either hook,
# no class, the kernel's default root.
assert_bare() {
	! ip -n sva link show dev ifb-veth-a >/dev/null 2>&1 || fail "$1: ifb-veth-a is left"
	[[ -z $(ip -n sva -o link show type ifb) ]] || fail "$1: an ifb is left: $(ip -n sva -o link show type ifb)"
	[[ -z $(tc -n sva filter show dev veth-a ingress) ]] || fail "$1: ingress filters left"
	[[ -z $(tc -n sva filter show dev veth-a) ]] || fail "$1: egress filters left"
	[[ -z $(tc -n sva class show dev veth-a) ]] || fail "$1: classes left"
	[[ $(tc -n sva qdisc show dev veth-a) == "qdisc noqueue 0: root "* &&
		$(tc -n sva qdisc show dev veth-a) != *$'\n'* ]] ||
		fail "$1: qdiscs left on veth-a: $(tc -n sva qdisc show dev veth-a)"
	netns_exists sva || fail "$1: namespace sva (not netnsctl's) is gone"
}

# --- ingress ---------------------------------------------------------------

pretty "set-rate --direction ingress: an ifb, a clsact, a redirect"
before=$(sva_state)
ok n set-rate sva veth-a --rate 10mbit --direction ingress --dry-run
[[ $OUT == *"would create ifb ifb-veth-a"* && $OUT == *"would redirect the ingress of veth-a"* ]] ||
	fail "dry-run: $OUT"
assert_same "$before" "$(sva_state)" "--dry-run changed something"
# A tree edit's --json: the engine's document, its steps typed.
ok n set-rate sva veth-a --rate 10mbit --direction ingress --dry-run --json
"$PYTHON" "$TEST_DIR/schemacheck.py" change <<<"$OUT" || fail "--dry-run --json against its schema: $OUT"
assert_eq "$(ipjson get dry_run <<<"$OUT")" true "--dry-run --json: dry_run"
assert_eq "$(ipjson get steps.0.kind <<<"$OUT")/$(ipjson get steps.1.kind <<<"$OUT")/$(ipjson get steps.2.kind <<<"$OUT")" \
	ifb/tc_tree/redirect "--dry-run --json: the ingress steps"
assert_eq "$(ipjson get steps.1.tree.rate_bytes_per_sec <<<"$OUT")" 1250000 "--dry-run --json: the ifb's tree"
assert_same "$before" "$(sva_state)" "--dry-run --json changed something"
ok n set-rate sva veth-a --rate 10mbit --direction ingress --print-tc
[[ $OUT == *"type ifb"* && $OUT == *"clsact"* && $OUT == *"mirred egress redirect dev ifb-veth-a"* &&
	$OUT == *"tc -n sva qdisc add dev ifb-veth-a root handle 1: tbf rate 10mbit"* ]] || fail "print-tc: $OUT"
assert_same "$before" "$(sva_state)" "--print-tc changed something"
ok n set-rate sva veth-a --rate 10mbit --direction ingress
[[ $(ip -n sva -d link show dev ifb-veth-a) == *" ifb "* ]] || fail "no ifb-veth-a: $(ip -n sva -d link show)"
[[ $(tc -n sva qdisc show dev veth-a) == *"qdisc clsact"* ]] || fail "no clsact on veth-a"
[[ $(tc -n sva filter show dev veth-a ingress) == *"Egress Redirect to device ifb-veth-a"* ]] ||
	fail "no redirect: $(tc -n sva filter show dev veth-a ingress)"
[[ $(tc -n sva qdisc show dev veth-a) == *"qdisc noqueue 0: root"* ]] || fail "the egress root changed"
[[ $(tc -n sva qdisc show dev ifb-veth-a) == *"qdisc tbf 1: root"*"rate 10Mbit"* ]] ||
	fail "the ifb's tree: $(tc -n sva qdisc show dev ifb-veth-a)"
ok n set-rate sva veth-a --rate 10mbit --direction ingress
assert_eq "$OUT" unchanged "the same set-rate again"

ok n show-qdisc sva veth-a
[[ $OUT == *"ingress (ifb-veth-a): root 1: tbf rate 10Mbit"* && $OUT == *"egress: none"* ]] || fail "show-qdisc: $OUT"
ok n show-qdisc sva veth-a --json
"$PYTHON" "$TEST_DIR/schemacheck.py" show-qdisc <<<"$OUT" || fail "show-qdisc --json against its schema: $OUT"
assert_eq "$(ipjson get ingress.ifb <<<"$OUT")" ifb-veth-a "show-qdisc --json: the ifb"
assert_eq "$(ipjson get ingress.tree.rate_bytes_per_sec <<<"$OUT")" 1250000 "show-qdisc --json: the ingress rate"

sent0=$(tc -n sva -s -j qdisc show dev ifb-veth-a | ipjson get 0.bytes)
mbit svb sva "$ADDR_A"
shaped "svb -> sva, ingress of veth-a limited to 10 Mbit/s" 10
sent1=$(tc -n sva -s -j qdisc show dev ifb-veth-a | ipjson get 0.bytes)
((sent1 - sent0 >= BYTES)) ||
	fail "the ifb's tbf sent $((sent1 - sent0)) bytes, fewer than the $BYTES received: traffic went round it"
mbit sva svb "$ADDR_B"
unshaped "sva -> svb, egress of veth-a untouched" 10

# --- per destination ---------------------------------------------------------

pretty "set-rate --to: a rule of its own, the rest not limited"
ok n set-rate sva veth-a --rate 10mbit --to "$ADDR_B/32"
# (a random root handle: veth-a is not netnsctl's, an admin may use 1:)
[[ $(tc -n sva qdisc show dev veth-a) =~ qdisc\ htb\ [0-9a-f]+:\ root ]] || fail "no htb root: $(tc -n sva qdisc show dev veth-a)"
[[ $(tc -n sva filter show dev veth-a) == *"match 0a0a0002/ffffffff at 16"* ]] ||
	fail "no u32 filter for $ADDR_B: $(tc -n sva filter show dev veth-a)"
ok n set-rate sva veth-a --rate 10mbit --to "$ADDR_B/32"
assert_eq "$OUT" unchanged "the same rule again"
mbit sva svb "$ADDR_B"
shaped "sva -> svb, the rule's destination" 10
mbit sva svc "$ADDR_C"
unshaped "sva -> svc, another destination" 10

pretty "a second rule, changed and removed on its own"
ok n set-rate sva veth-a --rate 20mbit --to "$ADDR_C/32" --proto tcp --port 5201
[[ $OUT == "add rule 2 to $ADDR_C/32 port 5201 proto tcp on veth-a in sva (egress): tbf rate 20Mbit"* ]] ||
	fail "second rule: $OUT"
ok n set-rate sva veth-a --rate 30mbit --port 5201 --to "$ADDR_C/32" --proto tcp
[[ $OUT == "change rule 2 to $ADDR_C/32 port 5201 proto tcp on veth-a in sva (egress): tbf rate 20Mbit"*"-> tbf rate 30Mbit"* &&
	$OUT != *$'\n'* ]] || fail "changing the second rule: $OUT"
ok n show-qdisc sva veth-a --json
"$PYTHON" "$TEST_DIR/schemacheck.py" show-qdisc <<<"$OUT" || fail "show-qdisc --json against its schema: $OUT"
assert_eq "$(ipjson get egress.classes.1.ports.0 <<<"$OUT")" 5201 "show-qdisc --json: the second rule's port"
ok n clear-qdisc sva veth-a --to "$ADDR_C/32" --proto tcp --port 5201 --json
"$PYTHON" "$TEST_DIR/schemacheck.py" change <<<"$OUT" || fail "clear-qdisc --json against its schema: $OUT"
assert_eq "$(ipjson get changed <<<"$OUT")/$(ipjson get steps.0.kind <<<"$OUT")/$(ipjson get steps.0.op <<<"$OUT")" \
	true/tc_rule/remove "clear-qdisc --json of one rule"
[[ $(ipjson get steps.0.step <<<"$OUT") == "remove rule 2 to $ADDR_C/32"* ]] || fail "removing the second rule: $OUT"
[[ $(tc -n sva class show dev veth-a | grep -c '^class htb') == 2 ]] ||
	fail "classes after removing one rule: $(tc -n sva class show dev veth-a)"
ok n clear-qdisc sva veth-a --to "$ADDR_C/32" --proto tcp --port 5201
assert_eq "$OUT" unchanged "removing a rule that is not there"

# --- stacking without sch_netem -----------------------------------------------

pretty "add-delay on the rule's tbf and on the ingress tbf: refused, nothing changed"
before=$(sva_state)
expect_fail_with 1 'this kernel has no sch_netem' n add-delay sva veth-a --delay 20ms --to "$ADDR_B/32"
assert_same "$before" "$(sva_state)" "a refused stacked add-delay changed something"
expect_fail_with 1 'this kernel has no sch_netem' n add-delay sva veth-a --delay 20ms --direction ingress
assert_same "$before" "$(sva_state)" "a refused stacked add-delay (ingress) changed something"
expect_fail_with 1 'this kernel has no sch_netem' n add-delay sva veth-a --delay 20ms --direction both --dry-run
assert_same "$before" "$(sva_state)" "a refused stacked add-delay --dry-run changed something"

pretty "bad input: one line naming the value, exit 2"
expect_fail_naming 2 sideways n set-rate sva veth-a --rate 1mbit --direction sideways
expect_fail_naming 2 sctp n set-rate sva veth-a --rate 1mbit --proto sctp
expect_fail_with 2 'port.*icmp' n set-rate sva veth-a --rate 1mbit --port 80 --proto icmp
assert_same "$before" "$(sva_state)" "bad input changed something"

# --- --print-tc replayed ----------------------------------------------------------

pretty "--print-tc's commands, run by a shell, make what netnsctl makes"
ok n create-veth-pair svd sve --cidr 10.20.0.0/30
args=(--rate 10mbit --to 10.20.0.2/32 --port 80 --proto tcp --direction both)
ok n set-rate svd veth-a "${args[@]}"
ok n add-delay svd veth-a --delay 20ms --to 10.20.0.2/32 --port 80 --proto tcp --direction both --print-tc
[[ $OUT == *"netem delay 20ms"*"tbf rate 10mbit"* ]] || fail "print-tc of a stack: $OUT"
ok n show-qdisc svd veth-a --json
mine=$OUT
ok n set-rate svd veth-a "${args[@]}" --print-tc
cmds=$OUT
ok n clear-qdisc svd veth-a --direction both
while IFS= read -r line; do
	eval "$line" || fail "print-tc's command failed: $line"
done <<<"$cmds"
ok n show-qdisc svd veth-a --json
assert_same "$mine" "$OUT" "show-qdisc of netnsctl's trees and of --print-tc's"
ip -n svd link del ifb-veth-a
ok n delete-namespaces svd sve

# --- clear and cleanup ----------------------------------------------------------

pretty "clear-qdisc --direction both: no ifb, filter, class or clsact left"
ok n clear-qdisc sva veth-a --direction both
assert_bare "clear-qdisc --direction both"
ok n clear-qdisc sva veth-a --direction both
assert_eq "$OUT" unchanged "clear-qdisc again"

pretty "an ifb of someone else's under netnsctl's name is left alone"
ip -n svc link add ifb-veth-c type ifb
expect_fail_naming 2 ifb-veth-c n set-rate svc veth-c --rate 10mbit --direction ingress
[[ -z $(tc -n svc filter show dev veth-c ingress) ]] || fail "a redirect was made to someone else's ifb"
ip -n svc link show dev ifb-veth-c >/dev/null || fail "someone else's ifb is gone"

pretty "cleanup removes what is left, one object at a time"
ok n set-rate sva veth-a --rate 10mbit --to "$ADDR_B/32" --direction both
ok n cleanup --dry-run
[[ $OUT == *"would remove the ingress redirect of veth-a in sva"* && $OUT == *"would delete ifb-veth-a in sva"* &&
	$OUT == *"would delete the clsact qdisc of veth-a in sva"* ]] || fail "cleanup --dry-run: $OUT"
ok n cleanup
assert_bare "cleanup"
ip -n svc link show dev ifb-veth-c >/dev/null || fail "cleanup removed someone else's ifb"
ok n cleanup
assert_eq "$OUT" unchanged "cleanup again"

pretty "cleanup after the ifb was deleted behind netnsctl's back: the redirect still goes"
ok n set-rate sva veth-a --rate 10mbit --direction ingress
ip -n sva link del ifb-veth-a
[[ -n $(tc -n sva filter show dev veth-a ingress) ]] || fail "the redirect went with the ifb"
ok n cleanup
assert_bare "cleanup without the ifb"
