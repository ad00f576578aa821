#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lanes: host
# why: what is under test is netnsctl's journal, its proofs and cleanup, not
#      the kernel; NAT (nftables ip) exists on the host lane only; and the
#      ~100 traced runs would take far longer in UML
#
# An intent is not ownership (issue #12, item 2).  Each create command is
# killed at every journal sync (fdatasync) and at every write (the intent
# written but not synced; the object made but its "made" record not
# written); then, for every object the command makes, one of that name made
# by someone else appears where there is none (ip netns add, ip link add, tc
# qdisc add, ip route add, nft add rule ... comment TAG), and cleanup runs
# (and destroy, for a lab).  The foreign objects must be untouched, and what
# netnsctl did make must be gone.
#
#   sandbox's namespace                      fixtures (made with ip, never netnsctl's)
#     br0 (bridge), lan0 (veth) --- lan0p      br0: attach's bridge; lan0: the clients' parent
#   netns kf (ip netns add)                    connect-host's namespace
#   netns kg (ip netns add): hl0 --- hl1       set-rate's link
#
#   create-veth-pair ka kb          ka, kb, veth-a, veth-b
#   create-bridge br-lab            br-lab
#   attach kc br0                   kc, eth-br0 in kc, kc-eth-br0
#   create-clients 2 --prefix kd    kd1, kd2, their eth0
#   apply kl.yaml (+ destroy)       ke1, ke2, eth0 in each, tbf on ke1's
#   connect-host kf --nat           nn-kf, host0 in kf, kf's default route,
#                                   NAT rule masq:kf, ip_forward (back to 0)
#   set-rate kg hl0 --rate 1mbit    the root qdisc of hl0
#   set-rate kg hl0 ... --direction ingress --to 10.1.2.0/24
#                                   ifb-hl0, the redirect and clsact on hl0's
#                                   ingress (issue #17)

. "$(dirname "$(readlink -f "$0")")/lib.sh"

LAB=$(mktemp --suffix=.yaml)

cleanup() {
	local rc=$?
	set +e
	"$NETNSCTL" cleanup >/dev/null 2>&1
	del_namespaces ka kb kc kd1 kd2 ke1 ke2 kf kg
	ip link del br0 2>/dev/null
	ip link del br-lab 2>/dev/null
	ip link del lan0 2>/dev/null
	ip link del nn-kf 2>/dev/null
	nft delete table ip netnsctl 2>/dev/null
	rm -f "$LAB"
	exit $rc
}
trap cleanup EXIT

command -v strace >/dev/null || fail "strace is missing (Debian: strace)"
command -v nft >/dev/null || fail "nft is missing (Debian: nftables)"

cat >"$LAB" <<'YAML'
name: kl
nodes: [ke1, ke2]
links:
  - endpoints:
      - {node: ke1, if: eth0, addr: 10.58.0.1/30, egress: {rate: 1mbit}}
      - {node: ke2, if: eth0, addr: 10.58.0.2/30}
YAML

# --- fixtures: an admin's, made once, checked after every cleanup ---------
# its own MAC: a bridge without one takes its first port's and gives it back
ip link add br0 address 02:00:5e:00:00:01 type bridge
ip link add lan0 type veth peer name lan0p
ip link set lan0 up
ip link set lan0p up
ip netns add kf
ip netns add kg
ip -n kg link add hl0 type veth peer name hl1
ip -n kg link set hl0 up
echo 0 >/proc/sys/net/ipv4/ip_forward
FIXTURE_NS=" kf kg "

# --- objects: "KIND NS NAME" (NS "" is the sandbox's own namespace) ----------

# The table ip netnsctl's postrouting chain, one rule a line with its handle.
nat_rules() { nft -a list chain ip netnsctl postrouting 2>/dev/null | grep ' comment "' || true; }

# ident KIND NS NAME: what identifies the object (empty: there is none).
ident() {
	local out
	case $1 in
	ns) [[ -e $RUN_DIR/$3 ]] && netns_exists "$3" && stat -L -c 'inode %i' "$RUN_DIR/$3" ;;
	link)
		{ [[ -z $2 ]] || netns_exists "$2"; } || return 0
		ipn "$2" -br link show dev "$3" 2>/dev/null | awk '{ print $1, $3 }'
		ipn "$2" -o link show dev "$3" 2>/dev/null | cut -d: -f1
		;;
	qdisc)
		{ [[ -z $2 ]] || netns_exists "$2"; } || return 0
		out=$(tcn "$2" qdisc show dev "$3" root 2>/dev/null | awk '{ print $2, $3 }')
		[[ -z $out || $out == *" 0:" ]] || echo "$out"
		;;
	route) netns_exists "$2" && ipn "$2" route show "$3" ;;
	nat) nat_rules | grep -F "comment \"$3\"" || true ;;
	ingress) # NAME's ingress hook: its qdisc and filters (with their cookies)
		{ [[ -z $2 ]] || netns_exists "$2"; } || return 0
		tcn "$2" qdisc show dev "$3" 2>/dev/null | grep -E '^qdisc (clsact|ingress)' || true
		tcn "$2" filter show dev "$3" ingress 2>/dev/null | grep -E 'cookie|flowid|mirred' || true
		;;
	esac
}

# Is NS one that is not netnsctl's (a fixture, or made here as a foreign
# object)?  Foreign links and qdiscs go only there: whatever an admin puts in
# a namespace netnsctl made goes with it.
ns_not_ours() { [[ -z $1 || $FIXTURE_NS == *" $1 "* || -n ${FOREIGN["ns  $1"]+x} ]]; }

# make_foreign KIND NS NAME: an object of that name made by someone else.
make_foreign() {
	case $1 in
	ns) ip netns add "$3" ;;
	link) ns_not_ours "$2" && { [[ -z $2 ]] || netns_exists "$2"; } || return 1
		ipn "$2" link add "$3" type bridge ;;
	qdisc) ns_not_ours "$2" && [[ -n $(ident link "$2" "$3") ]] || return 1
		tcn "$2" qdisc add dev "$3" root handle 1: tbf rate 2mbit burst 32k latency 50ms ;;
	route) ns_not_ours "$2" && netns_exists "$2" || return 1
		ipn "$2" route add "$3" dev lo ;;
	ingress) ns_not_ours "$2" && [[ -n $(ident link "$2" "$3") ]] || return 1
		# an admin's clsact with a redirect of its own, at netnsctl's priority
		tcn "$2" qdisc add dev "$3" clsact
		tcn "$2" filter add dev "$3" ingress prio 65520 protocol all u32 match u32 0 0 \
			action mirred egress redirect dev lo cookie 0a0b0c0d0e0f0102 ;;
	nat)
		nft list table ip netnsctl >/dev/null 2>&1 || nft add table ip netnsctl
		nft list chain ip netnsctl postrouting >/dev/null 2>&1 ||
			nft add chain ip netnsctl postrouting '{ type nat hook postrouting priority srcnat; }'
		nft add rule ip netnsctl postrouting ip saddr 192.0.2.0/24 masquerade comment "\"$3\""
		;;
	esac
}

del_foreign() {
	local h
	case $1 in
	ns) ip netns del "$3" ;;
	link) ipn "$2" link del "$3" ;;
	qdisc) tcn "$2" qdisc del dev "$3" root ;;
	route) ipn "$2" route del "$3" dev lo ;;
	ingress) tcn "$2" qdisc del dev "$3" clsact ;;
	nat)
		h=$(nat_rules | grep -F "comment \"$3\"" | sed 's/.*# handle //')
		nft delete rule ip netnsctl postrouting handle "$h"
		;;
	esac
}

fixtures_state() {
	ident link "" br0
	ident link "" lan0
	ident ns "" kf
	ident ns "" kg
	ident link kg hl0
	cat /proc/sys/net/ipv4/ip_forward
}
FIXTURES=$(fixtures_state)

declare -A FOREIGN MADE=([ns]=0 [link]=0 [qdisc]=0 [route]=0 [nat]=0 [ingress]=0)
points=0

# check OBJS...: the foreign objects are as they were made, and everything
# else of the list is gone.
check() {
	local o k ns name
	for o; do
		read -r k ns name <<<"${o//  / \"\" }"
		[[ $ns == '""' ]] && ns=
		if [[ -n ${FOREIGN[$o]+x} ]]; then
			assert_eq "$(ident "$k" "$ns" "$name")" "${FOREIGN[$o]}" "the foreign $k $name in \"$ns\""
		else
			[[ -z $(ident "$k" "$ns" "$name") ]] || fail "netnsctl's $k $name in \"$ns\" is left: $(ident "$k" "$ns" "$name")"
		fi
	done
	assert_eq "$(fixtures_state)" "$FIXTURES" "the fixtures"
}

# killed NAME OBJ... -- CMD...: CMD killed at every fdatasync and write.
killed() {
	local name=$1 objs=() o k ns obj sc n
	shift
	while [[ $1 != -- ]]; do
		objs+=("$1")
		shift
	done
	shift
	pretty "$name, killed at every journal sync and every write"
	for sc in fdatasync write; do
		for ((n = 1; n <= 200; n++)); do
			CONTEXT="$name killed at $sc #$n"
			kill_at "$sc" "$n" "$NETNSCTL" "$@" || break
			points=$((points + 1))
			FOREIGN=()
			for o in "${objs[@]}"; do
				read -r k ns obj <<<"${o//  / \"\" }"
				[[ $ns == '""' ]] && ns=
				[[ -z $(ident "$k" "$ns" "$obj") ]] || continue
				make_foreign "$k" "$ns" "$obj" || continue
				FOREIGN[$o]=$(ident "$k" "$ns" "$obj")
				[[ -n ${FOREIGN[$o]} ]] || fail "cannot make the foreign $o"
				MADE[$k]=$((MADE[$k] + 1))
			done
			if [[ $1 == apply ]]; then
				ok n destroy "$LAB"
				for o in "${!FOREIGN[@]}"; do
					read -r k ns obj <<<"${o//  / \"\" }"
					[[ $ns == '""' ]] && ns=
					assert_eq "$(ident "$k" "$ns" "$obj")" "${FOREIGN[$o]}" "the foreign $o after destroy"
				done
			fi
			ok n cleanup
			check "${objs[@]}"
			# the foreign objects go (links and qdiscs before their namespaces)
			for o in "${!FOREIGN[@]}"; do
				[[ $o == ns* ]] && continue
				read -r k ns obj <<<"${o//  / \"\" }"
				[[ $ns == '""' ]] && ns=
				del_foreign "$k" "$ns" "$obj"
			done
			for o in "${!FOREIGN[@]}"; do
				[[ $o == ns* ]] && del_foreign ns "" "${o#ns  }"
			done
		done
		((n > 1)) || fail "$name makes no $sc call: the kill points need updating"
		# the last run was not killed: what it made goes with a cleanup
		CONTEXT="$name, not killed"
		FOREIGN=()
		ok n cleanup
		check "${objs[@]}"
	done
	CONTEXT=
}

killed create-veth-pair "ns  ka" "ns  kb" "link ka veth-a" "link kb veth-b" \
	-- create-veth-pair ka kb
killed create-bridge "link  br-lab" -- create-bridge br-lab
killed attach "ns  kc" "link kc eth-br0" "link  kc-eth-br0" -- attach kc br0
killed create-clients "ns  kd1" "ns  kd2" "link kd1 eth0" "link kd2 eth0" \
	-- create-clients 2 --parent lan0 --prefix kd --static 10.57.0.0/24 --dns 10.57.0.1
killed apply "ns  ke1" "ns  ke2" "link ke1 eth0" "link ke2 eth0" "qdisc ke1 eth0" -- apply "$LAB"
killed connect-host "link  nn-kf" "link kf host0" "route kf default" "nat  masq:kf" \
	-- connect-host kf --nat
killed set-rate "qdisc kg hl0" -- set-rate kg hl0 --rate 1mbit
killed "set-rate --direction ingress" "link kg ifb-hl0" "ingress kg hl0" \
	-- set-rate kg hl0 --rate 1mbit --direction ingress --to 10.1.2.0/24
pretty "killed at $points points; foreign objects made: $(for k in ns link qdisc route nat ingress; do printf '%s %s, ' "$k" "${MADE[$k]}"; done)"
for k in ns link qdisc route nat ingress; do
	((MADE[$k] > 0)) || fail "no foreign $k was ever made: the test does not test it"
done

pretty "take it down"
del_namespaces kf kg
ip link del br0
ip link del lan0
nft delete table ip netnsctl 2>/dev/null || true
assert_nothing_left
