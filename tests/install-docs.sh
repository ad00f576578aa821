#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# install-docs.sh BUILD_DIR CMAKE: `cmake --install` into a fresh prefix
# installs the lab file format, the JSON documents and schemas and the
# example labs, and every path under the documentation directory that the
# installed man page names exists (the page names where they really are,
# not docs/ of a source tree).  No privileges needed.
set -euo pipefail

build=$1 cmake=$2
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
fail() { echo "FAIL: install-docs: $*" >&2; exit 1; }

"$cmake" --install "$build" --prefix "$prefix" >/dev/null
doc=$prefix/share/doc/netnsctl
man=$prefix/share/man/man8/netnsctl.8
[[ -f $man ]] || fail "no man page at $man"
for f in labfile.md json.md clients.md schema/list.json schema/status.json examples/abc.yaml \
	examples/clients.yaml; do
	[[ -f $doc/$f ]] || fail "$doc/$f is not installed"
done
mapfile -t paths < <(grep -oE "$doc/[A-Za-z0-9_./-]*[A-Za-z0-9_/]" "$man" | sort -u)
((${#paths[@]} >= 3)) || fail "the man page names no installed documentation: ${paths[*]:-}"
for p in "${paths[@]}"; do
	[[ -e $p ]] || fail "the man page names $p, which is not installed"
done
! grep -nE '(^|[ (])docs/[a-z]' "$man" || fail "the man page names docs/ of a source tree"
! grep -n '/usr/share/doc/netnsctl' "$man" || fail "the man page names /usr/share/doc/netnsctl under prefix $prefix"
echo "install-docs: ${#paths[@]} paths of the man page are installed under $prefix"
