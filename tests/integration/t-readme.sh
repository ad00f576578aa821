#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lanes: host
# why: the block has NAT (nftables ip family) and DHCP clients; UML 6.1 has
#      no nftables ip family
#
# The README's block "Bridges, the way out, and clients" runs as typed
# (issue #13, item 8): each "# netnsctl ..." line of it, read from README.md,
# in order, exits 0 with a quiet stderr.  What the README says the block
# needs is set up first: lan0, a link with a DHCP server behind it.
#
#   sandbox: br0 10.5.0.254/24 -- web 10.5.0.1/24     nn-inner == inner (NAT)
#            lan0 ====== r0 in netns router (dnsmasq)  ns1..ns200 on lan0

. "$(dirname "$(readlink -f "$0")")/lib.sh"
. "$TEST_DIR/clients-lib.sh"

cleanup() {
	local rc=$?
	set +e
	n cleanup >/dev/null 2>&1
	lan_down
	exit $rc
}
trap cleanup EXIT

block=$(awk '/^Bridges, the way out, and clients/ { on = 1; next }
	     on && /^```$/ { if (++fence == 2) exit; next }
	     on && /^# netnsctl / { sub(/^# /, ""); sub(/[ \t]+#.*$/, ""); print }' "$TEST_DIR/../../README.md")
[[ $(grep -c . <<<"$block") -ge 5 ]] || fail "the README block was not found: $block"
grep -q 'create-clients' <<<"$block" || fail "the README block has no create-clients: $block"

pretty "what the README says the block needs: lan0 with a DHCP server"
tr '\n' ' ' <"$TEST_DIR/../../README.md" | grep -q '`lan0`[^`]*DHCP server' ||
	fail "the README does not say the block needs lan0 with a DHCP server"
lan_up 10 250

while read -r -a words; do
	pretty "${words[*]}"
	[[ ${words[0]} == netnsctl ]] || fail "not a netnsctl command: ${words[*]}"
	ok n "${words[@]:1}"
done <<<"$block"

pretty "the clients came and went; what attach and connect-host made stayed"
for ns in web inner; do netns_exists "$ns" || fail "namespace $ns is gone"; done
[[ $(netns_names | grep -c '^ns[0-9]') -eq 0 ]] || fail "clients are left"

pretty "cleanup takes all of it away"
ok n cleanup
lan_down
assert_nothing_left
