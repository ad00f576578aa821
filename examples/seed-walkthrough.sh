#!/bin/bash
# The seed workflow, step by step: two namespaces joined by a veth pair,
# a ping across, a delay and a rate limit on the link, then cleanup.
#
#   sva                         svb
#   veth-a 10.10.0.1/30 <-----> veth-b 10.10.0.2/30
#
# Run it in a throwaway sandbox (scripts/demo does): it creates namespaces.
set -eu
netnsctl=${NETNSCTL:-netnsctl}

step() { printf '\n$ %s\n' "$*"; "$@"; }

step "$netnsctl" create-namespaces sva svb
step "$netnsctl" create-veth-pair sva svb
step "$netnsctl" create-veth-pair sva svb          # again: nothing to do
step "$netnsctl" list
step "$netnsctl" exec svb -- ping -c 3 -i 0.2 10.10.0.1
step "$netnsctl" set-rate sva veth-a --rate 10mbit
step "$netnsctl" show-qdisc sva veth-a
if ! step "$netnsctl" add-delay sva veth-a --delay 100ms --jitter 10ms; then
	echo "(add-delay needs sch_netem; on this kernel it is missing, and nothing was changed)"
else
	step "$netnsctl" exec svb -- ping -c 3 -i 0.2 10.10.0.1
fi
step "$netnsctl" clear-qdisc sva veth-a
step "$netnsctl" cleanup
step "$netnsctl" list
