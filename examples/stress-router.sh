#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# stress-router.sh: stress-test a router's DHCP server and LAN with virtual
# clients (docs/clients.md, "Stress-testing a router").  Adapt the settings.
#
#   this machine                              the router under test
#   PARENT (up, cabled to a LAN port) ======= LAN port, DHCP server, GATEWAY
#    |  macvlan eth0 in st1 .. stCOUNT
#
# 1. lease COUNT clients, keeping as many as the router gives (at least MIN),
#    and print what leasing took;
# 2. every client pings the gateway: the failed ones are named;
# 3. every client fetches URL (when set) at once: the slowest are named;
# 4. for ROUNDS minutes, the renewals: does the router slow down?
# The clients go away at the end (their leases released).
#
# Run as root.  tests/integration/t-exec-all.sh runs it against dnsmasq.

set -euo pipefail

PARENT=${PARENT:-eth1}		# the interface on the router's LAN
GATEWAY=${GATEWAY:-192.168.1.1}	# the router's LAN address
COUNT=${COUNT:-200}		# clients to ask for
MIN=${MIN:-1}			# fewer leased than this is a failure
RATE=${RATE:-}			# --max-rate for a fragile router (exchanges a second)
URL=${URL:-}			# fetched by every client in step 3 (curl), when set
ROUNDS=${ROUNDS:-0}		# minutes of watching renewals
PREFIX=${PREFIX:-st}
NETNSCTL=${NETNSCTL:-netnsctl}
OUT=${OUT:-stress-$(date +%Y%m%d-%H%M%S)}

mkdir -p "$OUT"
trap '"$NETNSCTL" delete-clients --prefix "$PREFIX" >/dev/null' EXIT

echo "== 1. leasing $COUNT clients on $PARENT (at least $MIN)"
"$NETNSCTL" create-clients "$COUNT" --parent "$PARENT" --prefix "$PREFIX" --min "$MIN" \
	--timeout 60 ${RATE:+--max-rate "$RATE"} --json >"$OUT/leases.json"
python3 - "$OUT/leases.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
s = d["summary"] or {}
print(f"leased {d['leased']} of {d['asked']} new clients ({d['clients_in_all']} in all)")
if s.get("p50_ms") is not None:
    print(f"DISCOVER to ACK: p50 {s['p50_ms']:.1f} ms, p90 {s['p90_ms']:.1f} ms, "
          f"p99 {s['p99_ms']:.1f} ms, max {s['max_ms']:.1f} ms; "
          f"{s['retransmissions']} retransmissions, {s['naks']} NAKs, "
          f"{s['duration_ms'] / 1000:.2f} s in all")
for c in d["released_clients"]:
    print(f"  no lease: {c['name']} ({c['why']})")
EOF

echo "== 2. every client pings $GATEWAY"
"$NETNSCTL" exec-all --prefix "$PREFIX" --timeout 10 -- ping -c 3 -W 2 "$GATEWAY" || true

if [[ -n $URL ]]; then
	echo "== 3. every client fetches $URL"
	"$NETNSCTL" exec-all --prefix "$PREFIX" --timeout 30 --json -- \
		curl -sS -o /dev/null -w '%{time_total}\n' "$URL" >"$OUT/fetch.json" || true
	python3 - "$OUT/fetch.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
ok = sorted((float(r["stdout"]), r["name"]) for r in d["results"] if r["exit"] == 0)
print(f"{d['ok']} of {d['count']} fetched it; {d['failed']} failed")
if ok:
    print(f"time: median {ok[len(ok) // 2][0]:.3f} s, slowest "
          + ", ".join(f"{n} {t:.3f} s" for t, n in ok[-3:]))
EOF
fi

for ((round = 1; round <= ROUNDS; round++)); do
	sleep 60
	"$NETNSCTL" list-clients --prefix "$PREFIX" --json >"$OUT/renewals-$round.json"
	python3 - "$OUT/renewals-$round.json" "$round" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
clients = d if isinstance(d, list) else d["clients"]
r = sorted(c["last_renewal"]["latency_ms"] for c in clients if c["last_renewal"])
bound = sum(1 for c in clients if c["address"])
line = f"minute {sys.argv[2]}: {bound} of {len(clients)} hold an address"
if r:
    line += f"; last renewals: median {r[len(r) // 2]:.1f} ms, max {r[-1]:.1f} ms"
print(line)
EOF
done
echo "== results in $OUT/"
