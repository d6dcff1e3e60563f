#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The patches for CRIU (criu/), kept as the man-pages patch is: generated
# from their sources against a pinned CRIU, Debian's source package of it.
#
#   criu.sh            regenerate criu/*.patch from criu/series/
#   criu.sh --check    fail if criu/*.patch is not what the sources give
#   criu.sh --import   write criu/series/ back from the commits on top of
#                      the pristine tree in build/criu/src (laid out by
#                      either mode above)
#   criu.sh --build    apply criu/*.patch with git am to a fresh copy of
#                      the pinned CRIU and build it with CRIU's own make
#                      (build/criu/patched), and the pristine CRIU beside
#                      it (build/criu/stock); each with the zdtm programs
#                      that tests/criu/ runs
#
# criu/series/NN-name/ is one patch: "changelog" its message, "diff" its
# changes to files CRIU has, and "files/" the files it adds, whole.
. "$(dirname "$0")/lib.sh"

mode=${1:-write}
# The pinned CRIU: Debian's criu source package, of which only the
# upstream tarball is used (Debian's own changes are packaging).
CRIU_VERSION=4.2.1
CRIU_DEB_VERSION=4.2.1-1
CRIU_SUITE=sid
CRIU_ORIG=criu_$CRIU_VERSION.orig.tar.xz
CRIU_SHA256=29ec0ee09e296479fe7048c80980e8ef1d0684d0b0204c2b101dfea19f6725b9
CRIU_TARBALL=$CACHE/src/$CRIU_ORIG
SRC=$TOP/criu
DIR=$SHARED/criu
export GIT_AUTHOR_DATE="2026-12-01T00:00:00+00:00" GIT_COMMITTER_DATE="2026-12-01T00:00:00+00:00"
export GIT_AUTHOR_NAME="$SERIES_NAME" GIT_COMMITTER_NAME="$SERIES_NAME"
export GIT_AUTHOR_EMAIL="$SERIES_EMAIL" GIT_COMMITTER_EMAIL="$SERIES_EMAIL"
mkdir -p "$DIR"

# The upstream tarball of Debian's source package, fetched with apt: a
# private configuration with one deb-src line for CRIU_SUITE on the Debian
# archive the machine's apt uses, whose Sources index gives the file's
# address and checksum; apt's own helper downloads and checks it. The pin's
# checksum is checked again, whatever the index says.
fetch() {
	local codename mirror apt=$CACHE/apt/src-$CRIU_SUITE o uri
	stage "criu: CRIU $CRIU_VERSION (Debian source package criu $CRIU_DEB_VERSION, $CRIU_SUITE)"
	if [ -f "$CRIU_TARBALL" ] && echo "$CRIU_SHA256  $CRIU_TARBALL" | sha256sum -c --quiet 2>/dev/null; then
		info "present: $CRIU_TARBALL"
		return 0
	fi
	codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
	mirror=$(apt-get indextargets --format '$(REPO_URI) $(RELEASE) $(COMPONENT)' \
		'Identifier: Packages' | awk -v c="$codename" '$2 == c && $3 == "main" { print $1; exit }')
	[ -n "$mirror" ] || die "apt's sources have no Debian mirror for '$codename main'"
	mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "${CRIU_TARBALL%/*}"
	echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] ${mirror%/} $CRIU_SUITE main" \
		>"$apt/sources.list"
	o=(-o Dir::Etc::sourcelist="$apt/sources.list" -o Dir::Etc::sourceparts=/nonexistent
		-o Dir::State::Lists="$apt/lists" -o Dir::Cache="$apt/cache" -o Debug::NoLocking=1
		-o APT::Sandbox::User=root)
	info "apt-get update ($CRIU_SUITE sources only, private lists in $apt)"
	apt-get "${o[@]}" update -q >"$DIR/apt.log" 2>&1 || { cat "$DIR/apt.log" >&2; die "apt-get update failed"; }
	uri=$(apt-get "${o[@]}" --print-uris source "criu=$CRIU_DEB_VERSION" 2>>"$DIR/apt.log" |
		awk -v f="$CRIU_ORIG" '$2 == f { gsub("\047", "", $1); print $1 }')
	[ -n "$uri" ] || die "criu $CRIU_DEB_VERSION is no longer in $CRIU_SUITE (see $DIR/apt.log): move the pin in scripts/criu.sh"
	/usr/lib/apt/apt-helper download-file "$uri" "$CRIU_TARBALL.tmp" "SHA256:$CRIU_SHA256" \
		>>"$DIR/apt.log" 2>&1 || { cat "$DIR/apt.log" >&2; die "cannot download $CRIU_ORIG"; }
	echo "$CRIU_SHA256  $CRIU_TARBALL.tmp" | sha256sum -c --quiet || die "$CRIU_ORIG: wrong checksum"
	mv "$CRIU_TARBALL.tmp" "$CRIU_TARBALL"
	info "downloaded $CRIU_ORIG ($(stat -c %s "$CRIU_TARBALL") bytes, sha256 checked)"
}

# A git repository of the pristine CRIU, tagged "base".
base() {
	rm -rf "$1"
	mkdir -p "$1"
	tar -xf "$CRIU_TARBALL" -C "$1" --strip-components=1
	git -C "$1" init -q
	git -C "$1" add -f .
	git -C "$1" commit -q -m "CRIU $CRIU_VERSION ($CRIU_ORIG)"
	git -C "$1" tag base
}

patches() {
	ls "$SRC"/[0-9][0-9][0-9][0-9]-*.patch 2>/dev/null || true
}

# The commits of criu/series/ on the pristine tree in $DIR/src.
series() {
	local p
	base "$DIR/src"
	for p in $(ls -d "$SRC"/series/[0-9][0-9]-*/ 2>/dev/null); do
		[ ! -s "$p/diff" ] || git -C "$DIR/src" apply --index "$p/diff" ||
			die "${p#"$TOP/"}diff does not apply"
		if [ -d "$p/files" ]; then
			cp -a "$p/files/." "$DIR/src/"
			git -C "$DIR/src" add -f .
		fi
		git -C "$DIR/src" commit -q -s -F "$p/changelog"
	done
}

fetch

case "$mode" in
--import)
	[ -d "$DIR/src/.git" ] || die "no build/criu/src: run make criu first"
	mapfile -t commits < <(git -C "$DIR/src" rev-list --reverse base..HEAD)
	mapfile -t dirs < <(ls -d "$SRC"/series/[0-9][0-9]-*/ 2>/dev/null)
	[ ${#commits[@]} = ${#dirs[@]} ] ||
		die "build/criu/src has ${#commits[@]} commits on base, criu/series ${#dirs[@]} patches"
	for i in "${!commits[@]}"; do
		c=${commits[$i]} d=${dirs[$i]%/}
		rm -rf "$d/files" "$d/diff"
		git -C "$DIR/src" log -1 --format=%B "$c" | sed '/^Signed-off-by: /d' |
			sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' >"$d/changelog"
		git -C "$DIR/src" diff --diff-filter=M "$c^" "$c" >"$d/diff"
		[ -s "$d/diff" ] || rm -f "$d/diff"
		git -C "$DIR/src" diff --name-only --diff-filter=A "$c^" "$c" | while read -r f; do
			mkdir -p "$d/files/$(dirname "$f")"
			git -C "$DIR/src" show "$c:$f" >"$d/files/$f"
		done
		[ -z "$(git -C "$DIR/src" diff --name-only --diff-filter=DRC "$c^" "$c")" ] ||
			die "$c removes or renames files: not kept by criu/series"
		info "wrote ${d#"$TOP/"}"
	done
	mode=write
	;;
esac

case "$mode" in
write | --check)
	stage "criu: the CRIU patches ($mode)"
	series
	rm -rf "$DIR/out"
	git -C "$DIR/src" format-patch -q --no-signature -o "$DIR/out" base..HEAD
	if [ "$mode" = --check ]; then
		[ "$(cd "$DIR/out" && ls)" = "$(patches | xargs -rn1 basename)" ] ||
			die "criu/ is stale (other patch names): run make criu-patches and commit the result"
		for p in "$DIR"/out/*.patch; do
			cmp -s "$p" "$SRC/${p##*/}" || die "criu/${p##*/} is stale: run make criu-patches and commit the result"
		done
		info "criu/*.patch match their sources"
		# CRIU's style, as its "make indent" checks it.
		style=$(cd "$DIR/src" && PATH=/usr/lib/llvm-19/bin:$PATH \
			git clang-format --style file --diff base -- '*.c' '*.h' 2>&1)
		[ "$style" = "clang-format did not modify any files" ] ||
			{ printf '%s\n' "$style" | head -n 40 >&2; die "the patches are not in CRIU's style (clang-format)"; }
		info "clang-format (CRIU's .clang-format): no change"
	else
		rm -f "$SRC"/[0-9][0-9][0-9][0-9]-*.patch
		cp "$DIR"/out/*.patch "$SRC/"
		info "wrote $(cd "$DIR/out" && ls | sed 's|^|criu/|' | tr '\n' ' ')"
	fi
	;;
--build)
	# The patched CRIU, as its maintainer applies the patches, and the
	# pristine one; CRIU's own build, then the zdtm programs tests/criu/
	# runs, so that the guest has nothing to compile.
	for kind in patched stock; do
		tests=(msgque sem shm shm-mp shm-unaligned ipc_namespace)
		stage "criu: build the $kind CRIU (make, build/criu/$kind)"
		t=$DIR/$kind
		want=$( (sha256sum "$CRIU_TARBALL" "$0"; gcc --version; [ "$kind" = stock ] || cat $(patches)) |
			sha256sum | cut -c1-40)
		if [ -x "$t/criu/criu" ] && [ "$(cat "$t/.build.key" 2>/dev/null)" = "$want" ]; then
			info "unchanged since it was built: $("$t/criu/criu" --version | head -n1)"
			continue
		fi
		base "$t"
		if [ "$kind" = patched ]; then
			n=$(patches | wc -l)
			[ "$n" -gt 0 ] || die "no criu/*.patch"
			patches | xargs git -C "$t" am -q || die "criu/*.patch do not apply with git am"
			info "applied $n patches with git am: $(git -C "$t" log --format=%s base..HEAD | tr '\n' ';')"
			[ ! -f "$t/test/zdtm/static/ipc_setid.c" ] || tests+=(ipc_setid)
		fi
		start=$(date +%s)
		# Through ccache, as the kernels are (CCACHE_BASEDIR is the
		# clone): a clone elsewhere compiles nothing again.
		make -C "$t" -j"$(nproc)" CC="ccache gcc" >"$t/build.log" 2>&1 ||
			{ tail -n 40 "$t/build.log" >&2; die "CRIU did not build (log: $t/build.log)"; }
		make -C "$t/test" CC="ccache gcc" umount2 zdtm_ct >>"$t/build.log" 2>&1 &&
			make -C "$t/test/zdtm/lib" -j"$(nproc)" CC="ccache gcc" >>"$t/build.log" 2>&1 &&
			make -C "$t/test/zdtm/static" -j"$(nproc)" CC="ccache gcc" "${tests[@]}" >>"$t/build.log" 2>&1 ||
			{ tail -n 40 "$t/build.log" >&2; die "zdtm did not build (log: $t/build.log)"; }
		warnings=$(grep -c 'warning:' "$t/build.log" || true)
		info "$("$t/criu/criu" --version | head -n1), in $(($(date +%s) - start)) s," \
			"$warnings compiler warnings; zdtm: ${tests[*]}"
		echo "$want" >"$t/.build.key"
	done
	;;
*) die "unknown mode $mode" ;;
esac
