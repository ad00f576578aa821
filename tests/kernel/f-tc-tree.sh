#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lanes: host uml
#
# The kernel layer of issue #17 (include/netnsctl/tc.h, ifb.h) driven by
# nn-tctool, without the planner, measured:
#
#   sva  veth-a 10.10.0.1/24 --+
#   svb  veth-b 10.10.0.2/24 --+-- svr: bridge br0 (ports pa, pb, pc)
#   svc  veth-c 10.10.0.3/24 --+
#
# Every impairment is on sva's veth-a: its egress (what sva sends) or,
# through the ifb ifb-veth-a, its ingress (what sva receives).
#
# host (no sch_netem): a per-destination tbf (to svb limited, to svc not), a
# per-port tbf (tcp to 5201 limited, to 5202 not), an ingress tbf (svb -> sva limited, sva -> svb not), both by iperf3 within
# 10%; a netem+tbf tree refused with the no-netem error and nothing changed;
# --print-tc's commands give the same kernel state; removal leaves no ifb,
# clsact, filter or class, also after the ifb was deleted behind its back.
# uml (netem): netem with a tbf child (delay and rate each within bounds), a
# per-destination delay (svb delayed, svc not), an ingress delay (egress
# untouched), by ping; an asymmetric link (out 10 ms and 10 Mbit/s, in 30 ms
# and 5 Mbit/s), by ping and by iperf3 each way;
# --print-tc's netem commands give the same kernel state.

. "$(dirname "$(readlink -f "$0")")/../integration/lib.sh"
. "$(dirname "$(readlink -f "$0")")/fidelity.sh"

# CTest sets it; by hand (and fidelity-report) it is beside netnsctl's build.
TT=${NETNSCTL_TCTOOL:-$(dirname "$NETNSCTL")/tests/nn-tctool}
[[ -n $TT && -x $TT ]] || refuse "NETNSCTL_TCTOOL (\"$TT\") is not nn-tctool"
tt() { "$TT" "$@"; }
# tt_fails CODE ERE ARG...: nn-tctool exits CODE with one line matching ERE.
tt_fails() {
	local code=$1 ere=$2
	shift 2
	run tt "$@"
	if [[ $RC -ne $code || $ERR_LINES -ne 1 || $ERR != "nn-tctool: "* || ! $ERR =~ $ere ]]; then
		show_run tt "$@"
		fail "expected exit $code and one line matching /$ere/"
	fi
}
ADDR_C=10.10.0.3

# fidelity.sh removes sva and svb; the bridge's and svc's namespaces too.
trap '_rc=$?; del_namespaces svr svc; (exit $_rc); _fid_cleanup' EXIT

topology() {
	local ns i=0
	for ns in svr sva svb svc; do
		ip netns add "$ns"
		ip -n "$ns" link set lo up
	done
	ip -n svr link add br0 type bridge
	ip -n svr link set br0 up
	for ns in sva svb svc; do
		i=$((i + 1))
		ip -n svr link add "p${ns#sv}" type veth peer name "veth-${ns#sv}" netns "$ns"
		ip -n svr link set "p${ns#sv}" master br0 up
		ip -n "$ns" addr add "10.10.0.$i/24" dev "veth-${ns#sv}"
		ip -n "$ns" link set "veth-${ns#sv}" up
	done
	# A spare pair in sva for replaying --print-tc.
	ip -n sva link add veth-x type veth peer name veth-y
	ip -n sva link set veth-x up
	ip -n sva link set veth-y up
	wait_for 10 nsx sva ping -n -q -c 1 -W 1 "$ADDR_B"
	wait_for 10 nsx sva ping -n -q -c 1 -W 1 "$ADDR_C"
	wait_for 10 nsx svb ping -n -q -c 1 -W 1 "$ADDR_C"
}

# tc's view of DEV in NS, with the device's name taken out.
tc_view() {
	local ns=$1 dev=$2
	{
		tc -n "$ns" qdisc show dev "$dev"
		tc -n "$ns" class show dev "$dev"
		tc -n "$ns" filter show dev "$dev"
		tc -n "$ns" filter show dev "$dev" ingress 2>/dev/null || true
	} | sed "s/ dev $dev / dev DEV /g"
}

# Everything that could change in sva: links and tc state of both hooks.
sva_state() {
	ip -n sva -o link show | sed 's/ state [A-Z]*//'
	tc -n sva qdisc show
	local l
	for l in veth-a veth-x; do
		tc_view sva "$l"
	done
}

# The ingress of veth-a has nothing of netnsctl's left.
assert_no_ingress() {
	! ip -n sva link show dev ifb-veth-a >/dev/null 2>&1 || fail "ifb-veth-a left"
	[[ -z $(tc -n sva filter show dev veth-a ingress) ]] ||
		fail "filters left on veth-a's ingress: $(tc -n sva filter show dev veth-a ingress)"
	[[ $(tc -n sva qdisc show dev veth-a) != *clsact* ]] || fail "the clsact qdisc is left"
}

assert_no_tree() {
	local what
	# (the egress tree only: a clsact for the ingress may be there)
	what=$(tc -n sva qdisc show dev veth-a | grep -v '^qdisc clsact ffff: parent ffff:fff1')
	[[ $what == "qdisc noqueue 0: root "* && $what != *$'\n'* ]] || fail "qdiscs left on veth-a: $what"
	[[ -z $(tc -n sva class show dev veth-a) ]] || fail "classes left on veth-a"
	[[ -z $(tc -n sva filter show dev veth-a) ]] || fail "filters left on veth-a"
}

# replay_print SPEC...: --print-tc's commands on veth-x give what nn-tctool
# made on veth-a: the same tree read back, and tc's own view the same.
replay_print() {
	local line
	ok tt set sva veth-a "$@"
	tt print sva veth-x "$@" >"$_fid_tmp/print"
	[[ -s $_fid_tmp/print ]] || fail "print-tc printed nothing"
	while IFS= read -r line; do
		# shellcheck disable=SC2086
		eval "$line" || fail "print-tc's command failed: $line"
	done <"$_fid_tmp/print"
	ok tt diff sva veth-x "$@"
	assert_eq "$OUT" unchanged "the tree --print-tc's commands made, against the spec"
	assert_same "$(tc_view sva veth-a)" "$(tc_view sva veth-x)" "tc's view of nn-tctool's tree and of --print-tc's"
	ok tt clear sva veth-a
	ok tt clear sva veth-x
}

# rtt_to NS DST: "MEDIAN MIN" of 40 pings, in ms.
rtt_to() {
	ping_probe "$1" "$2" 40 0.05
	ping_rtts | stats | awk '{ print $4, $2 }'
}

host_lane() {
	local base s l2 other out ifb mac cookie made before

	pretty "baseline sva -> svb"
	base=$(iperf_l2_mbit 3 | awk '{ print $1 }')
	record "no qdisc" "-" "$base Mbit/s" "> 100 Mbit/s" within "$base" 100 1e12

	pretty "per destination: to svb 10 Mbit/s, to svc not"
	ok tt set sva veth-a rule to "$ADDR_B/32" rate 10mbit
	ok tt show sva veth-a json
	[[ $OUT == *'"to":["10.10.0.2/32"]'*'"rate_bytes_per_sec":1250000'* ]] || fail "show: $OUT"
	shaped_rate "tbf per destination, limited" "egress rule to $ADDR_B/32 rate 10mbit" 10 5
	s=$(iperf_l2_mbit 3 sva svc "$ADDR_C")
	other=${s%% *}
	record "tbf per destination, the other" "egress rule to $ADDR_B/32 rate 10mbit" \
		"$other Mbit/s to svc" ">= 100 Mbit/s" within "$other" 100 1e12

	pretty "per port: tcp to port 5201 at 10 Mbit/s, to 5202 not"
	ok tt set sva veth-a rule port 5201 proto tcp rate 10mbit
	s=$(iperf_l2_mbit 5 sva svb "$ADDR_B" "" 5201)
	l2=${s%% *}
	record "tbf per port, limited" "egress rule port 5201 proto tcp rate 10mbit" \
		"$l2 Mbit/s to port 5201 (link layer, median of 5 s)" "9-11 Mbit/s" within "$l2" 9 11
	s=$(iperf_l2_mbit 3 sva svb "$ADDR_B" "" 5202)
	other=${s%% *}
	record "tbf per port, the other" "egress rule port 5201 proto tcp rate 10mbit" \
		"$other Mbit/s to port 5202" ">= 100 Mbit/s" within "$other" 100 1e12
	ok tt set sva veth-a rule to "$ADDR_B/32" rate 10mbit

	pretty "the same rules again: no step, nothing changed"
	before=$(tc_view sva veth-a)
	ok tt sync sva veth-a rule to "$ADDR_B/32" rate 10mbit
	assert_eq "$OUT" unchanged "a re-apply of the same rules"
	assert_same "$before" "$(tc_view sva veth-a)" "tc's view after a re-apply"

	pretty "one rule's rate changes: that rule's leaf, nothing else"
	ok tt sync sva veth-a rule to "$ADDR_B/32" rate 20mbit
	assert_eq "$OUT" "leaf 2 to $ADDR_B/32" "the steps of a changed rule"
	ok tt sync sva veth-a rule to "$ADDR_B/32" rate 20mbit rule to "$ADDR_C/32" proto tcp port 5201 rate 5mbit
	assert_eq "$OUT" "add 3 to $ADDR_C/32 port 5201 proto tcp" "the steps of an added rule"
	ok tt sync sva veth-a rule to "$ADDR_C/32" proto tcp port 5201 rate 5mbit
	assert_eq "$OUT" $'del 2 to 10.10.0.2/32\nmove 3 to 10.10.0.3/32 port 5201 proto tcp' \
		"the steps of a removed rule"

	pretty "--print-tc's commands make the same kernel state"
	replay_print rate 50mbit rule to 10.10.0.0/25 port 80 port 443 rate 1mbit \
		rule to fd00::/64 proto icmp proto udp rate 5mbit burst 10000 rule to 10.10.0.3 tbf-limit 30000 rate 2mbit
	replay_print rate 7mbit latency 20ms

	pretty "netem + tbf without sch_netem: refused, nothing changed"
	ok tt set sva veth-a rule to "$ADDR_B/32" rate 10mbit
	before=$(sva_state)
	tt_fails 1 'this kernel has no sch_netem' set sva veth-a delay 10ms rate 10mbit
	assert_same "$before" "$(sva_state)" "sva after a refused netem+tbf"
	tt_fails 1 'this kernel has no sch_netem' sync sva veth-a rule to "$ADDR_B/32" delay 10ms rate 10mbit
	assert_same "$before" "$(sva_state)" "sva after a refused netem rule"
	tt_fails 1 'this kernel has no sch_netem' ingress sva veth-a delay 10ms rate 10mbit
	assert_same "$before" "$(sva_state)" "sva after a refused netem on ingress"
	ok tt clear sva veth-a
	assert_no_tree

	pretty "ingress: 10 Mbit/s from svb to sva, sva to svb not"
	ok tt ingress sva veth-a rate 10mbit
	read -r ifb mac cookie made <<<"$OUT"
	assert_eq "$ifb" ifb-veth-a "the ifb's name"
	assert_eq "$made" 1 "clsact made"
	assert_eq "$(link_get sva ifb-veth-a address)" "$mac" "the ifb's MAC"
	link_is_up sva ifb-veth-a || fail "ifb-veth-a is down"
	assert_no_tree
	s=$(iperf_l2_mbit 5 sva svb "$ADDR_B" -R)
	l2=${s%% *}
	record "ingress tbf" "ingress rate 10mbit" "$l2 Mbit/s svb -> sva (link layer, median of 5 s)" \
		"9-11 Mbit/s" within "$l2" 9 11
	s=$(iperf_l2_mbit 3)
	other=${s%% *}
	record "ingress tbf, egress untouched" "ingress rate 10mbit" "$other Mbit/s sva -> svb" \
		">= 100 Mbit/s" within "$other" 100 1e12

	pretty "removal: no ifb, no filter, no clsact"
	ok tt unimpair sva veth-a "$ifb" "$mac" "$cookie" "$made"
	assert_eq "$OUT" $'redirects removed: 1\nifb removed\nclsact removed: 1' "what unimpair did"
	assert_no_ingress
	s=$(iperf_l2_mbit 3 sva svb "$ADDR_B" -R)
	l2=${s%% *}
	record "ingress tbf removed" "unimpair" "$l2 Mbit/s svb -> sva" ">= 100 Mbit/s" within "$l2" 100 1e12

	pretty "cleanup after the ifb went behind netnsctl's back: the cookie still finds the redirect"
	ok tt ingress sva veth-a rate 10mbit
	read -r ifb mac cookie made <<<"$OUT"
	ip -n sva link del ifb-veth-a
	out=$(tc -n sva filter show dev veth-a ingress)
	[[ $out == *"redirect to device *"* || $out == *"Redirect to device *"* ]] ||
		fail "the redirect does not read as to no device: $out"
	ok tt ingress-show sva veth-a
	[[ $OUT == *"redirect prio 65520 handle 80000800 to 0 cookie $cookie"* ]] || fail "ingress-show: $OUT"
	ok tt unimpair sva veth-a "$ifb" "$mac" "$cookie" "$made"
	assert_eq "$OUT" $'redirects removed: 1\nclsact removed: 1' "what unimpair did"
	assert_no_ingress

	pretty "an admin's clsact and filter stay"
	ip -n sva link add ifb-veth-a type ifb	# someone else's ifb of that name
	tc -n sva qdisc add dev veth-a clsact
	tc -n sva filter add dev veth-a ingress prio 7 protocol ip u32 match ip src 10.9.9.9/32 classid 1:1
	tt_fails 1 'File exists' ingress sva veth-a rate 10mbit
	ip -n sva link del ifb-veth-a
	ok tt ingress sva veth-a rate 10mbit
	read -r ifb mac cookie made <<<"$OUT"
	assert_eq "$made" 0 "clsact made (there was one)"
	ok tt unimpair sva veth-a "$ifb" "$mac" "$cookie" 1
	assert_eq "$OUT" $'redirects removed: 1\nifb removed\nclsact removed: 0' "what unimpair did"
	out=$(tc -n sva filter show dev veth-a ingress)
	[[ $out == *"pref 7 u32"* && $out != *"pref 65520"* ]] || fail "the admin's filter: $out"
	tc -n sva qdisc del dev veth-a clsact
	assert_no_ingress

	pretty "a tree cleared: no class, no filter"
	ok tt set sva veth-a rate 20mbit rule to "$ADDR_B/32" rate 10mbit rule port 22 rate 1mbit
	ok tt clear sva veth-a
	assert_no_tree
}

uml_lane() {
	local r med min s l2 ifb mac cookie made

	pretty "baseline"
	read -r med min <<<"$(rtt_to sva "$ADDR_B")"
	record "no qdisc" "-" "median RTT $med ms" "median < 5 ms" within "$med" 0 5

	pretty "netem delay 50ms with a tbf child of 10 Mbit/s"
	ok tt set sva veth-a delay 50ms rate 10mbit
	ok tt show sva veth-a
	assert_eq "$OUT" "root 1: netem delay 50ms, then tbf rate 10Mbit burst 25000b limit 87500b latency 50ms" "show"
	read -r med min <<<"$(rtt_to sva "$ADDR_B")"
	record "netem+tbf: delay" "egress delay 50ms rate 10mbit" "median RTT $med ms (min $min)" \
		"median 50-65 ms, min >= 50 ms" within "$med" 50 65
	within "$min" 50 1e9 || fail "an RTT below the delay: $min ms"
	shaped_rate "netem+tbf: rate" "egress delay 50ms rate 10mbit" 10 8

	pretty "per destination: delay to svb, not to svc"
	ok tt sync sva veth-a rule to "$ADDR_B/32" delay 50ms
	assert_eq "$OUT" "rebuild: root is netem with a tbf child, to be htb with rules" "steps"
	read -r med min <<<"$(rtt_to sva "$ADDR_B")"
	record "netem per destination, delayed" "egress rule to $ADDR_B/32 delay 50ms" \
		"median RTT $med ms to svb" "median 50-65 ms" within "$med" 50 65
	read -r med min <<<"$(rtt_to sva "$ADDR_C")"
	record "netem per destination, the other" "egress rule to $ADDR_B/32 delay 50ms" \
		"median RTT $med ms to svc" "median < 5 ms" within "$med" 0 5
	ok tt clear sva veth-a

	pretty "ingress delay 30ms; egress untouched"
	ok tt ingress sva veth-a delay 30ms
	read -r ifb mac cookie made <<<"$OUT"
	assert_no_tree
	read -r med min <<<"$(rtt_to svb "10.10.0.1")"
	record "ingress delay" "ingress delay 30ms" "median RTT $med ms svb -> sva" "median 30-40 ms" \
		within "$med" 30 40
	read -r med min <<<"$(rtt_to svb "$ADDR_C")"
	record "ingress delay, other links" "ingress delay 30ms" "median RTT $med ms svb -> svc" \
		"median < 5 ms" within "$med" 0 5

	pretty "asymmetric: out 10 ms and 10 Mbit/s, in 30 ms and 5 Mbit/s"
	ok tt set sva veth-a delay 10ms rate 10mbit
	ok tt set sva ifb-veth-a delay 30ms rate 5mbit
	ok tt show sva ifb-veth-a
	assert_eq "$OUT" "root 1: netem delay 30ms, then tbf rate 5Mbit burst 12500b limit 43750b latency 50ms" \
		"the ifb's tree"
	read -r med min <<<"$(rtt_to sva "$ADDR_B")"
	record "asymmetric link: delay" "egress delay 10ms rate 10mbit, ingress delay 30ms rate 5mbit" \
		"median RTT $med ms" "median 40-50 ms" within "$med" 40 50
	shaped_rate "asymmetric link: rate out" "egress delay 10ms rate 10mbit, ingress delay 30ms rate 5mbit" 10 6
	s=$(iperf_l2_mbit 6 sva svb "$ADDR_B" -R)
	l2=${s%% *}
	record "asymmetric link: rate in" "egress delay 10ms rate 10mbit, ingress delay 30ms rate 5mbit" \
		"$l2 Mbit/s svb -> sva (link layer, median of 6 s)" "4.5-5.5 Mbit/s" within "$l2" 4.5 5.5
	ok tt unimpair sva veth-a "$ifb" "$mac" "$cookie" "$made"
	ok tt clear sva veth-a
	assert_no_ingress
	assert_no_tree
	read -r med min <<<"$(rtt_to sva "$ADDR_B")"
	record "asymmetric link removed" "unimpair, clear" "median RTT $med ms" "median < 5 ms" \
		within "$med" 0 5

	pretty "a leaf changes kind and stacking in place, at the root and in a rule"
	local spec
	for spec in "delay 5ms" "delay 5ms rate 5mbit" "rate 5mbit" "delay 7ms" "delay 7ms rate 6mbit" \
		"delay 1ms rule to $ADDR_B/32 delay 5ms" "delay 1ms rule to $ADDR_B/32 delay 5ms rate 5mbit" \
		"delay 1ms rule to $ADDR_B/32 rate 5mbit" "rate 2mbit rule to $ADDR_B/32 delay 6ms" \
		"rate 2mbit rule to $ADDR_B/32 delay 6ms rate 1mbit" "delay 1ms rate 2mbit rule to $ADDR_B/32"; do
		# shellcheck disable=SC2086
		ok tt sync sva veth-a $spec
		# shellcheck disable=SC2086
		ok tt diff sva veth-a $spec
		assert_eq "$OUT" unchanged "the tree after sync to \"$spec\""
	done
	ok tt clear sva veth-a
	assert_no_tree

	pretty "--print-tc's netem commands make the same kernel state"
	replay_print delay 20ms jitter 2ms loss 0.5% rate 10mbit
	replay_print delay 5ms rule to 10.10.0.0/25 delay 50ms rate 10mbit \
		rule port 80 proto tcp loss 2.5% rule to fd00::/64 delay 1ms limit 500
}

topology
case $NETNSCTL_SANDBOX in
host) host_lane ;;
uml) uml_lane ;;
esac
del_namespaces svr sva svb svc
assert_nothing_left
((_fid_failures == 0)) || fail "$_fid_failures measurement(s) out of bounds (see FAIL above)"
