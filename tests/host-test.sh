#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Host tests of the Rust core: the rules and the planner (cargo test, with
# property tests), formatting and clippy of the host crate.
. "$(dirname "$0")/../scripts/lib.sh"

cd "$TOP/rust"
# The host crate is built by the machine's default cargo toolchain.
export PATH=$HOME/.cargo/bin:$PATH
stage "host-test: cargo fmt --check"
cargo fmt --check
stage "host-test: cargo clippy"
cargo clippy -q --all-targets --target-dir "$BUILD/host" -- -D warnings
stage "host-test: cargo test"
cargo test -q --target-dir "$BUILD/host" 2>&1 | grep -vE '^$|^running 0 tests'
