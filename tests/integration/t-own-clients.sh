#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lanes: host
# why: what is under test is which namespaces and files netnsctl takes for
#      its clients, not the kernel; static clients, so no DHCP server
#
# A client is only ever a namespace netnsctl made (issue #12, item 1):
# create-clients refuses a name another program holds, and delete-clients
# and cleanup delete only proven clients and only the files netnsctl wrote.
#
#   sandbox's namespace
#   lan0 UP (veth, peer lan0p)  -- the clients' parent, --static: no DHCP
#     macvlan eth0 in cl1 cl2 cl3, cz1 (netnsctl's)
#   ns1: ip netns add, a veth of its own (adm0), /etc/netns/ns1/resolv.conf
#   cl2 (second life): ip netns del cl2 && ip netns add cl2, adm0 of its own
#   ETC_DIR/cx1: an admin's directory; ETC_DIR/cy1: a symlink to /run/victim

. "$(dirname "$(readlink -f "$0")")/lib.sh"

cleanup() {
	local rc=$?
	set +e
	"$NETNSCTL" delete-clients >/dev/null 2>&1
	del_namespaces ns1 ns2 cl1 cl2 cl3 cz1 cx1 cy1
	ip link del lan0 2>/dev/null
	rm -rf "${ETC_DIR:?}"/* /run/victim
	exit $rc
}
trap cleanup EXIT

ip link add lan0 type veth peer name lan0p
ip link set lan0 up
ip link set lan0p up

# foreign NS: a namespace of an admin's, with a veth of its own
foreign_ns() {
	ip netns add "$1"
	ip -n "$1" link add adm0 type veth peer name adm1
	ip -n "$1" addr add 192.0.2.1/24 dev adm0
}

# netnsctl's own lock file exists from here on: not part of what is compared
ok n cleanup

pretty "an admin's ns1 (a veth, /etc/netns/ns1/resolv.conf) is not taken for a client"
foreign_ns ns1
mkdir -p "$ETC_DIR/ns1"
echo "nameserver 192.0.2.53" >"$ETC_DIR/ns1/resolv.conf"
take_reference
expect_fail_naming 2 ns1 n create-clients 2 --parent lan0 --static 10.50.0.0/24 --dns 10.50.0.1
[[ $ERR == *"exists and is not a client netnsctl made"* ]] || fail "unclear refusal: $ERR"
assert_unchanged "a refused create-clients"
ok n delete-clients
assert_eq "$OUT" unchanged "delete-clients with no client"
# cleanup rewrites its journal: the rest must be as it was
ok n cleanup
assert_same "$(grep -v "^#* *$STATE_DIR" <<<"$REFERENCE")" "$(state)" \
	"delete-clients and cleanup with an admin's ns1"
assert_eq "$(cat "$ETC_DIR/ns1/resolv.conf")" "nameserver 192.0.2.53" "the admin's resolv.conf"

pretty "a name whose ETC_DIR entry is another's is refused"
mkdir -p "$ETC_DIR/cx1"
echo "nameserver 192.0.2.54" >"$ETC_DIR/cx1/resolv.conf"
mkdir -p /run/victim
ln -s /run/victim "$ETC_DIR/cy1"
take_reference
expect_fail_with 2 "\"$ETC_DIR/cx1\" exists" n create-clients 1 --parent lan0 --prefix cx --static 10.51.0.0/24 --dns 10.51.0.1
expect_fail_with 2 "\"$ETC_DIR/cy1\" exists" n create-clients 1 --parent lan0 --prefix cy --static 10.51.0.0/24 --dns 10.51.0.1
assert_unchanged "refused create-clients"
[[ -z $(ls -A /run/victim) ]] || fail "written through the symlink $ETC_DIR/cy1: $(ls -A /run/victim)"
rm -rf "${ETC_DIR:?}/cx1" "${ETC_DIR:?}/cy1"

pretty "a client deleted behind netnsctl's back, its name taken by another namespace"
ok n create-clients 3 --parent lan0 --prefix cl --static 10.52.0.0/24 --dns 10.52.0.1
ip netns del cl2
foreign_ns cl2
ok n list-clients --prefix cl
assert_eq "$(awk 'NR > 1 { print $1 }' <<<"$OUT" | tr '\n' ' ')" "cl1 cl3 " "clients listed"
take_reference
expect_fail_naming 2 cl2 n create-clients 3 --parent lan0 --prefix cl --static 10.52.0.0/24 --dns 10.52.0.1
assert_unchanged "create-clients over the other cl2"
ok n delete-clients --prefix cl
assert_eq "$OUT" "deleted 2 clients" "delete-clients"
netns_exists cl2 || fail "delete-clients deleted the other cl2"
link_exists cl2 adm0 || fail "delete-clients deleted cl2's adm0"
! netns_exists cl1 && ! netns_exists cl3 || fail "cl1 or cl3 left"
[[ ! -e $ETC_DIR/cl2 ]] || fail "netnsctl's resolv.conf of the old cl2 left: $(ls -A "$ETC_DIR/cl2")"
[[ ! -e $STATE_DIR/clients/leases/cl2 ]] || fail "the old cl2's lease file left"

pretty "cleanup: the same, and a resolv.conf the admin rewrote stays"
ok n create-clients 1 --parent lan0 --prefix cl --static 10.52.0.0/24 --dns 10.52.0.1
ok n create-clients 1 --parent lan0 --prefix cz --static 10.53.0.0/24 --dns 10.53.0.1
echo "nameserver 192.0.2.99" >"$ETC_DIR/cz1/resolv.conf"
ip netns del cl1
foreign_ns cl1
ok n cleanup
netns_exists cl1 || fail "cleanup deleted the other cl1"
link_exists cl1 adm0 || fail "cleanup deleted cl1's adm0"
netns_exists cl2 || fail "cleanup deleted the other cl2"
! netns_exists cz1 || fail "cleanup left cz1, netnsctl's"
assert_eq "$(cat "$ETC_DIR/cz1/resolv.conf" 2>&1)" "nameserver 192.0.2.99" "the resolv.conf the admin rewrote"
ok n list-clients
assert_eq "$OUT" "" "clients after cleanup"

pretty "take it down"
del_namespaces ns1 cl1 cl2
rm -rf "${ETC_DIR:?}"/*
ip link del lan0
assert_nothing_left
