#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# boot.sh KERNEL MODE: boot build/7.3/out/KERNEL under QEMU (TCG) on the
# host's own root and the clone, read-only over virtio-9p, with build/criu (the CRIU
# trees of "make criu") as a writable share, and run tests/criu/guest.sh
# as /init in MODE (feature: the kernel has IPC_SETID; fallback: it has
# not). The console is build/7.3/logs/criu-KERNEL.log; the run fails on a
# failed or missing result, a kernel warning or oops, or a timeout.
. "$(dirname "$0")/../../scripts/lib.sh"

kname=$1
mode=$2
kernel=$BUILD/out/$kname/arch/x86/boot/bzImage
log=$BUILD/logs/criu-$kname.log
rounds=${CRIU_JOINNS_ROUNDS:-30}
timeout=${QEMU_TIMEOUT:-1500}
[ -f "$kernel" ] || die "no kernel $kernel"
for kind in patched stock; do
	[ -x "$SHARED/criu/$kind/criu/criu" ] || die "no $kind CRIU: run make criu first"
done
mkdir -p "$BUILD/logs" "$SHARED/criu/bin"

stage "criu-test[$kname]: the joined-namespace programs"
gcc -O2 -Wall -Wextra -Werror -o "$SHARED/criu/bin/ipc-joinns" "$TOP/tests/criu/ipc-joinns.c" ||
	die "ipc-joinns did not build"
info "build/criu/bin/ipc-joinns"
# ipcid, for the round trip against ipcmk's and zdtm's objects.
ipcid_build "$SHARED/criu/bin" x86_64
info "build/criu/bin/ipcid"

# A boot with the same kernel, CRIU builds, guest and rounds that passed
# is not redone (BOOT_AGAIN=1 boots again all the same).
stampfile=$STAMPS/criu-$kname
sum=$( (cat "$kernel" "$SHARED/criu/bin/ipc-joinns" "$SHARED/criu/bin/ipcid" "$0" "$TOP"/tests/criu/*.sh \
	"$SHARED"/criu/{patched,stock}/.build.key; echo "$mode $rounds") | sha1sum | cut -c1-40)
if [ "${BOOT_AGAIN:-0}" != 1 ] && [ "$(cat "$stampfile" 2>/dev/null)" = "$sum" ]; then
	stage "criu-test[$kname]: unchanged since it passed (BOOT_AGAIN=1 boots again)"
	grep -a -E '^(    criu-result|criu-test)' "$BUILD/logs/criu-$kname.out" || true
	exit 0
fi
rm -f "$stampfile"

expect=(check-ipc_setid zdtm-ipc zdtm-ipc_setid restore-path)
[ "$mode" = fallback ] || expect+=(zdtm-ipc_setid-stock joinns-stock joinns-patched ipcid-roundtrip)

stage "criu-test[$kname]: qemu-system-x86_64 (TCG, -smp 2, host root over 9p, timeout $timeout s), $mode"
start=$(date +%s)
rc=0
timeout --foreground -k 5 "$timeout" qemu-system-x86_64 -accel tcg -m 2G -smp 2 \
	-nographic -no-reboot -kernel "$kernel" \
	-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
	-virtfs local,path="$TOP",mount_tag=clone,security_model=none,readonly=on,multidevs=remap \
	-virtfs local,path="$SHARED/criu",mount_tag=criu,security_model=none,multidevs=remap \
	-append "console=ttyS0 panic=-1 oops=panic loglevel=4 kunit.enable=0 root=hostroot rootfstype=9p rootflags=trans=virtio,version=9p2000.L,msize=512000,cache=loose ro init=$TOP/tests/criu/guest.sh criu_top=$TOP criu_mode=$mode criu_rounds=$rounds" \
	</dev/null >"$log" 2>&1 || rc=$?
info "qemu exited with $rc after $(($(date +%s) - start)) s, log: ${log#"$TOP/"}"

# The verdict: each expected result ok, the guest done, no kernel splat.
tr -d '\r' <"$log" | grep -aE '^(criu-result|joinns\[[a-z]*\]: [0-9]+ rounds|roundtrip:|criu-guest)' |
	sed 's/^/    /' | tee "$BUILD/logs/criu-$kname.out" || true
passed=0 failed=0
for name in "${expect[@]}"; do
	line=$(tr -d '\r' <"$log" | grep -a "^criu-result: $name " | tail -n 1 || true)
	case "$line" in
	"criu-result: $name ok"*) passed=$((passed + 1)) ;;
	"") info "missing: $name"; failed=$((failed + 1)) ;;
	*) failed=$((failed + 1)) ;;
	esac
done
grep -aq '^criu-guest: done' "$log" || { info "the guest did not finish"; failed=$((failed + 1)); }
[ "$rc" -ne 124 ] || { info "timed out after $timeout s"; failed=$((failed + 1)); }
splat=$(grep -aE 'WARNING:|BUG:|Oops|Kernel panic|possible recursive locking|circular locking|general protection' "$log" | head -n 5 || true)
[ -z "$splat" ] || { printf '    kernel: %s\n' "$splat"; failed=$((failed + 1)); }
echo "criu-test[$kname]: $passed passed, $failed failed" | tee -a "$BUILD/logs/criu-$kname.out"
[ "$failed" = 0 ] || die "criu-test on $kname failed (log: ${log#"$TOP/"})"
echo "$sum" >"$stampfile"
