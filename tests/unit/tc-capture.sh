#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# tc-capture.sh BUILD_DIR > tests/unit/tc_dumps.h: record what iproute2's tc
# sends (tc under strace: the TCA_OPTIONS of each request) and what kernels
# dump (nn-tcdump) for the trees test_tc_codec.c decodes: the host kernel's
# through tests/integration/sandbox-run, the UML lane's 6.1 (with netem)
# through tests/kernel/uml-run.  Needs root, strace, python3.  Not a test:
# the unit tests read the file it writes, so a change of the codecs is
# checked against what real tc and real kernels do.

set -euo pipefail

src=$(cd "$(dirname "$0")/../.." && pwd)
mode=${1:?usage: tc-capture.sh BUILD_DIR}

host_part() {
	local T=$1/tests/nn-tctool D=$1/tests/nn-tcdump out=$2
	[[ ${NETNSCTL_SANDBOX:-} == host ]] || { echo "tc-capture.sh: not in sandbox-run" >&2; exit 1; }
	# First, so the ifindexes are what test_tc_codec.c expects: veth-b 2,
	# veth-a 3, ifb-veth-b 4 (which the redirect below names too).
	ip link add veth-a type veth peer name veth-b
	ip link set veth-a up
	ip link set veth-b up
	"$T" set - veth-a rate 50mbit rule to 10.0.2.0/24 port 80 rate 1mbit \
		rule to 2001:db8::/48 proto icmp rate 5mbit >&2
	{
		"$D" qdisc veth-a 0 htb_qdiscs
		"$D" class veth-a 10000 htb_classes
		"$D" filter veth-a 10000 htb_filters
		# the cookie test_tc_codec.c expects
		echo "/* ingress: $(NN_TCTOOL_COOKIE=82a535b41265012f "$T" ingress - veth-b rate 10mbit) */"
		"$D" filter veth-b fffffff2 ingress_filters
	} >"$out/dumps"
	local -a s=(strace -f -qq -s 65536 -xx -e trace=sendmsg -o)
	ip link add va type veth peer name vb
	"${s[@]}" "$out/htbq" tc qdisc add dev va root handle 1: htb default 1
	"${s[@]}" "$out/cls" tc class add dev va parent 1: classid 1:1 htb rate 1tbit ceil 1tbit \
		burst 1000000b cburst 1000000b quantum 200000
	"${s[@]}" "$out/cls2" tc class add dev va parent 1: classid 1:2 htb rate 10mbit ceil 20mbit \
		burst 25000b cburst 50000b quantum 1514
	"${s[@]}" "$out/f1" tc filter add dev va parent 1: prio 1 protocol all u32 \
		match u8 0x40 0xf0 at 0 match ip dst 10.0.2.0/24 flowid 1:1
	"${s[@]}" "$out/f4" tc filter add dev va parent 1: prio 1 protocol all u32 \
		match u8 0x45 0xff at 0 match u16 0x0 0x1fff at 6 match ip protocol 6 0xff \
		match ip dst 10.0.2.0/24 match ip dport 80 0xffff flowid 1:2
	"${s[@]}" "$out/f6" tc filter add dev va parent 1: prio 2 protocol all u32 \
		match u8 0x60 0xf0 at 0 match ip6 protocol 17 0xff match ip6 dst 2001:db8:1::/48 \
		match ip6 dport 53 0xffff flowid 1:2
	tc qdisc add dev vb clsact
	"${s[@]}" "$out/mir" tc filter add dev vb ingress prio 65520 protocol all u32 match u32 0 0 \
		action mirred egress redirect dev ifb-veth-b cookie 0123456789abcdef
}

uml_part() {
	local T=$1/tests/nn-tctool D=$1/tests/nn-tcdump
	[[ ${NETNSCTL_SANDBOX:-} == uml ]] || { echo "tc-capture.sh: not in uml-run" >&2; exit 1; }
	local spec="delay 5ms rule to 10.0.2.0/24 delay 50ms rate 10mbit rule port 80 proto tcp loss 2.5% rule to fd00::/64 delay 1ms"
	ip link add veth-a type veth peer name veth-b
	ip link add veth-c type veth peer name veth-d
	for l in veth-a veth-b veth-c veth-d; do ip link set "$l" up; done
	# shellcheck disable=SC2086
	"$T" set - veth-a delay 20ms jitter 2ms loss 0.5% rate 10mbit >&2
	"$D" qdisc veth-a 0 stacked_qdiscs
	# shellcheck disable=SC2086
	"$T" set - veth-c $spec >&2
	"$D" qdisc veth-c 0 htb_netem_qdiscs
	"$D" class veth-c 10000 htb_netem_classes
	"$D" filter veth-c 10000 htb_netem_filters
}

case $mode in
--host) host_part "$2" "$3"; exit ;;
--uml) uml_part "$2"; exit ;;
esac

build=$(cd "$mode" && pwd)
work=$(mktemp -d "$build/tc-capture.XXXXXX")
trap 'rm -rf "$work"' EXIT
NETNSCTL=$build/netnsctl "$src/tests/integration/sandbox-run" "$0" --host "$build" "$work" >&2
NETNSCTL=$build/netnsctl UML_RUN_DIR=$work "$src/tests/kernel/uml-run" -- \
	bash "$0" --uml "$build" >"$work/uml" 2>"$work/uml.err" || { cat "$work/uml.err" >&2; exit 1; }

python3 - "$work" <<'EOF'
import re, sys
w = sys.argv[1]
def opts(name, cut=None):
    s = open(f"{w}/{name}").read()
    m = re.search(r'nla_type=TCA_OPTIONS}, "([^"]*)"', s)
    b = bytes(int(h, 16) for h in re.findall(r'\\x([0-9a-f]{2})', m.group(1)))
    return b[:cut] if cut else b
def carr(name, b, comment):
    out = f"/* {comment} ({len(b)} bytes) */\nstatic const unsigned char {name}[] = {{\n"
    for i in range(0, len(b), 12):
        out += "\t" + " ".join(f"0x{x:02x}," for x in b[i:i + 12]) + "\n"
    return out + "};\n\n"
out = """/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What iproute2's tc (6.1) sends and what kernels dump, captured by
 * tests/unit/tc-capture.sh (tc under strace for the requests; nn-tcdump, a
 * raw RTM_GET* dump, for the kernel's answers: host 6.18 in a sandbox and
 * the UML lane's 6.1), for test_tc_codec.c.  Regenerate with that script.
 */
#ifndef NETNSCTL_TC_DUMPS_H
#define NETNSCTL_TC_DUMPS_H

/* ---- requests: the payload of TCA_OPTIONS as tc sends it ---- */

"""
out += carr("tc_htb_qdisc", opts("htbq"), "tc qdisc add dev va root handle 1: htb default 1")
out += carr("tc_htb_class_open", opts("cls", 72), "tc class add ... classid 1:1 htb rate 1tbit ceil 1tbit burst 1000000b cburst 1000000b quantum 200000: RATE64, CEIL64, PARMS (the rate tables after them cut off)")
out += carr("tc_htb_class_10mbit", opts("cls2", 48), "tc class add ... classid 1:2 htb rate 10mbit ceil 20mbit burst 25000b cburst 50000b quantum 1514: PARMS (tables cut off)")
out += carr("tc_u32_dst", opts("f1"), "tc filter add dev va parent 1: prio 1 protocol all u32 match u8 0x40 0xf0 at 0 match ip dst 10.0.2.0/24 flowid 1:1")
out += carr("tc_u32_port4", opts("f4"), "tc filter add ... u32 match u8 0x45 0xff at 0 match u16 0x0 0x1fff at 6 match ip protocol 6 0xff match ip dst 10.0.2.0/24 match ip dport 80 0xffff flowid 1:2")
out += carr("tc_u32_port6", opts("f6"), "tc filter add ... u32 match u8 0x60 0xf0 at 0 match ip6 protocol 17 0xff match ip6 dst 2001:db8:1::/48 match ip6 dport 53 0xffff flowid 1:2")
out += carr("tc_u32_redirect", opts("mir"), "tc filter add dev vb ingress prio 65520 protocol all u32 match u32 0 0 action mirred egress redirect dev ifb0 cookie 0123456789abcdef (ifb-veth-b: ifindex 4)")
out += "/* ---- kernel dumps ---- */\n\n"
out += "/* host: nn-tctool set - veth-a rate 50mbit rule to 10.0.2.0/24 port 80 rate 1mbit\n * rule to 2001:db8::/48 proto icmp rate 5mbit; nn-tctool ingress - veth-b rate 10mbit */\n"
out += open(f"{w}/dumps").read() + "\n"
out += "/* UML 6.1: nn-tctool set - veth-a delay 20ms jitter 2ms loss 0.5% rate 10mbit; nn-tctool set - veth-c\n * delay 5ms rule to 10.0.2.0/24 delay 50ms rate 10mbit rule port 80 proto tcp loss 2.5% rule to fd00::/64 delay 1ms */\n"
out += open(f"{w}/uml").read()
out += "\n#endif\n"
sys.stdout.write(out)
EOF
