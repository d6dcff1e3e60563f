// SPDX-License-Identifier: GPL-2.0

//! SIGINT, SIGTERM and SIGHUP during a restore: noted, so that the restore
//! stops at its next step and removes what it created, instead of dying
//! with the namespace half restored.

use std::io;
use std::sync::atomic::{AtomicI32, Ordering};

static CAUGHT: AtomicI32 = AtomicI32::new(0);

/// The signals a restore stops on.
const SIGNALS: [libc::c_int; 3] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP];

extern "C" fn note(sig: libc::c_int) {
    // Async-signal-safe: one atomic store.
    CAUGHT.store(sig, Ordering::Relaxed);
}

/// From here on, the signals of [`SIGNALS`] are noted instead of ending
/// the process, but for those it was started with ignored (`nohup`),
/// which stay ignored. SIGCHLD gets its default action, so that a child
/// is not reaped behind the restore's back.
pub fn catch() -> io::Result<()> {
    // SAFETY: SIG_DFL is a valid disposition for SIGCHLD.
    if unsafe { libc::signal(libc::SIGCHLD, libc::SIG_DFL) } == libc::SIG_ERR {
        return Err(io::Error::last_os_error());
    }
    for sig in SIGNALS {
        // SAFETY: an all-zero `sigaction` is a valid value (no flags, an
        // empty mask), filled in below before use.
        let mut sa: libc::sigaction = unsafe { std::mem::zeroed() };
        // SAFETY: as above.
        let mut old: libc::sigaction = unsafe { std::mem::zeroed() };
        sa.sa_sigaction = note as extern "C" fn(libc::c_int) as libc::sighandler_t;
        // SAFETY: `sa.sa_mask` is a valid `sigset_t` to initialise.
        unsafe { libc::sigemptyset(&mut sa.sa_mask) };
        // SAFETY: only reads the current action into `old`.
        if unsafe { libc::sigaction(sig, std::ptr::null(), &mut old) } != 0 {
            return Err(io::Error::last_os_error());
        }
        if old.sa_sigaction == libc::SIG_IGN {
            continue;
        }
        // SAFETY: `sa` is initialised and `note` is async-signal-safe.
        if unsafe { libc::sigaction(sig, &sa, std::ptr::null_mut()) } != 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

/// Ends the process by the signal noted, as it would have ended without
/// the restore's handler (the status a shell sees, and bash's own stop on
/// SIGINT): once the restore has undone its work.
pub fn die_of_caught() {
    if let Some(sig) = caught() {
        // SAFETY: SIG_DFL is a valid disposition for `sig`, whose default
        // action ends the process.
        unsafe {
            libc::signal(sig, libc::SIG_DFL);
            libc::raise(sig);
        }
    }
}

/// The signal noted, if any.
pub fn caught() -> Option<libc::c_int> {
    match CAUGHT.load(Ordering::Relaxed) {
        0 => None,
        sig => Some(sig),
    }
}

pub fn name(sig: libc::c_int) -> &'static str {
    match sig {
        libc::SIGINT => "SIGINT",
        libc::SIGTERM => "SIGTERM",
        libc::SIGHUP => "SIGHUP",
        _ => "a signal",
    }
}

/// An error if a signal was noted: the point where a restore stops.
pub fn check() -> Result<(), String> {
    match caught() {
        None => Ok(()),
        Some(sig) => Err(format!("interrupted by {}", name(sig))),
    }
}
