// SPDX-License-Identifier: GPL-2.0

//! The parts of `ipcid`: the system calls, the dump format, reading the
//! objects of a namespace, and the restore. The `ipcid` and `ipcid-bench`
//! programs are built on them.

pub mod format;
pub mod objects;
pub mod restore;
pub mod sys;
