#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lanes: host
# why: UML 6.1 has no nftables ip family
#
# forward-port: a TCP (and a UDP) server inside namespace inner, reached
# through the host's own addresses, from the host itself and from upstream;
# not through 127.0.0.1, which stays the host's own (refused at once, or the
# host's own service), and forward-port says so.
#
#   +----------------------+    +--------------------------------+    +------------------+
#   | netns inner          |    | the host (sandbox root)        |    | netns upstream   |
#   |  host0 10.200.0.2 ====== nn-inner 10.200.0.1/30           |    |                  |
#   |  http :8000          |    |  up0 192.0.2.1/24 =================== eth0 192.0.2.2/24 |
#   |  udp echo :5000      |    |  tcp 8080 -> 10.200.0.2:8000   |    |  default via .1  |
#   +----------------------+    |  udp 5353 -> 10.200.0.2:5000   |    +------------------+
#                               +--------------------------------+

. "$(dirname "$(readlink -f "$0")")/lib.sh"

command -v nft >/dev/null || fail "nft (package nftables) is missing"

HTTP_PID= UDP_PID= LO_PID=
cleanup() {
	local rc=$?
	set +e
	for p in $HTTP_PID $UDP_PID $LO_PID; do
		kill "$p"
		wait "$p"
	done 2>/dev/null
	del_namespaces inner lonely upstream
	nft delete table ip netnsctl 2>/dev/null
	nft delete table ip mine 2>/dev/null
	exit $rc
}
trap cleanup EXIT

# nft_rules: the rules of table ip netnsctl in nft's own JSON words, one a
# line: "CHAIN COMMENT: EXPR; EXPR; ..."
nft_rules() {
	nft -j list table ip netnsctl | "$PYTHON" -c '
import json, sys
def word(x):
	if isinstance(x, dict) and "match" in x:
		m = x["match"]
		return "%s %s %s" % (word(m["left"]), m["op"], word(m["right"]))
	if isinstance(x, dict) and "payload" in x:
		return "%s %s" % (x["payload"]["protocol"], x["payload"]["field"])
	if isinstance(x, dict) and "meta" in x:
		return "meta %s" % x["meta"]["key"]
	if isinstance(x, dict) and "fib" in x:
		return "fib %s %s" % (" ".join(x["fib"]["flags"]), x["fib"]["result"])
	if isinstance(x, dict) and "dnat" in x:
		return "dnat %s:%s" % (x["dnat"]["addr"], x["dnat"]["port"])
	if isinstance(x, dict) and len(x) == 1:
		k, v = next(iter(x.items()))
		return k if v is None else "%s %s" % (k, json.dumps(v, sort_keys=True))
	return str(x)
for o in json.load(sys.stdin)["nftables"]:
	if "rule" in o:
		r = o["rule"]
		print("%s %s: %s" % (r["chain"], r.get("comment", "-"), "; ".join(word(x) for x in r["expr"])))'
}

nft_tables() {
	nft -j list tables | "$PYTHON" -c '
import json, sys
print("\n".join(sorted("%s %s" % (o["table"]["family"], o["table"]["name"])
			for o in json.load(sys.stdin)["nftables"] if "table" in o)))'
}

# http_get [NS] URL: the body, or fails
http_get() {
	local ns=
	[[ $# -eq 1 ]] || { ns=$1; shift; }
	${ns:+ip netns exec "$ns"} "$PYTHON" -c '
import sys, urllib.request
print(urllib.request.urlopen(sys.argv[1], timeout=3).read().decode().strip())' "$1"
}

# udp_ask NS ADDR PORT: send "ping", print the answer, or fail after 3 s
udp_ask() {
	ip netns exec "$1" "$PYTHON" -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(3)
s.sendto(b"ping", (sys.argv[1], int(sys.argv[2])))
print(s.recvfrom(64)[0].decode())' "$2" "$3"
}

dnat_rules() {
	local proto=$1 port=$2 to=$3 to_port=$4 c
	for c in prerouting output; do
		echo "$c dnat:$proto:$port: $proto dport == $port; ip daddr != prefix {\"addr\": \"127.0.0.0\", \"len\": 8}; fib daddr type == local; dnat $to:$to_port"
	done
}

# tcp_to ADDR PORT: connect from the host; print "refused", "timed out" or
# the first line the server sends
tcp_to() {
	"$PYTHON" -c '
import socket, sys
try:
	s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=3)
	print(s.makefile().readline().strip())
except ConnectionRefusedError:
	print("refused")
except socket.timeout:
	print("timed out")' "$1" "$2"
}

pretty "upstream, inner connected to the host, servers in inner"
nft add table ip mine
ip netns add upstream
ip link add up0 type veth peer name eth0 netns upstream
ip addr add 192.0.2.1/24 dev up0
ip link set up0 up
ip -n upstream addr add 192.0.2.2/24 dev eth0
ip -n upstream link set eth0 up
ip -n upstream route add default via 192.0.2.1
ok n create-namespaces inner lonely
ok n connect-host inner
assert_pair "" nn-inner inner host0 10.200.0.1/30 10.200.0.2/30

www=$(mktemp -d)
echo "hello from inner" >"$www/index.html"
ip netns exec inner "$PYTHON" -m http.server --bind 10.200.0.2 --directory "$www" 8000 >/dev/null 2>&1 &
HTTP_PID=$!
ip netns exec inner "$PYTHON" -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.200.0.2", 5000))
while True:
	d, a = s.recvfrom(64)
	s.sendto(b"pong:" + d, a)' &
UDP_PID=$!
wait_for 10 http_get http://10.200.0.2:8000/
# nothing listens on the host's own port yet
! http_get upstream http://192.0.2.1:8080/ 2>/dev/null || fail "port 8080 answers before forward-port"

pretty "bad input: exit 2 (a missing namespace or link: 1), nothing changed"
take_reference
RULES=$(nft -j list ruleset)
expect_fail_naming 2 sctp n forward-port inner sctp 8080 8000
expect_fail_naming 2 0 n forward-port inner tcp 0 8000
expect_fail_naming 2 70000 n forward-port inner tcp 8080 70000
expect_fail_naming 2 8o80 n forward-port inner tcp 8o80 8000
# a missing namespace is the system's state, not a bad command line: exit 1
expect_fail_naming 1 nosuch n forward-port nosuch tcp 8080 8000
expect_fail_naming 2 10.0.0.300 n forward-port inner tcp 8080 8000 --to 10.0.0.300
# a namespace without a link to the host has no address to forward to
expect_fail_naming 1 lonely n forward-port lonely tcp 8080 8000
expect_fail_naming 2 sctp n unforward-port sctp 8080
expect_fail_naming 2 0 n unforward-port tcp 0
expect_fail_with 2 'usage|NS PROTO HOSTPORT NSPORT' n forward-port inner tcp 8080
assert_unchanged "after refused forward-port"
assert_same "$RULES" "$(nft -j list ruleset)" "nft ruleset after refused forward-port"

pretty "forward-port inner tcp 8080 8000 --dry-run changes nothing"
ok n forward-port inner tcp 8080 8000 --dry-run
[[ $OUT == *"forward host tcp port 8080 to 10.200.0.2:8000"* ]] || fail "the plan does not show the forward: $OUT"
assert_unchanged "after --dry-run"
assert_same "$RULES" "$(nft -j list ruleset)" "nft ruleset after --dry-run"

pretty "forward-port inner tcp 8080 8000"
ok n forward-port inner tcp 8080 8000
# loopback is not forwarded (it hung: a loopback source is not routed out
# of another interface), and the command says what to use
[[ $OUT == *$'\n'"note: from the host, use 10.200.0.1:8080 (or another of its addresses), not 127.0.0.1:8080: tcp to loopback stays the host's own" ]] ||
	fail "no note about 127.0.0.1: $OUT"
assert_eq "$(nft_rules)" "$(dnat_rules tcp 8080 10.200.0.2 8000)" "rules of table ip netnsctl"
assert_eq "$(tcp_to 127.0.0.1 8080)" refused "the host -> 127.0.0.1:8080 (nothing of the host's listens)"
assert_eq "$(tcp_to 127.0.0.9 8080)" refused "the host -> 127.0.0.9:8080"
# the host's own service on 127.0.0.1:8080 keeps its connections
"$PYTHON" -c '
import socket
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 8080))
s.listen(4)
print("ready", flush=True)
while True:
	c, _ = s.accept()
	c.sendall(b"the host itself\n")
	c.close()' >"$TMPDIR/lo.out" &
LO_PID=$!
wait_for 5 grep -q ready "$TMPDIR/lo.out"
assert_eq "$(tcp_to 127.0.0.1 8080)" "the host itself" "the host -> its own 127.0.0.1:8080"
kill "$LO_PID"
wait "$LO_PID" 2>/dev/null || true
LO_PID=
assert_eq "$(http_get upstream http://192.0.2.1:8080/)" "hello from inner" "upstream -> 192.0.2.1:8080"
assert_eq "$(http_get http://192.0.2.1:8080/)" "hello from inner" "the host -> 192.0.2.1:8080"
assert_eq "$(http_get http://10.200.0.1:8080/)" "hello from inner" "the host -> 10.200.0.1:8080"
# only the host's own addresses are forwarded: upstream's port 8080 is upstream's
! http_get http://192.0.2.2:8080/ 2>/dev/null || fail "a connection to upstream:8080 was taken over"

pretty "forward-port again: unchanged"
RULES=$(nft -j list ruleset)
ok n forward-port inner tcp 8080 8000
assert_eq "$OUT" unchanged "output of a second forward-port"
assert_same "$RULES" "$(nft -j list ruleset)" "nft ruleset after a second forward-port"

pretty "forward-port inner udp 5353 5000 --to 10.200.0.2"
ok n forward-port inner udp 5353 5000 --to 10.200.0.2
[[ $OUT == *$'\n'"note: from the host, use 10.200.0.1:5353 (or another of its addresses), not 127.0.0.1:5353: udp to loopback stays the host's own" ]] ||
	fail "no note about 127.0.0.1: $OUT"
assert_eq "$(udp_ask upstream 192.0.2.1 5353)" "pong:ping" "upstream -> udp 192.0.2.1:5353"
assert_eq "$(nft_rules | grep udp)" "$(dnat_rules udp 5353 10.200.0.2 5000)" "udp rules"

pretty "forward-port to another port replaces the rule"
ok n forward-port inner tcp 8080 8001
[[ $OUT == *"replace forward host tcp port 8080 to 10.200.0.2:8001"* ]] || fail "no replace step: $OUT"
! http_get upstream http://192.0.2.1:8080/ 2>/dev/null || fail "8080 still reaches port 8000"
ok n forward-port inner tcp 8080 8000
assert_eq "$(http_get upstream http://192.0.2.1:8080/)" "hello from inner" "upstream -> 192.0.2.1:8080 again"

pretty "unforward-port tcp 8080"
ok n unforward-port tcp 8080
assert_eq "$(nft_rules)" "$(dnat_rules udp 5353 10.200.0.2 5000)" "rules left"
! http_get upstream http://192.0.2.1:8080/ 2>/dev/null || fail "port 8080 still forwarded"
ok n unforward-port tcp 8080
assert_eq "$OUT" unchanged "output of a second unforward-port"

pretty "unforward-port udp 5353: the table goes, the user's stays"
ok n unforward-port udp 5353
assert_eq "$(nft_tables)" "ip mine" "nft tables"

pretty "cleanup"
kill "$HTTP_PID" "$UDP_PID"
wait "$HTTP_PID" "$UDP_PID" 2>/dev/null || true
HTTP_PID= UDP_PID=
rm -rf "$www"
ok n disconnect-host inner
ok n delete-namespaces inner lonely
ip netns del upstream
nft delete table ip mine
assert_nothing_left
