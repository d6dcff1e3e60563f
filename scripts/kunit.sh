#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kunit.sh: run the series' KUnit suites the way kernel developers do,
#   tools/testing/kunit/kunit.py run --kunitconfig=ipc --arch=x86_64
# on the applied tree, with this project's toolchain (KMAKE_VARS, LLVM=1)
# and build directory build/BASE/out/kunit. kunit.py builds the kernel that
# ipc/.kunitconfig describes, boots it in QEMU and parses the results.
#
# kunit.py asks QEMU for KVM before TCG. /dev/kvm exists on this machine but
# a guest hangs under it, so the run happens in a mount namespace where
# /dev/kvm is /dev/null: QEMU's KVM fails to start and it falls back to TCG.
. "$(dirname "$0")/lib.sh"

[ -f "$KSRC/ipc/.kunitconfig" ] || die "$KSRC/ipc/.kunitconfig: no applied series (run make apply)"
out=$BUILD/out/kunit
mkdir -p "$out" "$BUILD/logs"
make_opts=()
for v in "${KMAKE_VARS[@]}"; do
	make_opts+=(--make_options "$v")
done
stage "kunit: kunit.py run --kunitconfig=ipc --arch=x86_64 (TCG)"
cmd=(python3 tools/testing/kunit/kunit.py run --kunitconfig=ipc --arch=x86_64
	--build_dir="$out" --jobs="$(nproc)" --timeout=900 "${make_opts[@]}")
info "$(printf '%q ' "${cmd[@]}")"
# shellcheck disable=SC2016 # expanded by the inner shell
unshare --mount --propagation private sh -c 'mount --bind /dev/null /dev/kvm && cd "$0" && exec "$@"' \
	"$KSRC" "${cmd[@]}" 2>&1 | tee "$BUILD/logs/kunit.log" | grep -E '^\[[0-9:]+\] ' | grep -vE 'Building|Configuring|Populating' || true
grep -qE 'Testing complete\. Ran [0-9]+ tests: passed: [0-9]+$' "$BUILD/logs/kunit.log" ||
	die "kunit.py did not pass: see $BUILD/logs/kunit.log"
info "$(grep -E 'Testing complete' "$BUILD/logs/kunit.log")"
