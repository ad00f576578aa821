#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lanes: host
# why: the completion is shell code reading netnsctl's own --help; the kernel
#      does not matter, and one lane is enough (it makes namespaces only to
#      see their names and links offered).
#
# completions/netnsctl: COMPREPLY for commands, options, option values,
# namespaces (the run dir, $NETNSCTL_RUN_DIR honoured), links inside a
# namespace and files, each asked of a plain `bash --norc` that has sourced
# only the completion file (no bash-completion package).  And the usage
# lines the completion reads are checked against the commands themselves:
# every option a usage line names is one the command accepts.

. "$(dirname "$(readlink -f "$0")")/lib.sh"

COMPLETION=$(readlink -f "$TEST_DIR/../../completions/netnsctl")
[[ -r $COMPLETION ]] || fail "no completion file at $COMPLETION"

cleanup() {
	local rc=$?
	set +e
	ip link del br0 2>/dev/null
	del_namespaces sva svb
	exit $rc
}
trap cleanup EXIT

# comp WORD...: what completing the last WORD offers (it may be ''), sorted,
# one a line, in REPLY_LINES.
comp() {
	REPLY_LINES=$(cd "$WORK" && env -u BASH_ENV bash --norc --noprofile -c '
		. "$1"
		shift
		COMP_WORDS=("$@")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE="${COMP_WORDS[*]}"
		COMP_POINT=${#COMP_LINE}
		_netnsctl
		[[ ${#COMPREPLY[@]} -eq 0 ]] || printf "%s\n" "${COMPREPLY[@]}"
	' comp "$COMPLETION" "$NETNSCTL" "$@" | sort) || fail "completing \"$*\" failed"
}

# offers EXPECTED WORD...: completing gives exactly EXPECTED (lines, sorted).
offers() {
	local want=$1
	shift
	comp "$@"
	assert_eq "$REPLY_LINES" "$(printf '%s' "$want" | sort)" "completing \"netnsctl $*\""
}

lines() { printf '%s\n' "$@"; }

WORK=$TMPDIR/completion-cwd
mkdir -p "$WORK/labs"
: >"$WORK/lab.yaml"
: >"$WORK/lab two.yaml"
: >"$WORK/lab3.yml"
: >"$WORK/notes.txt"

pretty "no bash-completion helpers needed"
env -u BASH_ENV bash --norc --noprofile -c '. "$1"; ! declare -F _init_completion >/dev/null && complete -p netnsctl' \
	x "$COMPLETION" >/dev/null || fail "the completion file does not register itself in a plain bash"

pretty "commands: those of netnsctl --help, the internal ones left out"
COMMANDS=$(n --help | awk '/^Commands:/ { on = 1; next } on && /^  [^ ]/ { print $1 } on && /^$/ { exit }')
[[ $COMMANDS == *graph* && $COMMANDS == *create-veth-pair* ]] || fail "netnsctl --help lists no commands: $COMMANDS"
INTERNAL=$(n --help | awk '/^  [^ ]+ +\(internal\)/ { print $1 }')
PUBLIC=$(grep -vxF -f <(printf '%s\n' "$INTERNAL" | sed '/^$/d') <<<"$COMMANDS" || true)
offers "$(lines $PUBLIC --help --version)" ''
offers "$(grep '^create-' <<<"$PUBLIC")" create-
offers $'delete-namespaces\ndelete-veth-pair\ndelete-clients' dele
offers '' nosuchcommand

pretty "every command's options: its usage line's, and each accepted by the command"
for cmd in $PUBLIC; do
	usage=$(n "$cmd" --help | sed -n '1p')
	opts=$(grep -oE -- '--[a-z0-9][a-z0-9-]*' <<<"$usage" | sort -u || true)
	offers "$(lines $opts --help)" "$cmd" --
	for opt in $opts; do
		# Options only: no positionals, so nothing runs.  A value missing
		# or arguments missing is fine; an unknown option is not.
		run n "$cmd" "$opt"
		if [[ $ERR == *"unknown option"* ]]; then
			show_run n "$cmd" "$opt"
			fail "\"netnsctl $cmd --help\" names $opt, which $cmd refuses"
		fi
	done
done

pretty "option values"
offers $'uniform\nnormal\npareto\nparetonormal' add-delay sva veth-a --distribution ''
offers $'pareto\nparetonormal' add-delay sva veth-a --distribution par
offers $'egress\ningress\nboth' set-rate sva veth-a --direction ''
offers $'tcp\nudp\nicmp' clear-qdisc sva veth-a --proto ''
offers $'bridge\nprivate\nvepa\npassthru' create-clients 3 --parent br0 --mode ''
offers $'tcp\nudp' forward-port sva ''
offers 'udp' unforward-port u
# a value is not a positional: after "--rate 10mbit" the namespace is next
offers '' set-rate --rate 10mbit ''
offers '' create-veth-pair sva svb --cidr ''

pretty "lab files (and directories) where a command takes a FILE"
offers $'lab two.yaml\nlab.yaml\nlab3.yml\nlabs' graph ''
offers $'lab two.yaml\nlab.yaml\nlab3.yml\nlabs' apply la
offers $'lab two.yaml\nlab.yaml\nlab3.yml\nlabs' status la
offers $'lab two.yaml\nlab.yaml\nlab3.yml\nlabs' verify la
offers '' apply notes
pretty "and the applied labs' names where it takes a FILE or a LAB"
mkdir -p "$STATE_DIR/labs/lab-applied"
offers $'lab two.yaml\nlab.yaml\nlab-applied\nlab3.yml\nlabs' destroy ''
offers $'lab-applied' status lab-
offers '' apply lab-
rmdir "$STATE_DIR/labs/lab-applied"

pretty "live namespaces"
offers '' exec ''
ok n create-namespaces sva svb
ok n create-veth-pair sva svb
offers $'sva\nsvb' exec ''
offers $'sva\nsvb' exec s
offers 'svb' delete-namespaces sva svb
offers $'sva\nsvb' delete-namespaces sva ''
offers '' create-namespaces ''
offers $'sva\nsvb' create-veth-pair sva ''
offers $'sva\nsvb' set-rate --rate 10mbit ''
offers $'sva\nsvb' create-bridge br1 --ns ''
offers $'sva\nsvb' probe ''
offers $'sva\nsvb' probe sva --count 5 ''
offers '' exec sva --x
offers '--' exec sva ''
comp exec sva -- pin
[[ $'\n'$REPLY_LINES$'\n' == *$'\n'ping$'\n'* ]] || fail "exec NS -- pin does not offer ping: $REPLY_LINES"

pretty "links inside the namespace given before"
offers $'lo\nveth-a' show-qdisc sva ''
offers $'veth-b' add-delay svb v
offers $'lo\nveth-a' set-rate sva --rate 1mbit ''
offers $'lo\nveth-a' delete-veth-pair sva svb --if-a ''
offers '' create-veth-pair sva svb --if-a ''
offers '' show-qdisc nosuchns ''
ip link add br0 type bridge
offers 'br0' attach sva ''
offers 'br0' attach sva b

pretty "the run dir from NETNSCTL_RUN_DIR"
mkdir -p "$TMPDIR/other-run-dir"
: >"$TMPDIR/other-run-dir/a1"
: >"$TMPDIR/other-run-dir/a 2"
NETNSCTL_RUN_DIR=$TMPDIR/other-run-dir offers $'a1\na\\ 2' exec ''
NETNSCTL_RUN_DIR=$TMPDIR/no-such-dir offers '' exec ''
rm -r "$TMPDIR/other-run-dir"

ip link del br0
ok n delete-namespaces sva svb
assert_nothing_left
