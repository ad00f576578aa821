#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lanes: host uml-extended
#
# Unit traps for people who come from tcconfig (issue #13, item 6):
# - on the command line tc's spellings stay, with a one-line note on stderr
#   naming both readings ("10mbps" is megabytes/s, "--delay 100" is 100 us);
# - in a lab file a time or rate without a unit is refused, file:line:col;
# - a tbf burst smaller than one full-size frame of the link is refused
#   (exit 2, nothing changed), naming the smallest burst that works, and
#   that one passes full-size packets.
#
#   netns sva: veth-a 10.10.0.1/30 ====== veth-b 10.10.0.2/30 :netns svb

. "$(dirname "$(readlink -f "$0")")/lib.sh"

WORK=$(mktemp -d)
cleanup() {
	local rc=$?
	set +e
	del_namespaces sva svb
	rm -rf "$WORK"
	exit $rc
}
trap cleanup EXIT

ok n create-veth-pair sva svb
wait_for 10 ns_settled sva
wait_for 10 ns_settled svb

pretty "--rate 10mbps: tc's reading, and a note naming both"
run n set-rate sva veth-a --rate 10mbps
[[ $RC -eq 0 ]] || { show_run; fail "set-rate --rate 10mbps failed"; }
assert_eq "$ERR" "netnsctl: note: 10mbps is 10 megabytes/s = 80Mbit/s, as in tc; for megabits write 10mbit" "stderr"
[[ $(qdisc_of sva veth-a) == *"rate 80Mbit"* ]] || fail "10mbps is not 80Mbit: $(qdisc_of sva veth-a)"
ok n set-rate sva veth-a --rate 10mbit
[[ $(qdisc_of sva veth-a) == *"rate 10Mbit"* ]] || fail "10mbit is not 10Mbit: $(qdisc_of sva veth-a)"

pretty "--delay 100 (dry run): microseconds, and a note"
# The note comes from reading the option, before the plan: a kernel without
# sch_netem (this host's) then refuses the plan, one with it prints it.
note="netnsctl: note: 100 is 100us (microseconds), as in tc; for milliseconds write 100ms"
run n add-delay sva veth-a --delay 100 --dry-run
if [[ $ERR == *"has no sch_netem"* ]]; then
	assert_eq "$RC" 1 "exit status without sch_netem"
	assert_eq "$ERR" "$note"$'\n'"netnsctl: this kernel has no sch_netem (Specified qdisc kind is unknown)" "stderr"
else
	assert_eq "$RC" 0 "exit status"
	assert_eq "$ERR" "$note" "stderr"
	[[ $OUT == *"delay 100us"* ]] || fail "delay 100 is not 100us: $OUT"
fi

pretty "a burst below one full-size frame: refused, with the smallest that works"
take_reference
expect_fail_with 2 '^netnsctl: invalid burst of 1024 bytes: smaller than a full-size frame on veth-a in sva \(MTU 1500 \+ 14 bytes of header\); at least 1514b$' \
	n set-rate sva veth-a --rate 1gbit --burst 1k
assert_unchanged "a refused set-rate changed something"
ip -n sva link set veth-a mtu 1400
expect_fail_with 2 'at least 1414b$' n set-rate sva veth-a --rate 1gbit --burst 1413
ok n set-rate sva veth-a --rate 1gbit --burst 1414
nsx sva ping -c 3 -i 0.2 -W 1 -M do -s 1372 10.10.0.2 >/dev/null ||
	fail "full-size packets do not pass with the smallest burst netnsctl allows"

pretty "a lab file's bare time or rate: refused where it is"
cat >"$WORK/lab.yaml" <<'EOF2'
name: traps
nodes: [sva, svb]
links:
  - endpoints: [sva:veth-a, svb:veth-b]
    impair: {delay: 100}
EOF2
expect_fail_with 2 "^netnsctl: $WORK/lab.yaml:5:21: invalid delay \"100\": no unit \\(100ms\\? 100us\\?\\)$" \
	n apply "$WORK/lab.yaml"

pretty "take it down"
ok n delete-namespaces sva svb
assert_nothing_left
