#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Generate the man-pages patch from man/ (changelog, ipc-setid.diff) against
# the pages Debian ships (manpages-dev), check and render it.
#
#   mkman.sh           regenerate man/0001-*.patch
#   mkman.sh --check   fail if man/0001-*.patch is not what the sources give
#   mkman.sh --import  write man/ipc-setid.diff back from the pages edited
#                      in build/man/pages (laid out by either mode above)
#
# Then the patch must apply with "git am" to a fresh copy of the pages, the
# pages must add no mandoc -Tlint message to those of Debian's pages and
# none under groff -man -ww, and each changed page is rendered with man -l
# (build/logs/man/), the section of sysvipc(7) in the log.
. "$(dirname "$0")/lib.sh"

mode=${1:-write}
SRC=$TOP/man
DIR=$SHARED/man
PAGES=(man2/msgctl.2 man2/semctl.2 man2/shmctl.2 man7/sysvipc.7)
WANT=6.03
export GIT_AUTHOR_DATE="2026-11-01T00:00:00+00:00" GIT_COMMITTER_DATE="2026-11-01T00:00:00+00:00"
export GIT_AUTHOR_NAME="$SERIES_NAME" GIT_COMMITTER_NAME="$SERIES_NAME"
export GIT_AUTHOR_EMAIL="$SERIES_EMAIL" GIT_COMMITTER_EMAIL="$SERIES_EMAIL"

stage "man: the man-pages patch ($mode)"
have=$(dpkg-query -W -f='${Version}' manpages-dev)
case "$have" in "$WANT"-*) ;; *) die "manpages-dev $WANT is needed, found $have" ;; esac

# A git repository of Debian's pages, as the man-pages tree lays them out.
base() {
	rm -rf "$1"
	mkdir -p "$1"
	local p
	for p in "${PAGES[@]}"; do
		mkdir -p "$1/$(dirname "$p")"
		zcat "/usr/share/man/$p.gz" >"$1/$p"
	done
	git -C "$1" init -q
	git -C "$1" add .
	git -C "$1" commit -q -m "man-pages $WANT (Debian manpages-dev $have)"
	git -C "$1" tag base
}

if [ "$mode" = --import ]; then
	[ -d "$DIR/pages/.git" ] || die "no build/man/pages: run make man first"
	git -C "$DIR/pages" diff base -- "${PAGES[@]}" >"$SRC/ipc-setid.diff"
	[ -s "$SRC/ipc-setid.diff" ] || die "the pages are unchanged"
	info "wrote man/ipc-setid.diff ($(grep -c '^[-+][^-+]' "$SRC/ipc-setid.diff") changed lines)"
	mode=write
fi

base "$DIR/pages"
git -C "$DIR/pages" apply --index "$SRC/ipc-setid.diff" || die "man/ipc-setid.diff does not apply"
git -C "$DIR/pages" commit -q -s -F "$SRC/changelog"
rm -rf "$DIR/out"
git -C "$DIR/pages" format-patch -q --no-signature -1 -o "$DIR/out" HEAD
new=$(ls "$DIR/out"/0001-*.patch)
old=$(ls "$SRC"/0001-*.patch 2>/dev/null || true)
if [ "$mode" = --check ]; then
	[ -n "$old" ] && [ "$(basename "$old")" = "$(basename "$new")" ] && cmp -s "$old" "$new" ||
		die "man/ is stale: run make man and commit the result"
	info "man/$(basename "$new") matches its sources"
else
	rm -f "$SRC"/0001-*.patch
	cp "$new" "$SRC/"
	info "wrote man/$(basename "$new")"
fi

# The patch, as a maintainer applies it.
base "$DIR/am"
git -C "$DIR/am" am -q "$SRC/$(basename "$new")" || die "the patch does not apply with git am"
info "applies with git am to Debian's pages ($have)"

# Lint: nothing beyond what Debian's pages already get.
mkdir -p "$SHARED/logs/man"
# mandoc's messages without their positions.
lint() {
	mandoc -Tlint 2>&1 | sed -E 's/^.*:[0-9]+:[0-9]+: //' | sort -u
}
bad=0
for p in "${PAGES[@]}"; do
	extra=$(comm -13 <(git -C "$DIR/am" show "base:$p" | lint) <(lint <"$DIR/am/$p"))
	[ -z "$extra" ] || { info "mandoc -Tlint $p:"; printf '%s\n' "$extra" | sed 's/^/        /'; bad=1; }
	warn=$(groff -man -ww -z "$DIR/am/$p" 2>&1)
	[ -z "$warn" ] || { info "groff -man -ww $p:"; printf '%s\n' "$warn" | sed 's/^/        /'; bad=1; }
	MANWIDTH=80 man -l "$DIR/am/$p" 2>/dev/null | col -bx >"$SHARED/logs/man/$(basename "$p").txt"
done
[ "$bad" = 0 ] || die "the pages do not lint clean"
info "mandoc -Tlint: no new message; groff -man -ww: no warning"
info "rendered with man -l: ${SHARED#"$TOP/"}/logs/man/"
stage "man: sysvipc(7), the new section as man -l renders it"
sed -n '/^   Changing identifiers/,/^   IPC namespaces/p' "$SHARED/logs/man/sysvipc.7.txt" | sed '$d'
for p in msgctl.2 semctl.2 shmctl.2; do
	stage "man: $p, IPC_SETID as man -l renders it"
	awk '/^       IPC_SETID \(Linux/ { on = 1; print; next }
	     on && /^( {7}[^ ]|[^ ])/ { exit }
	     on' "$SHARED/logs/man/$p.txt"
done
