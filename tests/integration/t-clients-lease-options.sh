#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lanes: host
# why: DHCP options and routes, the same on both kernels; the host lane covers it
#
# What a DHCP server hands out that cannot be used as it is (issue #12): a
# router outside the leased subnet gets a host route on the link first (as
# dhclient's script does); DNS servers 0.0.0.0, 255.255.255.255 and 127.x,
# and routers that cannot be one, are dropped with one warning each; a
# failure's reason is given whole.
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

pretty "a router outside the subnet: a host route to it on the link, then the default route"
lan_up_scripted 100 150 --router 192.0.2.1 --dns 10.77.1.53
ok n create-clients 2 --parent lan0
for ns in ns1 ns2; do
	assert_eq "$(ip -n $ns -4 route show default)" "default via 192.0.2.1 dev eth0 proto static " \
		"default route of $ns"
	assert_eq "$(ip -n $ns -4 route show 192.0.2.1)" "192.0.2.1 dev eth0 proto static scope link " \
		"route to the router in $ns"
done
ok n list-clients
[[ $OUT == *"ns1 "*" 192.0.2.1 "* ]] || fail "list-clients: $OUT"
ok n delete-clients
lan_down

pretty "DNS servers 0.0.0.0 and 127.0.0.53 dropped, with a warning each (not one per client)"
lan_up_scripted 100 150 --router 10.77.1.1 --dns 0.0.0.0,10.77.1.53,127.0.0.53
run n create-clients 3 --parent lan0
[[ $RC -eq 0 ]] || { show_run create-clients; fail "create-clients failed"; }
assert_eq "$ERR" "netnsctl: warning: DHCP server 10.77.1.1: DNS server 0.0.0.0 not used (not an address of a host (0.0.0.0/8))
netnsctl: warning: DHCP server 10.77.1.1: DNS server 127.0.0.53 not used (a loopback address)" "stderr"
for ns in ns1 ns2 ns3; do
	assert_eq "$(grep nameserver "$ETC_DIR/$ns/resolv.conf")" "nameserver 10.77.1.53" "resolv.conf of $ns"
done
ok n list-clients --json --prefix ns
"$PYTHON" -c '
import json, sys
assert all(c["dns"] == ["10.77.1.53"] for c in json.loads(sys.argv[1])["clients"]), sys.argv[1]
' "$OUT" || fail "list-clients --json: $OUT"
ok n delete-clients
lan_down

pretty "DNS server 255.255.255.255 and router 127.0.0.1: no resolv.conf, no default route"
lan_up_scripted 100 150 --router 127.0.0.1 --dns 255.255.255.255
run n create-clients 1 --parent lan0
[[ $RC -eq 0 ]] || { show_run create-clients; fail "create-clients failed"; }
assert_eq "$ERR" "netnsctl: warning: DHCP server 10.77.1.1: router 127.0.0.1 not used (a loopback address): no default route
netnsctl: warning: DHCP server 10.77.1.1: DNS server 255.255.255.255 not used (the broadcast address)" "stderr"
[[ ! -e $ETC_DIR/ns1/resolv.conf ]] || fail "resolv.conf: $(<"$ETC_DIR/ns1/resolv.conf")"
assert_eq "$(ip -n ns1 -4 route show default)" "" "default route of ns1"
addrs=$(addrs_of ns1 eth0)
[[ $addrs == 10.77.1.1[0-9][0-9]/24 ]] || fail "address of ns1: $addrs"
ok n delete-clients
lan_down

pretty "--dns 0.0.0.0 or 255.255.255.255 of the user: refused"
expect_fail_naming 2 0.0.0.0 n create-clients 1 --parent lo --dns 0.0.0.0
expect_fail_naming 2 255.255.255.255 n create-clients 1 --parent lo --dns 255.255.255.255

pretty "a failure's reason is given whole, once for the clients it fails alike"
lan_up_scripted 100 150 --nak "$(printf 'address %.0s' {1..10})taken"
expect_fail_with 1 '^netnsctl: 2 of 2 new clients got no lease within 3\.000 s, all 2 rolled back: ns1, ns2 \(DHCPNAK: (address ){10}taken\)$' \
	n create-clients 2 --parent lan0 --timeout 3
lan_down

assert_nothing_left
