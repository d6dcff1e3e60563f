# SPDX-License-Identifier: GPL-2.0
# Shared settings and helpers for the stage scripts.  Sourced, not run.

set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# The kernel the stages work on: BASE=7.3, the newest Linux Debian ships
# and the base the series is posted on, or BASE=6.12, the LTS backport.
# Everything of one base lives in build/BASE; build/ itself holds what the
# bases share (tools, host tests, ipcid, man pages).
BASE=${BASE:-7.3}
PRIMARY_BASE=7.3
BASES=(7.3 6.12)
# Each base is one pinned Debian package, fetched by deps.sh with apt
# whatever the machine has installed (its tarball decides the pristine
# commit, and so every line of the generated series): LINUX_SOURCE_SUITE is
# the suite it comes from, "" for the machine's own suites. Moving a pin is
# "make pin BASE=B VERSION=V" (scripts/pin.sh).
case "$BASE" in
7.3)
	LINUX_SOURCE_PKG=linux-source-7.3
	LINUX_SOURCE_PIN=7.3.4-1~bpo13+1
	# Not in Debian 12's suites: fetched from trixie-backports through the
	# machine's Debian mirror, with a private apt configuration.
	LINUX_SOURCE_SUITE=trixie-backports
	;;
6.12)
	LINUX_SOURCE_PKG=linux-source-6.12
	LINUX_SOURCE_PIN=6.12.117-1~deb12u1
	LINUX_SOURCE_SUITE=
	;;
*)
	printf 'error: unknown BASE=%s (bases: 7.3 6.12)\n' "$BASE" >&2
	exit 1
	;;
esac
# What outlives a clone: the compiler cache, the fetched Linux sources and
# the tools that take minutes to build. CI runs in a fresh clone on the
# machine where the change was made; all of it is shared between clones.
# "make distclean-cache" (or rm -rf) clears it.
CACHE=${CHID_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sysvipc-chid}
# The pinned tarball, unpacked from its .deb into the cache (one folder per
# version), and the stable path README.md gives users for it.
LINUX_SOURCE_ROOT=$CACHE/src/${LINUX_SOURCE_PKG}_$LINUX_SOURCE_PIN
LINUX_TARBALL=$TOP/build/src/$LINUX_SOURCE_PKG.tar.xz
SHARED=$TOP/build
BUILD=$SHARED/$BASE
TREE=$BUILD/linux
WORK=$BUILD/work
TOOLS=$CACHE/tools
STAMPS=$BUILD/stamps
# The generated series of this base.
PATCHES=$TOP/patches/$BASE
# The cargo build of the host crate (rust/): its dependencies from the
# registry (bindgen, proptest) are built once per machine, its own code
# again in each clone (cargo keys a path crate on its path).
CARGO_TARGETS=$CACHE/cargo
# ipcid's (rust/ipcid) likewise: its dependencies are built once per
# machine. One clone at a time builds there and copies its programs out.
IPCID_TARGETS=$CARGO_TARGETS/ipcid
BINDGEN_VERSION=0.71.1
BINDGEN=$TOOLS/bindgen-$BINDGEN_VERSION/bin/bindgen
# Who the generated patches are from: a fixed identity, which keeps patches/
# reproducible. "make outgoing" (scripts/outgoing.sh) writes the copy that
# is posted, with the poster's git identity in its place.
SERIES_NAME="SysV IPC chid"
SERIES_EMAIL="sysvipc-chid@lists.invalid"

# The toolchain a patched tree is built with.  Debian's rustc 1.96 ships the
# standard library source the kernel needs; a rustup toolchain earlier in
# PATH does not, so every Rust tool is named explicitly.  Every build runs
# clippy, and CONFIG_WERROR makes its findings errors.
export PATH=/usr/lib/llvm-19/bin:/usr/bin:$PATH
#
# Every C compile goes through ccache (Documentation/kbuild/llvm.rst), its
# store in the cache: a hit is the object clang would have produced, so
# nothing that is tested changes. CCACHE_BASEDIR makes the paths in this
# clone relative, so that a clone elsewhere hits too. Rust objects are not
# cached (rustc is not a compiler ccache knows), nor host programs: the host
# Rust programs take HOSTCC as their linker, one word.
export CCACHE_DIR=$CACHE/ccache CCACHE_BASEDIR=$TOP CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-12G}
export CCACHE_NOHASHDIR=1 KBUILD_BUILD_TIMESTAMP='Thu Jan  1 00:00:00 UTC 2026'
export KBUILD_BUILD_USER=sysvipc-chid KBUILD_BUILD_HOST=qemu KBUILD_BUILD_VERSION=1
KMAKE_VARS=(LLVM=1 CC="ccache clang" RUSTC=/usr/bin/rustc RUSTFMT=/usr/bin/rustfmt
	RUSTDOC=/usr/bin/rustdoc CLIPPY_DRIVER=/usr/bin/clippy-driver
	BINDGEN="$BINDGEN" HOSTRUSTC=/usr/bin/rustc CLIPPY=1)

mkdir -p "$BUILD" "$STAMPS"

stage() {
	printf '\n==> %s\n' "$*"
}

info() {
	printf '    %s\n' "$*"
}

die() {
	printf 'error: %s\n' "$*" >&2
	exit 1
}

# The kernel source the stages use: the applied tree, unless KSRC names
# another (the series walk builds each prefix in a worktree of its own).
KSRC=${KSRC:-$TREE}

# ipcid_build DEST TARGET...: build ipcid, static and released, for each
# TARGET (x86_64, i686), and copy the programs to DEST: ipcid and
# ipcid-bench of x86_64, ipcid_32 of i686.
ipcid_build() {
	local dest=$1 target
	shift
	mkdir -p "$IPCID_TARGETS" "$dest"
	(
		flock 8
		for target in "$@"; do
			(cd "$TOP/rust/ipcid" && PATH=$HOME/.cargo/bin:$PATH \
				RUSTFLAGS="-C target-feature=+crt-static" \
				cargo build -q --release --locked --target "$target-unknown-linux-gnu" \
				--target-dir "$IPCID_TARGETS") || die "ipcid ($target) did not build"
			case "$target" in
			x86_64) cp "$IPCID_TARGETS"/x86_64-unknown-linux-gnu/release/{ipcid,ipcid-bench} "$dest/" ||
				exit 1 ;;
			i686) cp "$IPCID_TARGETS/i686-unknown-linux-gnu/release/ipcid" "$dest/ipcid_32" || exit 1 ;;
			esac
		done
	) 8>"$IPCID_TARGETS.lock"
}

# kmake OUT ARGS...: run the kernel's make on $KSRC into OUT.
kmake() {
	local out=$1
	shift
	make -C "$KSRC" O="$out" "${KMAKE_VARS[@]}" -j"$(nproc)" "$@"
}
