#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lanes: host
# why: UML 6.1 has no nftables inet family
#
# Partitions (include/netnsctl/partition.h) on examples/chaos-partition.yaml:
# a 3 + 3 cluster and a client on one bridge.  Partitioned, the halves reach
# each other neither way (IPv4 and IPv6), each half still reaches itself,
# the client reaches everyone, and every link stays up; healed, all is as
# before and no table is left.  A second partition of the same groups with
# another mark is refused; an address on both sides is refused; a failure in
# the last namespace takes back what the others got; a table of that name
# that netnsctl did not make is left.
#
#     a1 a2 a3         b1 b2 b3        client
#      |  |  |          |  |  |          |
#   sw: ------------ br0 ------------------    10.7.0.0/24, fd07::/64
#
# Driven through tests/integration/tl-tool.c until netnsctl has its
# partition and heal commands.

. "$(dirname "$(readlink -f "$0")")/lib.sh"

command -v nft >/dev/null || fail "nft (package nftables) is missing"
[[ -n ${NETNSCTL_TL_TOOL:-} && -x $NETNSCTL_TL_TOOL ]] || fail "NETNSCTL_TL_TOOL (tl-tool) is not set"
tl() { "$NETNSCTL_TL_TOOL" "$@"; }

LAB=$TEST_DIR/../../examples/chaos-partition.yaml
A=(a1 a2 a3) B=(b1 b2 b3) ALL=(a1 a2 a3 b1 b2 b3)
declare -A V4=([a1]=10.7.0.11 [a2]=10.7.0.12 [a3]=10.7.0.13 [b1]=10.7.0.21 [b2]=10.7.0.22
	       [b3]=10.7.0.23 [client]=10.7.0.100)
declare -A V6=([a1]=fd07::11 [a2]=fd07::12 [a3]=fd07::13 [b1]=fd07::21 [b2]=fd07::22
	       [b3]=fd07::23 [client]=fd07::100)
ID=p0000000000000001
NONCE=5eed0000cafe0001

cleanup() {
	local rc=$?
	set +e
	n destroy "$LAB" >/dev/null 2>&1
	exit $rc
}
trap cleanup EXIT

reaches() { nsx "$1" ping -c 1 -W 1 -q "$2" >/dev/null 2>&1; }
# reach FROM TO: both families; cut FROM TO: neither
reach() {
	reaches "$1" "${V4[$2]}" || fail "$1 does not reach $2 (${V4[$2]})"
	reaches "$1" "${V6[$2]}" || fail "$1 does not reach $2 (${V6[$2]})"
}
cut() {
	! reaches "$1" "${V4[$2]}" || fail "$1 reaches $2 (${V4[$2]}) through the partition"
	! reaches "$1" "${V6[$2]}" || fail "$1 reaches $2 (${V6[$2]}) through the partition"
}
# cut_all: no member of a half reaches one of the other, either way, either
# family; the pings wait together (each waits a second for no answer)
cut_all() {
	local a b addr out=$TMPDIR/reached
	: >"$out"
	for a in "${A[@]}"; do
		for b in "${B[@]}"; do
			for addr in "$a ${V4[$b]}" "$a ${V6[$b]}" "$b ${V4[$a]}" "$b ${V6[$a]}"; do
				# shellcheck disable=SC2086
				{ ! reaches $addr || echo "$addr" >>"$out"; } &
			done
		done
	done
	wait
	[[ ! -s $out ]] || fail "reached through the partition (from, to): $(tr '\n' ';' <"$out")"
}
no_table() {
	local ns
	for ns; do
		! nsx "$ns" nft list table inet netnsctl >/dev/null 2>&1 || fail "table inet netnsctl left in $ns"
	done
}

pretty "apply the 3+3 cluster and its client, IPv6 too"
n apply "$LAB" >/dev/null
for ns in "${ALL[@]}" client; do
	nsx "$ns" ip addr add "${V6[$ns]}/64" dev eth0 nodad
done
for ns in "${ALL[@]}" client; do
	wait_for 10 ns_settled "$ns"
done
reach a1 b1
reach b3 a2
ref=$(kernel_state)

pretty "partition: the halves lose each other both ways, links stay up"
tl partition "$ID" "$NONCE" a1,a2,a3 b1,b2,b3
for ns in "${ALL[@]}"; do
	assert_eq "$(tl list "$ns")" "$ID $NONCE 3 3 whole" "partition in $ns"
done
cut_all
reach a1 a3
reach b2 b1
pretty "the client outside the partition still reaches both halves, and they it"
for ns in "${ALL[@]}"; do
	reach client "$ns"
	reach "$ns" client
done
for ns in "${ALL[@]}"; do
	link_is_up "$ns" eth0 || fail "eth0 in $ns is down"
	[[ $(ipn "$ns" -o link show dev eth0) != *NO-CARRIER* ]] || fail "eth0 in $ns lost its carrier"
done
# what nft shows of it: the other half's addresses in the sets
set4=$(nsx a2 nft -j list set inet netnsctl "$ID-4" | "$PYTHON" -c '
import json, sys
for o in json.load(sys.stdin)["nftables"]:
	if "set" in o:
		print(" ".join(sorted(o["set"].get("elem", []))))')
assert_eq "$set4" "10.7.0.21 10.7.0.22 10.7.0.23" "the IPv4 set of $ID in a2"
table=$(nsx b1 nft list table inet netnsctl)
[[ $table == *'comment "netnsctl partitions"'* ]] || fail "b1's table lacks netnsctl's comment: $table"

pretty "the same groups under another mark: refused, nothing changed"
run tl partition "$ID" 1234 b1,b2,b3 a1,a2,a3
[[ $RC -eq 1 && $ERR == *"partition $ID is in table inet netnsctl already, made by another run: heal it first"* ]] ||
	{ show_run tl partition; fail "expected a refusal"; }
for ns in "${ALL[@]}"; do
	assert_eq "$(tl list "$ns")" "$ID $NONCE 3 3 whole" "partition in $ns after the refusal"
done

pretty "heal with another mark removes nothing; with its own, everything"
assert_eq "$(tl heal "$ID" 99 a1,a2,a3 b1,b2,b3)" "healed in 0 namespaces"
cut a1 b1
assert_eq "$(tl heal "$ID" "$NONCE" b1,b2,b3 a1,a2,a3)" "healed in 6 namespaces"
no_table "${ALL[@]}"
reach a1 b1
reach b3 a2
assert_eq "$(kernel_state)" "$ref" "the kernel state after the heal"

pretty "an address both halves have: refused before anything is made"
nsx a2 ip addr add 10.7.0.200/32 dev lo
nsx b2 ip addr add 10.7.0.200/32 dev lo
run tl partition "$ID" "$NONCE" a1,a2,a3 b1,b2,b3
[[ $RC -eq 1 && $ERR == *"address 10.7.0.200 is on both sides: a partition by address cannot tell them apart"* ]] ||
	{ show_run tl partition; fail "expected the overlap refused"; }
no_table "${ALL[@]}"
nsx a2 ip addr del 10.7.0.200/32 dev lo
nsx b2 ip addr del 10.7.0.200/32 dev lo

pretty "the last namespace refuses: the ones before it get nothing either"
nsx b3 nft add table inet netnsctl
nsx b3 nft add set inet netnsctl "$ID-4" '{ type ipv4_addr; }'
run tl partition "$ID" "$NONCE" a1,a2,a3 b1,b2,b3
[[ $RC -eq 1 && $ERR == *'namespace "b3": cannot create set '"$ID"'-4 in table inet netnsctl: File exists'* ]] ||
	{ show_run tl partition; fail "expected b3 to refuse"; }
no_table a1 a2 a3 b1 b2
reach a1 b1
pretty "and its own table, which netnsctl did not make, stays"
nsx b3 nft list set inet netnsctl "$ID-4" >/dev/null || fail "b3's own set is gone"
assert_eq "$(tl heal "$ID" 0 a1,a2,a3 b1,b2,b3)" "healed in 0 namespaces"
nsx b3 nft list set inet netnsctl "$ID-4" >/dev/null || fail "a heal removed b3's own set"
nsx b3 nft delete table inet netnsctl

pretty "destroy"
n destroy "$LAB" >/dev/null
trap - EXIT
assert_nothing_left
