#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Host tests of the Rust core: the rules and the restore planner, and the
# kernel side (ipc/chid.rs) against the kernel's own IDR built from the
# tree (cargo test, with property tests); formatting, clippy and rustdoc.
. "$(dirname "$0")/../scripts/lib.sh"

cd "$TOP/rust"
# The host crate is built by the machine's default cargo toolchain.
export PATH=$HOME/.cargo/bin:$PATH
export KERNEL_TREE=$TREE LIBCLANG_PATH=/usr/lib/llvm-19/lib
args=(--features kernel-idr --target-dir "$CARGO_TARGETS/host")
stage "host-test: cargo fmt --check"
cargo fmt --check
stage "host-test: cargo clippy"
cargo clippy -q --all-targets "${args[@]}" -- -D warnings
stage "host-test: cargo test (rules, planner, ipc/chid.rs on the kernel's IDR)"
cargo test -q "${args[@]}" 2>&1 | grep -vE '^$|^running 0 tests'
# ipc/chid.rs and its rules are not in the kernel crate, so the kernel's
# "make rustdoc" does not render them: their documentation is checked here,
# private items and intra-doc links included.
stage "host-test: cargo doc (ipc/chid.rs and its rules, warnings are errors)"
RUSTDOCFLAGS="-D warnings" cargo doc -q --no-deps --document-private-items "${args[@]}"

# ipcid, the restore tool: its format and its use of the planner.
cd "$TOP/rust/ipcid"
stage "host-test: ipcid: cargo fmt --check, clippy, test"
cargo fmt --check
cargo clippy -q --all-targets --target-dir "$IPCID_TARGETS" -- -D warnings
cargo test -q --target-dir "$IPCID_TARGETS" 2>&1 | grep -vE '^$|^running 0 tests'
