#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lanes: host
# why: help, suggestions and exec's shell are the CLI's own; the kernel does
#      not matter, and one lane is enough (exec needs one namespace).
#
# COMMAND --help lists every option on a line of its own, with what it
# does and its unit and default, from the same table the usage line comes
# from, and that table is exactly the options the command accepts
# (NETNSCTL_CHECK_HELP=1 makes netnsctl check it).  An unknown command or
# option suggests the nearest one.  exec NS with no command runs $SHELL.

. "$(dirname "$(readlink -f "$0")")/lib.sh"

cleanup() {
	local rc=$?
	set +e
	del_namespaces hsa
	exit $rc
}
trap cleanup EXIT

COMMANDS=$(n --help | awk '/^Commands:/ { on = 1; next } on && /^  [^ ]/ { print $1 } on && /^$/ { exit }')
[[ $COMMANDS == *add-delay* && $COMMANDS == *labs* ]] || fail "netnsctl --help lists no commands: $COMMANDS"

pretty "every command's --help: one line per option, with its meaning, unit and default"
for cmd in $COMMANDS; do
	CONTEXT=$cmd
	ok n "$cmd" --help
	help=$OUT
	[[ ${help%%$'\n'*} == "Usage: netnsctl $cmd"* ]] || fail "no usage line: $help"
	for opt in $(grep -oE -- '--[a-z0-9][a-z0-9-]*' <<<"${help%%$'\n'*}" | sort -u); do
		[[ $opt == -- ]] && continue
		# "  -j, --json   text" or "      --delay TIME   text"
		line=$(grep -E -- "^  (-[a-z], |    )$opt( |\$)" <<<"$help" || true)
		[[ $(grep -c . <<<"$line") -eq 1 ]] || fail "$opt is not on one line of its own: $help"
		# the text starts in column 35, or on the next line after a long head
		if [[ ${#line} -gt 34 && ${line:32:2} == "  " ]]; then
			text=${line:34}
		else
			text=$(grep -A1 -E -- "^  (-[a-z], |    )$opt( |\$)" <<<"$help" | sed -n 2p)
		fi
		[[ $text =~ [a-z]{3} ]] || fail "$opt has no text: \"$line\""
		# an option with a value says its default (or that it is required)
		if [[ $line =~ $opt\ [A-Za-z] ]]; then
			[[ $text == *default* || $text == *required* ]] ||
				fail "$opt says neither its default nor that it is required: $text"
		fi
	done
done
CONTEXT=

pretty "the help tables are the options the commands take"
for cmd in $COMMANDS; do
	run env NETNSCTL_CHECK_HELP=1 "$NETNSCTL" "$cmd" --no-such-option-zz
	if [[ $RC -ne 2 || ($ERR != *unknown* && $ERR != *unexpected*) ]]; then
		show_run "$cmd" --no-such-option-zz
		fail "$cmd's help table and its options differ"
	fi
done

pretty "--help after the arguments"
ok n add-delay hsa eth0 --help
[[ $OUT == "Usage: netnsctl add-delay"*"--delay TIME"*"default 0"* ]] || fail "add-delay ... --help: $OUT"

pretty "the nearest command or option"
expect_fail_with 2 'unknown command "create_namespaces" \(did you mean "create-namespaces"\?\)' n create_namespaces a
expect_fail_with 2 'unknown command "stauts" \(did you mean "status"\?\)' n stauts x.yaml
expect_fail_with 2 'unknown command "frobnicate" \(netnsctl --help lists them\)' n frobnicate
expect_fail_with 2 'add-delay: unknown option "--dealy" \(did you mean "--delay"\?\)' n add-delay hsa eth0 --dealy 10ms
expect_fail_with 2 'list: unknown option "--jsno" \(did you mean "--json"\?\)' n list --jsno
expect_fail_with 2 'create-veth-pair: unknown option "--if_a" \(did you mean "--if-a"\?\)' n create-veth-pair a b --if_a x
! netns_exists a || fail "a refused command made a namespace"

pretty "exec NS without a command runs \$SHELL"
ok n create-namespaces hsa
want=$(ip netns exec hsa readlink /proc/self/ns/net)
got=$(echo 'readlink /proc/self/ns/net; echo "shell $0"' | SHELL=/bin/bash n exec hsa)
assert_eq "$got" "$want"$'\n'"shell /bin/bash" "exec hsa, SHELL=/bin/bash"
got=$(echo 'readlink /proc/self/ns/net' | env -u SHELL "$NETNSCTL" exec hsa --)
assert_eq "$got" "$want" "exec hsa -- without SHELL (/bin/sh)"
ok n delete-namespaces hsa

assert_nothing_left
