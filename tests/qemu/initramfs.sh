#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# initramfs.sh KERNEL SET [NAME]: build build/initramfs/NAME (NAME defaults
# to SET) with the uapi headers of KERNEL's build and the selftests of the
# source tree $KSRC: busybox-static,
# the statically linked programs of SET and an /init that runs them, each
# framed by markers that boot.sh parses, then powers off.
#   SET=tests  the selftests of the applied tree's tools/testing/selftests/ipc,
#              installed and run as upstream does (run_kselftest.sh); setid
#              again as a 32-bit program (compat and ipc() paths); the C
#              library's view (tests/libc), 64- and 32-bit; the audit
#              records (tests/lsm); on a boot with lsm=smack, the Smack
#              test (tests/lsm); and ipcid with its tests (tests/ipcid),
#              64-bit, and 32-bit on a boot with IPCID_32=1
#   SET=nochid the same selftests, which must skip, the check that
#              IPC_SETID is EINVAL, and that ipcid says so (tests/nochid)
#   SET=demo   the demo of tests/demo: the KUnit results, two queues
#              trading IDs, and ipcid restoring a namespace (restore.sh)
#   SET=bench  ipcid-bench, the benchmark of make bench
#   SET=paths  ipc-paths, make bench's cost of the ordinary IPC paths
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

# The ipc selftests, built and installed as upstream does, with
# run_kselftest.sh and its runner; list options as parse.py reads them.
install_selftests() {
	rm -rf "$dir/kselftest"
	make -s -C "$KSRC/tools/testing/selftests" O="$out" TARGETS=ipc LDFLAGS=-static \
		KSFT_INSTALL_PATH="$root/tests/kselftest" install >"$dir/build.log" 2>&1 ||
		{ cat "$dir/build.log" >&2; die "selftests/ipc did not build"; }
	echo "kselftest/run_kselftest.sh $*" >>"$root/tests/list"
}

# ipcid, the restore tool, built static (rust/ipcid); with "32", its
# 32-bit build too, as ipcid_32.
build_ipcid() {
	ipcid_build "$root/tests" x86_64 ${1:+i686} >>"$dir/build.log" 2>&1 ||
		{ cat "$dir/build.log" >&2; die "ipcid did not build"; }
}

# A program of this repository, built static with the uapi headers:
# build SRC NAME [GCC-FLAGS] [-- LIST-OPTIONS | -- helper (not a test)].
build() {
	local src=$1 name=$2 flags=() opts=()
	shift 2
	while [ $# -gt 0 ] && [ "$1" != -- ]; do flags+=("$1"); shift; done
	[ $# -gt 0 ] && shift && opts=("$@")
	gcc "${flags[@]}" -static -O2 -Wall -Wextra -Werror -isystem "$out/usr/include" \
		-o "$root/tests/$name" "$src" >>"$dir/build.log" 2>&1 ||
		{ cat "$dir/build.log" >&2; die "$name did not build"; }
	[ "${opts[*]}" = helper ] || echo "$name ${opts[*]}" >>"$root/tests/list"
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
	install_selftests
	build_32 setid
	# Programs of the uapi, from the prefix of the series that adds it.
	if [ -f "$KSRC/include/uapi/linux/ipc_setid.h" ]; then
		build "$TOP/tests/libc/setid-libc.c" setid-libc
		build "$TOP/tests/libc/setid-libc.c" setid-libc_32 -m32
		build_ipcid 32
		build "$TOP/tests/ipcid/ipc-fixture.c" ipc-fixture -- helper
		install -m 755 "$TOP/tests/ipcid/ipcid-test.sh" "$root/tests/ipcid-test"
		install -m 644 "$TOP/tests/ipcid/ipcid-lib.sh" "$root/tests/ipcid-lib.sh"
		printf '#!/bin/sh\nIPCID=/tests/ipcid_32 exec /tests/ipcid-test\n' >"$root/tests/ipcid-test_32"
		chmod 755 "$root/tests/ipcid-test_32"
		echo ipcid-test >>"$root/tests/list"
		echo "ipcid-test_32 when=IPCID_32=1" >>"$root/tests/list"
		# make bench's program, at small N so that it cannot rot.
		printf '#!/bin/sh\nexec /tests/ipcid-bench --quick 10 100\n' >"$root/tests/bench-small"
		chmod 755 "$root/tests/bench-small"
		echo bench-small >>"$root/tests/list"
		# Those of audit and Smack where the kernel has them (the
		# test kernel, not the walk's).
		if grep -qx CONFIG_AUDITSYSCALL=y "$out/.config"; then
			build "$TOP/tests/lsm/setid-audit.c" setid-audit
		fi
		if grep -qx CONFIG_SECURITY_SMACK=y "$out/.config"; then
			build "$TOP/tests/lsm/setid-smack.c" setid-smack -- when=lsm=smack
		fi
	fi
	;;
nochid)
	install_selftests skips
	build "$TOP/tests/nochid/setid-disabled.c" setid-disabled
	build_ipcid
	install -m 755 "$TOP/tests/nochid/ipcid-disabled.sh" "$root/tests/ipcid-disabled"
	echo ipcid-disabled >>"$root/tests/list"
	;;
demo)
	install -m 755 "$TOP/tests/demo/kunit-results.sh" "$root/tests/kunit-results.sh"
	echo kunit-results.sh >>"$root/tests/list"
	build "$TOP/tests/demo/swap-ids.c" swap-ids
	build_ipcid
	build "$TOP/tests/ipcid/ipc-fixture.c" ipc-fixture -- helper
	install -m 755 "$TOP/tests/demo/restore.sh" "$root/tests/restore.sh"
	install -m 644 "$TOP/tests/ipcid/ipcid-lib.sh" "$root/tests/ipcid-lib.sh"
	echo restore.sh >>"$root/tests/list"
	;;
bench)
	build_ipcid
	echo ipcid-bench >>"$root/tests/list"
	;;
paths)
	build "$TOP/tests/bench/ipc-paths.c" ipc-paths
	;;
fail)
	printf '#!/bin/sh\necho "TAP version 13"\necho "1..1"\necho "not ok 1 fails on purpose"\nexit 1\n' \
		>"$root/tests/fail"
	chmod +x "$root/tests/fail"
	echo fail >>"$root/tests/list"
	;;
*) die "unknown set $set_name" ;;
esac
info "programs: $(cut -d' ' -f1 "$root/tests/list" | tr '\n' ' ')"

cat >"$root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
# What udev would add, and run_kselftest.sh writes to (/dev/stdout).
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
echo "chid-init: start $(uname -r) $(cat /proc/cmdline)"
cd /tests
cmdline=" $(cat /proc/cmdline) "
while read -r t opts; do
	case " $opts " in
	*" when="*)
		when=${opts#*when=}
		case "$cmdline" in *" ${when%% *} "*) ;; *) continue ;; esac
		;;
	esac
	echo "chid-run: $t"
	./"$t" </dev/null
	echo "chid-exit: $t $?"
done </tests/list
echo "chid-init: done"
poweroff -f
INIT
chmod 755 "$root/init"
(cd "$root" && find . -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc --quiet --reproducible) | gzip -n -1 >"$dir/initramfs.cpio.gz"
info "$dir/initramfs.cpio.gz: $(stat -c %s "$dir/initramfs.cpio.gz") bytes"
