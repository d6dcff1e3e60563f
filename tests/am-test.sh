#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Apply the series of BASE to a pristine tree the project did not prepare,
# exactly as README.md tells a user: its commands between the am-test
# markers of the base, run
# from the repository, with a throw-away git identity.
. "$(dirname "$0")/../scripts/lib.sh"

stage "am-test: the README's git am of patches/$BASE on a fresh Debian tarball"
key=$(cat "$PATCHES"/*.patch "$TOP/README.md" "$0" | sha1sum)
if [ "$(cat "$STAMPS/am-test" 2>/dev/null)" = "$key" ]; then
	info "patches/ and README.md unchanged since it passed"
	exit 0
fi
rm -f "$STAMPS/am-test"
cmds=$(sed -n "/<!-- am-test $BASE begin -->/,/<!-- am-test $BASE end -->/p" "$TOP/README.md" |
	sed '/^<!--/d; /^```/d')
[ -n "$cmds" ] || die "README.md has no am-test block for $BASE"
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
printf '[user]\n\tname = am-test\n\temail = am-test@localhost\n[gc]\n\tauto = 0\n' >"$home/.gitconfig"
n=$(ls "$PATCHES"/*.patch | grep -vc /0000-)
# mktemp -d in the commands makes its folder in $home, removed on exit.
out=$(cd "$TOP" && HOME=$home TMPDIR=$home bash -euo pipefail -c "$cmds
echo '--- applied:'
git log --reverse --format=%s HEAD~$n..HEAD" 2>&1) ||
	{ printf '%s\n' "$out" >&2; die "the series does not apply as README.md says"; }
applied=$(printf '%s\n' "$out" | sed -n '/^--- applied:$/,$p' | sed 1d)
printf '%s\n' "$applied" | sed 's/^/    applied: /'
[ "$(printf '%s\n' "$applied" | grep -c .)" -eq "$n" ] || die "expected $n patches applied"
echo "$key" >"$STAMPS/am-test"
