#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lanes: host
# why: partitions need the nftables inet family (UML 6.1 has none)
#
# Timed changes (include/netnsctl/timed.h) outlive their maker: a link set
# down for a while, a tbf root, a partition, each made as `--for` will make
# them (tests/integration/tl-tool.c: the record and the reverter before the
# kernel change), the maker then killed with SIGKILL.  The reverter
# (netnsctl reverter, a detached process) puts each back at its deadline,
# and leaves when nothing is left; a qdisc changed by hand meanwhile is
# left as it is; cleanup's pass puts back one whose deadline is far off.
#
#   a veth-a 10.10.0.1/30 ==== veth-b 10.10.0.2/30 b

. "$(dirname "$(readlink -f "$0")")/lib.sh"

command -v nft >/dev/null || fail "nft (package nftables) is missing"
[[ -n ${NETNSCTL_TL_TOOL:-} && -x $NETNSCTL_TL_TOOL ]] || fail "NETNSCTL_TL_TOOL (tl-tool) is not set"
tl() { "$NETNSCTL_TL_TOOL" "$@"; }
export NETNSCTL

MAKER=
cleanup() {
	local rc=$? pid
	set +e
	[[ -z $MAKER ]] || kill -9 "$MAKER" 2>/dev/null
	pid=$(tl reverter-pid 2>/dev/null)
	[[ ${pid:-0} -le 0 ]] || kill "$pid"
	n cleanup >/dev/null 2>&1
	exit $rc
}
trap cleanup EXIT

# carrier NS IF: the kernel's view of IF from inside NS, "up" or "down"
carrier() { [[ $(ipn "$1" -o link show dev "$2") == *LOWER_UP* ]] && echo up || echo down; }
reverter_gone() { [[ $(tl reverter-pid) == 0 ]]; }
no_records() { [[ $(tl timed-list) == "[]" ]]; }

# make_change ARGS...: tl-tool ARGS in the background (itself: $! is its
# pid) until it says "armed"
make_change() {
	local out=$TMPDIR/maker.out
	: >"$out"
	"$NETNSCTL_TL_TOOL" "$@" >"$out" &
	MAKER=$!
	wait_for 10 grep -q '^armed ' "$out"
}
kill_maker() {
	kill -9 "$MAKER"
	wait "$MAKER" 2>/dev/null || true
	MAKER=
}

n create-veth-pair a b --cidr 10.10.0.0/30 >/dev/null
wait_for 10 ns_settled a
wait_for 10 ns_settled b

pretty "a link down for 4 s, its maker killed with -9: b sees the carrier go and come back"
make_change timed-down a veth-a 4000
link_is_up a veth-a && fail "veth-a is still up"
assert_eq "$(carrier b veth-b)" down "veth-b's carrier while veth-a is down"
kill_maker
rev=$(tl reverter-pid)
[[ $rev -gt 0 ]] || fail "no reverter runs"
[[ $(tr '\0' ' ' </proc/"$rev"/cmdline) == "$NETNSCTL reverter " ]] || fail "the reverter is $(tr '\0' ' ' </proc/"$rev"/cmdline)"
[[ $(tl timed-list) == *'"kind":"link","ns":"a","name":"veth-a"'*'"before":"up","during":"down"'* ]] ||
	fail "the pending deadline: $(tl timed-list)"
wait_for 15 link_is_up a veth-a
wait_for 5 test "$(carrier b veth-b)" = up
nsx a ping -c 1 -W 2 -q 10.10.0.2 >/dev/null || fail "a does not reach b after the revert"
pretty "the reverter leaves once nothing is left, and says what it did"
wait_for 5 reverter_gone
no_records || fail "records left: $(tl timed-list)"
[[ $(<"$STATE_DIR/timed/reverter.log") == *"netnsctl reverter[$rev]: put back 1 change"* ]] ||
	fail "reverter.log: $(<"$STATE_DIR/timed/reverter.log")"

pretty "a tbf root for 1 s, put back to the kernel's default"
make_change timed-rate a veth-a 125000 1000
[[ $(qdisc_of a veth-a) == *"qdisc tbf "*"rate 1Mbit"* ]] || fail "no tbf: $(qdisc_of a veth-a)"
kill_maker
wait_for 10 reverter_gone
[[ $(qdisc_of a veth-a) != *tbf* ]] || fail "the tbf is still there: $(qdisc_of a veth-a)"

pretty "changed by hand meanwhile: left as it is"
make_change timed-rate a veth-a 125000 1500
handle=$(qdisc_of a veth-a | awk '/tbf/ { print $3 }')
tcn a qdisc replace dev veth-a root handle "$handle" tbf rate 2mbit burst 32kb latency 50ms
kill_maker
wait_for 10 reverter_gone
[[ $(qdisc_of a veth-a) == *"rate 2Mbit"* ]] || fail "the hand-made tbf was changed: $(qdisc_of a veth-a)"
tcn a qdisc del dev veth-a root

pretty "a partition for 1.5 s, healed by the reverter"
make_change timed-partition p1 c0ffee a b 1500
! nsx a ping -c 1 -W 1 -q 10.10.0.2 >/dev/null 2>&1 || fail "a reaches b through the partition"
kill_maker
wait_for 10 reverter_gone
! nsx a nft list table inet netnsctl >/dev/null 2>&1 || fail "a's partition table is left"
! nsx b nft list table inet netnsctl >/dev/null 2>&1 || fail "b's partition table is left"
nsx a ping -c 1 -W 2 -q 10.10.0.2 >/dev/null || fail "a does not reach b after the heal"

pretty "cleanup puts back one whose deadline is an hour off"
make_change timed-down b veth-b 3600000
kill_maker
[[ $(tl reverter-pid) -gt 0 ]] || fail "no reverter runs"
assert_eq "$(tl timed-cleanup)" "put back 1"
link_is_up b veth-b || fail "veth-b is still down"
wait_for 5 reverter_gone
no_records || fail "records left: $(tl timed-list)"

n cleanup >/dev/null
trap - EXIT
assert_nothing_left
