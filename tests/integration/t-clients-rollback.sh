#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lanes: host
# why: not yet run in UML (the DHCP loop in UML is untested); the host lane covers it
#
# All or nothing: a DHCP server with 5 addresses and 10 clients asking.  The
# call fails naming the clients that got no lease, gives back the leases the
# others got, and leaves nothing of its own behind; clients made by an
# earlier call are kept as they were.
#
#   sandbox's namespace                       netns router
#   lan0 UP ================================= r0 10.77.1.1/24  dnsmasq,
#                                             leasing 10.77.1.100-104 only

. "$(dirname "$(readlink -f "$0")")/lib.sh"
. "$TEST_DIR/clients-lib.sh"

cleanup() {
	local rc=$?
	set +e
	"$NETNSCTL" delete-clients >/dev/null 2>&1
	lan_down
	exit $rc
}
trap cleanup EXIT

lan_up 100 104

no_clients_of_this_call() {
	local i
	for ((i = $1; i <= $2; i++)); do
		! netns_exists ns$i || fail "ns$i is left"
		[[ ! -e $STATE_DIR/clients/leases/ns$i ]] || fail "lease file of ns$i is left"
		[[ ! -e $ETC_DIR/ns$i ]] || fail "$ETC_DIR/ns$i is left"
	done
}

pretty "create-clients 10 with 5 addresses: rolled back"
expect_fail_with 1 '^netnsctl: 5 of 10 new clients got no lease within 4\.000 s, all 10 rolled back: ' \
	n create-clients 10 --parent lan0 --timeout 4
# the failing ones are named, with why: no offer, or a NAK when the server
# offered one free address to several clients at once ("ns6, ns9 (no
# DHCPOFFER)"); a run of three or more in short ("ns6..ns8 (no DHCPOFFER)")
[[ $(grep -oE '(ns[0-9]+(\.\.ns[0-9]+)?, )*ns[0-9]+(\.\.ns[0-9]+)? \((no DHCPOFFER|no DHCPACK|DHCPNAK: [a-z ]+)\)' <<<"$ERR" |
	grep -oE 'ns[0-9]+(\.\.ns[0-9]+)?' | sed -E 's/^ns([0-9]+)\.\.ns([0-9]+)$/seq \1 \2/e; s/^ns//' |
	sort -u | wc -l) -eq 5 ]] ||
	fail "the error does not name 5 clients with a reason: $ERR"
no_clients_of_this_call 1 10
assert_eq "$(netns_names)" router "namespaces"
assert_eq "$(find "$ETC_DIR" -mindepth 1)" "" "files in $ETC_DIR"
wait_for 5 dnsmasq_empty
[[ $(grep -c DHCPACK "$LAN_LOG") -eq 5 && $(grep -c DHCPRELEASE "$LAN_LOG") -eq 5 ]] ||
	fail "dnsmasq acked $(grep -c DHCPACK "$LAN_LOG") and saw $(grep -c DHCPRELEASE "$LAN_LOG") releases"
assert_eq "$(keeper_pids)" "" "lease keepers"

pretty "an earlier call's clients survive a rolled back one"
ok n create-clients 3 --parent lan0
ok n list-clients
before=$OUT
expect_fail_with 1 '^netnsctl: 5 of 7 new clients got no lease within 3\.000 s, all 7 rolled back: ' \
	n create-clients 10 --parent lan0 --timeout 3
no_clients_of_this_call 4 10
ok n list-clients
assert_eq "$OUT" "$before" "list-clients after the rollback"
for i in 1 2 3; do
	nsx ns$i ping -c 1 -W 2 10.77.1.1 >/dev/null || fail "ns$i cannot ping the router"
done
assert_eq "$(dnsmasq_leases)" 3 "leases in dnsmasq's file"
[[ -n $(keeper_pids) ]] || fail "the lease keeper of ns1..ns3 is gone"

pretty "SIGTERM while leasing: the call rolls back, the earlier clients stay"
# 5 of 7 can never get an address: the call waits in its DHCP loop.
"$NETNSCTL" create-clients 10 --parent lan0 --timeout 60 >"$TMPDIR/int.out" 2>"$TMPDIR/int.err" &
pid=$!
wait_for 20 test -e "$RUN_DIR/ns10"
sleep 1
# (SIGTERM: a non-interactive shell starts background jobs with SIGINT ignored)
kill -TERM $pid
rc=0
wait $pid || rc=$?
assert_eq "$rc" 143 "exit status of the interrupted create-clients"
grep -qE '^netnsctl: interrupted by SIGTERM while leasing \([0-2] of 7 leased\): all 7 new clients rolled back \(ns4\.\.ns10\)$' \
	"$TMPDIR/int.err" || fail "stderr: $(<"$TMPDIR/int.err")"
no_clients_of_this_call 4 10
ok n list-clients
assert_eq "$OUT" "$before" "list-clients after the interrupted call"
wait_for 5 bash -c "[[ \$(grep -c . '$LAN_LEASES') -eq 3 ]]"

pretty "long names: the error names as many as fit, and counts the rest"
# 2 addresses are free; 10 clients with 251- and 252-byte names ask at once
# (before the fix, the second name in the error passed its buffer)
long=$(printf 'c%.0s' {1..249})x
expect_fail_with 1 '^netnsctl: [0-9]+ of 10 new clients got no lease within 2\.000 s, all 10 rolled back: c+x[0-9]+ and [0-9]+ more \(' \
	n create-clients 10 --parent lan0 --prefix "$long" --timeout 2
((${#ERR} < 512)) || fail "the error is ${#ERR} bytes long"
[[ -z $(netns_names | grep -v '^\(router\|ns[123]\)$') ]] || fail "namespaces left: $(netns_names)"
ok n list-clients
assert_eq "$OUT" "$before" "list-clients after the long-named call"

pretty "cleanup releases every lease, then deletes the clients"
ok n cleanup --dry-run
[[ $OUT == *"would release and delete 3 clients"* ]] || fail "cleanup --dry-run: $OUT"
ok n cleanup
[[ $OUT == *"release and delete 3 clients"* ]] || fail "cleanup: $OUT"
wait_for 5 dnsmasq_empty
assert_eq "$(keeper_pids)" "" "lease keepers after cleanup"
assert_eq "$(netns_names)" router "namespaces after cleanup"
ok n cleanup
assert_eq "$OUT" unchanged "a second cleanup"
lan_down
assert_nothing_left
