#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# initramfs.sh KERNEL SET [NAME]: build build/initramfs/NAME (NAME defaults
# to SET) with the uapi headers of KERNEL's build and the selftests of the
# source tree $KSRC: busybox-static,
# the statically linked programs of SET and an /init that runs them, each
# framed by markers that boot.sh parses, then powers off.
#   SET=tests  the selftests of the applied tree's tools/testing/selftests/ipc,
#              and setid again as a 32-bit program (compat and ipc() paths)
#   SET=nochid msgque, and the check that IPC_SETID is EINVAL (tests/nochid)
#   SET=demo   the demo of tests/demo
#   SET=fail   a program that fails (to test the runner itself)
. "$(dirname "$0")/../../scripts/lib.sh"

kname=$1
set_name=$2
out=$BUILD/out/$kname
dir=$BUILD/initramfs/${3:-$set_name}
root=$dir/root

stage "initramfs[$set_name]: uapi headers and programs"
mkdir -p "$dir"
kmake "$out" -s headers_install >/dev/null
rm -rf "$root" "$dir/ipc"
mkdir -p "$root"/{bin,dev,proc,sys,tmp,tests}
# mktemp-style 0700 roots make /proc unreachable for an unprivileged user.
chmod 755 "$root"
chmod 1777 "$root/tmp"
cp /bin/busybox "$root/bin/busybox"

build_selftests() {
	local st=$KSRC/tools/testing/selftests/ipc
	mkdir -p "$dir/ipc"
	make -s -C "$st" OUTPUT="$dir/ipc" LDFLAGS=-static \
		KHDR_INCLUDES="-isystem $out/usr/include" all >"$dir/build.log" 2>&1 ||
		{ cat "$dir/build.log" >&2; die "selftests/ipc did not build"; }
	local p
	for p in $(find "$dir/ipc" -maxdepth 1 -type f -perm -u+x -printf '%f\n' | sort); do
		[ -z "${1:-}" ] || [ "$p" = "$1" ] || continue
		cp "$dir/ipc/$p" "$root/tests/$p"
		echo "$p" >>"$root/tests/list"
	done
}

# The 32-bit build of a selftest: the kernel's compat entry points.
build_32() {
	local src=$KSRC/tools/testing/selftests/ipc/$1.c
	[ -f "$src" ] || return 0
	gcc -m32 -static -O2 -Wall -isystem "$out/usr/include" -o "$root/tests/$1_32" "$src" \
		>>"$dir/build.log" 2>&1 || { cat "$dir/build.log" >&2; die "$1 (32-bit) did not build"; }
	echo "$1_32" >>"$root/tests/list"
}

: >"$root/tests/list"
case "$set_name" in
tests)
	build_selftests
	build_32 setid
	;;
nochid)
	build_selftests msgque
	gcc -static -O2 -Wall -o "$root/tests/setid-disabled" "$TOP/tests/nochid/setid-disabled.c" ||
		die "setid-disabled did not build"
	echo setid-disabled >>"$root/tests/list"
	;;
demo)
	for src in "$TOP"/tests/demo/*; do
		p=$(basename "$src")
		case "$p" in
		*.c)
			p=${p%.c}
			gcc -static -O2 -Wall -isystem "$out/usr/include" -o "$root/tests/$p" "$src" ||
				die "demo $p did not build"
			;;
		*.sh) install -m 755 "$src" "$root/tests/$p" ;;
		*) continue ;;
		esac
		echo "$p" >>"$root/tests/list"
	done
	;;
fail)
	printf '#!/bin/sh\necho "TAP version 13"\necho "1..1"\necho "not ok 1 fails on purpose"\nexit 1\n' \
		>"$root/tests/fail"
	chmod +x "$root/tests/fail"
	echo fail >>"$root/tests/list"
	;;
*) die "unknown set $set_name" ;;
esac
info "programs: $(tr '\n' ' ' <"$root/tests/list")"

cat >"$root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
echo "chid-init: start $(uname -r) $(cat /proc/cmdline)"
cd /tests
for t in $(cat /tests/list); do
	echo "chid-run: $t"
	./"$t"
	echo "chid-exit: $t $?"
done
echo "chid-init: done"
poweroff -f
INIT
chmod 755 "$root/init"
(cd "$root" && find . -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc --quiet --reproducible) | gzip -n -1 >"$dir/initramfs.cpio.gz"
info "$dir/initramfs.cpio.gz: $(stat -c %s "$dir/initramfs.cpio.gz") bytes"
