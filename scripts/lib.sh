# SPDX-License-Identifier: GPL-2.0
# Shared settings and helpers for the stage scripts.  Sourced, not run.

set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=$TOP/build
TREE=$BUILD/linux
WORK=$BUILD/work
TOOLS=$BUILD/tools
STAMPS=$BUILD/stamps
BINDGEN=$TOOLS/bin/bindgen
BINDGEN_VERSION=0.69.5
LINUX_SOURCE_PKG=linux-source-6.12
LINUX_SOURCE_PIN=6.12.117-1~deb12u1
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
