#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lanes: host
# why: everything here is refused or checked before a kernel is asked (names,
#      privileges, file modes), so a second kernel adds nothing
#
# What issue #7 asks of names, privileges and files, for the commands that
# came after t-bad-input and t-privilege (bridges, attach, clients, lab
# files):
# - a name that could escape the run dir, /etc/netns or the state dir ("/",
#   "..", ".", control characters, whitespace, too long) is refused with exit
#   2 and one line naming it, by every command and option that takes one, and
#   nothing changes (kernel, run and etc dirs, journal);
# - without CAP_NET_ADMIN (root with no capabilities) every command that
#   would touch the kernel or the state dir exits 1 with one line and changes
#   nothing;
# - the files netnsctl makes have safe modes: journal and locks 0600, lab
#   dirs 0700, nothing group- or world-writable, nothing setuid;
# - the sources start no shell: no system(), popen() or "sh -c".
#
#   +------------------+
#   | netns sva        |      bridge br0 (the sandbox's own namespace)
#   |   eth-br0 -------+----- port sva-eth-br0
#   +------------------+      clients st1 st2 (static, macvlan on br0)

. "$(dirname "$(readlink -f "$0")")/lib.sh"

cleanup() {
	local rc=$?
	set +e
	"$NETNSCTL" delete-clients >/dev/null 2>&1
	del_namespaces sva st1 st2 bad1 bad2
	ip link del br0 2>/dev/null
	exit $rc
}
trap cleanup EXIT

ok n create-bridge br0
ok n attach sva br0 --addr 10.7.0.2/24
ok n create-clients 2 --prefix st --parent br0 --static 10.99.0.0/24 --dns 192.0.2.53
take_reference

bad() {
	local code=$1 value=$2
	shift 2
	expect_fail_naming "$code" "$value" "$@"
	assert_unchanged "\"$*\" changed something"
}

pretty "names that could escape, in every command that takes one"
tried=0
for name in "" . .. ../x a/b /abs $'a\nb' $'a\x01b' $'a\x7fb' "a b"; do
	# what nn_show() prints for NAME
	shown=$(printf '%s' "$name" | "$PYTHON" -c '
import sys
s = sys.stdin.buffer.read()
print("".join("\\" + chr(c) if c in b"\"\\" else chr(c) if 0x20 <= c < 0x7f else "\\x%02x" % c for c in s))')
	CONTEXT="name \"$shown\""
	bad 2 "$shown" n create-bridge "$name"
	bad 2 "$shown" n attach "$name" br0
	bad 2 "$shown" n attach sva "$name"
	tried=$((tried + 3))
	if [[ -n $name ]]; then
		# "" is a default: the host namespace, all clients, the derived name
		bad 2 "$shown" n create-bridge brx --ns "$name"
		bad 2 "$shown" n attach bad1 brx --bridge-ns "$name"
		bad 2 "$shown" n delete-clients --prefix "$name"
		bad 2 "$shown" n list-clients --prefix "$name"
		# a prefix is checked as PREFIX1: ".1" and "..1" are fine names
		if [[ $name != . && $name != .. ]]; then
			bad 2 "$shown" n create-clients 1 --parent br0 --prefix "$name" --static 10.98.0.0/24
		fi
		bad 2 "$shown" n attach bad1 br0 --if "$name"
		bad 2 "$shown" n attach bad1 br0 --port "$name"
		bad 2 "$shown" n create-clients 1 --parent "$name" --static 10.98.0.0/24
		tried=$((tried + 8))
	fi
	if [[ $name != "a b" ]]; then
		lab=$TMPDIR/escape.yaml
		printf 'name: "%s"\nnodes: [bad1]\n' "$("$PYTHON" -c 'import json,sys; print(json.dumps(sys.argv[1])[1:-1])' "$name")" >"$lab"
		expect_fail_with 2 '' n apply "$lab"
		assert_unchanged "apply of a lab named \"$shown\" changed something"
		printf 'name: ok\nnodes: ["%s"]\n' "$("$PYTHON" -c 'import json,sys; print(json.dumps(sys.argv[1])[1:-1])' "$name")" >"$lab"
		expect_fail_with 2 '' n apply "$lab"
		assert_unchanged "apply of a node named \"$shown\" changed something"
		tried=$((tried + 2))
	fi
done
CONTEXT=
pretty "$tried bad names refused"

pretty "a name an error quotes as given: printable ASCII, other bytes as \\xHH"
for cmd in "link-down" "link-up" "show-qdisc"; do
	expect_fail_with 1 '^netnsctl: namespace "a\\xef\\xfe" does not exist$' n $cmd $'a\xef\xfe' veth0
done
expect_fail_with 1 '^netnsctl: namespace "caf\\xc3\\xa9" does not exist$' n link-down café veth0
expect_fail_with 2 '^netnsctl: invalid partition id "\\xef"' n heal $'\xef'

pretty "without capabilities"
command -v setpriv >/dev/null || fail "setpriv is missing (Debian: util-linux)"
netnsctl=$TMPDIR/netnsctl
cp "$NETNSCTL" "$netnsctl"
chmod 0755 "$netnsctl"
lab=$TMPDIR/priv.yaml
printf 'name: priv\nnodes: [bad1, bad2]\n' >"$lab"
as=(setpriv --inh-caps=-all --ambient-caps=-all --bounding-set=-all --)
denied_ere='CAP_NET_ADMIN|CAP_SYS_ADMIN|[Pp]ermission denied|not permitted|root'
for cmd in "create-bridge brx" "create-bridge brx --ns bad1" "attach bad1 br0" "attach sva br0" \
	   "create-clients 1 --parent br0 --prefix bad --static 10.98.0.0/24" "delete-clients" \
	   "delete-clients --prefix st" "apply $lab" "destroy $lab" "status $lab" "graph" \
	   "list" "show-qdisc sva eth-br0" "lease-keeper" "probe sva svb" "probe sva 10.0.0.1 --count 5" \
	   "verify $TEST_DIR/../../examples/abc.yaml --junit $TMPDIR/priv.xml"; do
	# shellcheck disable=SC2086 # cmd is split on purpose
	expect_fail_with 1 "$denied_ere" timeout 20 "${as[@]}" "$netnsctl" $cmd
	assert_unchanged "\"$cmd\" without capabilities changed something"
done
[[ ! -e $TMPDIR/priv.xml && ! -e $TMPDIR/priv.xml.tmp ]] || fail "verify without capabilities wrote a report"
rm -f "$netnsctl"

pretty "file modes"
modes=$(find "$STATE_DIR" "$ETC_DIR" -printf '%m %u %p\n' | sort -k3)
printf '%s\n' "$modes" | sed 's/^/    /'
while read -r m u p; do
	[[ $u == root ]] || fail "$p belongs to $u"
	((0$m & 022)) && fail "$p is group- or world-writable ($m)"
	((0$m & 06000)) && fail "$p is setuid or setgid ($m)"
	case ${p#"$STATE_DIR"/} in
	journal | lock | */lock | journal.new) [[ $m == 600 ]] || fail "$p has mode $m, not 600" ;;
	labs | labs/*) [[ ! -d $p || $m == 700 ]] || fail "$p has mode $m, not 700" ;;
	esac
done <<<"$modes"
[[ -f $STATE_DIR/journal ]] || fail "no journal in $STATE_DIR"
[[ -f $ETC_DIR/st1/resolv.conf ]] || fail "no $ETC_DIR/st1/resolv.conf"

pretty "no shell"
src=$(dirname "$TEST_DIR")/../src
if [[ -d $src ]]; then
	hits=$(grep -rnE '\b(system|popen|execl|execlp)[[:space:]]*\(|"/bin/sh"|"sh", *"-c"|sh -c' "$src" || true)
	[[ -z $hits ]] || fail "a shell may be started: $hits"
fi

pretty "take it down"
ok n delete-clients
ok n cleanup
assert_nothing_left
