#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lanes: host
# why: bad input is refused before any kernel is asked, so a second kernel
#      adds nothing, and the ~190 commands with a full snapshot after each
#      take over half an hour in UML (where every fork is slow)
#
# Every kind of bad input: the documented exit status (2 for a bad command
# line or value, 1 for a namespace or interface that is not there), exactly
# one line "netnsctl: ..." on stderr naming the bad value in double quotes,
# and nothing changed: not the kernel, not the run and etc dirs, not even
# netnsctl's journal.
#
#   +--------------------------+           +--------------------------+
#   | netns sva                |           | netns svb                |
#   |   veth-a 10.10.0.1/30    =============   veth-b 10.10.0.2/30    |
#   |   root: tbf rate 1Mbit   |           |                          |
#   +--------------------------+           +--------------------------+
#
# Values that must be rejected are tried on netnsctl's own objects (sva,
# veth-a) and on names that do not exist yet (bad1, bad2): a rejected
# command must not create them on its way to the error.

. "$(dirname "$(readlink -f "$0")")/lib.sh"

long255=$(printf 'n%.0s' {1..255})
long256=${long255}n

cleanup() {
	local rc=$?
	set +e
	del_namespaces sva svb bad1 bad2 "$long255" 0123456789abcde
	exit $rc
}
trap cleanup EXIT

ok n create-veth-pair sva svb
ok n set-rate sva veth-a --rate 1mbit
take_reference

# bad CODE VALUE CMD...: CMD exits CODE with one line naming VALUE, and
# changes nothing.
bad() {
	local code=$1 value=$2
	shift 2
	expect_fail_naming "$code" "$value" "$@"
	assert_unchanged "\"$*\" changed something"
}

# bad_usage ERE CMD...: CMD exits 2 with one line matching ERE, and changes
# nothing.
bad_usage() {
	local ere=$1
	shift
	expect_fail_with 2 "$ere" "$@"
	assert_unchanged "\"$*\" changed something"
}

pretty "namespace names"
for cmd in create-namespaces delete-namespaces; do
	bad 2 "" n $cmd ""
	bad 2 "$long256" n $cmd "$long256"
	bad 2 . n $cmd .
	bad 2 .. n $cmd ..
	bad 2 a/b n $cmd a/b
	bad 2 ../netnsctl n $cmd ../netnsctl
	bad 2 "a b" n $cmd "a b"
	bad 2 'a\x0ab' n $cmd $'a\nb'
	bad 2 'a\x09b' n $cmd $'a\tb'
	bad 2 'a\x01b' n $cmd $'a\x01b'
	bad 2 'a\x7fb' n $cmd $'a\x7fb'
	# one bad name among good ones: none of them is made or deleted
	bad 2 a/b n $cmd bad1 a/b sva
done
bad 2 a/b n create-veth-pair a/b svb
bad 2 a/b n create-veth-pair sva a/b
bad 2 a/b n create-veth-pair bad1 a/b
bad 2 .. n delete-veth-pair .. svb
bad 2 "" n exec "" -- true
bad 2 a/b n exec a/b -- true
bad 2 a/b n set-rate a/b veth-a --rate 1mbit
bad 2 a/b n add-delay a/b veth-a --delay 1ms
bad 2 a/b n clear-qdisc a/b veth-a
bad 2 a/b n show-qdisc a/b veth-a

pretty "interface names"
bad 2 0123456789abcdef n create-veth-pair sva svb --if-a 0123456789abcdef
bad 2 0123456789abcdef n create-veth-pair bad1 bad2 --if-b 0123456789abcdef
bad 2 '\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9' \
	n create-veth-pair bad1 bad2 --if-a éééééééé
bad 2 "" n create-veth-pair bad1 bad2 --if-a ""
bad 2 a/b n create-veth-pair bad1 bad2 --if-a a/b
bad 2 "a b" n create-veth-pair bad1 bad2 --if-b "a b"
bad 2 0123456789abcdef n set-rate sva 0123456789abcdef --rate 1mbit
bad 2 0123456789abcdef n add-delay sva 0123456789abcdef --delay 1ms
bad 2 0123456789abcdef n clear-qdisc sva 0123456789abcdef
bad 2 0123456789abcdef n delete-veth-pair sva svb --if-a 0123456789abcdef

pretty "CIDRs"
for cidr in 10.0.0.0/33 10.0.0/24 banana 10.0.0.1/30 10.0.0.0/32 10.0.0.0 10.0.0.0/ \
	    10.0.0.0/-1 10.0.0.0/30x 256.0.0.0/30 fd00::/129 fd00::/128 fd00::1/64 ""; do
	bad 2 "$cidr" n create-veth-pair bad1 bad2 --cidr "$cidr"
	bad 2 "$cidr" n create-veth-pair sva svb --cidr "$cidr"
done

pretty "durations"
for t in 10xs -5ms 99999999999999999999s "" ms 1.5.5ms "10 ms" 10ms5; do
	bad 2 "$t" n add-delay sva veth-a --delay "$t"
done
bad 2 -1ms n add-delay sva veth-a --delay 10ms --jitter -1ms
bad 2 10xs n add-delay bad1 veth-a --delay 10xs
bad 2 10xs n set-rate sva veth-a --rate 1mbit --latency 10xs
bad 2 -5ms n set-rate sva veth-a --rate 1mbit --latency -5ms

pretty "rates and sizes"
for r in 0mbit -1mbit 10mbyte "" mbit 1.2.3mbit 99999999999999999999gbit; do
	bad 2 "$r" n set-rate sva veth-a --rate "$r"
done
bad 2 10mbyte n add-delay sva veth-a --rate 10mbyte
bad 2 10mbyte n set-rate bad1 veth-a --rate 10mbyte
for b in 0 -1kb 10xb 99999999999; do
	bad 2 "$b" n set-rate sva veth-a --rate 1mbit --burst "$b"
done
for l in -1 abc 99999999999 1.5; do
	bad 2 "$l" n add-delay sva veth-a --delay 1ms --limit "$l"
done

pretty "percentages"
for opt in --loss --duplicate --corrupt --reorder; do
	for p in 150% -1% 100.1% abc% %; do
		bad 2 "$p" n add-delay sva veth-a --delay 10ms $opt "$p"
	done
done
bad 2 150% n add-delay sva veth-a --delay 10ms --jitter 1ms --correlation 150%
bad 2 banana n add-delay sva veth-a --delay 10ms --jitter 1ms --distribution banana

pretty "namespaces and interfaces that are not there"
bad 1 nosuchns n add-delay nosuchns veth-a
bad 1 nosuchns n add-delay nosuchns veth-a --delay 1ms
bad 1 nosuchns n set-rate nosuchns veth-a --rate 1mbit
bad 1 nosuchns n clear-qdisc nosuchns veth-a
bad 1 nosuchns n show-qdisc nosuchns veth-a
bad 1 nosuchns n exec nosuchns -- true
bad 1 nosuchif n set-rate sva nosuchif --rate 1mbit
bad 1 nosuchif n add-delay sva nosuchif --delay 1ms
bad 1 nosuchif n clear-qdisc sva nosuchif
bad 1 nosuchif n show-qdisc sva nosuchif
# veth-b is in svb, not in sva
bad 1 veth-b n set-rate sva veth-b --rate 1mbit

pretty "commands and options"
bad 2 frobnicate n frobnicate
bad 2 create n create
bad 2 create-namespace n create-namespace sva
bad 2 --bogus n create-namespaces --bogus bad1
bad 2 --bogus n create-veth-pair bad1 bad2 --bogus
bad 2 --rates n set-rate sva veth-a --rates 1mbit
bad 2 --ratee n set-rate sva veth-a --ratee 1mbit
bad_usage 'rate' n set-rate sva veth-a
bad_usage 'rate' n set-rate sva veth-a --rate
bad_usage '.' n create-veth-pair sva
bad_usage '.' n create-veth-pair
bad_usage '.' n create-namespaces
bad_usage '.' n add-delay sva
bad_usage '.' n clear-qdisc sva
bad_usage '.' n show-qdisc sva
bad_usage '.' n create-veth-pair sva svb extra
bad_usage '.' n set-rate sva veth-a extra --rate 1mbit
run n
assert_eq "$RC" 2 "exit status of netnsctl without a command"
assert_unchanged "netnsctl without a command changed something"

pretty "the edges that are fine"
before=$(state)
ok n --help
[[ $OUT == *create-veth-pair* ]] || fail "--help does not list create-veth-pair"
ok n --version
ok n create-namespaces "$long255"
netns_exists "$long255" || fail "no namespace with a 255-byte name"
ok n delete-namespaces "$long255"
ok n create-veth-pair sva svb --if-a 0123456789abcde --if-b 0123456789abcdf --cidr 10.10.5.0/30
assert_veth_pair sva 0123456789abcde svb 0123456789abcdf
ok n delete-veth-pair sva svb --if-a 0123456789abcde
assert_same "$before" "$(state)" "the 255- and 15-byte names left something behind"

pretty "take it down"
ok n delete-namespaces sva svb
assert_nothing_left
