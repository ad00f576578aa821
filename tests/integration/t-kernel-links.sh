#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lanes: host uml
#
# The kernel layer's link calls (issue 14), one at a time through
# nn-kernel-check, against what ip reports: the indexes they return without
# looking the links up again, what one request makes (a star node's veth
# already a port of its bridge and up, with the MACs asked for), and how
# many round trips each takes.  The host kernel (6.18) echoes a made link
# (NLM_F_ECHO); the UML lane's 6.1 does not, and looks a requested macvlan
# index up in the parent's namespace: both ways are checked.  And on the
# host, that link and address dumps are read again when the kernel's list
# changes while they are read.
#
#   sandbox's namespace             kl1 (ip netns add)    kl2, kl3, kl4, kl5
#     br0 (bridge, up)                eth0 (veth peer)      (ip netns add)
#     v-kl1 (port of br0, up) ======= 10.61.0.1/24, fd61::1/64, up

. "$(dirname "$(readlink -f "$0")")/lib.sh"

CHECK=$(dirname "${NETNSCTL_REAL:-$NETNSCTL}")/nn-kernel-check
[[ -x $CHECK ]] || fail "no $CHECK: build the tree (it is built beside netnsctl)"

cleanup() {
	local rc=$?
	set +e
	del_namespaces kl1 kl2 kl3 kl4 kl5
	ip link del v-kl1 2>/dev/null
	ip link del br0 2>/dev/null
	exit $rc
}
trap cleanup EXIT

# kc ARG...: nn-kernel-check, its one line of output in $OUT
kc() {
	OUT=$("$CHECK" "$@") || fail "nn-kernel-check $* failed"
}
# field NAME: NAME=VALUE of $OUT
field() { sed -n "s/.*\\b$1=\\([0-9]*\\).*/\\1/p" <<<"$OUT"; }
index_of() { ipn "$1" -j link show dev "$2" | ipjson get 0.ifindex; }

for ns in kl1 kl2 kl3 kl4 kl5; do ip netns add $ns; done

pretty "a bridge, up in its create request; its index from the kernel's echo (or one lookup)"
kc bridge - br0 up
assert_eq "$(field index)" "$(index_of "" br0)" "index of br0"
link_is_up "" br0 || fail "br0 is not up"
sends=$(field sends)
case $sends in
1) echo_kernel=1 ;;
2) echo_kernel=0 ;;
*) fail "a bridge took $sends round trips" ;;
esac
pretty "this kernel echoes a made link: $((echo_kernel)) ($(uname -r))"
lookup=$((1 - echo_kernel))	# the round trip a kernel without the echo costs

pretty "a star node's veth: one request makes the host end a port of br0 and up"
kc veth - v-kl1 kl1 eth0 mac-a=02:61:00:00:00:01 mac-b=02:61:00:00:00:02 \
	master="$(index_of "" br0)" up
assert_eq "$(field a)" "$(index_of "" v-kl1)" "index of v-kl1"
assert_eq "$(field b)" "$(index_of kl1 eth0)" "index of eth0 in kl1"
assert_eq "$(field sends)" $((1 + lookup)) "round trips of the veth"
assert_eq "$(link_get "" v-kl1 master)" br0 "master of v-kl1"
link_is_up "" v-kl1 || fail "v-kl1 is not up"
assert_eq "$(link_get "" v-kl1 address)" 02:61:00:00:00:01 "MAC of v-kl1"
assert_eq "$(link_get kl1 eth0 address)" 02:61:00:00:00:02 "MAC of eth0"

pretty "addresses and up on the peer: one round trip each"
kc addrs-up kl1 "$(index_of kl1 eth0)" 10.61.0.1/24 fd61::1/64
assert_eq "$(field sends)" 3 "round trips of two addresses and up"
link_is_up kl1 eth0 || fail "eth0 in kl1 is not up"
assert_eq "$(addrs_of kl1 eth0)" $'10.61.0.1/24\nfd61::1/64' "addresses of eth0"
assert_pair "" v-kl1 kl1 eth0
# an address already there is fine
kc addrs-up kl1 "$(index_of kl1 eth0)" 10.61.0.1/24

pretty "both indexes asked for (two namespaces just made): taken as asked, no echo needed"
kc veth kl2 x0 kl3 y0 index-a=2 index-b=2
assert_eq "$OUT" "a=2 b=2 sends=1" "veth with both indexes"
assert_eq "$(index_of kl2 x0) $(index_of kl3 y0)" "2 2" "indexes in kl2 and kl3"

pretty "an index taken: once more with the kernel's choice"
# B's taken (EBUSY): y0 has 2 in kl3
kc veth kl2 x1 kl3 y1 index-a=3 index-b=2
assert_eq "$(field a) $(field b)" "$(index_of kl2 x1) $(index_of kl3 y1)" "indexes after EBUSY"
assert_eq "$(field sends)" $((2 + lookup)) "round trips after EBUSY"
# A's taken (EEXIST): x0 has 2 in kl2
kc veth kl2 x2 kl3 y2 index-a=2 index-b=9
assert_eq "$(field a) $(field b)" "$(index_of kl2 x2) $(index_of kl3 y2)" "indexes after EEXIST"
assert_eq "$(field sends)" $((2 + lookup)) "round trips after EEXIST"
# B's alone is not taken by the kernel (veth_newlink wants A's too); A's
# alone is
kc veth kl2 x3 kl3 y3 index-b=40
assert_eq "$(field a) $(field b)" "$(index_of kl2 x3) $(index_of kl3 y3)" "indexes, B's alone asked for"
kc veth kl2 x4 kl3 y4 index-a=41
assert_eq "$(field a) $(field b)" "41 $(index_of kl3 y4)" "indexes, A's alone asked for"
assert_eq "$(index_of kl2 x4)" 41 "index of x4"
assert_eq "$(field sends)" $((1 + lookup)) "round trips, A's alone asked for"

pretty "a name that is taken fails as before, and leaves nothing"
if "$CHECK" veth kl2 x0 kl3 z0 index-a=20 index-b=20 2>"$TMPDIR/err"; then
	fail "a veth named like a link of kl2 was made"
fi
grep -q "File exists" "$TMPDIR/err" || fail "not EEXIST: $(cat "$TMPDIR/err")"
link_exists kl3 z0 && fail "the peer of the refused veth is left"

pretty "a refused master leaves no pair"
if "$CHECK" veth - v-bad kl4 p-bad master=424242 up 2>"$TMPDIR/err"; then
	fail "a veth with a missing master was made"
fi
link_exists "" v-bad && fail "v-bad is left"
link_exists kl4 p-bad && fail "p-bad is left in kl4"

pretty "macvlans straight into another namespace: the kernel's index, or one asked for"
kc macvlan - "$(index_of "" br0)" kl4 mv0
assert_eq "$(field index)" "$(index_of kl4 mv0)" "index of mv0"
assert_eq "$(field sends)" 2 "round trips of a macvlan into another namespace"
kc macvlan - "$(index_of "" br0)" kl5 mv1 index=2
assert_eq "$(field index)" "$(index_of kl5 mv1)" "index of mv1"
case $(field sends) in
1) assert_eq "$(field index)" 2 "index of mv1, taken as asked" ;;
3) [[ -n $(ip -o link show | awk -F': ' '$1 == 2') ]] ||
	fail "mv1's index was refused but the parent's namespace has no link 2" ;;
*) fail "a macvlan with an index took $(field sends) round trips" ;;
esac
# in the parent's own namespace: echoed where the kernel echoes
kc macvlan - "$(index_of "" br0)" - mv2
assert_eq "$(field index)" "$(index_of "" mv2)" "index of mv2"
assert_eq "$(field sends)" $((1 + lookup)) "round trips of a macvlan in its parent's namespace"
ip link del mv2

# 2000 addresses make a dump of several reads; a loop adds and removes
# others meanwhile.  The kernel marks such a dump interrupted; libnl's
# caches read it again, and so must netnsctl (a 600-node lab's destroy
# failed on its bridge's addresses).  Not in UML: nothing of it is the
# kernel's, and 2000 addresses there take long.
if [[ $NETNSCTL_SANDBOX == host ]]; then
	pretty "dumps read again when the kernel's list changes while they are read"
	ip -n kl2 link add d0 type veth peer name d1
	for i in $(seq 0 7); do for j in $(seq 1 250); do echo "addr add 10.62.$i.$j/32 dev d0"; done; done |
		ip -n kl2 -batch -
	(
		trap 'exit 0' TERM
		# bursts of changes, as a bridge's ports coming up make them
		while :; do
			for j in $(seq 1 50); do echo "addr add 10.63.0.$j/32 dev d1"; done | ip -n kl2 -batch -
			ip -n kl2 addr flush dev d1
			sleep 0.02
		done
	) >/dev/null 2>&1 &
	churn=$!
	kc dumps kl2 50
	kill $churn
	wait $churn || true
	pretty "100 dumps of kl2 while its addresses changed: $(($(field sends) - 100)) read again"
fi

pretty "the host's ids of 130 namespaces, asked 32 a send, are ip's"
names=()
for i in $(seq 1 130); do names+=("ki$i"); done
printf 'netns add %s\n' "${names[@]}" | ip -batch -
want=()
for i in $(seq 1 130); do
	if ((i % 3)); then
		ip netns set "ki$i" $((i + 1000))
		want+=($((i + 1000)))
	else
		want+=(-1)	# none given: the kernel answers "not assigned"
	fi
done
kc nsids - "${names[@]}"
assert_eq "$(sed -n 's/^ids=\([^ ]*\) .*/\1/p' <<<"$OUT")" "$(IFS=,; echo "${want[*]}")" \
	"the ids of ki1..ki130 as the host has them"
assert_eq "$(field sends)" 5 "sends for 130 ids (32 a send)"
touch /run/netns/bogus	# a file, no namespace: the kernel refuses its id
! OUT=$("$CHECK" nsids - ki1 bogus ki2 2>&1) || fail "an id of a file that is no namespace: $OUT"
[[ $OUT == *'id of namespace "bogus"'* ]] || fail "the refusal does not name bogus: $OUT"
rm /run/netns/bogus
printf 'netns del %s\n' "${names[@]}" | ip -batch -

pretty "the peer answers"
ip addr add 10.61.0.254/24 dev br0
ip link set lo up
wait_for 5 nsx kl1 ping -c 1 -W 1 10.61.0.254

pretty "take it down"
del_namespaces kl1 kl2 kl3 kl4 kl5
ip link del br0
assert_nothing_left
