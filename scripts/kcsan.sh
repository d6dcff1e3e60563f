#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kcsan.sh: build the series into a KCSAN kernel (build/BASE/out/kcsan:
# tests/config/kcsan.config), boot it on 4 vCPUs with the test programs and
# the stress (SETID_STRESS_SECONDS, default 60), and sort the data races it
# reports: all of them, and those with a function of ipc/ or of the audit
# code in either stack, which the series must have fixed or annotated.
# The reports are in build/BASE/logs/kcsan-races.txt. Exits 1 if any
# report involves ipc/ or audit.
. "$(dirname "$0")/lib.sh"

# Built here, not taken from the cache of built kernels: the functions of
# ipc/ and audit are read from its objects below.
KERNEL_CACHE=0 "$TOP/scripts/kernel.sh" kcsan chid-y lsm kcsan
# The test programs; built against the test kernel's headers by make test,
# which are the same uapi.
[ -f "$BUILD/initramfs/tests/initramfs.cpio.gz" ] ||
	"$TOP/tests/qemu/initramfs.sh" kcsan tests >/dev/null
# boot.sh fails on any report; the reports are what is wanted here.
QEMU_TIMEOUT=${QEMU_TIMEOUT:-1800} "$TOP/tests/qemu/boot.sh" kcsan tests kcsan \
	"SETID_STRESS_SECONDS=${SETID_STRESS_SECONDS:-60}" >/dev/null || true
log=$BUILD/logs/kcsan.log
grep -q '^chid-init: done' <(tr -d '\r' <"$log") ||
	{ tail -n 40 "$log" >&2; die "the KCSAN boot did not finish"; }
stage "kcsan: data races reported"
# The functions of ipc/ and of audit, static ones included.
nm --defined-only "$BUILD/out/kcsan/ipc/"*.o "$BUILD/out/kcsan/kernel/audit"*.o 2>/dev/null |
	awk '$2 ~ /^[tT]$/ { print $3 }' | sort -u >"$BUILD/logs/kcsan-ours.txt"
python3 - "$log" "$BUILD/logs/kcsan-ours.txt" "$BUILD/logs/kcsan-races.txt" <<'PY'
import re, sys
log = [re.sub(r"^\[ *\d+\.\d+\] ", "", l.rstrip("\r\n")) for l in open(sys.argv[1], errors="replace")]
ours = set(l.strip() for l in open(sys.argv[2]))
reports, cur = [], None
for line in log:
    if line.startswith("BUG: KCSAN: "):
        cur = [line]
        reports.append(cur)
    elif cur is not None:
        cur.append(line)
        if line.startswith("=================="):
            cur = None
def funcs(rep):
    return {m.group(1) for l in rep for m in [re.match(r"^ ?([A-Za-z_][\w.]*)\+0x", l.strip())] if m}
titles = {}
mine = []
for rep in reports:
    titles[rep[0]] = titles.get(rep[0], 0) + 1
    hit = sorted(f.split(".")[0] for f in funcs(rep) if f.split(".")[0] in ours)
    if hit:
        mine.append((rep, hit))
with open(sys.argv[3], "w") as f:
    for rep in reports:
        f.write("\n".join(rep) + "\n\n")
print("%d reports, %d distinct (by title); %d with a function of ipc/ or audit"
      % (len(reports), len(titles), len(mine)))
for t, n in sorted(titles.items(), key=lambda x: -x[1]):
    print("  %3d  %s" % (n, t))
for rep, hit in mine:
    print("ipc/audit: %s (%s)" % (rep[0], ", ".join(hit)))
sys.exit(1 if mine else 0)
PY
