#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# boot-once.sh KERNEL SET NAME [CMDLINE...]: tests/qemu/boot.sh, unless a
# boot with the same kernel, initramfs, command line, runner and judge
# passed before (BOOT_AGAIN=1 boots again all the same).
. "$(dirname "$0")/lib.sh"

kname=$1
set_name=$2
name=$3
kernel=$BUILD/out/$kname/arch/x86/boot/bzImage
root=$BUILD/initramfs/$set_name/root
stampfile=$STAMPS/boot-$name
out=$BUILD/logs/$name.out
# The initramfs by content: it is rebuilt with new file times every time.
sum=$( (cat "$kernel" "$TOP/tests/qemu/boot.sh" "$TOP/tests/qemu/parse.py"
	(cd "$root" && find . -type f | LC_ALL=C sort | xargs sha1sum)
	echo "${*:4}") | sha1sum | cut -c1-40)
if [ "${BOOT_AGAIN:-0}" != 1 ] && [ "$(cat "$stampfile" 2>/dev/null)" = "$sum" ]; then
	stage "boot[$name]: unchanged since it passed (BOOT_AGAIN=1 boots again)"
	info "$(tail -n 1 "$out"), log: ${BUILD#"$TOP/"}/logs/$name.log"
	exit 0
fi
rm -f "$stampfile"
mkdir -p "$BUILD/logs"
"$TOP/tests/qemu/boot.sh" "$@" | tee "$out"
echo "$sum" >"$stampfile"
