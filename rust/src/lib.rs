// SPDX-License-Identifier: GPL-2.0

//! Host build of the pure logic of the System V IPC "change ID" series.
//!
//! [`ipc_chid`] is the very file the series adds to the kernel as
//! `rust/kernel/ipc_chid.rs`; it is compiled here unchanged so that its
//! rules are tested with `cargo test`. [`plan`] is the userspace side: it
//! turns the IDs a restore wants into a sequence of `IPC_SETID` calls.

#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;
#[cfg(test)]
extern crate std;

#[path = "../kernel/ipc_chid.rs"]
pub mod ipc_chid;

pub mod plan;
