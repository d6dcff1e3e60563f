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

/// Writes a line to standard error. A write that fails (a closed pipe, a
/// terminal gone) is ignored: it must not stop a restore half done, nor
/// its cleanup.
#[macro_export]
macro_rules! note {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}
