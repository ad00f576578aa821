#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lanes: host
# why: tbf only (the host kernel has no netem); one lab, four short runs
#
# run FILE never changes a root qdisc netnsctl did not make (issue 15,
# docs/reliability.md): a timeline's clear, rate or impair event on a link
# whose root another program put there (here the test, through tc, on a
# bridge member the file gives no impairment, so apply leaves it alone)
# fails, naming the root, and the run stops (exit 1) with that root as it
# was; on a root netnsctl made (the file's own), the same events go on.
#
#   h1 eth0 10.44.0.1/24 [tbf 8001: the admin's] --- br0 (sw) --- eth0 h2

. "$(dirname "$(readlink -f "$0")")/lib.sh"

LAB=$TMPDIR/foreign.yaml
cleanup() {
	local rc=$?
	set +e
	n destroy "$LAB" >/dev/null 2>&1
	n cleanup >/dev/null 2>&1
	exit $rc
}
trap cleanup EXIT

base() {
	cat <<'EOF'
name: tlforeign
nodes: [sw, h1, h2]
bridges:
  - name: br0
    node: sw
    members:
      - {node: h1, if: eth0, addr: 10.44.0.1/24}
      - {node: h2, if: eth0, addr: 10.44.0.2/24, egress: {rate: 2mbit, burst: 32kb}}
EOF
}

admins_root() { tcn h1 qdisc show dev eth0 | grep -E '^qdisc tbf 8001: root .*rate 1Mbit' >/dev/null; }

{ base; echo 'timeline:'; echo '  - {at: 0s, clear: h1:eth0}'; } >"$LAB"
ok n apply "$LAB"
tcn h1 qdisc replace dev eth0 root handle 8001: tbf rate 1mbit burst 32kb latency 50ms
admins_root || fail "the test's own tbf is not there: $(qdisc_of h1 eth0)"

pretty "clear on a root another made: the run fails naming it, the root stays"
run n run "$LAB"
[[ $RC == 1 && $ERR == *'the root qdisc tbf 8001: of eth0 in h1 was not made by netnsctl'* && $ERR_LINES == 1 ]] ||
	{ show_run n run "$LAB"; fail "run's clear on the admin's root"; }
admins_root || fail "run cleared or changed the admin's root: $(qdisc_of h1 eth0)"

pretty "rate on a root another made: refused too, the root as it was"
{ base; echo 'timeline:'; echo '  - {at: 0s, rate: {link: h1:eth0, rate: 3mbit}}'; } >"$LAB"
run n run "$LAB"
[[ $RC == 1 && $ERR == *'was not made by netnsctl: not touched'* ]] || { show_run n run "$LAB"; fail "run's rate on the admin's root"; }
admins_root || fail "run changed the admin's root: $(qdisc_of h1 eth0)"
ok n list --json
[[ $OUT == *'"changes":[]'* ]] || fail "changes left: $OUT"

pretty "the same events on netnsctl's own root (the file's): done, then back to the base"
{ base; echo 'timeline:'; echo '  - {at: 0s, rate: {link: h2:eth0, rate: 3mbit}}';
  echo '  - {at: 100ms, clear: h2:eth0}'; } >"$LAB"
h0=$(qdisc_of h2 eth0 | awk '{ print $3 }')
run n run "$LAB"
[[ $RC == 0 ]] || { show_run n run "$LAB"; fail "run on netnsctl's own root"; }
[[ $(qdisc_of h2 eth0) == "qdisc tbf $h0 root "*"rate 2Mbit"* ]] || fail "h2:eth0 after the run: $(qdisc_of h2 eth0)"
admins_root || fail "a run of h2's events touched h1's root: $(qdisc_of h1 eth0)"

tcn h1 qdisc del dev eth0 root
ok n destroy "$LAB"
assert_nothing_left
