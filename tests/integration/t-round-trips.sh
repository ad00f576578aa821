#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lanes: host
# why: it counts what netnsctl asks of the kernel, not what the kernel does;
#      strace under UML's ptrace would take minutes for the two stars
#
# Round trips per star node (issue 14): `netnsctl apply` of a star of 16 and
# of 32 nodes (bench/'s star: namespaces n1..nN, each with eth0 whose veth
# peer v-nI is a port of br0 here), counted two ways that must agree:
# netnsctl's own counter (NETNSCTL_NL_STATS) and strace's netlink sends.  The
# difference of the two stars over 16 is the cost of one node, free of what
# a run costs once.  The same for create-clients --static of 16 and 32.  No
# time is measured.
#
#   br0 --- v-n1 === eth0 10.77.0.1/16 (n1)
#       --- ...
#       --- v-nN === eth0 (nN)
#
# The floor (bench/floor.c) makes a node with 4 requests: lo up, the veth
# with its host end already a port and up, the address, eth0 up.  apply
# makes it with the same 4 (nn_netns_add's lo up; nn_veth_create with v-nI's
# master and up and both ifindexes in its answer; nn_link_addrs_up of eth0),
# and two journal syncs: the namespace's intent before its name, the pair's
# two intents before its request.  Issue 14 asks for at most 5 round trips;
# 13 before the engine used the kernel layer, 8 with look-ups of the links it
# had just made and master and up as requests of their own.
MAX_REQUESTS=${MAX_REQUESTS:-5}	# netlink round trips a node (the floor: 4)
MAX_SETNS=1			# namespace switches a node (the floor: 1)
MAX_SYNCS=2			# journal fdatasyncs a node: one per create request
MAX_JOURNAL_OPENS=1		# opens of the journal in a whole apply
MAX_DESTROY_SETNS=2		# destroy: the cookie read once, in and out (4
				# when the delete entered it again)
# The first impairment of every port of star 32 (a re-apply that adds only
# qdiscs): a request a port, the host's links and roots read once, and
# the intents of all the qdiscs synced together before the first request.
MAX_IMPAIR_EXTRA=4		# round trips besides one a port
MAX_IMPAIR_SETNS=2		# the host's socket, whatever the ports
MAX_IMPAIR_SYNCS=2		# the intents', the "made" records'

. "$(dirname "$(readlink -f "$0")")/lib.sh"

WORK=$(mktemp -d)

cleanup() {
	local rc=$?
	set +e
	for N in 16 32; do [[ -f $WORK/star$N.yaml ]] && n destroy "$WORK/star$N.yaml" >/dev/null 2>&1; done
	rm -rf "$WORK"
	exit $rc
}
trap cleanup EXIT

command -v strace >/dev/null || fail "strace is missing (Debian: strace)"

star_file() { # FILE N [IMPAIR]
	local i
	{
		echo "name: star$2"
		echo "nodes:"
		for ((i = 1; i <= $2; i++)); do echo "  - n$i"; done
		echo "bridges:"
		echo "  - name: br0"
		echo "    members:"
		for ((i = 1; i <= $2; i++)); do
			echo "      - {node: n$i, if: eth0, addr: 10.77.$((i >> 8)).$((i & 255))/16, port: v-n$i${3:-}}"
		done
	} >"$1"
}

# count WHAT N [FILE]: run netnsctl WHAT (apply or destroy) on star N (or
# FILE) under strace,
# set SENDS (netnsctl's count), TRACED (strace's netlink sends), SETNS,
# SYNCS (fdatasync of the journal), OPENS (opens of the journal).
count() {
	local what=$1 N=$2 file=${3:-$WORK/star$2.yaml} line
	local stats=$WORK/stats-$1-$2-${file##*/} trace=$WORK/trace-$1-$2-${file##*/}
	rm -f "$stats"
	# LeakSanitizer cannot work under a tracer (an ASan build).
	ok env NETNSCTL_NL_STATS="$stats" ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		strace -f -qq -yy -s 0 -o "$trace" -e trace=sendto,sendmsg,setns,fdatasync,openat \
		"$NETNSCTL" "$what" "$file"
	[[ -s $stats ]] || fail "$what wrote no NETNSCTL_NL_STATS line"
	assert_eq "$(wc -l <"$stats")" 1 "lines in NETNSCTL_NL_STATS (one process)"
	line=$(<"$stats")
	SENDS=$(sed -n 's/.* sends=\([0-9]*\).*/\1/p' <<<"$line")
	TRACED=$(grep -cE '^[0-9]+ +send(to|msg)\([0-9]+<NETLINK:' "$trace" || true)
	SETNS=$(grep -cE '^[0-9]+ +setns\(' "$trace" || true)
	SYNCS=$(grep -cE "^[0-9]+ +fdatasync\([0-9]+<$STATE_DIR/journal>" "$trace" || true)
	OPENS=$(grep -cE "^[0-9]+ +openat\(.*\"([^\"]*/)?journal\", [^)]*O_(WRONLY|RDWR)" "$trace" || true)
	pretty "$what star $N: $SENDS netlink round trips ($line), $SETNS setns, $SYNCS journal syncs, $OPENS journal opens for writing"
	assert_eq "$TRACED" "$SENDS" "netlink sends strace saw against netnsctl's count ($what star $N)"
}

per_node() { echo $((($2 - $1 + 15) / 16)); }	# rounded up

for N in 16 32; do star_file "$WORK/star$N.yaml" $N; done

count apply 16
s16=$SENDS ns16=$SETNS y16=$SYNCS
assert_eq "$(netns_names | wc -l)" 16 "namespaces of star 16"
nsx n1 ping -c 1 -W 2 10.77.0.16 >/dev/null || fail "n1 cannot reach n16"
count destroy 16
d16=$SENDS dns16=$SETNS
assert_nothing_left >/dev/null

count apply 32
s32=$SENDS ns32=$SETNS y32=$SYNCS
((OPENS <= MAX_JOURNAL_OPENS)) || fail "apply opened the journal for writing $OPENS times (at most $MAX_JOURNAL_OPENS)"
nsx n1 ping -c 1 -W 2 10.77.0.32 >/dev/null || fail "n1 cannot reach n32"
# A status of it: one socket a node, opened with a setns in and one out,
# and nothing else that switches (ip_forward by RTM_GETNETCONF: 4 a node
# when it was read from /proc/sys inside the namespace).
# Its requests: a link, an address dump, the forwarding and one namespace
# id a node (the id of the host asked in the node: one proves the pair),
# and the host's dumps (5 a node when both ids of each pair were asked).
count status 32
pretty "status of star 32: $SETNS setns (at most 2 a node + 2), $SENDS round trips (at most 4 a node + 4)"
((SETNS <= 2 * 32 + 2)) || fail "status switches namespace $SETNS times for 32 nodes"
((SENDS <= 4 * 32 + 4)) || fail "status sends $SENDS netlink requests for 32 nodes"
star_file "$WORK/star32-tbf.yaml" 32 ", port_egress: {rate: 10mbit, burst: 32kb, limit: 32kb}"
sed -i 's/^name: .*/name: star32/' "$WORK/star32-tbf.yaml"
count apply 32 "$WORK/star32-tbf.yaml"
[[ $(tc qdisc show dev v-n32 root) == *"rate 10Mbit"* ]] || fail "no tbf on v-n32: $(tc qdisc show dev v-n32 root)"
pretty "the first impairment of 32 ports: $SENDS round trips (at most 32 + $MAX_IMPAIR_EXTRA), $SETNS setns (at most $MAX_IMPAIR_SETNS), $SYNCS journal syncs (at most $MAX_IMPAIR_SYNCS)"
((SENDS <= 32 + MAX_IMPAIR_EXTRA)) || fail "the first impairment of 32 ports sends $SENDS netlink requests"
((SETNS <= MAX_IMPAIR_SETNS)) || fail "the first impairment of 32 ports switches namespace $SETNS times"
((SYNCS <= MAX_IMPAIR_SYNCS)) || fail "the first impairment of 32 ports syncs the journal $SYNCS times"
count destroy 32
d32=$SENDS dns32=$SETNS

rt=$(per_node "$s16" "$s32") sw=$(per_node "$ns16" "$ns32") sy=$(per_node "$y16" "$y32")
pretty "apply, per star node: $rt netlink round trips (at most $MAX_REQUESTS), $sw setns (at most $MAX_SETNS), $sy journal syncs (at most $MAX_SYNCS)"
dsw=$(per_node "$dns16" "$dns32")
pretty "destroy, per star node: $(per_node "$d16" "$d32") netlink round trips (not bounded here), $dsw setns (at most $MAX_DESTROY_SETNS)"
((rt <= MAX_REQUESTS)) || fail "apply sends $rt netlink requests a star node (at most $MAX_REQUESTS)"
((sw <= MAX_SETNS)) || fail "apply switches namespace $sw times a star node (at most $MAX_SETNS)"
((sy <= MAX_SYNCS)) || fail "apply syncs the journal $sy times a star node (at most $MAX_SYNCS)"
((dsw <= MAX_DESTROY_SETNS)) || fail "destroy switches namespace $dsw times a star node (at most $MAX_DESTROY_SETNS)"

# Static clients (no DHCP): a namespace with lo up, the macvlan made in it
# (its index read back once: the kernel echoes a link made in another
# namespace to that namespace's socket), its address, its up.  Their
# addresses take the index the create reported: 6 before.
MAX_CLIENT_REQUESTS=5
ok n create-bridge brc
clients() { # N: set SENDS to the round trips of create-clients N --static
	local stats=$WORK/stats-clients-$1
	ok env NETNSCTL_NL_STATS="$stats" "$NETNSCTL" create-clients "$1" --parent brc \
		--static 10.9.0.0/16 --prefix "c$1-"
	SENDS=$(sed -n 's/.* sends=\([0-9]*\).*/\1/p' "$stats")
	pretty "create-clients $1 --static: $SENDS netlink round trips ($(<"$stats"))"
}
clients 16
c16=$SENDS
clients 32
c32=$SENDS
rt=$(per_node "$c16" "$c32")
pretty "create-clients --static, per client: $rt netlink round trips (at most $MAX_CLIENT_REQUESTS)"
((rt <= MAX_CLIENT_REQUESTS)) || fail "create-clients sends $rt netlink requests a client (at most $MAX_CLIENT_REQUESTS)"
ok n cleanup

assert_nothing_left
