#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Tests of the QEMU test runner itself: the log judge must fail every kind of
# bad boot (unit tests on logs), and a real boot whose test program fails
# must make boot.sh fail.
. "$(dirname "$0")/../../scripts/lib.sh"

stage "runner-test: log judge"
python3 "$TOP/tests/qemu/test_parse.py" 2>&1 | tail -n 3

stage "runner-test: a boot with a failing program must fail"
# Not redone while the kernel and the runner are those that failed it.
key=$( (cat "$BUILD/out/chid-y/arch/x86/boot/bzImage" "$TOP"/tests/qemu/*) | sha1sum)
if [ "$(cat "$STAMPS/runner-test" 2>/dev/null)" = "$key" ]; then
	info "unchanged since boot.sh failed it as it must"
	exit 0
fi
rm -f "$STAMPS/runner-test"
"$TOP/tests/qemu/initramfs.sh" chid-y fail >/dev/null
if "$TOP/tests/qemu/boot.sh" chid-y fail runner-fail >"$BUILD/logs/runner-fail.out" 2>&1; then
	cat "$BUILD/logs/runner-fail.out"
	die "boot.sh passed a boot whose program failed"
fi
grep -q 'FAIL fail:' "$BUILD/logs/runner-fail.out" ||
	die "boot.sh failed, but not for the failing program"
info "boot.sh failed as it must: $(grep 'FAIL fail:' "$BUILD/logs/runner-fail.out")"
echo "$key" >"$STAMPS/runner-test"
