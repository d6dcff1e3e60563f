#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kernel.sh NAME [CONFIG...]: configure (tinyconfig + tests/config/qemu.config +
# tests/config/base-BASE.config if the base has one + tests/config/CONFIG.config
# for each CONFIG, defaulting to NAME) and build bzImage
# with LLVM=1 into build/BASE/out/NAME.  Options the fragments ask for must
# survive; with KCONFIG_LENIENT=1, options the tree does not define yet (an
# early prefix of the series) are let go.
#
# A kernel that was built before from the same inputs, in a tree without
# local changes, comes from the cache of built kernels, CACHE/kernels/KEY
# (KERNEL_CACHE=0 builds it all the same): bzImage, .config and, with
# KERNEL_VMLINUX=1, vmlinux. What was checked on that build is kept beside
# them: with KERNEL_W1=1, the warnings of "make W=1 ipc/" (OUT/w1.txt);
# with KERNEL_RUSTDOC=1, the output of "make rustdoc" (OUT/rustdoc.log).
# The objects in OUT are then still those of the build before, if any:
# the next build there configures again and relinks.
. "$(dirname "$0")/lib.sh"

# One kernel build at a time on this machine: a build started by another
# run waits here for the one in progress.
exec 9>"$CACHE/kernel-build.lock"
flock -n 9 || { info "waiting for another kernel build to finish"; flock 9; }

name=$1
shift
[ $# -gt 0 ] || set -- "$name"
out=$BUILD/out/$name
frags=("$TOP/tests/config/qemu.config")
# What the base needs beyond qemu.config (tests/config/base-BASE.config).
[ ! -f "$TOP/tests/config/base-$BASE.config" ] ||
	frags+=("$TOP/tests/config/base-$BASE.config")
for cfgname in "$@"; do
	frags+=("$TOP/tests/config/$cfgname.config")
done
mkdir -p "$out"

# A build of this source tree (its commit, and no local change), with these
# fragments, toolchain and this script, that succeeded is not redone: make
# itself takes 15 s or more to find nothing to do.
# The toolchain: its versions, and the Debian packages that ship it (a
# package rebuilt from the same upstream version has another revision).
tools=$(clang --version | sed -n 1p; /usr/bin/rustc --version; "$BINDGEN" --version
	dpkg -S /usr/bin/rustc /usr/bin/clippy-driver /usr/bin/rustfmt /usr/lib/rustlib/src \
		"$(command -v clang)" "$(command -v ld.lld)" "$(command -v llvm-objcopy)" 2>/dev/null |
		cut -d: -f1 | tr -s ', ' '\n' | sort -u | xargs -r dpkg-query -W)
# What make reads from the environment, lib.sh's settings included.
kenv=$(env | grep -E '^(KCFLAGS|KCPPFLAGS|KAFLAGS|KRUSTFLAGS|KBUILD_[A-Z_]*|KCONFIG_[A-Z_]*|LLVM[A-Z_]*|ARCH|SUBARCH|CROSS_COMPILE|LOCALVERSION)=' |
	LC_ALL=C sort)
# Local changes: their names, and the content of those git tracks.
dirty=$(git -C "$KSRC" status --porcelain)
# The same key names the kernel in the cache of built kernels: it holds
# every input of the build.
key=$( (cat "${frags[@]}" "$0"; printf '%s\n' "${KMAKE_VARS[@]}" "$tools" "$kenv" "$dirty"
	declare -f kmake
	git -C "$KSRC" rev-parse 'HEAD^{tree}'
	[ -z "$dirty" ] || git -C "$KSRC" diff HEAD --binary) | sha1sum | cut -c1-40)
use_cache=${KERNEL_CACHE:-1}
if [ -n "$dirty" ]; then
	use_cache=0
	info "kernel[$name]: the tree has local changes: not taken from nor kept in the cache of built kernels"
fi
want_vmlinux=${KERNEL_VMLINUX:-0}
want_w1=${KERNEL_W1:-0}
want_rustdoc=${KERNEL_RUSTDOC:-0}
# What this run needs of a build: its image and configuration, and what
# the caller asked for.
complete() {
	local dir=$1 image=$2
	[ -f "$dir/$image" ] && [ -f "$dir/.config" ] &&
		{ [ "$want_vmlinux" != 1 ] || [ -f "$dir/vmlinux" ]; } &&
		{ [ "$want_w1" != 1 ] || [ -f "$dir/w1.txt" ]; } &&
		{ [ "$want_rustdoc" != 1 ] || [ -f "$dir/rustdoc.log" ]; }
}
if complete "$out" arch/x86/boot/bzImage && [ "$(cat "$out/.build.key" 2>/dev/null)" = "$key" ] &&
	{ [ "$use_cache" != 0 ] || [ ! -f "$out/.from-cache" ]; }; then
	stage "kernel[$name]: unchanged since it was built"
	info "bzImage: $(stat -c %s "$out/arch/x86/boot/bzImage") bytes"
	exit 0
fi
rm -f "$out/.build.key"

KCACHE=$CACHE/kernels
entry=$KCACHE/$key
if [ "$use_cache" != 0 ] && complete "$entry" bzImage; then
	stage "kernel[$name]: built before from the same inputs, from $entry"
	# The objects in OUT, if any, are of another build: forget its
	# configuration stamp, so that the next build there configures again,
	# and mark what comes from the cache before it comes.
	rm -f "$out/.config.frag" "$out/vmlinux" "$out/w1.txt" "$out/rustdoc.log"
	mkdir -p "$out/arch/x86/boot"
	touch "$out/.from-cache"
	cp "$entry/bzImage" "$out/arch/x86/boot/bzImage"
	cp "$entry/.config" "$out/.config"
	[ "$want_vmlinux" != 1 ] || cp "$entry/vmlinux" "$out/vmlinux"
	[ "$want_w1" != 1 ] || cp "$entry/w1.txt" "$out/w1.txt"
	[ "$want_rustdoc" != 1 ] || cp "$entry/rustdoc.log" "$out/rustdoc.log"
	touch "$entry"
	info "bzImage: $(stat -c %s "$out/arch/x86/boot/bzImage") bytes, built $(date -u -r "$entry/bzImage" '+%F %H:%M UTC')"
	echo "$key" >"$out/.build.key"
	exit 0
fi

stage "kernel[$name]: configure"
# Configure again when what the configuration is made from changed: the
# fragments, the Kconfig files and what they read (a new option gets the
# fragment's value only through a merge), the toolchain. Not for a change
# elsewhere in the tree: make takes 15 s to configure, at every step of
# the walk.
sum=$( (cat "${frags[@]}"; echo "$tools"
	cd "$KSRC" && git ls-files -z -- '*Kconfig*' scripts/kconfig kernel/configs \
		arch/x86/configs | xargs -0 cat) | sha1sum | cut -c1-40)
if [ ! -f "$out/.config" ] || [ "$(cat "$out/.config.frag" 2>/dev/null)" != "$sum" ]; then
	info "tinyconfig + ${frags[*]#"$TOP/"}"
	kmake "$out" -s tinyconfig >/dev/null
	cat "${frags[@]}" >"$out/frag.config"
	(cd "$out" && "$KSRC/scripts/kconfig/merge_config.sh" -m -O "$out" \
		"$out/.config" "$out/frag.config" >/dev/null)
	kmake "$out" -s olddefconfig >/dev/null
	echo "$sum" >"$out/.config.frag"
else
	info "configuration unchanged"
fi

# Every option the fragments ask for must survive olddefconfig.
# A later fragment overrides an earlier one, as merge_config.sh does.
declare -A want=()
order=()
while IFS= read -r line; do
	case "$line" in
	CONFIG_*=*) opt=${line%%=*} ;;
	"# CONFIG_"*" is not set") opt=${line#\# } && opt=${opt%% *} ;;
	*) continue ;;
	esac
	[ -n "${want[$opt]+x}" ] || order+=("$opt")
	want[$opt]=$line
done < <(cat "${frags[@]}")
bad=0
for opt in "${order[@]}"; do
	line=${want[$opt]}
	case "$line" in
	CONFIG_*=*) grep -qxF "$line" "$out/.config" && continue ;;
	*) grep -q "^$opt=" "$out/.config" || continue ;;
	esac
	got=$(grep -E "^(# )?$opt[= ]" "$out/.config" || echo "$opt undefined")
	if [ "${KCONFIG_LENIENT:-0}" = 1 ] && [ "$got" = "$opt undefined" ]; then
		info "not in this tree: $opt"
		continue
	fi
	printf 'error: %s: wanted "%s", got "%s"\n' "$name" "$line" "$got" >&2
	bad=1
done
if [ $bad -ne 0 ]; then
	grep -q '^CONFIG_RUST=y' "$out/.config" ||
		kmake "$out" rustavailable >&2 || true
	die "kernel configuration for $name lost options (see above)"
fi
info "config ok: $(grep -c '=y' "$out/.config") options =y, CONFIG_RUST=y"

# ccache's counters, summed: hits (direct or preprocessed) and misses.
cstats() {
	ccache --print-stats | awk '$1 ~ /^(direct|preprocessed)_cache_hit$/ { h += $2 }
		$1 == "cache_miss" { m += $2 } END { print h + 0, m + 0 }'
}

stage "kernel[$name]: make LLVM=1 bzImage"
# The image and vmlinux that came from the cache are not of these objects:
# make must link them again.
if [ -f "$out/.from-cache" ]; then
	rm -f "$out/vmlinux" "$out/arch/x86/boot/bzImage" "$out/.from-cache"
fi
rm -f "$out/w1.txt" "$out/rustdoc.log"
start=$(date +%s)
read -r hits0 miss0 < <(cstats)
kmake "$out" bzImage >"$out/build.log" 2>&1 &
pid=$!
next=$((start + 30))
while kill -0 $pid 2>/dev/null; do
	sleep 1
	if [ "$(date +%s)" -ge $next ]; then
		next=$((next + 30))
		info "... $(($(date +%s) - start)) s, $(grep -cE '^ *(CC|RUSTC|LD|AR|AS) ' "$out/build.log") objects"
	fi
done
rc=0
wait $pid || rc=$?
if [ "$rc" -ne 0 ]; then
	grep -E -B2 -A8 'error|Error' "$out/build.log" | head -n 60 >&2
	die "kernel build $name failed (log: $out/build.log)"
fi
info "bzImage: $(stat -c %s "$out/arch/x86/boot/bzImage") bytes in $(($(date +%s) - start)) s"
read -r hits miss < <(cstats)
hits=$((hits - hits0)) miss=$((miss - miss0))
info "ccache: $hits hits, $miss misses ($((hits * 100 / (hits + miss > 0 ? hits + miss : 1))) %);" \
	"Rust, not cached: $(grep -cE '^ *(RUSTC|CLIPPY)' "$out/build.log") crates and objects compiled"

# make W=1 ipc/ compiles ipc/ again, and with it all that the flags of W=1
# reach: the Rust crates, the offsets files. Put back what it rewrote, so
# that the next build here does not compile all of that a second time.
w1() {
	local snap=$out.w1 mark=$out.w1-mark f
	rm -rf "$snap"
	mkdir -p "$snap"
	tar -C "$out" -cf - --exclude=./vmlinux --exclude='./vmlinux.*' \
		--exclude='./.tmp_vmlinux*' --exclude=./arch/x86/boot . | tar -C "$snap" -xf -
	touch "$mark"
	# None at all is fine (grep finds nothing).
	kmake "$out" W=1 ipc/ 2>&1 | { grep -E 'warning:' || true; } |
		sed 's/:[0-9]*:[0-9]*: / /' | sort -u
	(cd "$out" && find . -newer "$mark" ! -type d -print0) |
		while IFS= read -r -d '' f; do
			if [ -e "$snap/$f" ] || [ -L "$snap/$f" ]; then
				cp -a "$snap/$f" "$out/$f"
			else
				rm -f "$out/$f"
			fi
		done
	rm -rf "$snap" "$mark"
}
if [ "$want_w1" = 1 ]; then
	info "make W=1 ipc/"
	w1 >"$out/w1.txt.tmp"
	mv "$out/w1.txt.tmp" "$out/w1.txt"
fi
# The documentation of the kernel crate, rendered from this build (its
# warnings are judged by scripts/check-series.sh).
if [ "$want_rustdoc" = 1 ]; then
	info "make rustdoc"
	kmake "$out" -s rustdoc >"$out/rustdoc.log.tmp" 2>&1 ||
		{ tail -n 30 "$out/rustdoc.log.tmp" >&2; die "make rustdoc failed"; }
	mv "$out/rustdoc.log.tmp" "$out/rustdoc.log"
fi

# Into the cache of built kernels, whole or not at all; then the oldest
# used go until it holds KERNEL_CACHE_MB (3000) at most.
if [ "$use_cache" != 0 ]; then
	# Left by a run that was stopped (this one holds the build lock).
	rm -rf "$KCACHE"/.tmp.*
	tmp=$KCACHE/.tmp.$$
	mkdir -p "$tmp"
	cp "$out/arch/x86/boot/bzImage" "$out/.config" "$tmp/"
	[ "$want_vmlinux" != 1 ] || cp "$out/vmlinux" "$tmp/"
	[ "$want_w1" != 1 ] || cp "$out/w1.txt" "$tmp/"
	[ "$want_rustdoc" != 1 ] || cp "$out/rustdoc.log" "$tmp/"
	# What an entry of the same inputs had beyond that stays.
	[ ! -d "$entry" ] || cp -n "$entry"/* "$tmp/" 2>/dev/null || true
	rm -rf "$entry"
	mv "$tmp" "$entry"
	max=$((${KERNEL_CACHE_MB:-3000} * 1024))
	ls -1dt "$KCACHE"/*/ | while read -r d; do
		used=$(du -sk "$d" | cut -f1)
		total=$((${total:-0} + used))
		[ "$total" -le "$max" ] || rm -rf "$d"
	done
fi
echo "$key" >"$out/.build.key"
