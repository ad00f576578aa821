#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lanes: host
# why: 200 clients; the DHCP loop in UML is untested (t-clients covers it there)
#
# Stress-testing a router (issue #18): create-clients paces its DHCP
# exchanges, so a slow server is not overrun, and reports what each lease
# took; --min keeps what a router will lease.  No timing is asserted: the
# times are in bench/clients and docs/benchmarks-clients.md.
#
#   sandbox's namespace                       netns router
#   lan0 UP ================================= r0 10.77.1.1/24
#    |  macvlan eth0 in ns1 .. nsN            dnsmasq --log-dhcp (one packet, ~30 log lines),
#                                             or dhcp-slow-server.py (50 answers a second)
#
# Checks read dnsmasq's log, the slow server's log and the JSON.

. "$(dirname "$(readlink -f "$0")")/lib.sh"
. "$TEST_DIR/clients-lib.sh"

SLOW_LOG=$TMPDIR/slow-server.log
SLOW_PID=

slow_down() {
	if [[ -n $SLOW_PID ]]; then
		kill "$SLOW_PID" 2>/dev/null
		wait "$SLOW_PID" 2>/dev/null
		SLOW_PID=
	fi
}

cleanup() {
	local rc=$?
	set +e
	"$NETNSCTL" delete-clients >/dev/null 2>&1
	slow_down
	lan_down
	exit $rc
}
trap cleanup EXIT

# shape SCHEMA < DOCUMENT: valid as docs/schema/SCHEMA.json says
shape() { "$PYTHON" "$TEST_DIR/schemacheck.py" "$@"; }
# jq-like: one expression of the JSON document on stdin, as Python sees it
py() { "$PYTHON" -c "import json, sys; d = json.load(sys.stdin); print(*[$1])"; }

# --- 200 clients against dnsmasq logging every packet ----------------------
lan_up 2 254

pretty "create-clients 200 against dnsmasq --log-dhcp"
ok n create-clients 200 --parent lan0 --json
json=$OUT
shape create-clients <<<"$json" || fail "create-clients --json does not match its schema"
assert_eq "$(py 'd["created"], d["asked"], d["leased"], d["released"], len(d["clients"])' <<<"$json")" \
	"200 200 200 0 200" "created, asked, leased, released, clients"
assert_eq "$(dnsmasq_leases)" 200 "leases in dnsmasq's file"
# dnsmasq logs "XID DHCPDISCOVER(r0) MAC" per DISCOVER: a transaction seen
# twice is a retransmission; DISCOVERs beyond one per client are
# retransmissions and restarts after a NAK (dnsmasq --no-ping offers one
# free address to several clients that ask at once).
discovers=$(grep -c 'DHCPDISCOVER(r0)' "$LAN_LOG")
xids=$(grep 'DHCPDISCOVER(r0)' "$LAN_LOG" | awk '{ print $5 }' | sort -u | wc -l)
naks=$(grep -c 'DHCPNAK(r0)' "$LAN_LOG" || true)
pretty "dnsmasq: $discovers DISCOVERs, $xids transactions, $naks NAKs"
((discovers - xids <= 10)) || fail "$((discovers - xids)) retransmitted DISCOVERs of 200 clients (> 5 %)"
# Restarts after NAKs: about 4 % paced, 40 % or more in the burst of before;
# 10 % leaves room for a loaded machine.
((discovers - 200 <= 20)) || fail "$((discovers - 200)) DISCOVERs more than one a client (> 10 %)"
# netnsctl's figures against the log: every NAK was seen, no
# retransmission the server saw is missing from the count
assert_eq "$(py 'd["summary"]["naks"]' <<<"$json")" "$naks" "NAKs counted"
(($(py 'd["summary"]["retransmissions"]' <<<"$json") >= discovers - xids)) ||
	fail "fewer retransmissions counted than dnsmasq saw"
"$PYTHON" - "$json" <<'EOF' || fail "the latency figures do not add up"
import json, sys
d = json.loads(sys.argv[1])
s, c = d["summary"], d["clients"]
tot = sorted(x["total_ms"] for x in c)
assert s["p50_ms"] <= s["p90_ms"] <= s["p99_ms"] <= s["max_ms"] == tot[-1], s
assert s["p50_ms"] == tot[99] and s["p90_ms"] == tot[179] and s["p99_ms"] == tot[197], s
assert s["max_ms"] <= s["duration_ms"], s
for x in c:
    assert x["new"] and x["leased"], x
    # the total holds both exchanges (and any restarts between them)
    assert x["discover_offer_ms"] + x["request_ack_ms"] <= x["total_ms"] + 0.002, x
assert sum(x["retransmissions"] for x in c) == s["retransmissions"], s
assert sum(x["naks"] for x in c) == s["naks"], s
EOF
ok n list-clients --json
shape list-clients <<<"$OUT" || fail "list-clients --json does not match its schema"
[[ $(py 'sum(1 for c in d["clients"] if c["acquired"])' <<<"$OUT") == 200 ]] ||
	fail "list-clients does not keep each lease's figures"
ok n delete-clients
for ((t = 0; t < 500; t++)); do
	dnsmasq_empty && break
	sleep 0.02
done
if ! dnsmasq_empty; then
	# Where did the RELEASEs go: the clients still leased, what dnsmasq's
	# socket dropped (/proc/net/udp's last column), delete-clients' words.
	held=$(awk '{ print $4 }' "$LAN_LEASES" | tr '\n' ' ')
	drops=$(ip netns exec router awk 'NR > 1 { n += $NF } END { print n + 0 }' /proc/net/udp)
	fail "dnsmasq holds $(dnsmasq_leases) leases after delete-clients ($held); it saw $(grep -c 'DHCPRELEASE(r0)' "$LAN_LOG") RELEASEs, dropped $drops; delete-clients said: ${OUT//$'\n'/ | } ${ERR//$'\n'/ | }"
fi
lan_down

# --- 100 clients against a server of 50 answers a second -----------------
pretty "create-clients 100 against a server answering 50 requests a second"
ip netns add router
ip link add lan0 type veth peer name r0 netns router
ip link set lan0 up
ip -n router link set r0 up
ip -n router addr add 10.77.1.1/24 dev r0
# a socket buffer of 32 KiB: a small router's queue (the kernel doubles 16384)
ip netns exec router "$PYTHON" "$TEST_DIR/dhcp-slow-server.py" r0 10.77.1.1 10.77.1.100 10.77.1.250 \
	--rate 50 --rcvbuf 16384 --log "$SLOW_LOG" &
SLOW_PID=$!
wait_for 10 grep -q ready "$SLOW_LOG"
ok n create-clients 100 --parent lan0 --json
json=$OUT
shape create-clients <<<"$json" || fail "create-clients --json does not match its schema"
assert_eq "$(py 'd["asked"], d["leased"]' <<<"$json")" "100 100" "asked, leased"
rx=$(grep -c ' rx ' "$SLOW_LOG")
tx=$(grep -c ' tx ' "$SLOW_LOG")
dups=$(grep ' rx ' "$SLOW_LOG" | awk '{ print $3, $4 }' | sort | uniq -d | wc -l)
drops=$(awk '$2 == "drops" { n = $3 } END { print n + 0 }' "$SLOW_LOG")
pretty "server: $rx requests read, $tx answered, $dups read twice, $drops dropped by its full socket buffer"
# The server answered 200 requests (DISCOVER, REQUEST each) at most 50 a
# second: the figures must show at least that much time, whatever the load.
"$PYTHON" - "$json" "$SLOW_LOG" "$tx" <<'EOF' || fail "the latency summary does not fit the server's rate"
import json, sys
d = json.loads(sys.argv[1])
s = d["summary"]
answers = int(sys.argv[3])
tx = [float(l.split()[0]) for l in open(sys.argv[2]) if " tx " in l]
# the server itself: never more than 50 answers in a second
for i in range(50, len(tx)):
    assert tx[i] - tx[i - 50] >= 0.999, ("server faster than its rate", i)
assert answers >= 200
# the last answer came (answers - 1) / 50 s after the first, at least
assert s["duration_ms"] >= (answers - 1) / 50 * 1000 - 1, s
assert tx[-1] - tx[0] >= (answers - 1) / 50 - 0.001
assert s["max_ms"] <= s["duration_ms"] and s["p50_ms"] <= s["max_ms"], s
# each DISCOVER -> OFFER and REQUEST -> ACK the client saw spans at least
# the server's answer; the totals hold both
for c in d["clients"]:
    assert c["total_ms"] >= c["discover_offer_ms"] + c["request_ack_ms"] - 0.002, c
print("p50 %.1f ms, max %.1f ms, all in %.2f s, %d retransmissions, window %d at most"
      % (s["p50_ms"], s["max_ms"], s["duration_ms"] / 1000, s["retransmissions"], s["window_peak"]))
EOF
(($(py 'd["summary"]["retransmissions"]' <<<"$json") >= dups)) ||
	fail "fewer retransmissions counted than the server read twice"
ok n delete-clients

pretty "--max-rate 20: the server receives at most 20 requests in a second"
: >"$SLOW_LOG"
ok n create-clients 30 --parent lan0 --max-rate 20 --json
assert_eq "$(py 'd["leased"]' <<<"$OUT")" 30 "leased"
"$PYTHON" - "$SLOW_LOG" <<'EOF' || fail "--max-rate 20 let more through"
import sys
# when the kernel received each (the server may read them later)
rx = sorted(float(l.split()[5]) for l in open(sys.argv[1])
            if " rx DISCOVER " in l or " rx REQUEST " in l)
assert len(rx) >= 60, len(rx)
# 21 in a second: a packet delayed on its way may cross a second's border
for i in range(21, len(rx)):
    assert rx[i] - rx[i - 21] >= 1.0, ("22 requests within a second", i, rx[i] - rx[i - 21])
EOF

pretty "delete-clients --max-rate 20: the server receives at most 20 RELEASEs in a second"
# None is answered, none is sent again: a burst of them overran a busy
# dnsmasq's socket queue and its leases were left (1000 a second unless told).
: >"$SLOW_LOG"
ok n delete-clients --max-rate 20
# the server may read the last ones a moment after delete-clients returns
wait_for 10 eval '(($(grep -c " rx RELEASE " "$SLOW_LOG") >= 30))'
"$PYTHON" - "$SLOW_LOG" <<'EOF' || fail "delete-clients --max-rate 20 let more through"
import sys
rx = sorted(float(l.split()[5]) for l in open(sys.argv[1]) if " rx RELEASE " in l)
assert len(rx) == 30, len(rx)
# 21 in a second, as above: a packet delayed on its way may cross a second's border
for i in range(21, len(rx)):
    assert rx[i] - rx[i - 21] >= 1.0, ("22 RELEASEs within a second", i, rx[i] - rx[i - 21])
EOF
slow_down

pretty "list-clients keeps each client's last renewal and what it took"
: >"$SLOW_LOG"
ip netns exec router "$PYTHON" "$TEST_DIR/dhcp-slow-server.py" r0 10.77.1.1 10.77.1.100 10.77.1.250 \
	--rate 50 --t1 1 --log "$SLOW_LOG" &
SLOW_PID=$!
wait_for 10 grep -q ready "$SLOW_LOG"
ok n create-clients 3 --parent lan0
renewed_twice() {
	n list-clients --json | py 'all(c["renewals"] >= 2 for c in (d if isinstance(d, list) else d["clients"]))' |
		grep -qx True
}
wait_for 20 renewed_twice
ok n list-clients --json
shape list-clients <<<"$OUT" || fail "list-clients --json does not match its schema"
"$PYTHON" - "$OUT" <<'EOF' || fail "list-clients: no renewal figures"
import json, sys
d = json.loads(sys.argv[1])
for c in d if isinstance(d, list) else d["clients"]:
    r, a = c["last_renewal"], c["acquired"]
    assert r and a and r["at"] >= a["at"] and r["latency_ms"] > 0 and c["renewals"] >= 2, c
EOF
# the renewals the server answered: unicast REQUESTs from the clients' addresses
(($(grep -c ' tx ACK ' "$SLOW_LOG") >= 3 + 6)) || fail "the server acked $(grep -c ' tx ACK ' "$SLOW_LOG") times"
ok n delete-clients
slow_down
lan_down

# --- --min: as many as the router leases ----------------------------------
lan_up 100 109
pretty "create-clients 14 --min 8 with 10 addresses: 10 kept, 4 released"
ok n create-clients 14 --parent lan0 --min 8 --timeout 3
[[ ${OUT%%$'\n'*} == "created 10 clients, 10 in all" ]] || fail "output: $OUT"
[[ $OUT == *$'\n'"leased 10/14 in "* ]] || fail "no summary: $OUT"
# those released alike named together, before why; a run of three or more in short (ns11..ns14)
[[ $OUT =~ $'\n'released\ 4\ without\ a\ lease:\ (((ns[0-9]+(\.\.ns[0-9]+)?,\ )*ns[0-9]+(\.\.ns[0-9]+)?\ \([^\)]+\)(,\ )?)+)$ ]] ||
	fail "released: $OUT"
released=$(grep -oE 'ns[0-9]+(\.\.ns[0-9]+)?' <<<"${BASH_REMATCH[1]}" |
	sed -E 's/^ns([0-9]+)\.\.ns([0-9]+)$/seq \1 \2/e; s/^ns//' | sort -u | wc -l)
assert_eq "$released" 4 "clients named released"
assert_eq "$(n list-clients | grep -c '^ns')" 10 "clients left"
for ns in $(grep -o 'ns[0-9]*' <<<"${OUT##*released}"); do
	! netns_exists "$ns" || fail "$ns was released but is left"
	[[ ! -e $STATE_DIR/clients/leases/$ns && ! -e $ETC_DIR/$ns ]] || fail "files of $ns are left"
done
assert_eq "$(dnsmasq_leases)" 10 "leases in dnsmasq's file"
[[ -n $(keeper_pids) ]] || fail "no lease keeper for the 10"

pretty "--min counts the clients made before: 10 + 0 of 4 more is not 12"
expect_fail_with 1 '^netnsctl: 4 of 4 new clients got no lease within 2\.000 s, leaving 10 with one \(--min 12\), all 4 rolled back: ' \
	n create-clients 14 --parent lan0 --min 12 --timeout 2
assert_eq "$(n list-clients | grep -c '^ns')" 10 "clients left"
# with --json, the failure is a document too: the error, and each client rolled back with why
run n create-clients 14 --parent lan0 --min 12 --timeout 2 --json
assert_eq "$RC" 1 "exit status of a failed create-clients --json"
shape create-clients <<<"$OUT" || fail "create-clients --json of a failure does not match its schema"
"$PYTHON" -c '
import json, sys
d = json.loads(sys.argv[1])
assert "netnsctl: " + d["error"] == sys.argv[2], (d["error"], sys.argv[2])
assert d["signal"] is None and d["created"] == 0 and len(d["clients"]) == 10, d
# the new ones: of ns1..ns14, those not among the 10 kept before
have = {c["name"] for c in d["clients"]}
got = [(c["name"], c["leased"], c["why"]) for c in d["rolled_back"]]
want = [("ns%d" % i, False, "no DHCPOFFER") for i in range(1, 15) if "ns%d" % i not in have]
assert got == want and len(got) == 4, (got, want)
' "$OUT" "$ERR" || fail "error, signal, created, clients, rolled_back of a failed --json"
assert_eq "$(n list-clients | grep -c '^ns')" 10 "clients left"
ok n create-clients 14 --parent lan0 --min 10 --timeout 2 --json
shape create-clients <<<"$OUT" || fail "create-clients --min --json does not match its schema"
assert_eq "$(py 'd["created"], d["asked"], d["leased"], d["released"], len(d["released_clients"]), len(d["clients"])' <<<"$OUT")" \
	"0 4 0 4 4 10" "created, asked, leased, released, released_clients, clients"

pretty "--json of static clients, and of clients that exist: no figures"
ok n create-clients 2 --prefix sx --static 10.99.0.0/24 --parent lan0 --json
shape create-clients <<<"$OUT" || fail "create-clients --static --json does not match its schema"
assert_eq "$(py 'd["created"], d["asked"], d["summary"], [(c["name"], c["new"]) for c in d["clients"]]' <<<"$OUT")" \
	"2 0 None [('sx1', True), ('sx2', True)]" "static clients"
ok n create-clients 2 --prefix sx --static 10.99.0.0/24 --parent lan0 --json
shape create-clients <<<"$OUT" || fail "create-clients --json (unchanged) does not match its schema"
assert_eq "$(py 'd["created"], d["summary"], [(c["name"], c["new"]) for c in d["clients"]]' <<<"$OUT")" \
	"0 None [('sx1', False), ('sx2', False)]" "clients that exist"
ok n delete-clients --prefix sx

pretty "bad --min and --max-rate: exit 2, nothing changed"
take_reference
expect_fail_naming 2 15 n create-clients 14 --parent lan0 --min 15
expect_fail_naming 2 0 n create-clients 14 --parent lan0 --min 0
expect_fail_naming 2 0 n create-clients 14 --parent lan0 --max-rate 0
expect_fail_naming 2 100001 n create-clients 14 --parent lan0 --max-rate 100001
expect_fail_naming 2 x n create-clients 14 --parent lan0 --max-rate x
expect_fail_with 2 'static' n create-clients 4 --parent lan0 --min 2 --static 10.99.0.0/24
assert_unchanged "bad --min or --max-rate changed something"

pretty "delete-clients waits for a slow ARP answer before the RELEASEs are lost"
# The clients have never sent the router a unicast packet: each RELEASE
# waits for ARP.  The router answers no ARP for 1.5 s (its second answer is
# the first one given; the clients keep asking, 10 times); a delete that
# deleted the macvlans after 1 s lost every RELEASE.
for ns in $(n list-clients | awk 'NR > 1 { print $1 }'); do
	nsx "$ns" sysctl -qw net.ipv4.neigh.eth0.mcast_solicit=10
	ip -n "$ns" neigh flush dev eth0
done
nsx router sysctl -qw net.ipv4.conf.r0.arp_ignore=8
"$NETNSCTL" delete-clients >"$TMPDIR/del.out" 2>&1 &
pid=$!
sleep 1.5
nsx router sysctl -qw net.ipv4.conf.r0.arp_ignore=0
wait $pid || fail "delete-clients: $(<"$TMPDIR/del.out")"
assert_eq "$(<"$TMPDIR/del.out")" "deleted 10 clients" "output"
for ((t = 0; t < 250; t++)); do
	dnsmasq_empty && break
	sleep 0.02
done
dnsmasq_empty || fail "dnsmasq holds $(dnsmasq_leases) leases after delete-clients; it saw $(grep -c 'DHCPRELEASE(r0)' "$LAN_LOG") RELEASEs"
lan_down
assert_nothing_left
