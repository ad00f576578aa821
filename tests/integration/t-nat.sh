#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lanes: host
# why: UML 6.1 has no nftables ip family
#
# connect-host --nat: a namespace reaches an "upstream" network through the
# sandbox's own namespace (the host), masqueraded; without --nat it cannot.
#
#   +-------------------+    +-----------------------------+    +------------------+
#   | netns inner       |    | the host (sandbox root)     |    | netns upstream   |
#   |  host0 10.200.0.2 ==== nn-inner 10.200.0.1/30        |    |  no route back   |
#   |  default via .1   |    |  up0 192.0.2.1/24 ================ eth0 192.0.2.2/24 |
#   +-------------------+    |  nft: ip netnsctl (masq)    |    +------------------+
#   | netns inner2      ==== nn-inner2 10.200.0.5/30       |
#   +-------------------+    +-----------------------------+
#
# upstream has no route to 10.200.0.0/16: a reply reaches inner only when the
# host rewrote the source to its own 192.0.2.1.

. "$(dirname "$(readlink -f "$0")")/lib.sh"

command -v nft >/dev/null || fail "nft (package nftables) is missing"

SERVER_PID=
cleanup() {
	local rc=$?
	set +e
	[[ -z $SERVER_PID ]] || { kill "$SERVER_PID"; wait "$SERVER_PID"; } 2>/dev/null
	del_namespaces inner inner2 upstream
	nft delete table ip netnsctl 2>/dev/null
	nft delete table ip mine 2>/dev/null
	exit $rc
}
trap cleanup EXIT

# nft_tables: the sandbox's nftables tables, "FAMILY NAME" sorted one a line.
nft_tables() {
	nft -j list tables | "$PYTHON" -c '
import json, sys
print("\n".join(sorted("%s %s" % (o["table"]["family"], o["table"]["name"])
			for o in json.load(sys.stdin)["nftables"] if "table" in o)))'
}

# nft_rules [TABLE]: the rules of table ip netnsctl in nft's own JSON words,
# one a line: "CHAIN COMMENT: EXPR; EXPR; ..."
nft_rules() {
	nft -j list table ip "${1:-netnsctl}" | "$PYTHON" -c '
import json, sys
def word(x):
	if isinstance(x, dict) and "match" in x:
		m = x["match"]
		return "%s %s %s" % (word(m["left"]), m["op"], word(m["right"]))
	if isinstance(x, dict) and "payload" in x:
		return "%s %s" % (x["payload"]["protocol"], x["payload"]["field"])
	if isinstance(x, dict) and "meta" in x:
		return "meta %s" % x["meta"]["key"]
	if isinstance(x, dict) and "prefix" in x:
		return "%s/%s" % (x["prefix"]["addr"], x["prefix"]["len"])
	if isinstance(x, dict) and "fib" in x:
		return "fib %s %s" % (" ".join(x["fib"]["flags"]), x["fib"]["result"])
	if isinstance(x, dict) and len(x) == 1:
		k, v = next(iter(x.items()))
		return k if v is None else "%s %s" % (k, json.dumps(v, sort_keys=True))
	return str(x)
for o in json.load(sys.stdin)["nftables"]:
	if "rule" in o:
		r = o["rule"]
		print("%s %s: %s" % (r["chain"], r.get("comment", "-"), "; ".join(word(x) for x in r["expr"])))'
}

# the address upstream sees a TCP connection from NS come from
seen_from() {
	local ns=$1 ready
	ready=$(mktemp -u)
	ip netns exec upstream "$PYTHON" -c '
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("192.0.2.2", 9000))
s.listen(1)
open(sys.argv[1], "w").close()
s.settimeout(10)
c, a = s.accept()
c.sendall(a[0].encode())
c.close()' "$ready" &
	SERVER_PID=$!
	wait_for 5 test -e "$ready"
	nsx "$ns" "$PYTHON" -c '
import socket
s = socket.create_connection(("192.0.2.2", 9000), timeout=5)
print(s.recv(64).decode())'
	wait "$SERVER_PID"
	SERVER_PID=
	rm -f "$ready"
}

pretty "a table of the user's own, an upstream network, namespaces inner and inner2"
nft add table ip mine
nft add chain ip mine c '{ type filter hook forward priority 0; }'
ip netns add upstream
ip link add up0 type veth peer name eth0 netns upstream
ip addr add 192.0.2.1/24 dev up0
ip link set up0 up
ip -n upstream addr add 192.0.2.2/24 dev eth0
ip -n upstream link set eth0 up
ok n create-namespaces inner inner2
MINE=$(nft -j list table ip mine)

pretty "bad input changes nothing"
take_reference
expect_fail_naming 2 10.200.0.1/30 n connect-host inner --nat --cidr 10.200.0.1/30
expect_fail_naming 2 fd00::/64 n connect-host inner --nat --cidr fd00::/64
expect_fail_naming 2 "this-name-is-too-long" n connect-host inner --host-if this-name-is-too-long
assert_unchanged "after refused connect-host"
assert_eq "$(nft_tables)" "ip mine" "nft tables"

pretty "connect-host inner --nat --dry-run changes nothing"
ok n connect-host inner --nat --dry-run
[[ $OUT == *"masquerade 10.200.0.0/30"* ]] || fail "the plan does not show the masquerade: $OUT"
assert_unchanged "after --dry-run"
assert_eq "$(nft_tables)" "ip mine" "nft tables"

pretty "connect-host inner --nat"
ok n connect-host inner --nat
assert_pair "" nn-inner inner host0 10.200.0.1/30 10.200.0.2/30
assert_eq "$(ipn inner -j route show default | ipjson get 0.gateway "")" 10.200.0.1 "default route of inner"
assert_eq "$(</proc/sys/net/ipv4/ip_forward)" 1 "ip_forward in the host"
assert_eq "$(nft_tables)" $'ip mine\nip netnsctl' "nft tables"
assert_eq "$(nft_rules)" \
	'postrouting masq:inner: ip saddr == 10.200.0.0/30; meta oifname != nn-inner; masquerade' \
	"rules of table ip netnsctl"

pretty "inner reaches upstream as the host's 192.0.2.1"
nsx inner ping -c 1 -W 2 192.0.2.2 >/dev/null
assert_eq "$(seen_from inner)" 192.0.2.1 "the source upstream sees"
# the host itself is reached without NAT (oifname != nn-inner)
nsx inner ping -c 1 -W 2 10.200.0.1 >/dev/null

pretty "connect-host inner --nat again: unchanged"
RULES=$(nft -j list ruleset)
take_reference
ok n connect-host inner --nat
assert_eq "$OUT" unchanged "output of a second connect-host"
assert_unchanged "after a second connect-host"
assert_same "$RULES" "$(nft -j list ruleset)" "nft ruleset after a second connect-host"

pretty "connect-host inner2 (no NAT) takes the next free /30, and cannot reach upstream"
ok n connect-host inner2
assert_pair "" nn-inner2 inner2 host0 10.200.0.5/30 10.200.0.6/30
! nsx inner2 ping -c 1 -W 1 192.0.2.2 >/dev/null || fail "inner2 reached upstream without NAT"
nsx inner2 ping -c 1 -W 2 10.200.0.5 >/dev/null
assert_eq "$(nft_rules)" \
	'postrouting masq:inner: ip saddr == 10.200.0.0/30; meta oifname != nn-inner; masquerade' \
	"rules of table ip netnsctl"

pretty "connect-host inner2 --nat --cidr 10.99.0.0/30 moves it and adds its rule"
ok n connect-host inner2 --nat --cidr 10.99.0.0/30
assert_pair "" nn-inner2 inner2 host0 10.99.0.1/30 10.99.0.2/30
assert_eq "$(nft_rules | LC_ALL=C sort)" \
	$'postrouting masq:inner2: ip saddr == 10.99.0.0/30; meta oifname != nn-inner2; masquerade\npostrouting masq:inner: ip saddr == 10.200.0.0/30; meta oifname != nn-inner; masquerade' \
	"rules of table ip netnsctl"
assert_eq "$(seen_from inner2)" 192.0.2.1 "the source upstream sees from inner2"

pretty "a rule edited by hand is put back"
h=$(nft -a list chain ip netnsctl postrouting | awk '/masq:inner"/ { print $NF }')
nft replace rule ip netnsctl postrouting handle "$h" ip saddr 10.200.0.0/30 masquerade random comment '"masq:inner"'
ok n connect-host inner --nat
[[ $OUT == *"replace masquerade 10.200.0.0/30"* ]] || fail "the edited rule was not replaced: $OUT"
nft_rules | grep -qx 'postrouting masq:inner: ip saddr == 10.200.0.0/30; meta oifname != nn-inner; masquerade' ||
	fail "masq:inner is not back: $(nft_rules)"

pretty "connect-host inner without --nat drops its rule only"
ok n connect-host inner
assert_eq "$(nft_rules)" \
	'postrouting masq:inner2: ip saddr == 10.99.0.0/30; meta oifname != nn-inner2; masquerade' \
	"rules of table ip netnsctl"
assert_pair "" nn-inner inner host0 10.200.0.1/30 10.200.0.2/30

pretty "disconnect-host inner, inner2: links and table gone, the user's table untouched"
ok n disconnect-host inner
! link_exists "" nn-inner || fail "nn-inner is still there"
! link_exists inner host0 || fail "host0 is still in inner"
netns_exists inner || fail "disconnect-host deleted the namespace"
# inner2 still goes out through the host: forwarding stays on for it
assert_eq "$(</proc/sys/net/ipv4/ip_forward)" 1 "ip_forward while inner2 is connected"
nsx inner2 ping -c 1 -W 2 192.0.2.2 >/dev/null
ok n disconnect-host inner2
! link_exists "" nn-inner2 || fail "nn-inner2 is still there"
# the last one out turns it back off, as it was before the test
assert_eq "$(</proc/sys/net/ipv4/ip_forward)" 0 "ip_forward after the last disconnect-host"
assert_eq "$(nft_tables)" "ip mine" "nft tables"
assert_same "$MINE" "$(nft -j list table ip mine)" "table ip mine"
ok n disconnect-host inner2
assert_eq "$OUT" unchanged "output of a second disconnect-host"

ok n delete-namespaces inner inner2
ip netns del upstream
nft delete table ip mine
assert_eq "$(nft_tables)" "" "nft tables"
assert_nothing_left
