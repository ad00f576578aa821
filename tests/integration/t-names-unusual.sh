#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lanes: host
# why: NAT (the UML kernel has no nftables ip family); the rest is the same on both kernels
#
# Names that are not plain ASCII (issue #12): "café" gets NAT from
# connect-host --nat and from a lab's uplink (its tag was refused); names
# with C1 control characters or bytes that are not UTF-8 are escaped in text
# output (\xHH, as in error messages) and give valid JSON; a node with a
# 250-byte name runs its command (its log file's name was too long).
#
#   café host0 10.200.0.2 ---- nn-café... 10.200.0.1 (host, masquerade)

. "$(dirname "$(readlink -f "$0")")/lib.sh"

WORK=$(mktemp -d)
C1=$'c1\xc2\x85x'	# U+0085, a C1 control character, in UTF-8
BAD=$'bad\xffx'		# not UTF-8
LONG=$(printf 'n%.0s' {1..250})

cleanup() {
	local rc=$?
	set +e
	n destroy "$WORK/cafe.yaml" >/dev/null 2>&1
	n destroy "$WORK/long.yaml" >/dev/null 2>&1
	n disconnect-host café >/dev/null 2>&1
	n delete-clients >/dev/null 2>&1
	del_namespaces café "$C1" "$BAD" 'back\slash' "$LONG"
	ip link del lan0 2>/dev/null
	rm -rf "$WORK"
	exit $rc
}
trap cleanup EXIT

command -v nft >/dev/null || fail "nft is missing (Debian: nftables)"

# valid_utf8 TEXT: TEXT decodes as UTF-8 and holds no C0 (but \n and \t) or C1 control
valid_utf8() {
	"$PYTHON" -c '
import sys
t = sys.stdin.buffer.read().decode("utf-8")
bad = [c for c in t if (ord(c) < 0x20 and c not in "\n\t") or 0x7f <= ord(c) <= 0x9f]
sys.exit(1 if bad else 0)' <<<"$1"
}

pretty "connect-host --nat café: its masquerade rule's tag is a hash of the name"
ok n create-namespaces café
ok n connect-host café --nat
rules=$(nft list table ip netnsctl)
[[ $rules =~ masquerade\ comment\ \"masq=[0-9a-f]{8}\" ]] || fail "no masquerade rule: $rules"
ok n connect-host café --nat
assert_eq "$OUT" unchanged "connect-host café --nat again"
ok n disconnect-host café
[[ $(nft list tables) != *netnsctl* ]] || fail "nft table left: $(nft list tables)"
ok n delete-namespaces café

pretty "a lab's uplink with NAT for node café"
cat >"$WORK/cafe.yaml" <<'YAML'
name: cafe
nodes: [café]
uplinks:
  - {node: café, cidr: 10.200.4.0/30, nat: true}
YAML
ok n apply "$WORK/cafe.yaml"
rules=$(nft list table ip netnsctl)
[[ $rules =~ masquerade\ comment\ \"cafe:masq=[0-9a-f]{8}\" ]] || fail "no masquerade rule: $rules"
ok n status "$WORK/cafe.yaml"
assert_eq "$OUT" "in sync" "status"
ok n destroy "$WORK/cafe.yaml"

pretty "list: C1 controls, bytes that are not UTF-8, backslashes escaped; café as it is"
ip netns add "$C1"
ip netns add "$BAD"
ip netns add 'back\slash'
ok n create-namespaces café
ip -n café link add $'e\xc2\x85' type veth peer name $'f\xff'
ok n list
valid_utf8 "$OUT" || fail "list printed control characters or invalid UTF-8: $(od -c <<<"$OUT" | head -20)"
for want in 'c1\xc2\x85x' 'bad\xffx' 'back\\slash' 'café' '  e\xc2\x85' '  f\xff'; do
	grep -qF -- "$want" <<<"$OUT" || fail "list does not show $want: $OUT"
done
ok n list --json
valid_utf8 "$OUT" || fail "list --json is not valid UTF-8 without controls"
"$PYTHON" -c '
import json, sys
names = {n["name"]: [l["name"] for l in n["links"]] for n in json.loads(sys.argv[1])["namespaces"]}
want = {"c1\u0085x", "bad\\xffx", "back\\slash", "café"}
assert want <= set(names), names
assert {"e\u0085", "f\\xff"} <= set(names["café"]), names["café"]
' "$OUT" || fail "list --json: $OUT"
ok n graph
valid_utf8 "$OUT" || fail "graph printed control characters or invalid UTF-8"

pretty "what create and delete print: escaped too"
netns_exists "$C1" || ip netns add "$C1"
ok n delete-namespaces "$C1"
assert_eq "$OUT" 'delete namespace c1\xc2\x85x' "delete-namespaces"
ok n create-namespaces "$C1"
assert_eq "$OUT" 'create namespace c1\xc2\x85x' "create-namespaces"
ok n delete-namespaces "$C1" "$BAD" 'back\slash' café
valid_utf8 "$OUT" || fail "delete-namespaces: $OUT"

pretty "list-clients: a prefix with a C1 control"
ip link add lan0 type veth peer name lan0p
ip link set lan0 up
ok n create-clients 1 --parent lan0 --static 10.9.0.0/24 --prefix $'p\xc2\x85'
ok n list-clients
[[ $OUT == *$'\n''p\xc2\x851 '* ]] || fail "list-clients: $OUT"
valid_utf8 "$OUT" || fail "list-clients printed a control character"
ok n list-clients --json
"$PYTHON" -c '
import json, sys
assert [c["name"] for c in json.loads(sys.argv[1])["clients"]] == ["p\u00851"], sys.argv[1]
' "$OUT" || fail "list-clients --json: $OUT"
ok n delete-clients
ip link del lan0

pretty "a node with a 250-byte name runs its command"
cat >"$WORK/long.yaml" <<YAML
name: long
nodes:
  - name: $LONG
    commands: [[sh, -c, 'echo started; exec sleep 100']]
YAML
ok n apply "$WORK/long.yaml"
[[ $OUT == *"start command 1 in $LONG"* ]] || fail "apply: $OUT"
logs=("$STATE_DIR"/labs/long/*.log)
[[ ${#logs[@]} -eq 1 ]] || fail "logs: ${logs[*]}"
wait_for 5 grep -q started "${logs[0]}"
ok n status "$WORK/long.yaml"
assert_eq "$OUT" "in sync" "status"
ok n destroy "$WORK/long.yaml"
[[ ! -e $STATE_DIR/labs/long ]] || fail "lab state left: $(ls -A "$STATE_DIR/labs/long")"

assert_nothing_left
