#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install what the pipeline needs, if it is missing, and check versions.
. "$(dirname "$0")/lib.sh"

PKGS=(linux-source-6.12 clang-19 lld-19 llvm-19 libclang-19-dev
	rustc-web rust-web-src rustfmt-web rust-web-clippy
	qemu-system-x86 busybox-static cpio bc flex bison libelf-dev
	libssl-dev pahole rsync python3-ply python3-git codespell liburcu-dev
	gcc gcc-multilib libc6-dev make git xz-utils lz4
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

# Linux sources that Debian 12's suites do not carry: the pinned package
# from a newer suite, through an apt configuration of its own under
# build/apt, unpacked there.
fetch_source() {
	local base=$1 pkg pin suite tarball apt o
	IFS='|' read -r pkg pin suite tarball < <(BASE=$base bash -c '. "$0"; echo "$LINUX_SOURCE_PKG|$LINUX_SOURCE_PIN|$LINUX_SOURCE_SUITE|$LINUX_TARBALL"' "$TOP/scripts/lib.sh")
	[ -n "$suite" ] || return 0
	stage "deps: $pkg $pin ($suite)"
	if [ -f "$tarball" ] && [ "$(cat "$tarball.version" 2>/dev/null)" = "$pin" ]; then
		info "present: ${tarball#"$TOP/"}"
		return 0
	fi
	apt=$SHARED/apt
	mkdir -p "$apt/etc" "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/debs"
	echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian $suite main" \
		>"$apt/etc/sources.list"
	o=(-o Dir::Etc::sourcelist="$apt/etc/sources.list" -o Dir::Etc::sourceparts=/nonexistent
		-o Dir::State::Lists="$apt/lists" -o Dir::Cache="$apt/cache" -o Debug::NoLocking=1
		-o APT::Sandbox::User=root)
	info "apt-get update ($suite only, private lists in ${apt#"$TOP/"})"
	apt-get "${o[@]}" update -q >"$apt/update.log" 2>&1 ||
		{ cat "$apt/update.log" >&2; die "apt-get update of $suite failed"; }
	info "apt-get download $pkg=$pin"
	(cd "$apt/debs" && apt-get "${o[@]}" download "$pkg=$pin" >"$apt/download.log" 2>&1) ||
		{ cat "$apt/download.log" >&2; die "cannot download $pkg=$pin"; }
	dpkg-deb -x "$apt/debs/${pkg}_${pin//:/%3a}_all.deb" "$apt/root" ||
		die "cannot unpack $pkg"
	[ -f "$tarball" ] || die "$pkg has no ${tarball##*/}"
	echo "$pin" >"$tarball.version"
	info "unpacked: ${tarball#"$TOP/"}"
}
for b in "${BASES[@]}"; do
	fetch_source "$b"
done

stage "deps: bindgen-cli $BINDGEN_VERSION"
if [ -x "$BINDGEN" ] && "$BINDGEN" --version | grep -qF "$BINDGEN_VERSION"; then
	info "present: $BINDGEN"
else
	command -v cargo >/dev/null || die "cargo is needed to install bindgen-cli"
	info "cargo install --locked bindgen-cli@$BINDGEN_VERSION (about 4 minutes)"
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
info "linux-source-6.12: $(dpkg-query -W -f='${Version}' linux-source-6.12)"
info "linux-source-7.3: $(cat "$SHARED/apt/root/usr/src/linux-source-7.3.tar.xz.version")"
