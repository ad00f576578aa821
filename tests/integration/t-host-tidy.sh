#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lanes: host
# why: nftables NAT (ip family), which UML 6.1 lacks
#
# What connect-host and forward-port leave, and say, when one of them goes
# (issue #13, item 10):
# - nftables: table ip netnsctl has only the chains its rules use; removing
#   the last rule of a chain removes the chain (an empty base chain still
#   costs every packet its hook);
# - disconnect-host names who keeps IPv4 forwarding on in words, not the
#   journal's owner string;
# - create-bridge and attach want an address's prefix length.
#
#   sandbox: nn-inner 10.200.0.1/30 ====== host0 10.200.0.2/30  netns inner

. "$(dirname "$(readlink -f "$0")")/lib.sh"

cleanup() {
	local rc=$?
	set +e
	n cleanup >/dev/null 2>&1
	del_namespaces inner
	exit $rc
}
trap cleanup EXIT

chains() { nft -j list table ip netnsctl 2>/dev/null | "$PYTHON" -c '
import json, sys
print(" ".join(sorted(o["chain"]["name"] for o in json.load(sys.stdin)["nftables"] if "chain" in o)))'; }

pretty "connect-host --nat: postrouting only"
ok n connect-host inner --nat
assert_eq "$(chains)" "postrouting" "chains after connect-host --nat"

pretty "forward-port: prerouting and output too"
ok n forward-port inner tcp 81 80
assert_eq "$(chains)" "output postrouting prerouting" "chains after forward-port"

pretty "unforward-port: its chains go, the masquerade's stays"
ok n unforward-port tcp 81
assert_eq "$(chains)" "postrouting" "chains after unforward-port"

pretty "disconnect-host while a forward needs forwarding: said in words"
ok n forward-port inner tcp 81 80
ok n disconnect-host inner
[[ $OUT == *"leave IPv4 forwarding in the host as it is: forward-port tcp 81 relies on it"* ]] ||
	fail "disconnect-host did not say who keeps forwarding on: $OUT"
[[ $OUT != *"forward-port:tcp:81"* ]] || fail "disconnect-host printed the journal's owner: $OUT"
assert_eq "$(chains)" "output prerouting" "chains after disconnect-host"
ok n unforward-port tcp 81
assert_eq "$(chains)" "" "chains after the last rule went"
assert_eq "$(cat /proc/sys/net/ipv4/ip_forward)" 0 "host forwarding"

pretty "an address without its prefix length is refused"
take_reference
expect_fail_with 2 '^netnsctl: invalid address "10.5.0.3": missing prefix length \(e.g. 10.5.0.3/24\)$' \
	n create-bridge br0 --addr 10.5.0.3
expect_fail_with 2 '^netnsctl: invalid address "10.5.0.1": missing prefix length' \
	n attach inner br0 --addr 10.5.0.1
assert_unchanged "a refused create-bridge or attach changed something"

pretty "take it down"
ok n cleanup
assert_nothing_left
