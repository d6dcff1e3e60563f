#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The checks a maintainer runs on the series before reading it; fails on
# any finding. Each check prints its time.
#   checkpatch   scripts/checkpatch.pl --strict --codespell on every patch
#   kernel-doc   scripts/kernel-doc -none -Wall on every C file the series
#                touches: no warning that the pristine file does not have
#   rustfmt      make LLVM=1 rustfmtcheck
# and on the primary base also:
#   rustdoc      make LLVM=1 rustdoc
#   ksft config  tools/testing/selftests/ipc/config over a defconfig
#   uapi headers tests/uapi-headers.sh: programs that compiled against the
#                pristine tree's installed headers still compile
# (Clippy runs in every kernel build: CLIPPY=1 with CONFIG_WERROR.)
. "$(dirname "$0")/lib.sh"

timed() {
	local start=$SECONDS
	"$@"
	info "[$1] $((SECONDS - start)) s"
}

checkpatch() {
	stage "check-series: checkpatch --strict --codespell"
	local p bad=0 out=$BUILD/checkpatch
	rm -rf "$out"
	mkdir -p "$out"
	# One patch per CPU at a time; the findings are read back in order.
	find "$PATCHES" -name '0*.patch' ! -name '0000-cover-letter.patch' -print0 |
		(cd "$TREE" && xargs -0 -n 1 -P "$(nproc)" sh -c \
			'./scripts/checkpatch.pl --strict --codespell \
				--codespellfile=/usr/lib/python3/dist-packages/codespell_lib/data/dictionary.txt \
				--no-summary --quiet "$1" >"$0/$(basename "$1").txt" 2>&1 || true' "$out")
	for p in "$PATCHES"/0*.patch; do
		case "$p" in */0000-cover-letter.patch) continue ;; esac
		p=$(basename "$p")
		[ -f "$out/$p.txt" ] || die "checkpatch did not run on $p"
		if [ -s "$out/$p.txt" ]; then
			printf '%s\n%s\n' "$p" "$(cat "$out/$p.txt")" >&2
			bad=1
		else
			info "clean: $p"
		fi
	done
	[ $bad -eq 0 ] || die "checkpatch has findings"
}

# A kernel-doc warning without its file and line, which differ between the
# pristine copy and the tree: "FILE:LINE: warning: ..." (6.12) or
# "Warning: FILE:LINE ..." (7.3).
kdoc_strip() {
	sed -E 's/^[^ :]+:[0-9]+: //; s/^(Warning: )[^ :]+:[0-9]+:? /\1/'
}

kerneldoc() {
	stage "check-series: kernel-doc -none -Wall (new warnings)"
	local f bad=0 new
	for f in $(git -C "$TREE" diff --name-only pristine chid -- '*.c' '*.h'); do
		case "$f" in tools/*) continue ;; esac
		mkdir -p "$BUILD/kdoc/$(dirname "$f")"
		git -C "$TREE" show "pristine:$f" >"$BUILD/kdoc/$f" 2>/dev/null || : >"$BUILD/kdoc/$f"
		new=$(comm -13 \
			<("$TREE/scripts/kernel-doc" -none -Wall "$BUILD/kdoc/$f" 2>&1 |
				kdoc_strip | sort -u) \
			<("$TREE/scripts/kernel-doc" -none -Wall "$TREE/$f" 2>&1 |
				kdoc_strip | sort -u))
		if [ -n "$new" ]; then
			printf '%s:\n%s\n' "$f" "$new" >&2
			bad=1
		else
			info "clean: $f"
		fi
	done
	[ $bad -eq 0 ] || die "kernel-doc has new warnings"
}

rustfmt() {
	stage "check-series: make rustfmtcheck"
	kmake "$BUILD/out/chid-y" -s rustfmtcheck || die "rustfmtcheck failed"
	info "clean"
}

# make rustdoc runs on the test kernel's build (scripts/kernel.sh, asked by
# the Makefile's kernel stage), which keeps its output with the kernel.
rustdoc() {
	stage "check-series: make rustdoc"
	[ -f "$BUILD/out/chid-y/rustdoc.log" ] || die "no output of make rustdoc (run make kernel)"
	cp "$BUILD/out/chid-y/rustdoc.log" "$BUILD/logs/rustdoc.log"
	if grep -E '^(warning|error)' "$BUILD/logs/rustdoc.log" >&2; then
		die "make rustdoc warned"
	fi
	# ipc/chid.rs is not part of the kernel crate, which this renders: the
	# host tests check its documentation (cargo doc).
	info "built, without a warning"
}

# tools/testing/selftests/ipc/config over a defconfig, as CI systems merge
# the fragment of the target they run, must turn the feature on. (All
# fragments at once, "make kselftest-merge", cannot on this base: bpf's
# asks for MODVERSIONS, which excludes RUST, as for selftests/rust.)
kselftest_config() {
	stage "check-series: defconfig + selftests/ipc/config"
	local out=$BUILD/out/ksft-config opt
	rm -rf "$out"
	mkdir -p "$out"
	kmake "$out" -s defconfig >/dev/null
	(cd "$out" && "$KSRC/scripts/kconfig/merge_config.sh" -y -m .config \
		"$KSRC/tools/testing/selftests/ipc/config" >/dev/null)
	kmake "$out" -s olddefconfig >/dev/null
	for opt in CONFIG_RUST CONFIG_SYSVIPC_CHID CONFIG_CHECKPOINT_RESTORE CONFIG_IPC_NS; do
		grep -qx "$opt=y" "$out/.config" || die "selftests/ipc/config over defconfig: $opt is not y"
	done
	info "RUST, SYSVIPC_CHID, CHECKPOINT_RESTORE and IPC_NS are on"
}

uapi_headers() {
	"$TOP/tests/uapi-headers.sh"
}

mkdir -p "$BUILD/logs"
# Everything checked here follows from patches/ and the tree.
key=$(cat "$PATCHES"/*.patch "$0" "$TOP/tests/uapi-headers.sh" "$BUILD/linux-source.version" | sha1sum)
if [ "$(cat "$STAMPS/check-series" 2>/dev/null)" = "$key" ]; then
	stage "check-series: patches/ unchanged since the checks passed"
	exit 0
fi
rm -f "$STAMPS/check-series"
timed checkpatch
timed kerneldoc
timed rustfmt
# The rest checks what does not differ between the bases.
if [ "$BASE" = "$PRIMARY_BASE" ]; then
	timed rustdoc
	timed kselftest_config
	timed uapi_headers
fi
echo "$key" >"$STAMPS/check-series"
