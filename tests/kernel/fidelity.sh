# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# fidelity.sh: sourced by tests/kernel/f-*.sh, after tests/integration/lib.sh
# (its sandbox guard and helpers). The fidelity tests impair one end of a veth
# pair with netnsctl and measure what the packets see:
#
#   +--------------------------+           +--------------------------+
#   | netns sva                |           | netns svb                |
#   |   veth-a 10.10.0.1/30    =============   veth-b 10.10.0.2/30    |
#   |   root: the impairment   |  ------>  |   ping replies,          |
#   |   ping, iperf3 client    |           |   iperf3 server          |
#   +--------------------------+           +--------------------------+
#
# Only the egress of veth-a is impaired: ping's echo requests and iperf3's
# data; the replies and acks come back unimpaired.
#
# Every measurement goes through record, which prints it, fails the test when
# it is out of bounds and, with FIDELITY_REPORT=FILE (tests/kernel/
# fidelity-report sets it), appends a row to FILE for docs/fidelity.md.

FIDELITY_REPORT=${FIDELITY_REPORT:-}
ADDR_A=10.10.0.1
ADDR_B=10.10.0.2
# The central probability of the binomial bands that loss, duplication,
# corruption and reordering counts must fall in.
BAND_LEVEL=0.999
_fid_tmp=$(mktemp -d)
_fid_pids=()
# What the last ping_probe said (also when it ran in a $(...) subshell).
PING_OUT=$_fid_tmp/ping.out

_fid_cleanup() {
	local rc=$? p
	set +e
	for p in "${_fid_pids[@]}"; do
		kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	del_namespaces sva svb
	rm -rf "$_fid_tmp"
	exit $rc
}
trap _fid_cleanup EXIT

# The pair, with no qdisc on it yet; a sanity ping both ways.
fidelity_setup() {
	ok n create-veth-pair sva svb
	nsx sva ping -n -q -c 1 -W 2 "$ADDR_B" >/dev/null || fail "no ping from sva to svb"
	nsx svb ping -n -q -c 1 -W 2 "$ADDR_A" >/dev/null || fail "no ping from svb to sva"
}

fidelity_teardown() {
	ok n delete-namespaces sva svb
	assert_nothing_left
	((_fid_failures == 0)) || fail "$_fid_failures measurement(s) out of bounds (see FAIL above)"
}

# --- recording ---

# within X LO HI: LO <= X <= HI, as numbers.
within() { awk -v x="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(x + 0 >= lo + 0 && x + 0 <= hi + 0) }'; }

# calc EXPR: EXPR evaluated by awk (printf %g style through fmt).
calc() { awk "BEGIN { printf \"%.6g\", $1 }"; }

# record IMPAIRMENT ASKED MEASURED EXPECTED CMD...: CMD decides whether the
# measurement passes. One line for the log and, in report mode, a row. A
# failure ends the test, or with FIDELITY_KEEP_GOING=1 only makes
# fidelity_teardown fail.
_fid_failures=0
record() {
	local what=$1 asked=$2 measured=$3 expected=$4 verdict=pass
	shift 4
	"$@" || verdict=FAIL
	pretty "$what: asked $asked; measured $measured; expected $expected: $verdict"
	if [[ -n $FIDELITY_REPORT ]]; then
		printf '%s\t%s\t%s\t%s\t%s\t%s\n' "${TEST_NAME%.sh}" "$what" "$asked" "$measured" \
			"$expected" "$verdict" >>"$FIDELITY_REPORT"
	fi
	[[ $verdict == FAIL ]] || return 0
	if [[ ${FIDELITY_KEEP_GOING:-} == 1 ]]; then
		echo "FAIL: $TEST_NAME: $what: asked $asked, measured $measured, expected $expected" >&2
		_fid_failures=$((_fid_failures + 1))
		return 0
	fi
	fail "$what: asked $asked, measured $measured, expected $expected"
}

# --- statistics ---

# stats < NUMBERS: "N MIN Q1 MEDIAN Q3 MAX MEAN SD" (quartiles interpolated
# between order statistics, SD the population one).
stats() {
	sort -g | awk '
		{ v[++n] = $1; s += $1; ss += $1 * $1 }
		function q(p,   h, i) {
			h = (n - 1) * p + 1; i = int(h)
			return i >= n ? v[n] : v[i] + (h - i) * (v[i + 1] - v[i])
		}
		END {
			if (n == 0) { print "0 0 0 0 0 0 0 0"; exit }
			m = s / n; var = ss / n - m * m
			printf "%d %.3f %.3f %.3f %.3f %.3f %.3f %.3f\n", n, v[1], q(0.25), q(0.5),
			       q(0.75), v[n], m, sqrt(var > 0 ? var : 0)
		}'
}

# binom_band N P_LO [P_HI]: "LO HI", the counts that Binomial(N, P_LO) falls
# below and Binomial(N, P_HI) above with probability at most (1 - BAND_LEVEL)/2
# each: an honest implementation lands in [LO, HI] with probability at least
# BAND_LEVEL.
binom_band() {
	awk -v n="$1" -v plo="$2" -v phi="${3:-$2}" -v level="$BAND_LEVEL" '
		# cdf(k) of Binomial(n, p), pmf built up in logs (no lgamma in awk)
		function fill(p, cdf,   k, lp, c) {
			lp = n * log(1 - p); c = 0
			for (k = 0; k <= n; k++) {
				c += exp(lp); cdf[k] = c
				if (k < n) lp += log((n - k) / (k + 1)) + log(p / (1 - p))
			}
		}
		BEGIN {
			a = (1 - level) / 2
			fill(plo, lo_cdf); fill(phi, hi_cdf)
			lo = 0
			while (lo < n && lo_cdf[lo] <= a) lo++
			hi = n
			while (hi > 0 && 1 - hi_cdf[hi - 1] <= a) hi--
			print lo, hi
		}'
}

# --- ping ---

# ping_probe NS DST COUNT INTERVAL [PING_ARG...]: ping and keep what it said
# in $PING_OUT (a file). Lost replies are fine, errors are not.
ping_probe() {
	local ns=$1 dst=$2 count=$3 interval=$4 rc=0
	shift 4
	nsx "$ns" ping -n -c "$count" -i "$interval" -W 2 "$@" "$dst" >"$PING_OUT" 2>&1 || rc=$?
	((rc <= 1)) || { cat "$PING_OUT" >&2; fail "ping -c $count -i $interval $dst in $ns: exit $rc"; }
}

# The round-trip times in ms of the replies in $PING_OUT, in arrival order
# (duplicates included).
ping_rtts() { sed -n 's/.* time=\([0-9.]*\) ms.*/\1/p' "$PING_OUT"; }
# The icmp_seq of each reply, in arrival order.
ping_seqs() { sed -n 's/.* icmp_seq=\([0-9]*\) .*/\1/p' "$PING_OUT"; }
# From ping's summary: transmitted, received (not counting duplicates), duplicates.
ping_counts() {
	awk '/packets transmitted/ {
		t = $1; r = $4; d = 0
		if (match($0, /\+[0-9]+ duplicates/)) d = substr($0, RSTART + 1, RLENGTH - 12) + 0
		print t, r, d; found = 1 }
	     END { if (!found) exit 1 }' "$PING_OUT" || fail "no summary in ping's output"
}

# rtt_stats NS COUNT INTERVAL: stats of the RTTs of COUNT pings sva -> svb
# (or svb -> sva when NS is svb).
rtt_stats() {
	local dst=$ADDR_B
	[[ $1 == svb ]] && dst=$ADDR_A
	ping_probe "$1" "$dst" "$2" "$3"
	ping_rtts | stats
}

# snmp NS PROTO FIELD: a counter from /proc/net/snmp (Ip, Icmp, ...) or
# /proc/net/netstat (IpExt, TcpExt) in NS.
snmp() {
	nsx "$1" cat /proc/net/snmp /proc/net/netstat | awk -v p="$2:" -v f="$3" '
		$1 == p && !seen { for (i = 2; i <= NF; i++) col[$i] = i; seen = 1; next }
		$1 == p && seen { if (f in col) { print $col[f]; found = 1 } ; exit }
		END { if (!found) exit 1 }' || fail "no counter $2 $3 in $1"
}

# --- throughput ---

# iperf_l2_mbit SECONDS [CLIENT SERVER SERVER_ADDR [-R|"" [PORT]]]: an
# iperf3 TCP test sva -> svb (or CLIENT -> SERVER_ADDR in SERVER, on PORT,
# default 5201; with -R SERVER sends to CLIENT), the first second omitted. Prints "L2 GOODPUT" in Mbit/s: the
# median over the receiver's one-second intervals of the goodput, and the
# link-layer rate it implies (full-size frames of MTU + 14 bytes of Ethernet
# header carry MSS bytes of payload), which is what netem and tbf meter. The
# median, because a host that does not schedule the UML for a while (a busy
# machine) makes the intervals around that stall slower and the rest of them
# do not notice.
iperf_l2_mbit() {
	local secs=$1 client=${2:-sva} server=${3:-svb} addr=${4:-$ADDR_B} reverse=${5:-}
	local port=${6:-5201}
	local srv=$_fid_tmp/iperf-server.json cli=$_fid_tmp/iperf-client.json
	local pid rc=0 goodput mss mtu rcv
	nsx "$server" timeout $((secs + 60)) iperf3 -s -1 -B "$addr" -p "$port" -J >"$srv" 2>&1 &
	pid=$!
	_fid_pids+=("$pid")
	wait_for 20 _listening "$server" "$port"
	nsx "$client" timeout $((secs + 30)) iperf3 -c "$addr" -p "$port" -t "$secs" -O 1 -J $reverse \
		>"$cli" 2>&1 || rc=$?
	wait "$pid" || true
	_fid_pids=()
	((rc == 0)) || { cat "$cli" >&2; fail "iperf3 client: exit $rc"; }
	rcv=$srv
	[[ -z $reverse ]] || rcv=$cli
	goodput=$("$PYTHON" -c '
import json, statistics, sys
doc = json.load(open(sys.argv[1]))
bps = [i["sum"]["bits_per_second"] for i in doc["intervals"]
       if not i["sum"].get("omitted") and i["sum"]["seconds"] > 0.5]
print(statistics.median(bps))' "$rcv") || { cat "$rcv" >&2; fail "no intervals in iperf3's receiver report"; }
	mss=$(ipjson get start.tcp_mss_default <"$cli")
	mtu=$(link_get sva veth-a mtu)
	awk -v g="$goodput" -v mss="$mss" -v mtu="$mtu" \
		'BEGIN { printf "%.2f %.2f\n", g * (mtu + 14) / mss / 1e6, g / 1e6 }'
}

_listening() { [[ -n $(nsx "$1" ss -Hltn "sport = :$2") ]]; }

# --- what netnsctl and tc say ---

# qjson NS IF PATH: a field of the root qdisc in `netnsctl show-qdisc --json`.
qjson() { n show-qdisc "$1" "$2" --json | ipjson get "qdiscs.0.$3"; }
# tcjson NS IF PATH: a field of the root qdisc in `tc -j -s qdisc show`.
tcjson() { tc -n "$1" -j -s qdisc show dev "$2" root | ipjson get "0.$3"; }

# full_speed_mbit: the link-layer rate of a short iperf3 run, as a baseline.
full_speed_mbit() { iperf_l2_mbit 3 | awk '{ print $1 }'; }

# shaped_rate WHAT ASKED MBIT SECONDS: measure sva -> svb with iperf3 and
# record whether the link-layer rate is within 10% of MBIT.
shaped_rate() {
	local what=$1 asked=$2 mbit=$3 secs=$4 s l2 goodput
	s=$(iperf_l2_mbit "$secs")
	read -r l2 goodput <<<"$s"
	record "$what" "$asked" "$l2 Mbit/s at the link layer ($goodput Mbit/s TCP goodput; median of ${secs} s)" \
		"$(calc "0.9 * $mbit")-$(calc "1.1 * $mbit") Mbit/s" \
		within "$l2" "$(calc "0.9 * $mbit")" "$(calc "1.1 * $mbit")"
}

# unshaped_rate WHAT BASELINE_MBIT SHAPED_MBIT: after clear-qdisc the shaper
# is gone: the link runs at least ten times the rate it was shaped to, and at
# least 100 Mbit/s (what "no qdisc" asks of the baseline).  Not a fraction of
# the baseline: unshaped, the UML's throughput is bound by the host's CPU and
# halves when the host is busy (a CI run measured 2101 against a baseline of
# 4902 Mbit/s), which says nothing about tc.
unshaped_rate() {
	local what=$1 base=$2 shaped=$3 l2 min
	l2=$(full_speed_mbit)
	min=$(awk -v r="$shaped" 'BEGIN { m = 10 * r; if (m < 100) m = 100; print m }')
	record "$what" "clear-qdisc" "$l2 Mbit/s (baseline $base Mbit/s)" ">= $min Mbit/s" \
		within "$l2" "$min" 1e12
}
