#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lanes: host
# why: the scripted server and the keeper's timing are the same on both kernels
#
# Renewal times a server gets wrong do not make the lease keeper flood it
# (RFC 2131 4.4.5 defaults and netnsctl's floors, docs/clients.md): T1 = T2 =
# 0 (options 58/59) and a 1-second lease once made it send thousands of
# DHCPREQUESTs a second.
#
#   sandbox's namespace                       netns router
#   lan0 UP ================================= r0 10.77.1.1/24  dhcpd.py

. "$(dirname "$(readlink -f "$0")")/lib.sh"
. "$TEST_DIR/clients-lib.sh"

cleanup() {
	local rc=$?
	set +e
	"$NETNSCTL" delete-clients >/dev/null 2>&1
	lan_down
	exit $rc
}
trap cleanup EXIT

# requests_in SECONDS: the DHCPREQUESTs the server gets in that time
requests_in() {
	local before
	before=$(scripted_count REQUEST)
	sleep "$1"
	echo $(($(scripted_count REQUEST) - before))
}

pretty "T1 = T2 = 0 in a 120 s lease: renewals at 60 s and 105 s, not at once"
lan_up_scripted 100 150 --lease 120 --t1 0 --t2 0
ok n create-clients 2 --parent lan0
assert_eq "$(grep '^lease ' "$STATE_DIR/clients/leases/ns1")" "lease 120 60 105" "ns1's lease times"
got=$(requests_in 3)
[[ $got -eq 0 ]] || fail "$got DHCPREQUESTs in 3 s after the clients were made"
ok n delete-clients
lan_down

pretty "a 1-second lease: taken as 20 s (renew at 10 s, rebind at 17.5 s)"
lan_up_scripted 100 150 --lease 1
ok n create-clients 2 --parent lan0
assert_eq "$(grep '^lease ' "$STATE_DIR/clients/leases/ns1")" "lease 20 10 17" "ns1's lease times"
got=$(requests_in 3)
[[ $got -eq 0 ]] || fail "$got DHCPREQUESTs in 3 s after the clients were made"
addr=$(addrs_of ns1 eth0)
# the renewal comes (unicast from the client's address), and the address stays
renewed() { grep -q "^REQUEST .* ciaddr ${addr%/*} " "$LAN_LOG"; }
wait_for 15 renewed
assert_eq "$(addrs_of ns1 eth0)" "$addr" "address of ns1 after its renewal"
ok n delete-clients
lan_down

pretty "T1 = 1 s in a 120 s lease: renewals 2 s apart at least"
lan_up_scripted 100 150 --lease 120 --t1 1 --t2 110
ok n create-clients 1 --parent lan0
got=$(requests_in 5)
[[ $got -ge 1 && $got -le 3 ]] || fail "$got DHCPREQUESTs in 5 s with T1 = 1 s (floor 2 s)"
ok n delete-clients
lan_down

assert_nothing_left
