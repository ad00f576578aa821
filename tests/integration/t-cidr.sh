#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lanes: host uml-extended
#
# --cidr: the pair gets the first two usable addresses of the network.
#
#   +---------------+                        +---------------+
#   | netns cNa     |  veth-a ======= veth-b | netns cNb     |
#   +---------------+                        +---------------+
#
#   192.168.77.0/31   .0/31 and .1/31 (RFC 3021: both usable)
#   192.168.78.8/29   .9/29 and .10/29
#   fd00:1::/64       fd00:1::1/64 and fd00:1::2/64
#   fd00:2::/127      fd00:2::/127 and fd00:2::1/127 (RFC 6164)
#   10.0.0.0/32, fd00:3::/128: too small, exit 2, nothing made
#   re-running with another network moves the pair to it

. "$(dirname "$(readlink -f "$0")")/lib.sh"

cleanup() {
	local rc=$?
	set +e
	del_namespaces c1a c1b c2a c2b c3a c3b c4a c4b c5a c5b c6a c6b
	exit $rc
}
trap cleanup EXIT

# pair NS_A NS_B CIDR ADDR_A ADDR_B: make the pair, check the addresses, and
# ping both ways once no address is doing DAD any more.
pair() {
	local a=$1 b=$2 cidr=$3 addr_a=$4 addr_b=$5 ping=(ping)
	pretty "--cidr $cidr"
	ok n create-veth-pair "$a" "$b" --cidr "$cidr"
	assert_pair "$a" veth-a "$b" veth-b "$addr_a" "$addr_b"
	[[ $cidr != *:* ]] || ping=(ping -6)
	wait_for 10 ns_settled "$a"
	wait_for 10 ns_settled "$b"
	nsx "$b" "${ping[@]}" -c 3 -W 1 "${addr_a%/*}" >/dev/null || fail "$b cannot ping ${addr_a%/*}"
	nsx "$a" "${ping[@]}" -c 1 -W 1 "${addr_b%/*}" >/dev/null || fail "$a cannot ping ${addr_b%/*}"
}

pair c1a c1b 192.168.77.0/31 192.168.77.0/31 192.168.77.1/31
pair c2a c2b 192.168.78.8/29 192.168.78.9/29 192.168.78.10/29
pair c3a c3b fd00:1::/64 fd00:1::1/64 fd00:1::2/64
pair c4a c4b fd00:2::/127 fd00:2::/127 fd00:2::1/127

pretty "too small: nothing is made"
before=$(state)
expect_fail_naming 2 10.0.0.0/32 n create-veth-pair c5a c5b --cidr 10.0.0.0/32
expect_fail_naming 2 fd00:3::/128 n create-veth-pair c5a c5b --cidr fd00:3::/128
expect_fail_naming 2 10.0.0.0/32 n create-veth-pair c1a c1b --cidr 10.0.0.0/32
! netns_exists c5a || fail "c5a exists after a failed create-veth-pair"
! netns_exists c5b || fail "c5b exists after a failed create-veth-pair"
assert_same "$before" "$(state)" "a failed create-veth-pair changed something"

pretty "another network for an existing pair"
ok n create-veth-pair c6a c6b --cidr 192.168.79.0/29
ok n create-veth-pair c6a c6b
assert_pair c6a veth-a c6b veth-b 10.10.0.1/30 10.10.0.2/30
nsx c6b ping -c 3 -W 1 10.10.0.1 >/dev/null

pretty "take it down"
ok n delete-namespaces c1a c1b c2a c2b c3a c3b c4a c4b c6a c6b
assert_nothing_left
