#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# port.sh SRC_REPO RANGE BASE: cherry-pick the commits RANGE of the git
# repository SRC_REPO onto the worktree in the current directory, which
# holds another kernel, one commit each, as a backport is made:
#   - a file the commit adds is added as it is;
#   - a file it changes gets the same change by a three-way merge
#     ("git merge-file": the commit's parent and the commit against the
#     file here), so that a hunk whose context differs between the bases
#     still applies, and one whose lines differ stops with the conflict;
#   - then the base's own adjustments of that patch, if any, are applied:
#     c/series/NN-slug/BASE.diff, named by the commit's position.  It is a
#     diff against the tree with the patch's new files added, and for a file
#     the patch changes that it changes too, it is the change, in place of
#     the merge (the resolution of a conflict).
# The commit message (with its Signed-off-by) is kept, unless the base's
# adjustments change what it describes: then c/series/NN-slug/changelog.BASE
# is the message on that base, so that each changelog is true of its code.
. "$(dirname "$0")/lib.sh"

src=$1
range=$2
base=$3
mapfile -t commits < <(git -C "$src" rev-list --reverse "$range")
dirs=("$TOP"/c/series/[0-9][0-9]-*/)
[ ${#commits[@]} -eq ${#dirs[@]} ] ||
	die "$range has ${#commits[@]} commits, c/series has ${#dirs[@]} patches"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

i=0
for c in "${commits[@]}"; do
	dir=${dirs[$i]}
	i=$((i + 1))
	slug=$(basename "$dir")
	own=()
	if [ -f "$dir/$base.diff" ]; then
		mapfile -t own < <(sed -n 's|^+++ b/||p' "$dir/$base.diff")
	fi
	while IFS=$'\t' read -r status path; do
		case "$status" in
		A)
			mkdir -p "$(dirname "$path")"
			git -C "$src" show "$c:$path" >"$path"
			[ "$(git -C "$src" ls-tree "$c" -- "$path" | cut -c1-6)" = 100755 ] &&
				chmod +x "$path"
			;;
		M)
			[[ " ${own[*]} " != *" $path "* ]] || continue
			[ -f "$path" ] || die "$slug: $path changes, but $base has no such file"
			git -C "$src" show "$c^:$path" >"$tmp/base"
			git -C "$src" show "$c:$path" >"$tmp/theirs"
			git merge-file -q -L "$base" -L "parent" -L "patch" "$path" "$tmp/base" "$tmp/theirs" ||
				die "$slug: $path does not merge onto $base: resolve it in c/series/$slug/$base.diff (see the conflict in $PWD/$path)"
			;;
		D)
			git rm -q -- "$path"
			continue
			;;
		*)
			die "$slug: $path: cannot port status $status"
			;;
		esac
		git add -f -- "$path"
	done < <(git -C "$src" diff-tree -r --no-commit-id --no-renames --name-status "$c^" "$c")
	if [ -f "$dir/$base.diff" ]; then
		git apply --index "$dir/$base.diff" ||
			die "$slug: $base.diff does not apply"
	fi
	git diff --cached --quiet && die "$slug: the patch is empty on $base"
	if [ -f "$dir/changelog.$base" ]; then
		git commit -q -s -F "$dir/changelog.$base"
	else
		git -C "$src" log -1 --format=%B "$c" >"$tmp/msg"
		git commit -q --cleanup=verbatim -F "$tmp/msg"
	fi
	info "$(git log --oneline -1 | cut -c9-80)"
done
