#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lanes: host uml-extended
# (passes in UML 6.1 too, a 240 s job: in the extended lane for CI's time)
#
# create-clients on a LAN with a DHCP server: every client leased with a
# distinct address from the range, its default route and DNS installed, able
# to reach the router; the same MAC and address when made again; leases given
# back on delete; adding to a group leaves it alone; --static; bad input.
#
#   sandbox's namespace                       netns router
#   lan0 UP ================================= r0 10.77.1.1/24  dnsmasq
#    |  macvlan eth0 in ns1 .. nsN (10.77.1.100-250, via 10.77.1.1, DNS 10.77.1.53)
#
# Checks read the kernel (ip -j), the files and dnsmasq's lease file.

. "$(dirname "$(readlink -f "$0")")/lib.sh"
. "$TEST_DIR/clients-lib.sh"

# UML forks slowly: fewer clients there.
COUNT=20
[[ $NETNSCTL_SANDBOX == host ]] || COUNT=6

cleanup() {
	local rc=$?
	set +e
	"$NETNSCTL" delete-clients >/dev/null 2>&1
	lan_down
	del_namespaces lan1ns
	ip link del lan1 2>/dev/null
	exit $rc
}
trap cleanup EXIT

lan_up 100 250

# client_facts NS: "MAC ADDR/LEN GATEWAY" as the kernel reports them (ip's
# brief output: no python per client, which UML pays a second for).
client_facts() {
	local mac addr gw
	read -r _ _ mac _ <<<"$(ipn "$1" -br link show dev eth0)"
	read -r _ _ addr _ <<<"$(ipn "$1" -br -4 addr show dev eth0)"
	read -r _ _ gw _ <<<"$(ipn "$1" route show default)"
	echo "$mac $addr $gw"
}

# client_kind NS: "macvlan mode MODE" from ip -d.
client_kind() { ipn "$1" -d link show dev eth0 | grep -o 'macvlan mode [a-z]*'; }

pretty "create-clients $COUNT --parent lan0"
ok n create-clients "$COUNT" --parent lan0
assert_eq "${OUT%%$'\n'*}" "created $COUNT clients, $COUNT in all" "output"
# and what leasing took (docs/clients.md)
[[ ${OUT#*$'\n'} =~ ^leased\ $COUNT/$COUNT\ in\ [0-9]+\.[0-9]{3}\ s:\ p50\ [0-9.]+\ ms,\ p90\ [0-9.]+\ ms,\ p99\ [0-9.]+\ ms,\ max\ [0-9.]+\ ms\;\ [0-9]+\ retransmissions?,\ [0-9]+\ NAKs?$ ]] ||
	fail "no lease summary: $OUT"
declare -A seen_addr seen_mac before
for ((i = 1; i <= COUNT; i++)); do
	ns=ns$i
	CONTEXT=$ns
	netns_exists "$ns" || fail "no namespace"
	assert_eq "$(client_kind "$ns")" "macvlan mode bridge" "eth0"
	link_is_up "$ns" eth0 || fail "eth0 is down"
	assert_lo_up "$ns"
	read -r mac addr gw <<<"$(client_facts "$ns")"
	# locally administered unicast: bit 1 of the first byte set, bit 0 clear
	(( (0x${mac%%:*} & 3) == 2 )) || fail "MAC $mac is not locally administered unicast"
	[[ $addr =~ ^10\.77\.1\.([0-9]+)/24$ ]] || fail "address \"$addr\" is not one /24 address"
	((BASH_REMATCH[1] >= 100 && BASH_REMATCH[1] <= 250)) || fail "address $addr is outside the range"
	[[ -z ${seen_addr[$addr]:-} ]] || fail "address $addr also on ${seen_addr[$addr]}"
	[[ -z ${seen_mac[$mac]:-} ]] || fail "MAC $mac also on ${seen_mac[$mac]}"
	seen_addr[$addr]=$ns
	seen_mac[$mac]=$ns
	assert_eq "$gw" 10.77.1.1 "default gateway"
	assert_eq "$(<"$ETC_DIR/$ns/resolv.conf")" $'# netnsctl create-clients\nnameserver 10.77.1.53' "resolv.conf"
	# what ip netns exec shows the client's programs
	assert_eq "$(nsx "$ns" grep nameserver /etc/resolv.conf)" "nameserver 10.77.1.53" "/etc/resolv.conf seen in $ns"
	nsx "$ns" ping -c 1 -W 2 10.77.1.1 >/dev/null || fail "cannot ping the router"
	before[$ns]="$mac $addr $gw"
done
CONTEXT=
assert_eq "$(dnsmasq_leases)" "$COUNT" "leases in dnsmasq's file"
# dnsmasq's lease lines: EXPIRY MAC ADDR HOSTNAME CLIENT-ID
for ((i = 1; i <= COUNT; i++)); do
	read -r mac addr _ <<<"${before[ns$i]}"
	grep -q " $mac ${addr%/*} ns$i " "$LAN_LEASES" || fail "dnsmasq has no lease $mac ${addr%/*} ns$i"
done
[[ -n $(keeper_pids) ]] || fail "no lease keeper runs"

pretty "list-clients agrees with the kernel"
ok n list-clients --json
listed=$(ipjson get "" <<<"$OUT" >/dev/null; "$PYTHON" -c '
import json, sys
for c in json.load(sys.stdin)["clients"]:
    print(c["name"], c["mac"], c["address"], c["gateway"], ",".join(c["dns"]), c["lease_time"], bool(c["expires"]))
' <<<"$OUT")
want=
for ((i = 1; i <= COUNT; i++)); do
	want+="ns$i ${before[ns$i]} 10.77.1.53 120 True"$'\n'
done
assert_eq "$listed" "${want%$'\n'}" "list-clients --json"
ok n list-clients --prefix ns
[[ $(grep -c '^ns' <<<"$OUT") -eq $COUNT ]] || fail "list-clients shows $(grep -c '^ns' <<<"$OUT") clients"

pretty "create-clients $COUNT again: unchanged"
snap=$(state)
ok n create-clients "$COUNT" --parent lan0
assert_eq "$OUT" unchanged "output"
assert_same "$snap" "$(state)" "a second create-clients changed something"

pretty "create-clients $((COUNT + 2)): adds two, leaves the rest"
ok n create-clients $((COUNT + 2)) --parent lan0
assert_eq "${OUT%%$'\n'*}" "created 2 clients, $((COUNT + 2)) in all" "output"
[[ ${OUT#*$'\n'} == "leased 2/2 in "* ]] || fail "no lease summary of the 2 new ones: $OUT"
for ((i = 1; i <= COUNT; i++)); do
	assert_eq "$(client_facts ns$i)" "${before[ns$i]}" "ns$i after adding"
done
netns_exists ns$((COUNT + 2)) || fail "ns$((COUNT + 2)) was not made"
assert_eq "$(dnsmasq_leases)" $((COUNT + 2)) "leases in dnsmasq's file"

pretty "delete-clients releases every lease"
ok n delete-clients
assert_eq "$OUT" "deleted $((COUNT + 2)) clients" "output"
wait_for 5 dnsmasq_empty
[[ $(grep -c DHCPRELEASE "$LAN_LOG") -eq $((COUNT + 2)) ]] || fail "dnsmasq saw $(grep -c DHCPRELEASE "$LAN_LOG") releases"
for ((i = 1; i <= COUNT + 2; i++)); do
	! netns_exists ns$i || fail "ns$i is left"
done
assert_eq "$(keeper_pids)" "" "lease keepers left"
assert_eq "$(find "$ETC_DIR" -mindepth 1)" "" "files left in $ETC_DIR"
ok n delete-clients
assert_eq "$OUT" unchanged "second delete-clients"

pretty "made again: same MAC, same address"
ok n create-clients "$COUNT" --parent lan0
for ((i = 1; i <= COUNT; i++)); do
	assert_eq "$(client_facts ns$i)" "${before[ns$i]}" "ns$i made again"
done
ok n delete-clients
wait_for 5 dnsmasq_empty

pretty "--static, --dns, --mac-base, --mode"
ok n create-clients 3 --prefix st --static 10.99.0.0/24 --dns 192.0.2.53 --dns 192.0.2.54 \
	--mac-base 02:aa:00:00:00:fe --mode private --parent lan0
for i in 1 2 3; do
	CONTEXT=st$i
	assert_eq "$(addrs_of st$i eth0)" "10.99.0.$i/24" "address"
	read -r mac _ <<<"$(client_facts st$i)"
	assert_eq "$mac" "$(printf '02:aa:00:00:%02x:%02x' $(((0xfe + i - 1) >> 8)) $(((0xfe + i - 1) & 255)))" "MAC"
	assert_eq "$(client_kind st$i)" "macvlan mode private" "eth0"
	assert_eq "$(<"$ETC_DIR/st$i/resolv.conf")" $'# netnsctl create-clients\nnameserver 192.0.2.53\nnameserver 192.0.2.54' "resolv.conf"
done
CONTEXT=
nsx st1 ping -c 1 -W 2 10.99.0.3 >/dev/null 2>&1 && fail "private macvlans reach each other"
assert_eq "$(dnsmasq_leases)" 0 "leases in dnsmasq's file"
assert_eq "$(keeper_pids)" "" "a lease keeper for static clients"
ok n delete-clients --prefix st
assert_eq "$OUT" "deleted 3 clients" "output"

pretty "bad input: exit 2, one line, nothing changed"
# a down parent: lan1 (its peer in router, so the sandbox's links are lan0, lan1)
ip link add lan1 type veth peer name lan1p netns router
# The kernel tears deleted namespaces down in the background: wait until the
# clients' macvlans have let go of lan0 (its promiscuity count) before the
# reference snapshot.
lan0_settled() { [[ $(ip -d link show dev lan0) == *" promiscuity 0 "* ]]; }
wait_for 10 lan0_settled
take_reference
bad() {
	local value=$1
	shift
	expect_fail_naming 2 "$value" "$@"
	assert_unchanged "\"$*\" changed something"
}
bad 0 n create-clients 0 --parent lan0
bad 5000 n create-clients 5000 --parent lan0
bad 1x n create-clients 1x --parent lan0
# a parent that is missing or down: the system is not as needed, exit 1
for parent in nosuch0 lan1; do
	expect_fail_naming 1 "$parent" n create-clients 2 --parent "$parent"
	assert_unchanged "create-clients --parent $parent changed something"
done
bad 01:00:00:00:00:00 n create-clients 2 --parent lan0 --mac-base 01:00:00:00:00:00
bad 00:11:22:33:44:55 n create-clients 2 --parent lan0 --mac-base 00:11:22:33:44:55
bad zz:00:00:00:00:00 n create-clients 2 --parent lan0 --mac-base zz:00:00:00:00:00
bad 10.99.0.1/24 n create-clients 2 --parent lan0 --static 10.99.0.1/24
bad 10.99.0.0/30 n create-clients 3 --parent lan0 --static 10.99.0.0/30
bad 10.99.0.0 n create-clients 2 --parent lan0 --static 10.99.0.0
bad fd00::/64 n create-clients 2 --parent lan0 --static fd00::/64
bad 1.2.3 n create-clients 2 --parent lan0 --dns 1.2.3
bad weird n create-clients 2 --parent lan0 --mode weird
bad 0 n create-clients 2 --parent lan0 --timeout 0
bad ns1 n create-clients 2 --parent lan0 --prefix ns1
expect_fail_with 2 'parent' n create-clients 2
assert_unchanged "create-clients without --parent changed something"
ip link del lan1

lan_down
assert_nothing_left
