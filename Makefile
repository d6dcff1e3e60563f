# SPDX-License-Identifier: GPL-2.0
#
# Every workflow step of the SysV IPC "change ID" series.  All generated
# state lives in build/ (ignored).  Each stage is idempotent and incremental.
#
#   make run    toolchain, tree, series, kernel (LLVM=1), boot, demo
#   make test   host tests, series checks, kernel, QEMU boots with all tests

SHELL := /bin/bash
S := scripts
T := tests

.PHONY: all run test deps tree apply patches check-patches kernel initramfs \
	qemu-test qemu-test-n kernel-n host-test runner-test demo clean \
	distclean help

all: help

help:
	@sed -n 's/^#   //p' Makefile

# Prints "[stage] N s" after a stage, for the per-stage times.
timed = @start=$$(date +%s); $(1) || exit $$?; \
	printf '    [%s] %d s\n' "$(2)" $$(($$(date +%s) - start))

deps:
	$(call timed,$(S)/deps.sh,deps)

tree: deps
	$(call timed,$(S)/tree.sh,tree)

apply: tree
	$(call timed,$(S)/apply.sh,apply)

# Regenerate patches/ from rust/, c/, tests/ and Kconfig.
patches: tree
	$(call timed,$(S)/mkpatches.sh,patches)

# Fail if patches/ is not what the sources generate.
check-patches: tree
	$(call timed,$(S)/mkpatches.sh --check,check-patches)

kernel: apply
	$(call timed,$(S)/kernel.sh chid-y,kernel)

# The same series with CONFIG_SYSVIPC_CHID=n.
kernel-n: apply
	$(call timed,$(S)/kernel.sh chid-n,kernel-n)

initramfs: kernel
	$(call timed,$(T)/qemu/initramfs.sh chid-y tests,initramfs)

host-test: tree
	$(call timed,$(T)/host-test.sh,host-test)

runner-test: kernel
	$(call timed,$(T)/qemu/runner-test.sh,runner-test)

# Two boots: the default ID layout, and the one of "ipcmni_extend".
qemu-test: kernel initramfs
	$(call timed,$(T)/qemu/boot.sh chid-y tests chid-y,qemu-test)
	$(call timed,$(T)/qemu/boot.sh chid-y tests chid-y-extend ipcmni_extend,qemu-test-extend)

qemu-test-n: kernel-n
	$(call timed,$(T)/qemu/initramfs.sh chid-n nochid,initramfs-n)
	$(call timed,$(T)/qemu/boot.sh chid-n nochid chid-n,qemu-test-n)

test: deps host-test check-patches qemu-test qemu-test-n runner-test
	@echo; echo "==> make test: all stages passed"

demo: kernel
	$(call timed,$(T)/qemu/initramfs.sh chid-y demo,initramfs-demo)
	$(call timed,$(T)/qemu/boot.sh chid-y demo,demo)

run: deps tree apply kernel demo

clean:
	rm -rf build/out build/initramfs build/stamps build/host build/logs

distclean:
	rm -rf build
