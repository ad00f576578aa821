#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lanes: host uml-extended
#
# Without the capabilities it needs, every command that touches namespaces
# exits 1 with one clear line on stderr and changes nothing (nor writes its
# journal).  Tried as user nobody, as root with no capabilities at all, as
# root with only CAP_NET_ADMIN and as root with everything but CAP_NET_ADMIN.
#
#   +--------------------------+           +--------------------------+
#   | netns sva                |           | netns svb                |
#   |   veth-a 10.10.0.1/30    =============   veth-b 10.10.0.2/30    |
#   |   root: tbf rate 1Mbit   |           |                          |
#   +--------------------------+           +--------------------------+

. "$(dirname "$(readlink -f "$0")")/lib.sh"

cleanup() {
	local rc=$?
	set +e
	del_namespaces sva svb px pa pb
	exit $rc
}
trap cleanup EXIT

command -v setpriv >/dev/null || fail "setpriv is missing (Debian: util-linux)"

ok n create-veth-pair sva svb
ok n set-rate sva veth-a --rate 1mbit
take_reference

# A copy that user nobody can reach whatever the build dir's permissions.
netnsctl=$TMPDIR/netnsctl
cp "$NETNSCTL" "$netnsctl"
chmod 0755 "$netnsctl"

denied_ere='CAP_NET_ADMIN|CAP_SYS_ADMIN|[Pp]ermission denied|not permitted|root'

for who in nobody no-caps only-net-admin no-net-admin; do
	# shellcheck disable=SC2054 # the commas are setpriv's
	case $who in
	nobody) as=(setpriv --reuid=65534 --regid=65534 --clear-groups --) ;;
	no-caps) as=(setpriv --inh-caps=-all --ambient-caps=-all --bounding-set=-all --) ;;
	only-net-admin) as=(setpriv --inh-caps=-all --ambient-caps=-all --bounding-set=-all,+net_admin --) ;;
	no-net-admin) as=(setpriv --inh-caps=-all --ambient-caps=-all --bounding-set=-net_admin --) ;;
	esac
	pretty "as $who"
	for cmd in "create-namespaces px" "create-namespaces sva" "create-veth-pair sva svb" \
		   "create-veth-pair pa pb" "delete-veth-pair sva svb" "delete-namespaces sva" \
		   "set-rate sva veth-a --rate 2mbit" "clear-qdisc sva veth-a" \
		   "add-delay sva veth-a --delay 1ms" "exec sva -- true" "cleanup"; do
		# shellcheck disable=SC2086 # cmd is split on purpose
		expect_fail_with 1 "$denied_ere" "${as[@]}" "$netnsctl" $cmd
		assert_unchanged "\"$cmd\" as $who changed something"
	done
	ok "${as[@]}" "$netnsctl" --help
	ok "${as[@]}" "$netnsctl" --version
done

pretty "take it down"
ok n delete-namespaces sva svb
rm -f "$netnsctl"
assert_nothing_left
