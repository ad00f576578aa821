#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lanes: host
# why: a table of refusals, most before any kernel is asked; netnsctl's
#      exit status does not depend on the kernel's version
#
# Every command's typical failures and their exit status, as netnsctl(8)
# documents them (issue #13, item 3):
#   2  the command line itself is wrong: an unknown command or option, a
#      missing argument, a malformed value, or a name that is taken by
#      something netnsctl must not replace (a working veth pair, a link of
#      another kind).  Nothing was changed.
#   1  the command line is fine, but the system is not as needed: a
#      namespace, interface, bridge or lab file that does not exist, a parent
#      that is down, a kernel error or missing feature.
#   126/127  exec: the command could not be run / was not found.
# Each failure is one line "netnsctl: ..." on stderr (exec's 126/127 too).
#
#   sandbox: lan0 (down), lan1 (up, no carrier)     netns sva == netns svb

. "$(dirname "$(readlink -f "$0")")/lib.sh"

WORK=$(mktemp -d)
cleanup() {
	local rc=$?
	set +e
	ip link del lan0 2>/dev/null
	ip link del lan1 2>/dev/null
	del_namespaces sva svb svc nosuch
	rm -rf "$WORK"
	exit $rc
}
trap cleanup EXIT

ok n create-veth-pair sva svb
ip link add lan0 type veth peer name lan0p
ip link add lan1 type veth peer name lan1p
ip link set lan1 up
printf 'name: broken\nnodes: [\n' >"$WORK/bad.yaml"
printf 'name: typo\nnodez: []\n' >"$WORK/typo.yaml"
take_reference

# CODE | COMMAND LINE (words split on blanks)
table='
2 | no-such-command
2 | create-namespaces
2 | create-namespaces a/b
2 | create-namespaces sva --bogus
2 | delete-namespaces ..
1 | list nosuch
2 | exec
1 | exec nosuch -- true
127 | exec sva -- /nonexistent/command
126 | exec sva -- /etc
2 | create-veth-pair sva
2 | create-veth-pair sva svc --cidr 10.0.0.0/33
2 | create-veth-pair sva sva
2 | create-veth-pair sva svc
2 | delete-veth-pair sva
1 | delete-veth-pair sva svb --if-a lo
1 | delete-veth-pair sva svc
2 | add-delay sva veth-a --delay 1parsec
2 | add-delay sva
1 | add-delay nosuch veth-a --delay 10ms
1 | add-delay sva nosuch0 --delay 10ms
2 | set-rate sva veth-a
2 | set-rate sva veth-a --rate 10furlongs
1 | set-rate nosuch veth-a --rate 10mbit
1 | set-rate sva nosuch0 --rate 10mbit
1 | clear-qdisc nosuch lo
1 | clear-qdisc sva nosuch0
2 | show-qdisc sva
1 | show-qdisc nosuch lo
1 | show-qdisc sva nosuch0
2 | create-bridge
2 | create-bridge br0 --addr 10.5.0.300/24
2 | create-bridge lan0p
2 | create-bridge br0 --addr 10.5.0.3
2 | attach sva
2 | attach sva br0 --addr junk
1 | attach sva nosuchbr
2 | connect-host
2 | connect-host sva --cidr junk
2 | disconnect-host
2 | forward-port sva tcp 0 80
2 | forward-port sva sctp 81 80
1 | forward-port nosuch tcp 81 80
1 | forward-port sva tcp 81 80
2 | unforward-port tcp
2 | create-clients 0 --parent lan0
2 | create-clients 5
1 | create-clients 5 --parent nosuch0
1 | create-clients 5 --parent lan0
1 | create-clients 5 --parent lan1
2 | delete-clients --prefix a/b
2 | list-clients extra
2 | cleanup extra
2 | apply
1 | apply /nonexistent/lab.yaml
2 | apply WORK/bad.yaml
2 | apply WORK/typo.yaml
1 | destroy /nonexistent/lab.yaml
2 | destroy WORK/bad.yaml
1 | status /nonexistent/lab.yaml
2 | status WORK/bad.yaml
1 | graph /nonexistent/lab.yaml
2 | graph WORK/bad.yaml
'

pretty "every command's failures and their exit status"
wrong=0
while IFS='|' read -r code line; do
	code=${code// /}
	[[ -n $code ]] || continue
	read -r -a words <<<"${line//WORK/$WORK}"
	run n "${words[@]}"
	if [[ $RC -ne $code || $ERR_LINES -ne 1 || $ERR != "netnsctl: "?* ]]; then
		show_run netnsctl "${words[@]}"
		echo "    expected: exit $code and one line \"netnsctl: ...\"" >&2
		wrong=$((wrong + 1))
	fi
	assert_unchanged "\"netnsctl ${words[*]}\" changed something"
done <<<"$table"
[[ $wrong -eq 0 ]] || fail "$wrong commands failed with another exit status (above)"

pretty "take it down"
ip link del lan0
ip link del lan1
ok n delete-namespaces sva svb
assert_nothing_left
