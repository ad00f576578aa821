#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lanes: host
# why: the UML kernel has no nftables ip family, so no NAT there
#
# The way out: examples/nat-upstream.yaml (a client masqueraded through the
# host to an "upstream" namespace that serves HTTP and logs who asked) and
# examples/port-forward.yaml (an HTTP server in a namespace, reached from the
# host on port 8080).  Both applied together, re-applied, destroyed: no
# namespace, link, nft table, process or state left.
#
#   client uplink 10.200.0.2 -- up-client 10.200.0.1 (host, masquerade)
#   upstream uplink 10.200.1.2 -- up-upstream 10.200.1.1 (host)   http :8000
#   web uplink 10.200.2.2 -- up-web 10.200.2.1 (host)  host tcp 8080 -> web:80

. "$(dirname "$(readlink -f "$0")")/lib.sh"

EX=$TEST_DIR/../../examples
WORK=$(mktemp -d)

cleanup() {
	local rc=$?
	set +e
	n destroy "$EX/nat-upstream.yaml" >/dev/null 2>&1
	n destroy "$EX/port-forward.yaml" >/dev/null 2>&1
	del_namespaces client upstream web
	rm -rf "$WORK"
	exit $rc
}
trap cleanup EXIT

command -v nft >/dev/null || fail "nft is missing (Debian: nftables)"

pretty "apply nat-upstream.yaml and port-forward.yaml"
ok n apply "$EX/nat-upstream.yaml"
[[ $OUT == *"start command 1 in upstream"* ]] || fail "the server was not started: $OUT"
ok n apply "$EX/port-forward.yaml"
ok n apply "$EX/nat-upstream.yaml"
assert_eq "$OUT" unchanged "re-apply of nat-upstream"
ok n apply "$EX/port-forward.yaml"
assert_eq "$OUT" unchanged "re-apply of port-forward"
ok n status "$EX/nat-upstream.yaml"
assert_eq "$OUT" "in sync" "status"
# python3 may be a wrapper (pyenv's shim is a shell script that forks before
# it execs python): count the servers once both listen.
listening() { [[ -n $(nsx "$1" ss -Hltn "sport = :$2") ]]; }
wait_for 10 listening upstream 8000
wait_for 10 listening web 80
pids=$(pgrep -f 'http.server' | sort)
assert_eq "$(wc -l <<<"$pids")" 2 "http servers running"

pretty "client -> upstream is masqueraded to the host's address"
wait_for 10 nsx client curl -sf -m 2 http://10.200.1.2:8000/
log=$STATE_DIR/labs/nat-upstream/upstream.1.log
grep -q '^10.200.1.1 .*"GET / ' "$log" || fail "upstream did not see the host's address: $(cat "$log")"
! grep -q '^10.200.0.2 ' "$log" || fail "upstream saw the client's own address"
rules=$(nft list table ip netnsctl)
[[ $rules == *'masquerade comment "nat-upstream:masq:client"'* ]] || fail "no masquerade rule: $rules"

pretty "host:8080 -> web:80"
wait_for 10 curl -sf -m 2 http://10.200.2.1:8080/
[[ $(curl -s -m 2 http://10.200.2.1:8080/) == *"Directory listing"* ]] || fail "not the web server's page"
# nothing listens on 8080 in the host itself: it is the DNAT
[[ -z $(ss -Hltn 'sport = :8080') ]] || fail "something listens on 8080 in the host"

pretty "edited: the forward moves to 8081 -> only the rule changes"
sed 's/host_port: 8080/host_port: 8081/' "$EX/port-forward.yaml" >"$WORK/port-forward.yaml"
ok n apply --dry-run "$WORK/port-forward.yaml"
assert_eq "$(grep -c . <<<"$OUT")" 2 "steps for moving the forward: $OUT"
ok n apply "$WORK/port-forward.yaml"
wait_for 10 curl -sf -m 2 http://10.200.2.1:8081/
! curl -sf -m 1 http://10.200.2.1:8080/ >/dev/null || fail "8080 still forwarded"
assert_eq "$(pgrep -f 'http.server' | sort)" "$pids" "servers restarted by a rule change"

pretty "destroy both"
ok n destroy "$WORK/port-forward.yaml"
ok n destroy "$EX/nat-upstream.yaml"
[[ $(nft list tables) != *netnsctl* ]] || fail "nft table left: $(nft list tables)"
! pgrep -f http.server >/dev/null || fail "http.server left running"
[[ ! -e $STATE_DIR/labs/nat-upstream ]] || fail "lab state left: $(ls -A "$STATE_DIR/labs/nat-upstream")"

assert_nothing_left
