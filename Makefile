# SPDX-License-Identifier: GPL-2.0
#
# Every workflow step of the SysV IPC "change ID" series.  All generated
# state lives in build/ (ignored).  Each stage is idempotent and incremental.
# A stage works on one kernel, BASE: 7.3 (the default, the base the series
# is posted on) or 6.12 (the LTS backport, generated from the same sources).
#
#   make run     toolchain, tree, series, kernel (LLVM=1), boot, demo
#   make test    host tests, then on each base: patches, kernel, QEMU boots
#                with all tests, series checks (the walk on 7.3); on 7.3
#                also CRIU's zdtm IPC tests (make criu-test, shortened)
#   make check   the quick loop on BASE: host tests, patches/, kernel, boots
#   make patches regenerate patches/7.3 and patches/6.12 from the sources
#   make outgoing  patches/BASE with your git identity, in build/outgoing/BASE,
#                  checked by git send-email --dry-run (6.12: TO=addresses)
#   make man     regenerate the man-pages patch in man/ from its sources
#   make criu    the CRIU patches (criu/) checked, applied and built
#   make criu-test  CRIU's zdtm IPC tests and the joined-namespace restores
#                in QEMU, on the series and on a kernel without it
#   make bench   the cost of putting objects at their IDs, each way, and of
#                the ordinary IPC paths with the option and without, in QEMU
#   make kcsan   the data races a KCSAN kernel reports under the tests
#   make kunit   the KUnit suites through kunit.py and ipc/.kunitconfig
#   make pin BASE=B VERSION=V  move base B to Debian's linux-source V
#   make distclean-cache       clear the cache outside the clone (ccache...)

SHELL := /bin/bash
S := scripts
T := tests
BASE ?= 7.3
export BASE
# The test kernel of each base: the primary base's is the debug kernel
# (KASAN, lockdep) with the security modules, booted the second time under
# Smack; the backport's has lockdep (tests/config/qemu.config) but neither
# KASAN nor the security modules, to keep make test within its time.
KERNEL_CONFIGS_7.3 := chid-y debug lsm
KERNEL_CONFIGS_6.12 := chid-y
EXTEND_CMDLINE_7.3 := ipcmni_extend lsm=smack
EXTEND_CMDLINE_6.12 := ipcmni_extend

.PHONY: all run test test-start pin distclean-cache test-primary test-backport check deps tree apply \
	patches patches-base check-patches kernel \
	series-branch series-import man man-import check-man bench kcsan kunit \
	criu criu-patches criu-import check-criu criu-test \
	initramfs qemu-test check-series host-test runner-test demo clean \
	distclean help outgoing outgoing-test

all: help

help:
	@sed -n 's/^#   //p' Makefile

, := ,
# Prints "[stage] N s" after a stage, and records it in build/stage-times
# for the table make test ends with (scripts/budget.sh).
timed = @start=$$(date +%s); $(1) || exit $$?; t=$$(($$(date +%s) - start)); \
	printf '    [%s] %d s\n' "$(2)$(if $(3),, $(BASE))" $$t; \
	mkdir -p build && printf '%s\t%s\t%d\n' "$(if $(3),shared,$(BASE))" "$(2)" $$t >>build/stage-times

deps:
	$(call timed,$(S)/deps.sh,deps,shared)

tree: deps
	$(call timed,$(S)/tree.sh,tree)

apply: tree
	$(call timed,$(S)/apply.sh,apply)

# Regenerate patches/7.3 and patches/6.12 from rust/, c/, tests/ and Kconfig.
patches: deps
	@$(MAKE) --no-print-directory BASE=7.3 patches-base
	@$(MAKE) --no-print-directory BASE=6.12 patches-base

patches-base: tree
	$(call timed,$(S)/mkpatches.sh,patches)

# The series as it is posted: patches/BASE (whose fixed identity keeps it
# reproducible) with the identity of whoever runs this (git's user.name and
# user.email, or GIT_AUTHOR_NAME and GIT_AUTHOR_EMAIL), in
# build/outgoing/BASE, proven sendable with git send-email --dry-run; it
# prints the command that sends it. The backport names no recipients:
# "make outgoing BASE=6.12 TO='someone@example.org'".
outgoing: deps
	$(call timed,$(S)/outgoing.sh $(BASE),outgoing)

# make outgoing as two example posters and as nobody, in a throw-away
# folder: only the identity changes, and the dry run passes (seconds).
outgoing-test: deps
	$(call timed,$(T)/outgoing-test.sh,outgoing-test)

# Edit the series with git: lay it out as the branch "series" (checked out in
# build/7.3/series); after commits there, write the sources back from it and
# regenerate patches/.
series-branch: tree
	$(call timed,$(S)/mkpatches.sh --branch,series-branch)

series-import: tree
	$(call timed,$(S)/series-import.sh,series-import)

# The man-pages patch (man/): regenerate it; after editing the pages in
# build/man/pages, write man/ipc-setid.diff back; or check that it is what
# its sources give, applies to Debian's pages, lints clean, and render it.
man: deps
	$(call timed,$(S)/mkman.sh,man,shared)

man-import: deps
	$(call timed,$(S)/mkman.sh --import,man-import,shared)

check-man: deps
	$(call timed,$(S)/mkman.sh --check,check-man,shared)

# The CRIU patches (criu/), kept as the man-pages patch is: regenerate them
# from criu/series/; after commits on the pristine CRIU in build/criu/src,
# write criu/series/ back; check that they are what their sources give and
# in CRIU's style; apply them to the pinned CRIU and build it, and the
# pristine CRIU beside it, with CRIU's own make.
criu-patches: deps
	$(call timed,$(S)/criu.sh,criu-patches,shared)

criu-import: deps
	$(call timed,$(S)/criu.sh --import,criu-import,shared)

check-criu: deps
	$(call timed,$(S)/criu.sh --check,check-criu,shared)

criu: check-criu
	$(call timed,$(S)/criu.sh --build,criu,shared)

# CRIU's zdtm IPC tests (ns and uns) and the patch's own (ipc_setid, two
# dumps and restores) in QEMU on the host's root over 9p, with the patched
# CRIU: on the series' kernel with CRIU's options (tests/config/criu.config),
# where restores go through IPC_SETID, and on the same kernel with
# CONFIG_SYSVIPC_CHID=n, where they go through *_next_id; on the first,
# CRIU_JOINNS_ROUNDS (30) restores into a live, joined IPC namespace with
# the stock CRIU and with the patched one. CRIU_FALLBACK=0 leaves out the
# kernel without the series' option and its boot. On the primary base only.
#
# make test runs it too, for CI's time with TEST_CRIU_FALLBACK (0) and
# TEST_CRIU_ROUNDS (10) in their place: "make test TEST_CRIU_FALLBACK=1
# TEST_CRIU_ROUNDS=30" runs it whole.
CRIU_FALLBACK ?= 1
TEST_CRIU_FALLBACK ?= 0
TEST_CRIU_ROUNDS ?= 10
criu-test: criu apply
	$(call timed,$(S)/kernel.sh criu chid-y criu,kernel-criu)
	$(call timed,$(T)/criu/boot.sh criu feature,criu-test: IPC_SETID)
	$(if $(filter-out 0,$(CRIU_FALLBACK)),$(call timed,$(S)/kernel.sh criu-n chid-n criu,kernel-criu-n))
	$(if $(filter-out 0,$(CRIU_FALLBACK)),$(call timed,$(T)/criu/boot.sh criu-n fallback,criu-test: fallback))

# Fail if patches/BASE is not what the sources generate (the backport is
# generated from the primary series, so both trees are needed for it).
check-patches: tree
	$(if $(filter 7.3,$(BASE)),,@$(MAKE) --no-print-directory BASE=7.3 tree)
	$(call timed,$(S)/mkpatches.sh --check,check-patches)

# On the primary base, make rustdoc runs on this build too, for
# check-series; its output is kept with the kernel.
kernel: apply
	$(call timed,KERNEL_RUSTDOC=$(if $(filter 7.3,$(BASE)),1,0) $(S)/kernel.sh chid-y $(KERNEL_CONFIGS_$(BASE)),kernel)

initramfs: kernel
	$(call timed,$(T)/qemu/initramfs.sh chid-y tests,initramfs)

host-test: tree
	$(call timed,$(T)/host-test.sh,host-test,shared)

runner-test: kernel
	$(call timed,$(T)/qemu/runner-test.sh,runner-test)

# Two boots of the test kernel (4 vCPUs, panic_on_warn): the default ID
# layout with the stress for SETID_STRESS_SECONDS (60), and the layout of
# "ipcmni_extend" (under Smack on 7.3) with a shorter one. A boot that
# passed with the same kernel, initramfs and command line is not redone
# (BOOT_AGAIN=1).
# Both run ipcid's tests as a 32-bit program too (IPCID_32=1, which the
# walk's boots leave out), and the first boot of the primary base
# interrupts a restore of 10 000 objects (IPCID_BIG; 1000 elsewhere).
SETID_STRESS_SECONDS ?= 60
IPCID_BIG_7.3 := 10000
IPCID_BIG_6.12 := 1000
qemu-test: kernel initramfs
	$(call timed,$(S)/boot-once.sh chid-y tests chid-y SETID_STRESS_SECONDS=$(SETID_STRESS_SECONDS) IPCID_32=1 IPCID_BIG=$(IPCID_BIG_$(BASE)),qemu-test: default layout)
	$(call timed,$(S)/boot-once.sh chid-y tests chid-y-extend $(EXTEND_CMDLINE_$(BASE)) SETID_STRESS_SECONDS=20 IPCID_32=1,qemu-test: $(EXTEND_CMDLINE_$(BASE)))

# What a maintainer runs before reading the series: checkpatch, kernel-doc,
# rustfmt, rustdoc (clippy runs in every build); git am on a tarball as
# README.md says; then every prefix built and booted, CONFIG_SYSVIPC_CHID=n
# built and booted with its text size compared to the pristine kernel's,
# and W=1 warnings of ipc/ compared to the pristine tree's.
#
# On the backport: checkpatch, kernel-doc, rustfmt and git am only.
#
# git am on a tarball runs beside the other checks (and the walk): it keeps
# about one CPU busy, the checks leave one idle at times.
check-series: check-patches kernel
	@$(S)/background.sh start am-test $(T)/am-test.sh
	$(call timed,$(S)/check-series.sh,check-series)
	$(if $(filter 7.3,$(BASE)),$(call timed,$(S)/walk.sh,walk))
	$(call timed,$(S)/background.sh wait am-test,am-test)

# The backport's tree is unpacked beside the primary base's first stages
# (unpacking uses one CPU); its tree stage waits for it, and unpacks again
# if that failed.
test: test-start deps host-test check-man
	@start=$$(cat build/test-start); \
	BASE=6.12 $(S)/background.sh start tree $(S)/tree.sh; \
	$(MAKE) --no-print-directory BASE=7.3 test-primary && \
	$(MAKE) --no-print-directory BASE=7.3 CRIU_FALLBACK=$(TEST_CRIU_FALLBACK) \
		CRIU_JOINNS_ROUNDS=$(TEST_CRIU_ROUNDS) criu-test && \
	$(MAKE) --no-print-directory BASE=6.12 test-backport && \
	printf '\n==> make test: all stages passed on 7.3 and 6.12 (%d s for both bases)\n' \
		$$(($$(date +%s) - start)) && \
	$(S)/budget.sh $$(($$(date +%s) - start))

# The stage times of this run start here.
test-start:
	@mkdir -p build && rm -f build/stage-times && date +%s >build/test-start

test-primary: check-patches outgoing-test qemu-test check-series runner-test
	@printf '\n==> base 7.3: all stages passed\n'

test-backport: check-patches outgoing-test qemu-test check-series
	@printf '\n==> base 6.12: all stages passed\n'

check: deps host-test check-patches outgoing-test qemu-test
	@echo; echo "==> make check: all stages passed"

# The boot ends with the restore's verdict, printed again as the last line.
demo: kernel
	$(call timed,$(T)/qemu/initramfs.sh chid-y demo,initramfs-demo)
	$(call timed,$(T)/qemu/boot.sh chid-y demo,demo)
	@echo; grep -a '^restored [0-9]* objects, [0-9]* exchanges, [0-9]* lost' \
		build/$(BASE)/logs/chid-y-demo.log | tail -n 1 | tr -d '\r' | grep . || \
		{ echo "error: the demo printed no verdict" >&2; exit 1; }

run: deps tree apply kernel demo

# ipcid-bench on a kernel without lock debugging, in both layouts; then
# the ordinary IPC paths on that kernel and on the same one without the
# option, booted in turn.
bench: deps apply
	$(call timed,$(S)/kernel.sh bench bench,kernel-bench)
	$(call timed,$(T)/qemu/initramfs.sh bench bench,initramfs-bench)
	$(call timed,$(S)/bench.sh,bench)
	$(call timed,$(S)/kernel.sh bench-n bench chid-n,kernel-bench-n)
	$(call timed,$(T)/qemu/initramfs.sh bench paths,initramfs-paths)
	$(call timed,$(S)/bench-paths.sh $(BENCH_ROUNDS),bench-paths)

# The data races that KASAN and lockdep cannot see: a KCSAN kernel booted
# on 4 vCPUs with the tests and the stress; not part of make test.
kcsan: deps apply
	$(call timed,$(S)/kcsan.sh,kcsan)

kunit: deps apply
	$(call timed,$(S)/kunit.sh,kunit)

clean:
	rm -rf build/host build/logs $(foreach b,7.3 6.12,build/$(b)/out \
		build/$(b)/initramfs build/$(b)/stamps build/$(b)/logs \
		build/$(b)/walk-steps build/$(b)/kdoc)

distclean:
	rm -rf build

# Move the pin of BASE's linux-source to VERSION (a version apt can fetch),
# then regenerate both series on it: "make pin BASE=6.12 VERSION=6.12.118-1~deb12u1".
pin:
	$(call timed,$(S)/pin.sh "$(VERSION)",pin)
	@$(MAKE) --no-print-directory patches

# What outlives the clone (scripts/lib.sh: CACHE): the compiler cache, the
# kernels built, the fetched sources, bindgen, the cargo builds.
distclean-cache:
	. $(S)/lib.sh && rm -rf "$$CACHE"
