#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lanes: host
# why: one refusal or plan print per command, the same on every kernel
#
# --dry-run on every command that changes something, as netnsctl(8) promises
# (issue #13, item 4): each takes it, prints what it would do ("would ...",
# or "unchanged"), and changes nothing; each command's --help lists it.
#
#   netns sva: veth-a ====== veth-b :netns svb      sandbox: lan0 ====== r0 :netns router

. "$(dirname "$(readlink -f "$0")")/lib.sh"

cleanup() {
	local rc=$?
	set +e
	ip link del lan0 2>/dev/null
	del_namespaces sva svb router
	exit $rc
}
trap cleanup EXIT

ok n create-veth-pair sva svb
ip netns add router
ip link add lan0 type veth peer name r0 netns router
ip link set lan0 up
ip -n router link set r0 up
lan0_up() { [[ $(ip -j link show dev lan0) == *LOWER_UP* ]]; }
wait_for 10 lan0_up
take_reference

# dry CMD...: CMD --dry-run succeeds quietly and changes nothing.
dry() {
	ok n "$@" --dry-run
	assert_unchanged "\"$* --dry-run\" changed something"
}

pretty "every command that changes something takes --dry-run"
dry create-namespaces sva svc
[[ $OUT == "would create namespace svc" ]] || fail "create-namespaces: $OUT"
dry delete-namespaces sva svc
[[ $OUT == "would delete namespace sva" ]] || fail "delete-namespaces: $OUT"
dry delete-veth-pair sva svb
[[ $OUT == "would delete veth veth-a in sva <-> veth-b in svb" ]] || fail "delete-veth-pair: $OUT"
dry create-clients 3 --parent lan0
[[ $OUT == "would create client ns1: namespace, macvlan eth0 on lan0, a DHCP lease"$'\n'* &&
   $(grep -c '^would create client' <<<"$OUT") -eq 3 ]] || fail "create-clients: $OUT"
dry delete-clients
[[ $OUT == unchanged ]] || fail "delete-clients: $OUT"
dry create-veth-pair sva svb
dry set-rate sva veth-a --rate 1mbit
dry clear-qdisc sva veth-a
dry create-bridge br0
dry connect-host sva
dry cleanup

pretty "each --help lists it"
for cmd in create-namespaces delete-namespaces create-veth-pair delete-veth-pair add-delay \
	set-rate clear-qdisc create-bridge attach create-clients delete-clients connect-host \
	disconnect-host forward-port unforward-port cleanup apply destroy; do
	ok n "$cmd" --help
	[[ $OUT == *"[--dry-run]"* ]] || fail "netnsctl $cmd --help does not list --dry-run: $OUT"
done

pretty "take it down"
ip link del lan0
ok n delete-namespaces sva svb router
assert_nothing_left
