#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lanes: host
# why: not yet run in UML (the DHCP loop in UML is untested); the host lane covers it
#
# Leases are kept: the lease keeper renews at T1 (the server sets T1 = 2 s,
# T2 = 4 s), comes back when killed (the next netnsctl run starts it, from
# the lease files), and goes away with the last client.
#
#   sandbox's namespace                       netns router
#   lan0 UP ================================= r0 10.77.1.1/24  dnsmasq, T1 2 s

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

lan_up 100 150 --dhcp-option=option:T1,2 --dhcp-option=option:T2,4

# dnsmasq logs each renewal as another DHCPREQUEST/DHCPACK pair for the client.
acks_of() { grep -c "DHCPACK(r0) [0-9.]* [0-9a-f:]* $1\$" "$LAN_LOG" || true; }
acks_above() { [[ $(acks_of "$1") -gt $2 ]]; }

pretty "create-clients 3: a keeper runs"
ok n create-clients 3 --parent lan0
keeper=$(keeper_pids)
# only what renewing needs: DAC_READ_SEARCH, NET_BIND_SERVICE, NET_ADMIN,
# NET_RAW, SYS_ADMIN; the bounding set too, and no new privileges
for f in CapEff CapPrm CapBnd; do
	assert_eq "$(awk -v f="$f:" '$1 == f { print $2 }' /proc/$keeper/status)" \
		0000000000203404 "$f of the lease keeper"
done
assert_eq "$(awk '$1 == "NoNewPrivs:" { print $2 }' /proc/$keeper/status)" 1 "NoNewPrivs of the keeper"
[[ -n $keeper && $keeper != *$'\n'* ]] || fail "not one lease keeper: \"$keeper\""
addr=$(addrs_of ns1 eth0)

pretty "it renews at T1"
a=$(acks_of ns1)
wait_for 10 acks_above ns1 "$a"
wait_for 10 acks_above ns1 $((a + 1))
# a renewal is unicast from the client's address (RENEWING), not a broadcast
grep -q "DHCPREQUEST(r0) ${addr%/*} " "$LAN_LOG" || fail "no DHCPREQUEST for ${addr%/*}"
assert_eq "$(addrs_of ns1 eth0)" "$addr" "address of ns1 after renewals"
expiry1=$(grep '^expiry ' "$STATE_DIR/clients/leases/ns1")

pretty "killed, it comes back with the next netnsctl run"
kill -KILL "$keeper"
wait_for 5 [ ! -e "/proc/$keeper" ]
assert_eq "$(keeper_pids)" "" "keepers after kill -9"
sleep 3	# past T1 and T2 with nobody renewing
ok n list-clients
grep -q "^ns1 .* ${addr//./\\.} " <<<"$OUT" || fail "list-clients lost ns1: $OUT"
keeper2=$(keeper_pids)
[[ -n $keeper2 && $keeper2 != "$keeper" ]] || fail "no new lease keeper: \"$keeper2\""
a=$(acks_of ns1)
wait_for 10 acks_above ns1 "$a"
expiry_moved() { [[ $(grep '^expiry ' "$STATE_DIR/clients/leases/ns1") != "$expiry1" ]]; }
wait_for 10 expiry_moved
assert_eq "$(addrs_of ns1 eth0)" "$addr" "address of ns1 after the restart"
nsx ns1 ping -c 1 -W 2 10.77.1.1 >/dev/null

pretty "a client deleted behind its back is dropped"
ip netns del ns3
wait_for 15 [ ! -e "$STATE_DIR/clients/leases/ns3" ]

pretty "the last client deleted: the keeper goes"
ok n delete-clients
assert_eq "$(keeper_pids)" "" "keepers after delete-clients"
# ns3's lease was not released (its namespace went first): it runs out in dnsmasq
dnsmasq_only_ns3() { [[ $(dnsmasq_leases) -le 1 ]]; }
wait_for 5 dnsmasq_only_ns3
lan_down
assert_nothing_left
