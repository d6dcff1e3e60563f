#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# boot.sh KERNEL SET [NAME [CMDLINE...]]: boot build/BASE/out/KERNEL with the SET
# initramfs under QEMU (TCG, hard timeout), capture the serial console in
# build/BASE/logs/NAME.log and judge it with parse.py.  Exits non-zero on any
# failed or missing result, kernel splat or timeout.
. "$(dirname "$0")/../../scripts/lib.sh"

kname=$1
set_name=$2
name=${3:-$kname-$set_name}
shift $(($# < 3 ? $# : 3))
extra="$*"
kernel=$BUILD/out/$kname/arch/x86/boot/bzImage
initrd=$BUILD/initramfs/$set_name/initramfs.cpio.gz
log=$BUILD/logs/$name.log
# The stress test's time (a NAME=VALUE on the command line is in /init's
# environment) comes on top of the rest.
stress=$(sed -n 's/.*SETID_STRESS_SECONDS=\([0-9]*\).*/\1/p' <<<"$extra")
# So does ipcid-test's large restore: about 1 s per 100 objects, 3 times.
big=$(sed -n 's/.*IPCID_BIG=\([0-9]*\).*/\1/p' <<<"$extra")
timeout=${QEMU_TIMEOUT:-$((300 + ${stress:-0} + ${big:-0} * 3 / 100))}
mkdir -p "$BUILD/logs"
[ -f "$kernel" ] || die "no kernel $kernel"
[ -f "$initrd" ] || die "no initramfs $initrd"

# tsc=reliable: 7.3's clocksource watchdog reads the clock of another
# vCPU when it switches to the TSC, and under TCG on 2 host cores that
# read has hung some boots of the walk's small kernels before init.
stage "boot[$name]: qemu-system-x86_64 (TCG, -smp 4, timeout ${timeout} s) $extra"
start=$(date +%s)
rc=0
timeout --foreground -k 5 "$timeout" qemu-system-x86_64 -accel tcg -m 1G -smp 4 \
	-nographic -no-reboot -kernel "$kernel" -initrd "$initrd" \
	-append "console=ttyS0 panic=-1 oops=panic panic_on_warn=1 loglevel=7 tsc=reliable $extra" \
	</dev/null >"$log" 2>&1 || rc=$?
info "qemu exited with $rc after $(($(date +%s) - start)) s, log: ${log#"$TOP/"}"
args=(--log "$log" --programs "$BUILD/initramfs/$set_name/root/tests/list")
[ "$rc" -eq 124 ] && args+=(--timed-out)
[ "$set_name" = demo ] && sed -n '/^chid-init: start/,/^chid-init: done/p' "$log"
# The KUnit suites this kernel must report, derived from its configuration.
suites=
cfg=$BUILD/out/$kname/.config
grep -q '^CONFIG_RUST_KERNEL_DOCTESTS=y' "$cfg" && suites+=" rust_doctests_kernel"
grep -q '^CONFIG_SYSVIPC_CHID_KUNIT_TEST=y' "$cfg" && suites+=" ipc_chid"
# The Rust suite of the ID rules, where the tree has it (not on 6.12).
grep -q '^CONFIG_SYSVIPC_CHID=y' "$cfg" && grep -q '^CONFIG_KUNIT=y' "$cfg" &&
	grep -q 'kunit_tests(ipc_chid_rules)' "$KSRC/ipc/chid_rules.rs" 2>/dev/null &&
	suites+=" ipc_chid_rules"
python3 "$TOP/tests/qemu/parse.py" "${args[@]}" --kunit "$suites"
