#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install what the pipeline needs, if it is missing, and check versions.
. "$(dirname "$0")/lib.sh"

PKGS=(linux-source-6.12 clang-19 lld-19 llvm-19 libclang-19-dev
	rustc-web rust-web-src rustfmt-web rust-web-clippy
	qemu-system-x86 busybox-static cpio bc flex bison libelf-dev
	libssl-dev pahole rsync python3-ply python3-git codespell liburcu-dev
	gcc gcc-multilib libc6-dev make git xz-utils
	manpages-dev mandoc groff-base man-db bsdextrautils)

stage "deps: Debian packages"
missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	info "installing: ${missing[*]}"
	[ "$(id -u)" = 0 ] && SUDO= || SUDO=sudo
	$SUDO apt-get update -q
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${missing[@]}" ||
		die "apt-get install failed for: ${missing[*]}"
else
	info "all ${#PKGS[@]} packages present"
fi

stage "deps: bindgen-cli $BINDGEN_VERSION"
if [ -x "$BINDGEN" ] && "$BINDGEN" --version | grep -qF "$BINDGEN_VERSION"; then
	info "present: $BINDGEN"
else
	command -v cargo >/dev/null || die "cargo is needed to install bindgen-cli"
	info "cargo install --locked bindgen-cli@$BINDGEN_VERSION (about a minute)"
	cargo install -q --locked bindgen-cli --version "$BINDGEN_VERSION" \
		--root "$TOOLS" || die "could not install bindgen-cli $BINDGEN_VERSION"
fi

stage "deps: versions"
check() {
	local what=$1 want=$2 got=$3
	case "$got" in
	*"$want"*) info "$what: $got" ;;
	*) die "$what: want $want, found '$got'" ;;
	esac
}
check rustc 1.96 "$(/usr/bin/rustc --version)"
check clang 19. "$(clang --version | head -n1)"
check ld.lld 19. "$(ld.lld --version)"
check bindgen "$BINDGEN_VERSION" "$("$BINDGEN" --version)"
check rust-src library "$(ls -d /usr/lib/rustlib/src/rust/library 2>/dev/null)"
check qemu QEMU "$(qemu-system-x86_64 --version | head -n1)"
check busybox BusyBox "$(busybox 2>&1 | head -n1)"
info "linux-source: $(dpkg-query -W -f='${Version}' $LINUX_SOURCE_PKG)"
