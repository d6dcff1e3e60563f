#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# bench.sh: boot the bench kernel (build/BASE/out/bench: the series without lock
# debugging) with ipcid-bench, in the default layout and with
# "ipcmni_extend", and print the tables it measured (also in
# build/BASE/logs/bench.txt).
. "$(dirname "$0")/lib.sh"

out=$BUILD/logs/bench.txt
: >"$out.new"
for layout in default ipcmni_extend; do
	name=bench-$layout
	args=()
	[ "$layout" = default ] || args=(ipcmni_extend)
	QEMU_TIMEOUT=900 "$TOP/tests/qemu/boot.sh" bench bench "$name" "${args[@]}" >/dev/null ||
		{ tail -n 30 "$BUILD/logs/$name.log" >&2; die "the benchmark failed ($name)"; }
	# The program's lines, without the kernel messages between them.
	tr -d '\r' <"$BUILD/logs/$name.log" |
		sed -n '/^chid-run: ipcid-bench$/,/^chid-exit: ipcid-bench/p' |
		grep -E '^(ipcid-bench|one change|one call| +N | +[0-9])' >>"$out.new" ||
		die "no table in $name.log"
	echo >>"$out.new"
done
{
	echo "kernel: $(sed -n 's/^chid-init: start \([^ ]*\).*/\1/p' "$BUILD/logs/bench-default.log" | tr -d '\r'), tinyconfig +"
	echo "tests/config/qemu.config + bench.config (no lockdep, no KASAN); QEMU $(qemu-system-x86_64 --version |
		sed -n 's/^QEMU emulator version \([^ ]*\).*/\1/p') TCG, 4 vCPUs, on $(nproc) host cores"
	echo "($(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1))"
} >>"$out.new"
mv "$out.new" "$out"
stage "bench: the table (also in ${out#"$TOP/"})"
sed 's/^/    /' "$out"
