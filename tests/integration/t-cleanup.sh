#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lanes: host uml-extended
#
# cleanup removes exactly what netnsctl made (per its journal) and nothing
# else.  (After runs killed half way: t-killed.sh.)
#
#   +-----------------------------+     +----------------------+
#   | netns other (ip)            |     | netns mine1          |
#   |   v1 (ip) == v2 (ip)        |     |                      |
#   |   v1: tbf (netnsctl)        |     |                      |
#   |   vo (netnsctl) ========================= vm (netnsctl)  |
#   +-----------------------------+     +----------------------+
#   +--------------+  +------------------+  +--------------+  +-------------+
#   | netns mine2  |  | netns mine3      |  | netns pre    |  | netns reused|
#   |  veth-a ========== veth-b          |  | (ip first,   |  | (netnsctl's,|
#   +--------------+  +------------------+  |  then        |  |  deleted,   |
#                                           |  netnsctl)   |  |  made by ip,|
#                                           |              |  |  same inode)|
#                                           +--------------+  +-------------+
# After cleanup: other (with v1, v2, without vo and the tbf), pre and reused;
# mine1, mine2, mine3 gone.

. "$(dirname "$(readlink -f "$0")")/lib.sh"

cleanup() {
	local rc=$?
	set +e
	del_namespaces other pre reused gone1 mine1 mine2 mine3
	exit $rc
}
trap cleanup EXIT

pretty "what is not netnsctl's"
ip netns add other
ip -n other link add v1 type veth peer name v2
ip -n other link set v1 up
ip -n other link set v2 up
ip netns add pre

pretty "what is"
ok n create-namespaces pre
ok n create-namespaces mine1
ok n create-veth-pair mine2 mine3
ok n create-veth-pair other mine1 --if-a vo --if-b vm --cidr 10.10.2.0/30
ok n set-rate other v1 --rate 1mbit
ok n create-namespaces reused
reused_ino=$(stat -L -c %i "$RUN_DIR/reused")
ip netns del reused
# The kernel numbers namespaces (their nsfs inodes) from a pool and reuses
# freed numbers: give ip's "reused" the number netnsctl's had, the hard case.
for ((i = 0; ; i++)); do
	ip netns add reused
	[[ $(stat -L -c %i "$RUN_DIR/reused") != "$reused_ino" && $i -lt 100 ]] || break
	ip netns del reused
	sleep 0.02
done
ok n create-namespaces gone1
ip netns del gone1
default_qdisc=$(qdisc_of other v2)
v1=$(link_get other v1 ifindex)
v2=$(link_get other v2 ifindex)

pretty "cleanup --dry-run"
before=$(state)
ok n cleanup --dry-run
[[ $OUT == *mine1* && $OUT == *mine2* && $OUT == *mine3* ]] ||
	fail "cleanup --dry-run does not name mine1, mine2 and mine3: $OUT"
assert_same "$before" "$(state)" "cleanup --dry-run changed something"

pretty "cleanup"
ok n cleanup
assert_eq "$(netns_names | tr '\n' ' ')" "other pre reused " "namespaces after cleanup"
assert_eq "$(link_get other v1 ifindex)" "$v1" "ifindex of v1 in other"
assert_eq "$(link_get other v2 ifindex)" "$v2" "ifindex of v2 in other"
! link_exists other vo || fail "vo is still in other"
assert_eq "$(qdisc_of other v1)" "$default_qdisc" "qdiscs of v1 in other"

pretty "cleanup again: nothing to do"
before=$(state)
ok n cleanup
assert_same "$before" "$(state)" "a second cleanup changed something"
ip netns del other
ip netns del pre
ip netns del reused
assert_nothing_left
