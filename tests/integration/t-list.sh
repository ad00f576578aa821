#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lanes: host uml-extended
#
# list shows what `ip -d link` and `ip netns list-id` show: each veth's peer
# (its namespace and link, from IFLA_LINK_NETNSID), each namespace's routes,
# and only the namespaces asked for with `list NS...`.  Checked against
# iproute2's view of the same kernel, for peers in another namespace, in
# the host and behind a bridge.
#
#   sva veth-a --- veth-b svb          (create-veth-pair)
#   sva host0 --- nn-sva (host)        (connect-host: default route via the host)
#   h1 eth-br0 --- h1-eth-br0 on br0 in sw   (attach)

. "$(dirname "$(readlink -f "$0")")/lib.sh"

cleanup() {
	local rc=$?
	set +e
	n cleanup >/dev/null 2>&1
	del_namespaces sva svb sw h1
	exit $rc
}
trap cleanup EXIT

ok n create-veth-pair sva svb
ok n connect-host sva
ok n create-bridge br0 --ns sw
ok n attach h1 br0 --bridge-ns sw --addr 10.20.0.1/24

# expected NS: what iproute2 says of NS's veths' peers and of its IPv4 routes,
# as "peer IF NS PEER_NS PEER_IF" and "route DST GW DEV" lines, sorted.
expected() {
	local ns=$1 other
	{
		echo "# links $ns"
		ip -n "$ns" -d -j link show
		echo "# ids $ns"
		ip -n "$ns" -j netns list-id
		for other in "" $(netns_names); do
			[[ $other == "$ns" ]] && continue
			echo "# links ${other:-.}"
			ipn "$other" -j link show
		done
		echo "# routes $ns"
		ip -n "$ns" -j route show
	} | "$PYTHON" -c '
import json, sys
ns = sys.argv[1]
docs, name = {}, None
for line in sys.stdin:
    if line.startswith("# "):
        name = line[2:].strip()
    else:
        docs[name] = json.loads(line)
ids = {d["nsid"]: d.get("name", "") for d in docs["ids " + ns]}
out = []
for l in docs["links " + ns]:
    if l.get("linkinfo", {}).get("info_kind") != "veth":
        continue
    if "link_netnsid" in l:
        peer_ns = ids[l["link_netnsid"]]
    else:
        peer_ns = ns
    key = "links " + (peer_ns or ".") if peer_ns != ns else "links " + ns
    peer = [p["ifname"] for p in docs[key] if p["ifindex"] == l["link_index"]]
    out.append("peer %s %s %s %s" % (l["ifname"], ns, peer_ns or "-", peer[0]))
for r in docs["routes " + ns]:
    out.append("route %s %s %s" % (r["dst"], r.get("gateway", "-"), r.get("dev", "-")))
print("\n".join(sorted(out)))
' "$ns"
}

# mine NS: the same from netnsctl list --json.
mine() {
	n list --json "$1" | "$PYTHON" -c '
import json, sys
doc = json.load(sys.stdin)
assert doc["version"] == 1, doc
(ns,) = doc["namespaces"]
out = []
for l in ns["links"]:
    if l["kind"] == "veth":
        p = l["peer"]
        out.append("peer %s %s %s %s" % (l["name"], ns["name"], p["namespace"] or "-", p["link"]))
for r in ns["routes"]:
    if r["family"] == 4:
        out.append("route %s %s %s" % (r["dst"], r["gateway"] or "-", r["dev"] or "-"))
print("\n".join(sorted(out)))
'
}

pretty "veth peers and routes as iproute2 sees them"
for ns in sva svb sw h1; do
	CONTEXT=$ns
	assert_eq "$(mine "$ns")" "$(expected "$ns")" "peers and routes of $ns"
done
CONTEXT=
[[ $(mine sva) == *"peer host0 sva - nn-sva"* ]] || fail "host0's peer is not nn-sva in the host: $(mine sva)"
[[ $(mine sva) == *"route default 10.200.0.1 host0"* ]] || fail "no default route in sva: $(mine sva)"

pretty "text: peers, masters, routes"
ok n list sva sw
[[ $OUT == *"host0"*"peer nn-sva in the host"* ]] || fail "list sva: no host peer: $OUT"
[[ $OUT == *"veth-a"*"peer veth-b in svb"* ]] || fail "list sva: no peer of veth-a: $OUT"
[[ $OUT == *"h1-eth-br0"*"peer eth-br0 in h1  master br0"* ]] || fail "list sw: $OUT"
[[ $OUT == *"route default via 10.200.0.1 dev host0 proto netnsctl"* ]] || fail "list sva: no route: $OUT"

pretty "list NS... shows those only"
ok n list --json svb h1
assert_eq "$("$PYTHON" -c 'import json,sys; print(" ".join(n["name"] for n in json.load(sys.stdin)["namespaces"]))' <<<"$OUT")" \
	"h1 svb" "namespaces listed"
ok n list sva
[[ $OUT != *svb$'\n'* && $OUT == sva$'\n'* ]] || fail "list sva shows others: $OUT"
take_reference
expect_fail_naming 1 nosuch n list sva nosuch
expect_fail_naming 2 a/b n list a/b
assert_unchanged "list of a missing namespace"

ok n cleanup
assert_nothing_left
