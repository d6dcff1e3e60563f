#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install what the pipeline needs, if it is missing, and check versions.
. "$(dirname "$0")/lib.sh"

PKGS=(ccache clang-19 lld-19 llvm-19 libclang-19-dev
	rustc-web rust-web-src rustfmt-web rust-web-clippy
	qemu-system-x86 busybox-static cpio bc flex bison libelf-dev
	libssl-dev pahole rsync python3-ply python3-git codespell liburcu-dev
	gcc gcc-multilib libc6-dev make git git-email xz-utils lz4 clang-format-19
	manpages-dev mandoc groff-base man-db bsdextrautils
	libprotobuf-c-dev protobuf-c-compiler libprotobuf-dev protobuf-compiler
	libnl-3-dev libnl-route-3-dev libnet1-dev libcap-dev libbsd-dev
	libgnutls28-dev uuid-dev libaio-dev pkg-config iproute2
	python3-yaml python3-protobuf)

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

# The Debian archive this machine's apt uses for its own release, as apt
# reads its sources (sources.list and deb822 .sources alike).
debian_mirror() {
	local codename uri
	codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
	[ -n "$codename" ] || die "/etc/os-release names no release codename"
	uri=$(apt-get indextargets --format '$(REPO_URI) $(RELEASE) $(COMPONENT)' \
		'Identifier: Packages' | awk -v c="$codename" '$2 == c && $3 == "main" { print $1; exit }')
	[ -n "$uri" ] || die "apt's sources have no Debian mirror for '$codename main' (see /etc/apt/sources.list and /etc/apt/sources.list.d)"
	echo "${uri%/}"
}

# apt-get options of the private configuration of SUITE (from the
# machine's mirror MIRROR), or none for the machine's own suites.
apt_opts() {
	local suite=$1 mirror=$2 apt=$CACHE/apt/$1
	[ -n "$suite" ] || return 0
	mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial"
	echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $suite main" \
		>"$apt/sources.list"
	printf '%s\n' -o Dir::Etc::sourcelist="$apt/sources.list" -o Dir::Etc::sourceparts=/nonexistent \
		-o Dir::State::Lists="$apt/lists" -o Dir::Cache="$apt/cache" -o Debug::NoLocking=1 \
		-o APT::Sandbox::User=root
}

# The pinned linux-source of each base, whatever the machine has
# installed: downloaded with apt (the system is left untouched), unpacked
# into the cache once per version, and linked from build/src.
fetch_source() {
	local base=$1 pkg pin suite root tarball link deb log o newest mirror=
	IFS='|' read -r pkg pin suite root tarball < <(BASE=$base bash -c '. "$0"; echo "$LINUX_SOURCE_PKG|$LINUX_SOURCE_PIN|$LINUX_SOURCE_SUITE|$LINUX_SOURCE_ROOT|$LINUX_TARBALL"' "$TOP/scripts/lib.sh")
	stage "deps: $pkg $pin${suite:+ ($suite)}"
	link=$tarball
	tarball=$root/usr/src/$pkg.tar.xz
	if [ ! -f "$tarball" ]; then
		[ -z "$suite" ] || mirror=$(debian_mirror)
		mapfile -t o < <(apt_opts "$suite" "$mirror")
		mkdir -p "$CACHE/debs"
		log=$CACHE/debs/$pkg.log
		deb=$CACHE/debs/${pkg}_${pin//:/%3a}_all.deb
		if [ ! -f "$deb" ]; then
			# The machine's lists may predate the pin: read them again once.
			if ! (cd "$CACHE/debs" && apt-get "${o[@]}" download "$pkg=$pin") >"$log" 2>&1; then
				info "apt-get update${suite:+ ($suite only, private lists in $CACHE/apt/$suite)}"
				apt-get "${o[@]}" update -q >"$log" 2>&1 ||
					{ cat "$log" >&2; die "apt-get update failed"; }
				if ! (cd "$CACHE/debs" && apt-get "${o[@]}" download "$pkg=$pin") >"$log" 2>&1; then
					newest=$(apt-cache "${o[@]}" madison "$pkg" | awk -F' *[|] *' 'NR == 1 { print $2 }')
					die "$pkg $pin is no longer served${newest:+ (newest: $newest); move the pin with: make pin BASE=$base VERSION=$newest}"
				fi
			fi
			info "downloaded ${deb##*/}"
		fi
		rm -rf "$root.tmp"
		mkdir -p "${root%/*}"
		dpkg-deb -x "$deb" "$root.tmp" || die "cannot unpack ${deb##*/}"
		[ -f "$root.tmp/usr/src/$pkg.tar.xz" ] || die "$pkg has no $pkg.tar.xz"
		mv "$root.tmp" "$root"
		rm -f "$deb"
	fi
	mkdir -p "${link%/*}"
	ln -sfn "$tarball" "$link"
	info "present: ${link#"$TOP/"} -> $tarball"
}
for b in "${BASES[@]}"; do
	fetch_source "$b"
done

stage "deps: bindgen-cli $BINDGEN_VERSION"
if [ -x "$BINDGEN" ] && "$BINDGEN" --version | grep -qF "$BINDGEN_VERSION"; then
	info "present: $BINDGEN"
else
	command -v cargo >/dev/null || die "cargo is needed to install bindgen-cli"
	info "cargo install --locked bindgen-cli@$BINDGEN_VERSION into $TOOLS (about 4 minutes)"
	cargo install -q --locked bindgen-cli --version "$BINDGEN_VERSION" \
		--root "${BINDGEN%/bin/bindgen}" || die "could not install bindgen-cli $BINDGEN_VERSION"
fi

# ipcid's 32-bit build (tests/qemu/initramfs.sh) needs Rust's standard
# library for i686, beside the toolchain's own.
stage "deps: Rust's i686 standard library (ipcid's 32-bit build)"
RUSTUP=$(PATH=$HOME/.cargo/bin:$PATH command -v rustup || true)
[ -n "$RUSTUP" ] || die "rustup is needed for the i686 target of ipcid's 32-bit build"
if "$RUSTUP" target list --installed | grep -qx i686-unknown-linux-gnu; then
	info "present: i686-unknown-linux-gnu"
else
	"$RUSTUP" target add i686-unknown-linux-gnu || die "rustup could not add i686-unknown-linux-gnu"
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
check ccache 4. "$(ccache --version | head -n1)"
info "ccache: $CCACHE_DIR ($(ccache --get-config max_size) at most)"
