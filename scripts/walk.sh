#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Walk the series as a bisection would: build every prefix of it, from the
# pristine tree to the whole series, in a worktree of its own (build/BASE/walk)
# into one build directory (build/BASE/out/walk), and boot each with the tests
# that exist at that point.
#   step 0      the pristine tree                  CONFIG_SYSVIPC_CHID=n
#   step 1..N-1 patches 1..k                       CONFIG_SYSVIPC_CHID=y
#   step N      the whole series                   CONFIG_SYSVIPC_CHID=n
# (the whole series with CONFIG_SYSVIPC_CHID=y is "make kernel").
# Then: the text size of step N must equal that of the last step before the
# option exists (the pristine tree, or the preparatory patches), and
# "make W=1 ipc/" of step N-1 must warn no more than step 0's.
# A step whose tree and configuration are unchanged since it passed is not
# redone.
. "$(dirname "$0")/lib.sh"

WALK=$BUILD/walk
ART=$BUILD/walk-steps
OUT=$BUILD/out/walk
mkdir -p "$ART" "$BUILD/logs"

git -C "$TREE" rev-parse -q --verify chid >/dev/null || die "no applied series (run make apply)"
mapfile -t commits < <(echo pristine; git -C "$TREE" rev-list --reverse pristine..chid)
n=$((${#commits[@]} - 1))
[ $n -ge 1 ] || die "the series is empty"
if [ ! -d "$WALK" ]; then
	info "creating worktree $WALK"
	git -C "$TREE" worktree add -q --detach "$WALK" pristine
fi

base_frag=()
[ ! -f "$TOP/tests/config/base-$BASE.config" ] || base_frag=("$TOP/tests/config/base-$BASE.config")

for k in $(seq 0 $n); do
	c=${commits[$k]}
	cfg=chid-y
	[ "$k" -eq 0 ] || [ "$k" -eq "$n" ] && cfg=chid-n
	subject=$(git -C "$TREE" log -1 --format=%s "$c")
	# The programs of this repository that the step's boot runs: those of
	# the uapi (libc, lsm, ipcid) from the prefix that adds it on.
	progs=()
	if git -C "$TREE" cat-file -e "$c:include/uapi/linux/ipc_setid.h" 2>/dev/null; then
		progs=("$TOP"/tests/libc/* "$TOP"/tests/lsm/* "$TOP"/tests/ipcid/*
			"$TOP"/rust/ipcid/Cargo.* "$TOP"/rust/ipcid/src/*.rs
			"$TOP"/rust/ipcid/src/bin/*.rs "$TOP"/rust/src/*.rs)
	fi
	stamp=$( (git -C "$TREE" rev-parse "$c^{tree}"; cat "$TOP/tests/config/qemu.config" \
		"${base_frag[@]}" "$TOP/tests/config/$cfg.config" "$TOP"/tests/qemu/*.sh "$TOP"/tests/nochid/* \
		"${progs[@]}" "$TOP"/scripts/kernel.sh) | sha1sum)
	stage "walk: step $k/$n ($cfg): $subject"
	if [ "$(cat "$ART/$k.stamp" 2>/dev/null)" = "$stamp" ]; then
		info "unchanged since it passed"
		continue
	fi
	rm -f "$ART/$k.stamp"
	git -C "$WALK" checkout -q --detach "$c"
	# The warnings of make W=1 ipc/ of the pristine tree and of the
	# whole series, and every step's vmlinux for the text sizes.
	w1=0
	[ "$k" -ne 0 ] && [ "$k" -ne $((n - 1)) ] || w1=1
	KSRC=$WALK KCONFIG_LENIENT=1 KERNEL_VMLINUX=1 KERNEL_W1=$w1 "$TOP/scripts/kernel.sh" walk "$cfg"
	cp "$OUT/vmlinux" "$ART/$k.vmlinux"
	[ "$w1" = 0 ] || cp "$OUT/w1.txt" "$ART/$k.w1"
	set_name=tests
	[ "$cfg" = chid-n ] && [ "$k" -gt 0 ] && set_name=nochid
	KSRC=$WALK "$TOP/tests/qemu/initramfs.sh" walk "$set_name" "walk-$k" >/dev/null
	KSRC=$WALK "$TOP/tests/qemu/boot.sh" walk "walk-$k" "walk-$k"
	echo "$stamp" >"$ART/$k.stamp"
done

# The option off must add no code beyond the preparatory patches, which
# come before the one that adds the option and change ipc/ for everyone:
# compare with the last prefix without the option.
base=0
for k in $(seq 1 $((n - 1))); do
	git -C "$TREE" grep -q -e '^config SYSVIPC_CHID$' "${commits[$k]}" -- init/Kconfig && break
	base=$k
done
stage "walk: text size of CONFIG_SYSVIPC_CHID=n against step $base (no option yet)"
"$KSRC/scripts/bloat-o-meter" -t "$ART/$base.vmlinux" "$ART/$n.vmlinux" | tee "$BUILD/logs/bloat-n.txt" | tail -n 3
read -r before after < <(sed -n 's/^Total: Before=\([0-9]*\), After=\([0-9]*\).*/\1 \2/p' "$BUILD/logs/bloat-n.txt")
[ -n "$before" ] && [ "$before" = "$after" ] ||
	die "CONFIG_SYSVIPC_CHID=n changes the kernel's text: $before -> $after"
for k in 0 $base $n; do
	size -A "$ART/$k.vmlinux" | awk -v k="$k" '$1 == ".text" { print "    .text of step " k ": " $2 }'
done
if [ "$base" -gt 0 ]; then
	stage "walk: what the preparatory patches change (steps 0 to $base, for the record)"
	"$KSRC/scripts/bloat-o-meter" -t "$ART/0.vmlinux" "$ART/$base.vmlinux" | tail -n +2 | sed -n 1,12p
fi

stage "walk: what CONFIG_SYSVIPC_CHID=y adds (step $base to $((n - 1)), for the record)"
"$KSRC/scripts/bloat-o-meter" -t "$ART/$base.vmlinux" "$ART/$((n - 1)).vmlinux" |
	tee "$BUILD/logs/bloat-y.txt" | grep -E 'chid|setid|Total|add/remove' | sed -n 1,30p

stage "walk: make W=1 ipc/, new warnings against the pristine tree"
new=$(comm -13 "$ART/0.w1" "$ART/$((n - 1)).w1")
if [ -n "$new" ]; then
	printf '%s\n' "$new" >&2
	die "the series adds W=1 warnings in ipc/"
fi
info "none ($(wc -l <"$ART/0.w1") before, $(wc -l <"$ART/$((n - 1)).w1") after)"
