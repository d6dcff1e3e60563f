#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The series' uapi headers against programs that compile today: install the
# headers of the patched tree (make headers_install) and, beside them, the
# pristine tree's (the same install with the series' uapi changes taken
# back through scripts/headers_install.sh), then compile with glibc's
# headers every ordered triple of distinct headers from a list of C library
# headers, kernel IPC headers and other users of <linux/libc-compat.h>,
# which decides at its first inclusion how later kernel headers coordinate
# with the C library. It fails if
#   - a program that compiled against the pristine headers does not against
#     the patched ones;
#   - adding <linux/ipc_setid.h> to a program that compiles, at any place,
#     breaks it;
#   - a pair known to conflict (<sys/ipc.h> and <linux/ipc.h>) compiles:
#     the harness would see no failure.
. "$(dirname "$0")/../scripts/lib.sh"

stage "uapi-headers: programs that compiled before still compile"
out=$BUILD/uapi-headers
rm -rf "$out"
mkdir -p "$out/obj" "$out/src"
kmake "$out/obj" -s headers_install INSTALL_HDR_PATH="$out/after" >/dev/null ||
	die "make headers_install failed"
cp -a "$out/after" "$out/before"
# What the series changes under uapi/, taken back.
n=0
while IFS=$'\t' read -r status path; do
	case "$path" in
	include/uapi/*) dest=$out/before/include/${path#include/uapi/} ;;
	arch/x86/include/uapi/*) dest=$out/before/include/${path#arch/x86/include/uapi/} ;;
	*) continue ;;
	esac
	n=$((n + 1))
	case "$status" in
	A) rm -f "$dest" ;;
	M | D)
		git -C "$KSRC" show "pristine:$path" >"$out/src/pristine.h"
		(cd "$out/obj" && "$KSRC/scripts/headers_install.sh" "$out/src/pristine.h" "$dest") ||
			die "headers_install.sh failed on the pristine $path"
		;;
	*) die "cannot take back $status $path" ;;
	esac
	info "$status $path"
done < <(git -C "$KSRC" diff --no-renames --name-status pristine HEAD)
[ "$n" -gt 0 ] || die "the series changes no uapi header: nothing to compare"

headers=(stdio.h sys/ipc.h sys/shm.h netinet/in.h sys/xattr.h
	linux/ipc.h linux/shm.h linux/in.h linux/xattr.h linux/ipc_setid.h)
# Every ordered triple, and the program that review found broken.
{
	for a in "${headers[@]}"; do
		for b in "${headers[@]}"; do
			[ "$b" != "$a" ] || continue
			for c in "${headers[@]}"; do
				[ "$c" != "$a" ] && [ "$c" != "$b" ] && echo "$a $b $c"
			done
		done
	done
	echo "stdio.h linux/shm.h netinet/in.h linux/in.h"
	echo "stdio.h linux/shm.h netinet/in.h linux/in.h linux/ipc_setid.h"
} >"$out/programs"

# compile TREE: one line per program, "ok|PROGRAM" or "fail|PROGRAM".
compile() {
	xargs -P "$(nproc)" -I{} sh -c '
		if for h in {}; do echo "#include <$h>"; done |
			gcc -fsyntax-only -I"$0/include" -x c - 2>/dev/null; then
			echo "ok|{}"
		else
			echo "fail|{}"
		fi' "$out/$1" <"$out/programs" | sort -t'|' -k2 >"$out/$1.results"
}
compile before
compile after
info "$(wc -l <"$out/programs") programs; compile before: $(grep -c '^ok' "$out/before.results"), after: $(grep -c '^ok' "$out/after.results")"

bad=0
# 1. What compiled before compiles after.
broken=$(awk -F'|' 'NR == FNR { before[$2] = $1; next }
	before[$2] == "ok" && $1 != "ok" { print $2 }' "$out/before.results" "$out/after.results")
if [ -n "$broken" ]; then
	printf 'compiled against the pristine headers, not against the patched ones:\n%s\n' "$broken" >&2
	bad=1
fi
# 2. <linux/ipc_setid.h> anywhere in a program that compiles without it.
declare -A after=()
while IFS='|' read -r res prog; do
	after[$prog]=$res
done <"$out/after.results"
for prog in "${!after[@]}"; do
	[[ " $prog " == *" linux/ipc_setid.h "* ]] || continue
	without=$(echo " $prog " | sed 's| linux/ipc_setid.h | |; s/^ //; s/ $//')
	if [ "${after[$without]:-}" = ok ] && [ "${after[$prog]}" != ok ]; then
		echo "compiles as '$without', not as '$prog'" >&2
		bad=1
	fi
done
# 3. The harness sees a conflict where there is one.
for prog in "sys/ipc.h linux/ipc.h stdio.h" "linux/ipc.h sys/ipc.h stdio.h"; do
	[ "${after[$prog]:-}" = fail ] ||
		die "'$prog' compiled: the harness cannot see a failure"
done
[ $bad -eq 0 ] || die "the series' uapi headers break programs (see above; sources in $out)"
info "none broken; <linux/ipc_setid.h> fits anywhere in every program that compiles"
