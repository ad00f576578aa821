#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lanes: host uml-extended
#
# netnsctl graph: the live lab as Graphviz DOT.
#
#   +-----------+ veth-a 10.10.0.1/30       +-----------+
#   | sva       |============================| svb       |
#   |   mvx ----|--macvlan--+ veth-b 10.10.0.2/30         |
#   +-----------+           |                +-----------+
#                           v
#   host:  br0 10.20.0.1/24 --- p-c ===== eth0 10.20.0.2/24 in 'q"x\y'
#          h1 ===== h2 (the host's own veth: not drawn)
#   'grüne wiese' (made by ip netns add): an empty box
#
# The DOT is read by dotcheck.py (a DOT parser of our own: Graphviz is not a
# test dependency) and, where Graphviz is installed, by dot -Tsvg too.

. "$(dirname "$(readlink -f "$0")")/lib.sh"

ODD='q"x\y'
WIDE='grüne wiese'
ODD_GLOB=${ODD//\\/\\\\}	# for has: the backslash taken literally

cleanup() {
	local rc=$?
	set +e
	ip link del br0 2>/dev/null
	ip link del h1 2>/dev/null
	del_namespaces sva svb "$ODD" "$WIDE"
	exit $rc
}
trap cleanup EXIT

# dot_of: netnsctl graph, checked, as dotcheck's listing in LISTING; DOT in DOT.
dot_of() {
	ok n graph "$@"
	DOT=$OUT
	LISTING=$(printf '%s\n' "$DOT" | "$PYTHON" "$TEST_DIR/dotcheck.py") ||
		fail "netnsctl graph $* printed DOT that dotcheck refuses: $DOT"
	if command -v dot >/dev/null; then
		printf '%s\n' "$DOT" | dot -Tsvg >/dev/null || fail "dot -Tsvg refuses the graph"
	fi
}

# has GLOB: a line of LISTING matches GLOB (fields separated by tabs).
has() {
	local line
	while IFS= read -r line; do
		# shellcheck disable=SC2053
		[[ $line == $1 ]] && return 0
	done <<<"$LISTING"
	printf '%s\n' "$LISTING" >&2
	fail "no line like \"$1\" in the listing above"
}

hasnt() {
	local line
	while IFS= read -r line; do
		# shellcheck disable=SC2053
		if [[ $line == $1 ]]; then
			printf '%s\n' "$LISTING" >&2
			fail "unexpected line \"$line\""
		fi
	done <<<"$LISTING"
}

T=$'\t'

pretty "graph of nothing"
dot_of
[[ -z $LISTING ]] || fail "an empty sandbox drew something: $LISTING"
[[ $DOT == "graph \"netnsctl\" {"* ]] || fail "not a graph: $DOT"

pretty "a small lab"
ok n create-namespaces sva svb "$ODD"
ip netns add "$WIDE"
ok n create-veth-pair sva svb
ok n set-rate sva veth-a --rate 10mbit
ip link add br0 type bridge
ip addr add 10.20.0.1/24 dev br0
ip link set br0 up
ip link add p-c type veth peer name eth0 netns "$ODD"
ip link set p-c master br0
ip link set p-c up
ipn "$ODD" addr add 10.20.0.2/24 dev eth0
ipn "$ODD" link set eth0 up
ip link add mvx link br0 type macvlan mode bridge
ip link set mvx netns sva
ip link add h1 type veth peer name h2
nsx svb ip link add l1 type veth peer name l2

: >"$RUN_DIR/stale"	# a file left by a crash, not a namespace
dot_of
hasnt "*stale*"
rm "$RUN_DIR/stale"
has "node${T}ns:sva${T}sva"
has "node${T}ns:svb${T}svb"
has "node${T}ns:${ODD_GLOB}${T}${ODD_GLOB}"
has "node${T}ns:${WIDE}${T}${WIDE}"
has "node${T}br:/br0${T}br0|10.20.0.1/24"
has "member${T}cluster_/host${T}br:/br0"
has "edge${T}ns:sva${T}ns:svb${T}-${T}sva:veth-a|  10.10.0.1/30|  tbf rate 10Mbit*|svb:veth-b|  10.10.0.2/30"
has "edge${T}br:/br0${T}ns:${ODD_GLOB}${T}-${T}host:p-c|${ODD_GLOB}:eth0|  10.20.0.2/24"
has "edge${T}ns:sva${T}br:/br0${T}dashed${T}macvlan|sva:mvx|  down"
hasnt "*h1*"
hasnt "*h2*"
# the host's box marks its part: bridges and the host end of links
has "node${T}host${T}host"
has "member${T}cluster_/host${T}host"
# both ends in one namespace: no namespace id, the same namespace's ifindexes
has "edge${T}ns:svb${T}ns:svb${T}-${T}svb:l1|  down|svb:l2|  down"
assert_eq "$(grep -c '^edge' <<<"$LISTING")" 4 "edges"
# the quote and the backslash of the name are escaped, not taken as DOT
[[ $DOT == *'"ns:q\"x\\y"'* ]] || fail "the odd name is not escaped as expected: $DOT"

pretty "the same lab, the same text"
FIRST=$DOT
dot_of
assert_same "$FIRST" "$DOT" "a second graph of the same lab"

pretty "a namespace without a name shows its veth as loose"
nsx sva ip link add lone type veth peer name far
# $$ in the sandbox is 1: sleep in a namespace with no name, holding "far"
unshare --net sleep 60 &
UNNAMED=$!
own_netns() { [[ $(readlink "/proc/$UNNAMED/ns/net") != "$(readlink /proc/self/ns/net)" ]]; }
wait_for 5 own_netns
nsx sva ip link set far netns "$UNNAMED"
dot_of
has "node${T}ns:sva${T}sva|lone (veth) down"
kill "$UNNAMED"
wait "$UNNAMED" 2>/dev/null || true

pretty "gone again"
ip link del br0
ip link del h1
ok n delete-namespaces sva svb "$ODD"
ip netns del "$WIDE"
dot_of
[[ -z $LISTING ]] || fail "drew something after the cleanup: $LISTING"

pretty "graph FILE: the file's lab, the kernel not asked"
cat >"$TMPDIR/lab.yaml" <<'EOF'
name: g
nodes: [sw, h1, h2]
bridges:
  - name: br0
    node: sw
    members:
      - {node: h1, if: eth0, addr: 10.20.0.1/24, port: p-h1}
      - {node: h2, if: eth0, addr: 10.20.0.2/24, port: p-h2}
EOF
dot_of "$TMPDIR/lab.yaml"
has "node${T}br:sw/br0${T}br0"
has "member${T}cluster_sw${T}br:sw/br0"
# a veth's ends in namespace order
has "edge${T}ns:h1${T}br:sw/br0${T}-${T}h1:eth0|  10.20.0.1/24|sw:p-h1"
has "edge${T}ns:h2${T}br:sw/br0${T}-${T}h2:eth0|  10.20.0.2/24|sw:p-h2"
assert_eq "$(netns_names)" "" "namespaces after graph FILE"
printf 'nodes: [a\n' >"$TMPDIR/bad.yaml"
expect_fail_with 2 'bad\.yaml:2:1: ' n graph "$TMPDIR/bad.yaml"
expect_fail_with 1 'lab\.yaml.*No such file' n graph "$TMPDIR/none/lab.yaml"

pretty "usage errors"
expect_fail_with 2 'unexpected argument "b"' n graph a b
expect_fail_with 2 'unknown option' n graph --bogus

assert_nothing_left
