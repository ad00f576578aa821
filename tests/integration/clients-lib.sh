# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# clients-lib.sh: the LAN the create-clients tests put their clients on,
# sourced after lib.sh.
#
#   sandbox's namespace                  netns router
#   lan0 UP (the clients' parent) ====== r0 10.77.1.1/24, dnsmasq --no-daemon
#     macvlans eth0 in ns1, ns2 ...
#
# dnsmasq: its own lease file, config /dev/null, bound to r0 only, no DNS
# (--port=0), no ping before offering (0.4 s a lease otherwise), router and
# DNS server options; lease time 2m, dnsmasq's minimum.

LAN_LEASES=$TMPDIR/dnsmasq.leases
LAN_LOG=$TMPDIR/dnsmasq.log
DNSMASQ=/usr/sbin/dnsmasq
[[ -x $DNSMASQ ]] || refuse "\"$DNSMASQ\" is missing (Debian: dnsmasq-base)"

# lan_up FIRST LAST [DNSMASQ-ARG...]: the LAN, leasing 10.77.1.FIRST to .LAST.
lan_up() {
	local first=$1 last=$2
	shift 2
	ip netns add router
	ip link add lan0 type veth peer name r0 netns router
	ip link set lan0 up
	ip -n router link set r0 up
	ip -n router addr add 10.77.1.1/24 dev r0
	: >"$LAN_LEASES"
	: >"$LAN_LOG"
	# ip netns exec execs: $! is dnsmasq itself
	ip netns exec router "$DNSMASQ" --no-daemon --no-ping --conf-file=/dev/null --pid-file= \
		--dhcp-leasefile="$LAN_LEASES" --log-facility="$LAN_LOG" --log-dhcp \
		--bind-interfaces --interface=r0 --port=0 --dhcp-authoritative \
		--dhcp-range="10.77.1.$first,10.77.1.$last,255.255.255.0,2m" \
		--dhcp-option=option:router,10.77.1.1 --dhcp-option=option:dns-server,10.77.1.53 \
		"$@" 2>>"$TMPDIR/dnsmasq.stderr" &
	DNSMASQ_PID=$!
	wait_for 10 grep -q "DHCP, sockets bound exclusively" "$LAN_LOG"
}

lan_down() {
	if [[ -n ${DNSMASQ_PID:-} ]]; then
		kill "$DNSMASQ_PID" 2>/dev/null
		wait "$DNSMASQ_PID" 2>/dev/null
		DNSMASQ_PID=
	fi
	ip link del lan0 2>/dev/null
	del_namespaces router
}

# Lines in dnsmasq's lease file: the leases it holds.
dnsmasq_leases() { grep -c . "$LAN_LEASES" || true; }
dnsmasq_empty() { [[ ! -s $LAN_LEASES ]]; }

# The lease keeper's processes (netnsctl lease-keeper).
keeper_pids() {
	local p
	for p in /proc/[0-9]*; do
		[[ $(tr '\0' ' ' <"$p/cmdline" 2>/dev/null) == *" lease-keeper"* ]] && echo "${p#/proc/}"
	done
	return 0
}

# lan_up_scripted FIRST LAST [dhcpd.py ARG...]: the same LAN with the
# scripted server of dhcpd.py instead of dnsmasq (leases, T1/T2, routers
# and DNS servers dnsmasq will not hand out).  Its log is $LAN_LOG: one
# line per message it got.
lan_up_scripted() {
	local first=$1 last=$2
	shift 2
	ip netns add router
	ip link add lan0 type veth peer name r0 netns router
	ip link set lan0 up
	ip -n router link set r0 up
	ip -n router addr add 10.77.1.1/24 dev r0
	: >"$LAN_LOG"
	ip netns exec router "$PYTHON" "$TEST_DIR/dhcpd.py" r0 10.77.1.1 "$first" "$last" \
		"$LAN_LOG" "$@" 2>>"$TMPDIR/dhcpd.stderr" &
	DNSMASQ_PID=$!
	wait_for 10 grep -q "^ready" "$LAN_LOG"
}

# Messages of one kind the scripted server got: scripted_count REQUEST [MAC].
scripted_count() { grep -c "^$1 ${2:-}" "$LAN_LOG" || true; }
