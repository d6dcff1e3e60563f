// SPDX-License-Identifier: GPL-2.0

//! The parts of `ipcid`: the system calls, the dump format, reading the
//! objects of a namespace, the restore, its progress and the signals that
//! interrupt it. The `ipcid` and `ipcid-bench` programs are built on them.

pub mod format;
pub mod objects;
pub mod progress;
pub mod restore;
pub mod signals;
pub mod sys;
