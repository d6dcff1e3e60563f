#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# bench-paths.sh [ROUNDS]: the cost of the series for every user of System V
# IPC. Boots the bench kernel (build/BASE/out/bench, CONFIG_SYSVIPC_CHID=y)
# and the same tree and configuration with the option off (out/bench-n) in
# turn, ROUNDS times each (default 5), and runs ipc-paths (tests/bench) in
# each boot. Prints, per path, the median over the boots of each kernel's
# per-boot medians, their spread (min-max), and the ratio y/n; also in
# build/BASE/logs/bench-paths.txt.
. "$(dirname "$0")/lib.sh"

rounds=${1:-5}
out=$BUILD/logs/bench-paths.txt
raw=$BUILD/logs/bench-paths.raw
mkdir -p "$BUILD/logs"
: >"$raw"
for r in $(seq 1 "$rounds"); do
	for k in bench bench-n; do
		name=paths-$k-$r
		QEMU_TIMEOUT=600 "$TOP/tests/qemu/boot.sh" "$k" paths "$name" >/dev/null ||
			{ tail -n 30 "$BUILD/logs/$name.log" >&2; die "the benchmark failed ($name)"; }
		tr -d '\r' <"$BUILD/logs/$name.log" |
			sed -n "s/^ipc-paths: \([^ ]*\) \([0-9.]*\) ns.*/$k \1 \2/p" >>"$raw"
	done
done
python3 - "$raw" "$rounds" >"$out.new" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
rounds = int(sys.argv[2])
paths = []
val = {}
for k, p, ns in rows:
    if p not in paths:
        paths.append(p)
    val.setdefault((k, p), []).append(float(ns))
print("ipc-paths: ns per operation, median of %d boots per kernel (min-max), "
      "boots interleaved" % rounds)
print("%-14s %22s %22s %8s" % ("path", "CHID=y", "CHID=n", "y/n"))
worst = None
for p in paths:
    y, n = val.get(("bench", p), []), val.get(("bench-n", p), [])
    if len(y) != rounds or len(n) != rounds:
        sys.exit("bench-paths: missing results for " + p)
    my, mn = statistics.median(y), statistics.median(n)
    ratio = my / mn
    worst = ratio if worst is None or ratio > worst else worst
    print("%-14s %8.0f (%5.0f-%5.0f) %8.0f (%5.0f-%5.0f) %8.3f" %
          (p, my, min(y), max(y), mn, min(n), max(n), ratio))
print("slowest path with the option: y/n = %.3f" % worst)
PY
{
	echo "kernels: $(sed -n 's/^chid-init: start \([^ ]*\).*/\1/p' "$BUILD/logs/paths-bench-1.log" | tr -d '\r'), tinyconfig +"
	echo "tests/config/qemu.config + bench.config (+ chid-n.config for n); QEMU $(qemu-system-x86_64 --version |
		sed -n 's/^QEMU emulator version \([^ ]*\).*/\1/p') TCG, 4 vCPUs, on $(nproc) host cores"
	echo "($(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1))"
} >>"$out.new"
mv "$out.new" "$out"
stage "bench: the ordinary paths (also in ${out#"$TOP/"})"
sed 's/^/    /' "$out"
