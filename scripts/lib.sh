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
case "$BASE" in
7.3)
	LINUX_SOURCE_PKG=linux-source-7.3
	LINUX_SOURCE_PIN=7.3.4-1~bpo13+1
	# Not in Debian 12's suites: fetched from trixie-backports with a
	# private apt configuration under build/apt (the system's is untouched).
	LINUX_SOURCE_SUITE=trixie-backports
	LINUX_TARBALL=$TOP/build/apt/root/usr/src/linux-source-7.3.tar.xz
	;;
6.12)
	LINUX_SOURCE_PKG=linux-source-6.12
	LINUX_SOURCE_PIN=6.12.117-1~deb12u1
	LINUX_SOURCE_SUITE=
	LINUX_TARBALL=/usr/src/linux-source-6.12.tar.xz
	;;
*)
	printf 'error: unknown BASE=%s (bases: 7.3 6.12)\n' "$BASE" >&2
	exit 1
	;;
esac
SHARED=$TOP/build
BUILD=$SHARED/$BASE
TREE=$BUILD/linux
WORK=$BUILD/work
TOOLS=$SHARED/tools
STAMPS=$BUILD/stamps
# The generated series of this base.
PATCHES=$TOP/patches/$BASE
BINDGEN=$TOOLS/bin/bindgen
BINDGEN_VERSION=0.71.1
# Who the generated patches are from: a submitter sets the name and address
# of the From: and Signed-off-by: lines here.
SERIES_NAME="SysV IPC chid"
SERIES_EMAIL="sysvipc-chid@lists.invalid"

# The toolchain a patched tree is built with.  Debian's rustc 1.96 ships the
# standard library source the kernel needs; a rustup toolchain earlier in
# PATH does not, so every Rust tool is named explicitly.  Every build runs
# clippy, and CONFIG_WERROR makes its findings errors.
export PATH=/usr/lib/llvm-19/bin:/usr/bin:$PATH
KMAKE_VARS=(LLVM=1 RUSTC=/usr/bin/rustc RUSTFMT=/usr/bin/rustfmt
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

# kmake OUT ARGS...: run the kernel's make on $KSRC into OUT.
kmake() {
	local out=$1
	shift
	make -C "$KSRC" O="$out" "${KMAKE_VARS[@]}" -j"$(nproc)" "$@"
}
