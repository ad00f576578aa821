#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The README's two commands, scripts/demo then scripts/test, must run the
# whole suite (issue #13, item 2): demo once configured build/ with
# BUILD_TESTING=OFF, test reused that cached value, and its ctest found no
# tests and exited 0.  Checked here on the scripts' text, no root needed:
# - every ctest call in scripts/ and .ci/run fails when it finds no tests;
# - every build directory scripts/test builds is configured with
#   BUILD_TESTING=ON, or no other script configures it.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
bad=0

complain() { echo "t-scripts: $*" >&2; bad=1; }

# One logical line per command: backslash-newlines joined, comments dropped.
logical_lines() {
	sed -e ':a' -e '/\\$/N; s/\\\n//; ta' "$1" | sed -e 's/^[[:space:]]*#.*//'
}

files=("$top"/scripts/* "$top"/.ci/run)
calls_ctest='(^|[[:space:];&|(])ctest[[:space:]]'
for f in "${files[@]}"; do
	[[ -f $f ]] || continue
	while IFS= read -r line; do
		[[ $line =~ $calls_ctest ]] || continue
		[[ $line == *--no-tests=error* ]] ||
			complain "${f#$top/}: ctest without --no-tests=error: ${line#"${line%%[![:space:]]*}"}"
	done < <(logical_lines "$f")
done

# The build directories (-B DIR) each script configures, with their -D flags.
configures() {
	logical_lines "$1" | grep -E '(^|[[:space:]])cmake[[:space:]].*-B[[:space:]]' || true
}
build_dir() { sed -E 's/.*-B[[:space:]]+("[^"]*"|[^[:space:]]+).*/\1/' <<<"$1"; }

while IFS= read -r line; do
	dir=$(build_dir "$line")
	[[ $line == *-DBUILD_TESTING=ON* ]] && continue
	for other in "${files[@]}"; do
		[[ -f $other && $other != "$top/scripts/test" ]] || continue
		while IFS= read -r oline; do
			[[ $(build_dir "$oline") == "$dir" ]] || continue
			complain "scripts/test builds $dir without -DBUILD_TESTING=ON, and ${other#$top/} configures it too: a cached BUILD_TESTING=OFF would leave no tests"
		done < <(configures "$other")
	done
done < <(configures "$top/scripts/test")

# scripts/test must have ctest calls at all (else the loop above proves nothing).
logical_lines "$top/scripts/test" | grep -qE '(^|[[:space:]])ctest[[:space:]]' ||
	complain "scripts/test runs no ctest"
exit $bad
