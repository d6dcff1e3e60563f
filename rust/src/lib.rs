// SPDX-License-Identifier: GPL-2.0

//! Host build of the Rust core of the System V IPC "change ID" series.
//!
//! [`chid_rules`] is the very file the series adds to the kernel as
//! `ipc/chid_rules.rs`, the rules module of `ipc/chid.rs`; it is compiled
//! here unchanged so that its rules, and its KUnit suite as plain tests, are
//! tested with `cargo test`. [`plan`] is the userspace side: it turns the
//! IDs a restore wants into a sequence of `IPC_SETID` calls.
//!
//! With the `kernel-idr` feature, `chid` is `ipc/chid.rs` of the series,
//! also unchanged, built against the kernel's own IDR (see `build.rs`), with
//! [`ffi`], [`error`], [`num`], [`sync`], [`types`] and `bindings` standing in for
//! the kernel crate's; [`chid_rules`] is then its module.

#![no_std]
#![deny(unsafe_code)]

extern crate alloc;
#[cfg(test)]
extern crate std;

// `ipc/chid.rs` names this crate `kernel`, as in the kernel.
extern crate self as kernel;

#[cfg(not(feature = "kernel-idr"))]
#[path = "../ipc/chid_rules.rs"]
pub mod chid_rules;
#[cfg(feature = "kernel-idr")]
pub use chid::chid_rules;

/// The kernel's `macros` crate (`kernel::macros`), for `#[kunit_tests]`.
pub use ::macros;

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

/// The part of the kernel's `types` module that `ipc/chid.rs` uses.
pub mod types {
    use core::cell::UnsafeCell;
    use core::marker::PhantomPinned;
    use core::mem::MaybeUninit;

    /// A C object that Rust must not assume anything of
    /// (`rust/kernel/types.rs`).
    #[repr(transparent)]
    pub struct Opaque<T> {
        value: UnsafeCell<MaybeUninit<T>>,
        _pin: PhantomPinned,
    }

    impl<T> Opaque<T> {
        /// A raw pointer to the C object.
        pub const fn get(&self) -> *mut T {
            UnsafeCell::get(&self.value).cast()
        }
    }
}

/// The part of the kernel's `sync` module that `ipc/chid.rs` uses.
pub mod sync {
    /// `rust/kernel/sync/atomic.rs`, for `i32` and relaxed stores only.
    pub mod atomic {
        use core::sync::atomic::{AtomicI32, Ordering};

        /// The relaxed ordering (`WRITE_ONCE()` for a store).
        #[derive(Clone, Copy)]
        pub struct Relaxed;

        /// An atomic `T`.
        #[repr(transparent)]
        pub struct Atomic<T>(core::marker::PhantomData<T>, AtomicI32);

        impl Atomic<i32> {
            /// Views the `i32` at `ptr` as an atomic.
            ///
            /// # Safety
            ///
            /// As in the kernel: `ptr` is valid and aligned for `'a`, and
            /// every concurrent access to it is atomic.
            #[allow(unsafe_code)]
            pub unsafe fn from_ptr<'a>(ptr: *mut i32) -> &'a Self {
                // SAFETY: `Atomic<i32>` is a transparent `AtomicI32`, which
                // has the layout of `i32`; the caller guarantees the rest.
                unsafe { &*ptr.cast::<Self>() }
            }

            /// Stores `v`.
            pub fn store(&self, v: i32, _: Relaxed) {
                self.1.store(v, Ordering::Relaxed);
            }
        }
    }
}

/// The part of the kernel's prelude that `ipc/chid.rs` uses.
pub mod prelude {
    pub use crate::error::{code::*, Error, Result};
    pub use crate::ffi::{c_int, c_uint, c_ulong};
    pub use macros::export;
}

/// The part of the kernel's `num` module that `ipc/chid.rs` uses.
pub mod num {
    /// Lossless conversions (`rust/kernel/num/casts.rs`).
    pub mod casts {
        /// A conversion that is lossless on every supported target.
        pub trait FromSafeCast<T> {
            /// `value` as `Self`.
            fn from_safe_cast(value: T) -> Self;
        }

        impl FromSafeCast<u32> for usize {
            fn from_safe_cast(value: u32) -> Self {
                // The host, as the kernel, has a `usize` of 32 bits or more.
                const _: () = assert!(usize::BITS >= u32::BITS);
                value as usize
            }
        }
    }
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

// `ipc/chid.rs` of the series (its own inner documentation says what it is;
// an outer one here would be resolved in this scope, breaking its links).
#[cfg(feature = "kernel-idr")]
#[allow(unsafe_code)]
#[path = "../ipc/chid.rs"]
pub mod chid;
