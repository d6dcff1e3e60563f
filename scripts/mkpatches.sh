#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Generate the patch series of the base BASE from its sources and write
# patches/BASE.
#
#   mkpatches.sh           regenerate patches/BASE
#   mkpatches.sh --check   fail if patches/BASE differs from what the sources
#                          give
#   mkpatches.sh --branch  lay the series out as the branch "series" of
#                          build/BASE/linux, checked out in
#                          build/BASE/series, to edit with git; "make
#                          series-import" writes it back
#   mkpatches.sh --gen     only build the series' commits in build/BASE/gen
#
# The series of the primary base (7.3) is described by c/series/NN-slug/
# directories, applied in order as one commit each on top of the pristine
# tree:
#   changelog   subject line, blank line, body (Signed-off-by is added)
#   *.diff      edits of existing files, applied with "git apply" (but
#               BASE.diff, for each other base BASE: see below)
#   files       "SOURCE DEST" lines: whole files of this repository
#               (rust/, c/, tests/) copied to DEST in the tree;
#               "kconfig SOURCE ENTRY DEST AFTER" inserts the entry ENTRY of
#               the Kconfig file SOURCE into DEST after the entry AFTER
# c/series/cover-letter holds the cover letter: subject, blank line, body.
#
# The series of another base (6.12) is the primary series backported: its
# commits cherry-picked onto that base's pristine tree by scripts/port.sh,
# each followed by c/series/NN-slug/BASE.diff where the base needs an
# adjustment, and its cover letter preceded by c/series/cover-letter.BASE.
. "$(dirname "$0")/lib.sh"

mode=${1:-write}
SERIES=$TOP/c/series
GEN=$BUILD/gen
NAME=$SERIES_NAME
EMAIL=$SERIES_EMAIL
# Fixed dates make the output reproducible.
export GIT_AUTHOR_DATE="2026-11-01T00:00:00+00:00"
export GIT_COMMITTER_DATE="$GIT_AUTHOR_DATE"
export GIT_AUTHOR_NAME="$NAME" GIT_COMMITTER_NAME="$NAME"
export GIT_AUTHOR_EMAIL="$EMAIL" GIT_COMMITTER_EMAIL="$EMAIL"

stage "patches: generate the $BASE series from c/series ($mode)"
# What the series follows from: a check that passed is not redone while
# none of it changed.
sources_key() {
	(cd "$TOP" && find c rust/ipc tests/selftests Kconfig patches \
		scripts/lib.sh scripts/mkpatches.sh scripts/port.sh \
		scripts/kconfig-insert.py scripts/cover-letter.py -type f | LC_ALL=C sort |
		xargs sha1sum; cat "$SHARED"/*/linux-source.version) | sha1sum
}
if [ "$mode" = --check ]; then
	key=$(sources_key)
	if [ "$(cat "$STAMPS/check-patches" 2>/dev/null)" = "$key" ]; then
		info "unchanged since patches/$BASE matched its sources"
		exit 0
	fi
	rm -f "$STAMPS/check-patches"
fi
git -C "$TREE" rev-parse -q --verify pristine >/dev/null || die "no tree (run make tree)"
if [ ! -d "$GEN" ]; then
	info "creating worktree $GEN"
	git -C "$TREE" worktree add -q --detach "$GEN" pristine
fi
cd "$GEN"
git am --abort >/dev/null 2>&1 || true
git checkout -q --detach pristine
git reset -q --hard pristine
git clean -q -fdx

n=0
if [ "$BASE" != "$PRIMARY_BASE" ]; then
	BASE=$PRIMARY_BASE "$TOP/scripts/mkpatches.sh" --gen >/dev/null ||
		die "the primary series ($PRIMARY_BASE) does not build from its sources"
	primary=$SHARED/$PRIMARY_BASE/gen
	stage "patches: backport the $PRIMARY_BASE series to $BASE"
	"$TOP/scripts/port.sh" "$primary" pristine..HEAD "$BASE"
	n=$(git rev-list --count pristine..HEAD)
fi
for dir in "$SERIES"/[0-9][0-9]-*/; do
	[ "$BASE" = "$PRIMARY_BASE" ] || break
	[ -d "$dir" ] || continue
	n=$((n + 1))
	slug=$(basename "$dir")
	[ -f "$dir/changelog" ] || die "$slug: no changelog"
	for d in "$dir"/*.diff; do
		[ -e "$d" ] || continue
		# Another base's adjustments (BASE.diff).
		[[ " ${BASES[*]} " != *" $(basename "$d" .diff) "* ]] || continue
		git apply --index "$d" || die "$slug: $(basename "$d") does not apply"
	done
	if [ -f "$dir/files" ]; then
		while read -r src dest rest; do
			case "$src" in "" | "#"*) continue ;; esac
			if [ "$src" = kconfig ]; then
				# kconfig SOURCE ENTRY DEST AFTER
				read -r src entry dest after <<<"$dest $rest"
				python3 "$TOP/scripts/kconfig-insert.py" "$TOP/$src" "$entry" "$dest" "$after" ||
					die "$slug: cannot insert $entry after $after in $dest"
			else
				[ -f "$TOP/$src" ] || die "$slug: no such file $src"
				mkdir -p "$(dirname "$dest")"
				cp "$TOP/$src" "$dest"
			fi
			git add -f "$dest"
		done <"$dir/files"
	fi
	git diff --cached --quiet && die "$slug: the patch is empty"
	git commit -q -s -F "$dir/changelog"
	info "$(git log --oneline -1 | cut -c9-80)"
done

[ "$mode" = --gen ] && exit 0
if [ "$mode" = --branch ]; then
	EDIT=$BUILD/series
	[ "$BASE" = "$PRIMARY_BASE" ] ||
		die "the $BASE series is generated from the $PRIMARY_BASE one: edit that (BASE=$PRIMARY_BASE), and $BASE's adjustments in c/series/*/$BASE.diff"
	if [ -d "$EDIT" ]; then
		[ -z "$(git -C "$EDIT" status --porcelain)" ] ||
			die "$EDIT has uncommitted changes: commit them and run make series-import first"
		git -C "$EDIT" checkout -q --detach
	fi
	head=$(git rev-parse HEAD)
	git -C "$TREE" branch -f series "$head"
	git -C "$TREE" tag -f series-base "$head" >/dev/null
	if [ ! -d "$EDIT" ]; then
		git -C "$TREE" worktree add -q "$EDIT" series
	else
		git -C "$EDIT" checkout -q series
	fi
	info "branch series ($n commits on pristine) checked out in ${EDIT#"$TOP/"}"
	info "edit, commit, rebase there; then run: make series-import"
	exit 0
fi

out=$BUILD/patches.new
rm -rf "$out"
mkdir -p "$out"
touch "$out/.keep"
if [ $n -gt 0 ]; then
	prefix=PATCH
	preface=()
	recipients=()
	if [ "$BASE" != "$PRIMARY_BASE" ]; then
		prefix="PATCH $BASE backport"
		preface=("$SERIES/cover-letter.$BASE")
	else
		# Who the series goes to, as scripts/get_maintainer.pl finds it
		# (without git history: the tarball has none), the submitter
		# aside; and Andrew Morton, whose tree takes ipc/ (which has no
		# entry of its own).
		git format-patch -q -o "$out.tmp" pristine..HEAD
		recipients=(--to="Andrew Morton <akpm@linux-foundation.org>")
		while IFS= read -r who; do
			[[ "$who" != *"<$EMAIL>"* ]] && recipients+=(--cc="$who")
		done < <(./scripts/get_maintainer.pl --nogit --nogit-fallback --norolestats \
			"$out.tmp"/*.patch | grep -v -e '^Andrew Morton ')
		# And who knows ipc/ and checkpoint/restore without a MAINTAINERS
		# entry saying so: see c/series/cc.
		while IFS= read -r who; do
			case "$who" in "" | "#"*) continue ;; esac
			recipients+=(--cc="$who")
		done <"$SERIES/cc"
		rm -rf "$out.tmp"
	fi
	# No base-commit: the pristine commit is Debian's source package, which
	# exists nowhere upstream. The cover letter says what it is in words.
	git format-patch -q --no-signature --cover-letter \
		--subject-prefix="$prefix" "${recipients[@]}" -o "$out" pristine..HEAD
	cover=$(ls "$out"/0000-*.patch)
	COVER_BASE="$LINUX_SOURCE_PKG $LINUX_SOURCE_PIN (Linux ${LINUX_SOURCE_PIN%%-*} and Debian's patches)" \
		python3 "$TOP/scripts/cover-letter.py" "$cover" "$SERIES/cover-letter" \
		"$NAME <$EMAIL>" "${preface[@]}"
fi

if [ "$mode" = --check ]; then
	if ! diff -r -q "$PATCHES" "$out" >/dev/null 2>&1; then
		diff -r -u "$PATCHES" "$out" | head -n 40 >&2
		die "patches/$BASE is stale: run 'make patches' and commit the result"
	fi
	info "patches/$BASE matches its sources ($n patches)"
	echo "$key" >"$STAMPS/check-patches"
else
	rm -rf "$PATCHES"
	mkdir -p "$PATCHES"
	cp -a "$out"/. "$PATCHES/"
	info "wrote $n patches to patches/$BASE"
fi
