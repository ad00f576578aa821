#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lanes: host uml
#
# Bridges: namespaces on a virtual switch in the host, and on one inside a
# namespace of its own; idempotent re-runs, a stale port repaired, refusals,
# and cleanup removing the host-side bridge and ports but no link of ours.
#
#                 sandbox root namespace                 netns sw
#            +----------------------------+        +-----------------+
#            | br0 10.5.0.254/24          |        | br1             |
#            |  |- a-eth-br0  |- b-eth-br0|        | |- c-eth-br1 ...|
#            +--|-------------|-----------+        +-|---------------+
#   netns a: eth-br0 10.5.0.1   netns b: eth-br0 10.5.0.2    netns c: 10.6.0.1, d: 10.6.0.2

. "$(dirname "$(readlink -f "$0")")/lib.sh"

cleanup() {
	local rc=$?
	set +e
	del_namespaces a b c d sw
	ip link del br0 2>/dev/null
	ip link del mine 2>/dev/null
	exit $rc
}
trap cleanup EXIT

master_of() { ipn "$1" -j link show dev "$2" | ipjson get 0.master ""; }

pretty "create-bridge br0 --addr 10.5.0.254/24 (in the sandbox's own namespace)"
ok n create-bridge br0 --addr 10.5.0.254/24
assert_eq "$(link_get "" br0 linkinfo.info_kind)" bridge "kind of br0"
link_is_up "" br0 || fail "br0 is down"
assert_eq "$(addrs_of "" br0)" "10.5.0.254/24" "addresses of br0"
ok n create-bridge br0 --addr 10.5.0.254/24
assert_eq "$OUT" unchanged "second create-bridge"

pretty "attach a br0, attach b br0"
ok n attach a br0 --addr 10.5.0.1/24
ok n attach b br0 --addr 10.5.0.2/24
assert_eq "$(master_of "" a-eth-br0)" br0 "master of a's port"
assert_eq "$(master_of "" b-eth-br0)" br0 "master of b's port"
assert_eq "$(addrs_of a eth-br0)" "10.5.0.1/24" "addresses of eth-br0 in a"
link_is_up a eth-br0 || fail "eth-br0 in a is down"
link_is_up "" a-eth-br0 || fail "a-eth-br0 is down"
assert_lo_up a
nsx a ping -c 1 -W 2 10.5.0.2 >/dev/null
nsx b ping -c 1 -W 2 10.5.0.254 >/dev/null
ok n attach a br0 --addr 10.5.0.1/24
assert_eq "$OUT" unchanged "second attach"

pretty "a port taken off its bridge is put back"
ip link set a-eth-br0 nomaster
ok n attach a br0 --addr 10.5.0.1/24
assert_eq "$OUT" "attach a-eth-br0 in the host to bridge br0" "repair"
assert_eq "$(master_of "" a-eth-br0)" br0 "master of a's port after repair"

pretty "a bridge in a namespace of its own"
ok n create-bridge br1 --ns sw
ok n attach c br1 --bridge-ns sw --addr 10.6.0.1/24
ok n attach d br1 --bridge-ns sw --addr 10.6.0.2/24 --if lan --port d-lan
assert_eq "$(master_of sw d-lan)" br1 "master of d's port"
nsx c ping -c 1 -W 2 10.6.0.2 >/dev/null
# the two switches are not connected
! nsx c ping -c 1 -W 1 10.5.0.1 >/dev/null 2>&1 || fail "c reaches a across two bridges"

pretty "refusals change nothing"
ip link add mine type veth peer name mine-peer
take_reference
expect_fail_with 2 "^netnsctl: mine in the host is a veth link, not a bridge" n create-bridge mine
expect_fail_naming 1 nosuch n attach e nosuch
expect_fail_naming 2 10.5.0.1/99 n attach e br0 --addr 10.5.0.1/99
expect_fail_naming 2 "a/b" n create-bridge br2 --ns a/b
expect_fail_with 2 'bridge' n attach sw br1 --bridge-ns sw
assert_unchanged "after the refused commands"
ip link del mine

pretty "cleanup removes bridges and ports in the host, and the namespaces"
ok n cleanup
! link_exists "" br0 || fail "br0 left"
! link_exists "" a-eth-br0 || fail "a's port left"
assert_nothing_left
