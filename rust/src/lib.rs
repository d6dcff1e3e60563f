// SPDX-License-Identifier: GPL-2.0

//! Host build of the Rust core of the System V IPC "change ID" series.
//!
//! [`ipc_chid`] is the very file the series adds to the kernel as
//! `rust/kernel/ipc_chid.rs`; it is compiled here unchanged so that its
//! rules are tested with `cargo test`. [`plan`] is the userspace side: it
//! turns the IDs a restore wants into a sequence of `IPC_SETID` calls.
//!
//! With the `kernel-idr` feature, `chid` is `ipc/chid.rs` of the series,
//! also unchanged, built against the kernel's own IDR (see `build.rs`), with
//! [`ffi`], [`error`] and `bindings` standing in for the kernel crate's.

#![no_std]
#![deny(unsafe_code)]

extern crate alloc;
#[cfg(test)]
extern crate std;

// `ipc/chid.rs` names this crate `kernel`, as in the kernel.
extern crate self as kernel;

#[path = "../kernel/ipc_chid.rs"]
pub mod ipc_chid;

pub mod plan;

/// The kernel crate's `static_assert!` (`rust/kernel/static_assert.rs`).
#[macro_export]
macro_rules! static_assert {
    ($condition:expr) => {
        const _: () = core::assert!($condition);
    };
}

/// The kernel's C types (`rust/ffi.rs`): `unsigned long` is `usize`.
#[allow(non_camel_case_types)]
pub mod ffi {
    pub type c_int = i32;
    pub type c_uint = u32;
    pub type c_long = isize;
    pub type c_ulong = usize;
    pub type c_char = i8;
    pub type c_schar = i8;
    pub type c_uchar = u8;
    pub type c_short = i16;
    pub type c_ushort = u16;
    pub type c_longlong = i64;
    pub type c_ulonglong = u64;
    pub use core::ffi::c_void;
}

/// The part of the kernel's prelude that `ipc/chid.rs` uses.
pub mod prelude {
    pub use crate::error::{code::*, Error, Result};
    pub use macros::export;
}

/// The part of the kernel's `error` module that `ipc/chid.rs` uses.
pub mod error {
    /// A negative errno.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct Error(crate::ffi::c_int);

    impl Error {
        /// The errno as a negative number, as the kernel returns it.
        pub fn to_errno(self) -> crate::ffi::c_int {
            self.0
        }
    }

    /// The kernel's `Result`: an [`Error`] by default.
    pub type Result<T = (), E = Error> = core::result::Result<T, E>;

    /// A C return value as a [`Result`]: negative is an error.
    pub fn to_result(err: crate::ffi::c_int) -> Result {
        if err < 0 {
            Err(Error(err))
        } else {
            Ok(())
        }
    }

    /// The value of `f`, or its error as a negative errno, for C callers.
    pub fn from_result<T, F>(f: F) -> T
    where
        T: From<i16>,
        F: FnOnce() -> Result<T>,
    {
        match f() {
            Ok(v) => v,
            // Errnos fit in an `i16` (the kernel's `from_result` assumes
            // the same).
            Err(e) => T::from(i16::try_from(e.0).unwrap_or(i16::MIN)),
        }
    }

    /// The errno values of `include/uapi/asm-generic/errno-base.h`.
    pub mod code {
        use super::Error;
        pub const ENOMEM: Error = Error(-12);
        pub const EBUSY: Error = Error(-16);
        pub const EEXIST: Error = Error(-17);
        pub const EINVAL: Error = Error(-22);
        pub const ENOSPC: Error = Error(-28);
        pub const ERANGE: Error = Error(-34);
    }
}

/// Bindings to the kernel's IDR and the IPC structures, from `host/ipc.h`.
#[cfg(feature = "kernel-idr")]
#[allow(
    unsafe_code,
    non_camel_case_types,
    non_snake_case,
    non_upper_case_globals,
    dead_code
)]
#[allow(clippy::all)]
pub mod bindings {
    include!(concat!(env!("OUT_DIR"), "/bindings.rs"));
}

/// `ipc/chid.rs` of the series.
#[cfg(feature = "kernel-idr")]
#[allow(unsafe_code)]
#[path = "../ipc/chid.rs"]
pub mod chid;
