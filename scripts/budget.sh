#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# budget.sh TOTAL: the per-stage table of this make test (build/stage-times,
# written by the Makefile's "timed"), and its total against the time CI
# gives a run.
. "$(dirname "$0")/lib.sh"

total=$1
# CI runs make test on a fresh clone and stops it at 90 minutes.
CI_LIMIT=5400
f=$SHARED/stage-times
[ -f "$f" ] || die "no stage times in $f"
stage "make test: time per stage (s)"
awk -F'\t' '
	!($2 in seen) { seen[$2] = 1; order[++n] = $2 }
	{ t[$1, $2] += $3; sum[$1] += $3 }
	END {
		printf "    %-32s %7s %7s %7s\n", "stage", "shared", "7.3", "6.12"
		for (i = 1; i <= n; i++) {
			s = order[i]
			printf "    %-32s %7s %7s %7s\n", s, \
				(("shared", s) in t) ? t["shared", s] : "-", \
				(("7.3", s) in t) ? t["7.3", s] : "-", \
				(("6.12", s) in t) ? t["6.12", s] : "-"
		}
		printf "    %-32s %7d %7d %7d\n", "sum", sum["shared"], sum["7.3"], sum["6.12"]
	}' "$f"
info "ccache: $(ccache --print-stats | awk '$1 == "files_in_cache" { f = $2 } $1 == "cache_size_kibibyte" { k = $2 } END { printf "%d files, %.1f GiB", f, k / 1048576 }') in $CCACHE_DIR"
printf '\n==> make test: %d s (%d min %02d s), %d %% of the %d s CI allows a run\n' \
	"$total" $((total / 60)) $((total % 60)) $((total * 100 / CI_LIMIT)) "$CI_LIMIT"
[ "$total" -le "$CI_LIMIT" ] || printf 'warning: over the CI limit by %d s\n' $((total - CI_LIMIT)) >&2
