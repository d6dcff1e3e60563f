#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Apply patches/*.patch with "git am" on a branch reset to the pristine tree,
# then move the build tree to the result.  The series is applied in a second
# worktree, so that the build tree only sees the files whose content changed
# and rebuilds stay incremental.
. "$(dirname "$0")/lib.sh"

stage "apply: patches/$BASE onto pristine $LINUX_SOURCE_PKG $LINUX_SOURCE_PIN"
git -C "$TREE" rev-parse -q --verify pristine >/dev/null || die "no tree (run make tree)"

shopt -s nullglob
patches=()
for p in "$PATCHES"/*.patch; do
	# The cover letter carries no diff.
	case "$p" in */0000-cover-letter.patch) continue ;; esac
	patches+=("$p")
done
sum=$(cat "${patches[@]}" /dev/null | sha1sum | cut -c1-40)
if [ -f "$STAMPS/apply" ] && [ "$(cat "$STAMPS/apply")" = "$sum" ] &&
	[ "$(git -C "$TREE" rev-parse HEAD)" = "$(git -C "$TREE" rev-parse -q --verify chid)" ]; then
	info "unchanged: ${#patches[@]} patches already applied"
	exit 0
fi

if [ ! -d "$WORK" ]; then
	info "creating worktree $WORK"
	git -C "$TREE" worktree add -q --detach "$WORK" pristine
fi
cd "$WORK"
git am --abort >/dev/null 2>&1 || true
git checkout -q --detach pristine
git reset -q --hard pristine
for p in "${patches[@]}"; do
	info "git am $(basename "$p")"
	git am -q --keep-cr "$p" >/dev/null 2>&1 || {
		git am --abort >/dev/null 2>&1 || true
		die "patch does not apply: $(basename "$p")"
	}
done
head=$(git rev-parse HEAD)

cd "$TREE"
git checkout -q -B chid "$head"
echo "$sum" >"$STAMPS/apply"
info "build tree at $(git log --oneline -1 | cut -c1-72)"
