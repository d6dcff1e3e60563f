#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Write the sources of the series (c/series, and the whole files under rust/,
# c/ and tests/) back from the branch "series" of build/7.3/linux, check
# that the sources give exactly the branch's tree, and regenerate patches/
# of every base.
. "$(dirname "$0")/lib.sh"

[ "$BASE" = "$PRIMARY_BASE" ] || die "the series is edited on $PRIMARY_BASE; $BASE follows from it"
stage "series-import: sources from branch series"
git -C "$TREE" rev-parse -q --verify series >/dev/null || die "no branch series (run make series-branch)"
[ -z "$(git -C "$BUILD/series" status --porcelain 2>/dev/null)" ] ||
	die "build/series has uncommitted changes"
# The sources must still be what the branch was laid out from: an edit of
# the sources since then would be overwritten.
"$TOP/scripts/mkpatches.sh" --gen >/dev/null
same() {
	[ "$(git -C "$TREE" rev-parse "$1^{tree}")" = "$(git -C "$TREE" rev-parse "$2^{tree}")" ] &&
		[ "$(git -C "$TREE" log --format='%B%x00' "pristine..$1")" = \
			"$(git -C "$TREE" log --format='%B%x00' "pristine..$2")" ]
}
gen=$(git -C "$BUILD/gen" rev-parse HEAD)
same "$gen" series-base ||
	die "the sources changed since make series-branch: lay the branch out again (rebase your commits onto it) or commit the edits in the branch"
python3 "$TOP/scripts/series-import.py" "$TOP" "$TREE" series
"$TOP/scripts/mkpatches.sh"
want=$(git -C "$TREE" rev-parse 'series^{tree}')
got=$(git -C "$BUILD/gen" rev-parse 'HEAD^{tree}')
if [ "$want" != "$got" ]; then
	git -C "$TREE" diff --stat "$got" "$want" >&2
	die "the sources do not give the branch's tree (an edit of a generated Kconfig entry? edit ./Kconfig)"
fi
info "the sources give the branch's tree exactly"
git -C "$TREE" tag -f series-base series >/dev/null
# The other bases' series follow from this one.
for b in "${BASES[@]}"; do
	[ "$b" = "$BASE" ] || BASE=$b "$TOP/scripts/mkpatches.sh"
done
