#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The series' uapi headers against programs that compile today: install the
# headers of the patched tree (make headers_install) and, beside them, the
# pristine tree's (the same install with the series' uapi changes taken
# back through scripts/headers_install.sh). Programs: every ordered triple
# of distinct headers from a list of C library headers, kernel IPC headers
# and other users of <linux/libc-compat.h> (which settles at its first
# inclusion how later kernel headers coordinate with the C library), with
# glibc. It fails if
#   1. a program that compiled against the pristine headers does not
#      against the patched ones;
#   2. <linux/ipc_setid.h>, added at any place of a program that compiles
#      against the patched headers, breaks it;
#   3. the harness could not tell: a program known to compile does not, or
#      a pair known to conflict (<sys/ipc.h> and <linux/ipc.h>) compiles.
. "$(dirname "$0")/../scripts/lib.sh"

stage "uapi-headers: programs that compiled before still compile"
[ "$(git -C "$KSRC" rev-parse HEAD)" = "$(git -C "$KSRC" rev-parse chid)" ] &&
	[ -z "$(git -C "$KSRC" status --porcelain --untracked-files=no)" ] ||
	die "$KSRC is not the applied series (run make apply)"
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
	linux/ipc.h linux/shm.h linux/in.h linux/xattr.h)
good="stdio.h linux/shm.h netinet/in.h linux/in.h"
conflict="sys/ipc.h linux/ipc.h"
{
	for a in "${headers[@]}"; do
		for b in "${headers[@]}"; do
			[ "$b" != "$a" ] || continue
			for c in "${headers[@]}"; do
				[ "$c" != "$a" ] && [ "$c" != "$b" ] && echo "$a $b $c"
			done
		done
	done
	# The program review found broken by an earlier version of the series.
	echo "$good"
	echo "$conflict"
} >"$out/programs"

# compile TREE LIST: one line per program of LIST, "ok|PROGRAM" or
# "fail|PROGRAM", into LIST.TREE.
compile() {
	xargs -P "$(nproc)" -I{} sh -c '
		if for h in {}; do echo "#include <$h>"; done |
			gcc -fsyntax-only -I"$0/include" -x c - 2>/dev/null; then
			echo "ok|{}"
		else
			echo "fail|{}"
		fi' "$out/$1" <"$out/$2" | sort -t'|' -k2 >"$out/$2.$1"
}
# result LIST.TREE PROGRAM: ok or fail.
result() {
	awk -F'|' -v p="$2" '$2 == p { print $1 }' "$out/$1"
}
compile before programs
compile after programs
info "$(wc -l <"$out/programs") programs compile: $(grep -c '^ok' "$out/programs.before") before, $(grep -c '^ok' "$out/programs.after") after"

# 3. The harness tells success from failure.
for tree in before after; do
	[ "$(result "programs.$tree" "$good")" = ok ] ||
		die "'$good' does not compile against the $tree headers: the harness is broken"
	[ "$(result "programs.$tree" "$conflict")" = fail ] ||
		die "'$conflict' compiled against the $tree headers: the harness cannot see a failure"
done

bad=0
# 1. What compiled before compiles after.
broken=$(awk -F'|' 'NR == FNR { before[$2] = $1; next }
	before[$2] == "ok" && $1 != "ok" { print $2 }' "$out/programs.before" "$out/programs.after")
if [ -n "$broken" ]; then
	printf 'compiled against the pristine headers, not against the patched ones:\n%s\n' "$broken" >&2
	bad=1
fi

# 2. <linux/ipc_setid.h> at every place of every program that compiles.
sed -n 's/^ok|//p' "$out/programs.after" | awk '{
	for (i = 0; i <= NF; i++) {
		line = ""
		for (j = 1; j <= NF; j++) {
			if (j == i + 1)
				line = line "linux/ipc_setid.h "
			line = line $j " "
		}
		if (i == NF)
			line = line "linux/ipc_setid.h "
		sub(/ $/, "", line)
		print line
	}
}' >"$out/with-setid"
compile after with-setid
info "$(wc -l <"$out/with-setid") programs with <linux/ipc_setid.h> added: $(grep -c '^ok' "$out/with-setid.after") compile"
if grep -q '^fail' "$out/with-setid.after"; then
	printf 'breaks when <linux/ipc_setid.h> is added:\n' >&2
	sed -n 's/^fail|/  /p' "$out/with-setid.after" | head -n 20 >&2
	bad=1
fi
[ $bad -eq 0 ] || die "the series' uapi headers break programs (see above; sources in $out)"
info "none broken; <linux/ipc_setid.h> fits at every place of every program that compiles"
