#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lanes: host
# why: a storm is about netnsctl's locks and journal against itself, not about
#      the kernel; and hundreds of processes at once crawl in UML
#
# Storms of 2, 4 and 8 netnsctl processes at once, many rounds each, on
# shared names (s1..s5, the host bridge br0, the bridge hub/brh) and on
# names of their own (wN-a, wN-b): create and delete namespaces, veth pairs,
# bridges, attach, tbf and netem (which this host kernel lacks: a failure
# rolled back in the middle of the storm), clear, list and cleanup, all
# interleaved.  Every command must finish within $STORM_TIMEOUT seconds (no
# deadlock), exit 0 or 1 (never a usage error, a crash or a sanitizer
# report) with at most one line on stderr.  After each storm the world is
# consistent: every name in the run dir is one live nsfs mount and every
# such mount has its name, the run dir is not mounted over itself again and
# again, every veth in a named namespace has its peer in a named namespace or
# here, netnsctl can list everything; and one cleanup leaves nothing, a
# second one nothing to do.
#
#   +----------+  +----------+        +-----------------+
#   | netns s1 |  | netns s2 |  ...   | netns hub       |
#   |  to-s2 ======  to-s1   |        |   bridge brh    |--- eth-brh in sN
#   |  eth-br0 |  |          |        +-----------------+
#   +----|-----+  +----------+
#        +---- port on bridge br0 (the sandbox's own namespace)

. "$(dirname "$(readlink -f "$0")")/lib.sh"

STORM_TIMEOUT=${STORM_TIMEOUT:-60}
ROUNDS=${STORM_ROUNDS:-30}
SHARED=(s1 s2 s3 s4 s5)

cleanup() {
	local rc=$?
	set +e
	jobs -p | xargs -r kill 2>/dev/null
	wait 2>/dev/null
	del_namespaces "${SHARED[@]}" hub w{1..8}-a w{1..8}-b
	ip link del br0 2>/dev/null
	exit $rc
}
trap cleanup EXIT

# One command of a storm, chosen from the worker's random numbers.
storm_cmd() {
	local w=$1 a b x y
	a=${SHARED[RANDOM % 5]}
	b=${SHARED[RANDOM % 5]}
	# half the time the worker's own names
	if ((RANDOM % 2)); then a=w$w-a; b=w$w-b; fi
	# one order per pair, so a pair has one set of names and addresses
	if [[ $a > $b ]]; then x=$a; a=$b; b=$x; fi
	x=$(((RANDOM % 60) + 1))
	y=$((RANDOM % 64 * 4))
	case $((RANDOM % 16)) in
	0) CMD=(create-namespaces "$a" "$b") ;;
	1) CMD=(delete-namespaces "$a") ;;
	2 | 3)
		[[ $a != "$b" ]] || b=hub
		CMD=(create-veth-pair "$a" "$b" --if-a "to-$b" --if-b "to-$a" --cidr "10.$x.$y.0/30") ;;
	4) CMD=(delete-veth-pair "$a" "$b" --if-a "to-$b") ;;
	5) CMD=(create-bridge br0) ;;
	6) CMD=(create-bridge brh --ns hub --addr 192.168.7.1/24) ;;
	7) CMD=(attach "$a" br0) ;;
	8) CMD=(attach "$a" brh --bridge-ns hub) ;;
	9) CMD=(set-rate "$a" eth-br0 --rate "$x"mbit) ;;
	10) CMD=(add-delay "$a" eth-br0 --delay "$x"ms) ;;
	11) CMD=(clear-qdisc "$a" eth-br0) ;;
	12) CMD=(list --json) ;;
	13) CMD=(list) ;;
	14) CMD=(create-namespaces "$a") ;;
	15) if ((RANDOM % 3 == 0)); then CMD=(cleanup); else CMD=(delete-namespaces "$b" "$a"); fi ;;
	esac
}

# worker N ROUNDS: ROUNDS commands; one line per command in $TMPDIR/storm.N:
# "RC<TAB>STDERR-LINES<TAB>COMMAND<TAB>STDERR".
worker() {
	local w=$1 rounds=$2 i rc errfile=$TMPDIR/storm.$1.err lines
	RANDOM=$((w * 7919 + SEED))
	for ((i = 0; i < rounds; i++)); do
		storm_cmd "$w"
		rc=0
		timeout -k 5 "$STORM_TIMEOUT" "$NETNSCTL" "${CMD[@]}" >/dev/null 2>"$errfile" || rc=$?
		lines=$(wc -l <"$errfile")
		printf '%s\t%s\t%s\t%s\n' "$rc" "$lines" "${CMD[*]}" "$(tr '\n' '|' <"$errfile")"
	done >"$TMPDIR/storm.$w"
}

# Every name in the run dir is exactly one nsfs mount and every mount there
# has its file; the run dir itself is mounted at most once (iproute2's bind
# of it onto itself), not once per racing process.
check_run_dir() {
	local f name n
	for f in "$RUN_DIR"/*; do
		name=${f##*/}
		n=$(awk -v p="$f" '$5 == p' /proc/self/mountinfo | wc -l)
		[[ $n -eq 1 ]] || fail "$f is mounted $n times"
		[[ $(mount_fstype "$f") == nsfs ]] || fail "$f is no nsfs mount"
		ip netns exec "$name" true || fail "namespace $name cannot be entered"
	done
	while read -r _ _ _ _ f _; do
		[[ $f == "$RUN_DIR"/* ]] || continue
		[[ -e $f ]] || fail "mount on missing $f"
	done </proc/self/mountinfo
	n=$(awk -v p="$RUN_DIR" '$5 == p' /proc/self/mountinfo | wc -l)
	[[ $n -le 1 ]] || fail "$RUN_DIR is mounted over itself $n times"
}

# Every veth in a named namespace has its peer in a named namespace (by
# netnsid) or in the sandbox's own namespace.
check_veths() {
	local ns ids out
	for ns in $(netns_names) ""; do
		ids=$(ipn "$ns" -j netns list-id)
		out=$(ipn "$ns" -d -j link show type veth | "$PYTHON" -c '
import json, sys
links = json.loads(sys.argv[1] or "[]")
ids = {i["nsid"]: i.get("name") for i in json.loads(sys.argv[2] or "[]")}
names = set(l["ifname"] for l in links)
for l in links:
    if "link_netnsid" in l:
        if ids.get(l["link_netnsid"]) is None and l["link_netnsid"] not in ids:
            print("%s: peer in unknown nsid %s" % (l["ifname"], l["link_netnsid"]))
    elif "link_index" in l and l["link_index"] not in [x["ifindex"] for x in links]:
        print("%s: peer %s not here" % (l["ifname"], l["link_index"]))
' "$(cat)" "$ids") || fail "cannot read the links of \"$ns\""
		[[ -z $out ]] || fail "unpaired veths in \"$ns\": $out"
	done
}

# storm WORKERS: run it, then check what the commands said and the world.
storm() {
	local workers=$1 w rc lines cmd err pids=() total=0 okc=0 failc=0 t0
	CONTEXT="storm of $workers"
	t0=$SECONDS
	for ((w = 1; w <= workers; w++)); do
		worker "$w" "$ROUNDS" &
		pids+=($!)
	done
	for w in "${pids[@]}"; do
		wait "$w" || fail "a worker failed"
	done
	for ((w = 1; w <= workers; w++)); do
		while IFS=$'\t' read -r rc lines cmd err; do
			total=$((total + 1))
			case $rc in
			0) okc=$((okc + 1)); [[ $lines -eq 0 ]] || fail "\"$cmd\" succeeded with stderr: $err" ;;
			1) failc=$((failc + 1))
			   [[ $lines -eq 1 && $err == "netnsctl: "* ]] ||
				fail "\"$cmd\" failed with $lines lines on stderr: $err"
			   echo "${err#netnsctl: }" >>"$TMPDIR/storm.errors" ;;
			124 | 137) fail "\"$cmd\" did not finish in $STORM_TIMEOUT s (deadlock?)" ;;
			*) fail "\"$cmd\" exited $rc: $err" ;;
			esac
		done <"$TMPDIR/storm.$w"
	done
	pretty "storm of $workers: $total commands in $((SECONDS - t0)) s, $okc ok, $failc refused"
	((okc * 2 > total)) || fail "most commands of the storm failed"

	check_run_dir
	check_veths
	ok n list --json
	ipjson valid <<<"$OUT" || fail "list --json is no JSON"
	ok n cleanup
	ok n cleanup
	assert_eq "$OUT" unchanged "a second cleanup"
	assert_nothing_left >/dev/null
	CONTEXT=
}

SEED=${STORM_SEED:-$(date +%s)}
pretty "seed $SEED (STORM_SEED=$SEED reproduces the commands, not their timing)"
: >"$TMPDIR/storm.errors"
for workers in 2 4 8; do
	storm "$workers"
done
pretty "refusals seen (kind: count):"
sed -E 's/"[^"]*"/"X"/g; s/[|]$//' "$TMPDIR/storm.errors" | sort | uniq -c | sort -rn | head -15
assert_nothing_left
