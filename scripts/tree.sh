#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Unpack Debian's linux-source of the base into build/BASE/linux as a git
# repository whose first commit is the pristine tree (tag "pristine").
. "$(dirname "$0")/lib.sh"

stage "tree: $LINUX_SOURCE_PKG"
# One of these at a time per base: make test unpacks the backport's tree
# beside the primary base's stages, and its own tree stage waits for that.
mkdir -p "$BUILD"
exec 9>"$BUILD/.tree.lock"
flock 9
[ -f "$LINUX_TARBALL" ] || die "$LINUX_SOURCE_PKG $LINUX_SOURCE_PIN is not fetched (run make deps)"
ver=$LINUX_SOURCE_PIN
# The tree is the tarball's: keyed on its version and checksum, so that a
# moved pin or another tarball unpacks again instead of stamping old files.
want_src="$ver $(sha256sum <"$LINUX_TARBALL" | cut -c1-64)"

# The pristine commit is the same on every machine for the same tarball, so
# that the generated patches (their base-commit and From lines) are too.
pristine_commit() {
	local tree=$1 n
	n=$(git ls-tree -r "$tree" | wc -l)
	GIT_AUTHOR_NAME=linux-source GIT_AUTHOR_EMAIL=linux-source@localhost \
		GIT_COMMITTER_NAME=linux-source GIT_COMMITTER_EMAIL=linux-source@localhost \
		GIT_AUTHOR_DATE="2000-01-01T00:00:00+00:00" GIT_COMMITTER_DATE="2000-01-01T00:00:00+00:00" \
		git commit-tree "$tree" \
		-m "Linux $LINUX_SOURCE_PKG $ver (pristine)" \
		-m "Imported from Debian's $LINUX_SOURCE_PKG $ver tarball, $n files."
}

if [ "$(cat "$BUILD/linux-source.version" 2>/dev/null)" = "$want_src" ] && git -C "$TREE" rev-parse -q --verify pristine >/dev/null; then
	cd "$TREE"
	want=$(pristine_commit "$(git rev-parse 'pristine^{tree}')")
	if [ "$(git rev-parse 'pristine^{commit}')" != "$want" ]; then
		git tag -f pristine "$want" >/dev/null
		info "pristine commit made reproducible: $(git -C "$TREE" rev-parse --short pristine)"
	fi
	info "present: $TREE ($ver)"
	exit 0
fi

tarball=$LINUX_TARBALL
# Whatever was made from another tarball goes with it: the worktrees of the
# tree (apply, walk, series generation) and the stamps of what passed.
rm -rf "$TREE" "$TREE.tmp" "$TREE.list" "$BUILD/linux-source.version" "$WORK" \
	"$BUILD/walk" "$BUILD/gen" "$BUILD/series" "$STAMPS" "$BUILD/walk-steps"
mkdir -p "$STAMPS"
mkdir -p "$TREE.tmp"
info "unpacking $tarball"
# tar lists what it extracts: reading the list from the tarball again
# would decompress it a second time.
tar -C "$TREE.tmp" --strip-components=1 -xvf "$tarball" >"$TREE.list"
cd "$TREE.tmp"
info "importing into git"
git init -q -b pristine-base .
git config user.name "sysvipc-chid"
git config user.email "sysvipc-chid@localhost"
git config core.autocrlf false
git config gc.auto 0
# Debian's .gitignore ignores everything at the top level: list the
# tarball's files explicitly.  The commit is the tarball byte for byte; the
# series generator adds its new files with "git add -f".
sed -n "s|^$LINUX_SOURCE_PKG/\\(.*[^/]\\)\$|\\1|p" "$TREE.list" |
	git update-index --add --stdin
rm -f "$TREE.list"
git tag -f pristine "$(pristine_commit "$(git write-tree)")" >/dev/null
git checkout -q pristine
cd "$BUILD"
mv "$TREE.tmp" "$TREE"
echo "$want_src" >"$BUILD/linux-source.version"
info "pristine commit $(git -C "$TREE" rev-parse --short pristine), version $ver"
