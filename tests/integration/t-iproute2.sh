#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lanes: host uml-extended
#
# netnsctl and iproute2 see the same namespaces, and netnsctl exec behaves
# like ip netns exec.
#
#   netns nx   made by netnsctl  -> ip netns list / exec / del
#   netns ipx  made by ip        -> netnsctl list / exec / create-veth-pair /
#   netns ipy  made by ip           delete-namespaces
#   netns rx   made by netnsctl, with /etc/netns/rx/resolv.conf, for exec
#
#   +-------------------+                  +-------------------+
#   | netns ipx (ip)    |  veth-a == veth-b | netns ipy (ip)    |
#   +-------------------+                  +-------------------+

. "$(dirname "$(readlink -f "$0")")/lib.sh"

cleanup() {
	local rc=$?
	set +e
	del_namespaces nx ipx ipy rx
	rm -rf "${ETC_DIR:?}/rx"
	exit $rc
}
trap cleanup EXIT

pretty "netnsctl's namespaces are ip's"
ok n create-namespaces nx
netns_exists nx || fail "nx is not in ip netns list"
nsx nx ip link set lo up
assert_eq "$(nsx nx ip -o link show | awk -F': ' '{ print $2 }')" lo "links in nx"
[[ $(nsx nx readlink /proc/self/ns/net) != $(readlink /proc/self/ns/net) ]] ||
	fail "ip netns exec nx runs in the sandbox's namespace"
ip netns del nx
! netns_exists nx || false
[[ ! -e $RUN_DIR/nx ]] || fail "$RUN_DIR/nx is still there"
ok n list
[[ $'\n'$OUT$'\n' != *nx* ]] || fail "netnsctl list still shows nx: $OUT"

pretty "ip's namespaces are netnsctl's"
ip netns add ipx
ip netns add ipy
ok n list
[[ $OUT == *ipx* && $OUT == *ipy* ]] || fail "netnsctl list does not show ipx and ipy: $OUT"
ok n list --json
ipjson contains ipx <<<"$OUT" || fail "netnsctl list --json does not name ipx: $OUT"
ipjson contains ipy <<<"$OUT" || fail "netnsctl list --json does not name ipy: $OUT"
ok n exec ipx -- readlink /proc/self/ns/net
assert_eq "$OUT" "$(nsx ipx readlink /proc/self/ns/net)" "netnsctl exec ipx's namespace"
ok n create-veth-pair ipx ipy
assert_veth_pair ipx veth-a ipy veth-b
nsx ipy ping -c 3 -W 1 10.10.0.1 >/dev/null
ok n exec ipy -- ping -c 1 -W 1 10.10.0.1
ok n delete-namespaces ipx ipy
! netns_exists ipx || false
! netns_exists ipy || false

pretty "a namespace file with another namespace mounted over it: the delete takes both mounts"
ip netns add ips
ip netns add ipt
mount --bind /run/netns/ipt /run/netns/ips
assert_eq "$(nsx ips readlink /proc/self/ns/net)" "$(nsx ipt readlink /proc/self/ns/net)" \
	"ips, with ipt's namespace mounted over it"
ok n delete-namespaces ips
[[ ! -e /run/netns/ips ]] || fail "/run/netns/ips is still there after delete-namespaces"
! grep -q " /run/netns/ips " /proc/self/mountinfo || fail "a mount is left on /run/netns/ips"
netns_exists ipt || fail "ipt went too"
ip netns del ipt

pretty "exec: /etc/netns/NAME files, sysfs, stdin and stdout"
ok n create-namespaces rx
mkdir -p "$ETC_DIR/rx"
printf 'nameserver 192.0.2.53\n' >"$ETC_DIR/rx/resolv.conf"
resolv_before=$(cat /etc/resolv.conf)
ok n exec rx -- cat /etc/resolv.conf
assert_eq "$OUT" "nameserver 192.0.2.53" "/etc/resolv.conf in netnsctl exec rx"
ok nsx rx cat /etc/resolv.conf
assert_eq "$OUT" "nameserver 192.0.2.53" "/etc/resolv.conf in ip netns exec rx"
assert_eq "$(cat /etc/resolv.conf)" "$resolv_before" "/etc/resolv.conf outside"
# a fresh sysfs: the namespace's links, not the sandbox's
ip link add itest0 type veth peer name itest1
ok n exec rx -- ls /sys/class/net
assert_eq "$OUT" lo "/sys/class/net in netnsctl exec rx"
ip link del itest0
assert_eq "$(echo hello | n exec rx -- cat)" hello "stdin through netnsctl exec"

pretty "exec: exit status"
run n exec rx -- sh -c 'exit 7'
assert_eq "$RC" 7 "exit status of sh -c 'exit 7'"
run n exec rx -- sh -c 'kill -TERM $$'
assert_eq "$RC" 143 "exit status of a command killed by SIGTERM"
run n exec rx -- false
assert_eq "$RC" 1 "exit status of false"
expect_fail_naming 127 itest-no-such-command n exec rx -- itest-no-such-command
expect_fail_naming 127 /nonexistent/cmd n exec rx -- /nonexistent/cmd
printf '#!/bin/sh\nexit 0\n' >"$TMPDIR/not-executable"
chmod 0644 "$TMPDIR/not-executable"
expect_fail_naming 126 "$TMPDIR/not-executable" n exec rx -- "$TMPDIR/not-executable"
rm -f "$TMPDIR/not-executable"
expect_fail_naming 1 itest-no-such-ns n exec itest-no-such-ns -- true

pretty "take it down"
rm -r "${ETC_DIR:?}/rx"
ip netns del rx
assert_nothing_left
