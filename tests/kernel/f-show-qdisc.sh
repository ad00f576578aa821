#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lanes: uml
# why: the host kernel has no sch_netem (t-set-rate checks tbf's show-qdisc on both)
#
# show-qdisc --json reports what was asked (in tc's canonical units, and as
# exact integers) and reads it back from the kernel: its numbers agree with what tc reads
# back, and a qdisc that tc changes behind netnsctl's back shows as tc left
# it. Rates compare without regard to case (tc writes 10Mbit for 10mbit).

. "$(dirname "$(readlink -f "$0")")/../integration/lib.sh"
. "$(dirname "$(readlink -f "$0")")/fidelity.sh"

# agree_with_tc: the numbers of show-qdisc --json are the ones tc -j reads
# from the kernel (tc rounds times to microseconds); else say where not and
# return 1.
agree_with_tc() {
	local mine theirs
	mine=$(n show-qdisc sva veth-a --json)
	theirs=$(tc -n sva -j qdisc show dev veth-a root)
	"$PYTHON" - "$mine" "$theirs" <<-'EOF'
	import json, sys
	q = json.loads(sys.argv[1])["qdiscs"][0]
	t = json.loads(sys.argv[2])[0]
	o = t["options"]
	bad = []
	def same(what, mine, theirs, tol=0.0):
	    if abs(mine - theirs) > tol:
	        bad.append(f"{what}: show-qdisc {mine}, tc {theirs}")
	if q["kind"] != t["kind"]:
	    bad.append(f"kind: show-qdisc {q['kind']}, tc {t['kind']}")
	elif t["kind"] == "netem":
	    d = o.get("delay", {})
	    same("delay (ns)", q["delay_ns"], d.get("delay", 0) * 1e9, 1000.5)
	    same("jitter (ns)", q["jitter_ns"], d.get("jitter", 0) * 1e9, 1000.5)
	    for key, tckey in (("loss", "loss-random"), ("duplicate", "duplicate"),
	                       ("reorder", "reorder"), ("corrupt", "corrupt")):
	        same(key, q[key + "_prob"] / 2**32, o.get(tckey, {}).get(key, 0), 1e-9)
	    same("rate (bytes/s)", q["rate_bytes_per_sec"], o.get("rate", {}).get("rate", 0))
	    same("limit", q["limit"], o["limit"])
	    same("gap", q["gap"], o.get("gap", 0))
	elif t["kind"] == "tbf":
	    same("rate (bytes/s)", q["rate_bytes_per_sec"], o["rate"])
	    same("burst (bytes)", q["burst_bytes"], o["burst"], 1.5)
	for b in bad:
	    print(b, file=sys.stderr)
	sys.exit(1 if bad else 0)
	EOF
}

# shown FIELD...: "FIELD=VALUE ..." of the root qdisc in one show-qdisc
# --json (one python: every process is slow in UML).
shown() {
	local doc
	doc=$(n show-qdisc sva veth-a --json)
	"$PYTHON" - "$doc" "$@" <<-'EOF'
	import json, sys
	q = json.loads(sys.argv[1])["qdiscs"][0]
	print(" ".join(f"{f}={q.get(f, '(missing)')}" for f in sys.argv[2:]))
	EOF
}

# check_shown WHAT ASKED FIELD=VALUE...: record whether show-qdisc --json
# shows each FIELD as VALUE (without regard to case) and agrees with tc.
check_shown() {
	local what=$1 asked=$2 want got
	shift 2
	want="$*"
	got=$(shown "${@%%=*}")
	record "$what" "$asked" "$got" "$want, and the numbers tc reads" \
		eval '[[ ${got,,} == "${want,,}" ]] && agree_with_tc'
}

# asked_shown CMD --OPTION VALUE...: netnsctl CMD on veth-a; show-qdisc
# --json must show each VALUE in the field named OPTION.
asked_shown() {
	local cmd=$1 i want=()
	shift
	ok n "$cmd" sva veth-a "$@"
	for ((i = 1; i < $#; i += 2)); do
		local opt=${!i} j=$((i + 1))
		want+=("${opt#--}=${!j}")
	done
	check_shown "show-qdisc --json" "$cmd $*" "${want[@]}"
}

# Every mismatch is worth seeing: go on after one, fail at the end.
FIDELITY_KEEP_GOING=1

fidelity_setup

pretty "netem, every option"
asked_shown add-delay --delay 100ms --jitter 20ms --correlation 25% --loss 1.5% \
	--duplicate 2% --reorder 25% --corrupt 0.1% --rate 10mbit --limit 500
check_shown "show-qdisc --json" "(the same; reorder without --gap)" kind=netem gap=1

pretty "what the next call leaves out is zero"
asked_shown add-delay --delay 10ms
check_shown "show-qdisc --json" "(the same)" jitter_ns=0 correlation_prob=0 loss_prob=0 \
	duplicate_prob=0 reorder_prob=0 corrupt_prob=0 rate_bytes_per_sec=0 gap=0 limit=1000

pretty "times, percentages and rates in other units"
asked_shown add-delay --delay 1.5s --jitter 250us --loss 0.25% --rate 500kbit
asked_shown add-delay --delay 250us --rate 1gbit --duplicate 0.001%
# Shown in tc's canonical units, with the exact integers beside them.
ok n add-delay sva veth-a --delay 1500ms --rate 1500kbit --corrupt 33.333%
check_shown "show-qdisc --json" "add-delay --delay 1500ms --rate 1500kbit --corrupt 33.333%" \
	delay=1.5s delay_ns=1500000000 rate=1.5Mbit rate_bytes_per_sec=187500 corrupt=33.333%
# tc's reading of mbps (megabytes/s), and the note saying so (issue #13)
run n add-delay sva veth-a --delay 100ns --rate 1mbps
[[ $RC -eq 0 && $ERR == "netnsctl: note: 1mbps is 1 megabytes/s = 8Mbit/s, as in tc; for megabits write 1mbit" ]] ||
	{ show_run n add-delay sva veth-a --delay 100ns --rate 1mbps; fail "--rate 1mbps: not tc's reading with its note"; }
check_shown "show-qdisc --json" "add-delay --delay 100ns --rate 1mbps" \
	delay=100ns delay_ns=100 rate=8Mbit rate_bytes_per_sec=1000000

pretty "tbf"
# (set-rate on add-delay's netem would give it a tbf child: issue #17)
ok n clear-qdisc sva veth-a
asked_shown set-rate --rate 10mbit --burst 32kb --latency 70ms
asked_shown set-rate --rate 3mbit --burst 8kb

pretty "read back, not echoed: tc changes the qdisc behind netnsctl's back"
ok n clear-qdisc sva veth-a
ok n add-delay sva veth-a --delay 100ms --loss 1%
tc -n sva qdisc change dev veth-a root netem delay 33ms loss 7%
check_shown "show-qdisc --json" "tc qdisc change ... netem delay 33ms loss 7%" delay=33ms loss=7%
tc -n sva qdisc replace dev veth-a root tbf rate 3mbit burst 8kb latency 20ms
check_shown "show-qdisc --json" "tc qdisc replace ... tbf rate 3mbit burst 8kb" \
	kind=tbf rate_bytes_per_sec=375000 burst_bytes=8192

fidelity_teardown
