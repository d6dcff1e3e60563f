// SPDX-License-Identifier: GPL-2.0

//! Changing the ID of a System V IPC object: the Rust core of `ipc_chid()`.
//!
//! [`chid_rules`] says whether a change is allowed and what it amounts to;
//! this file applies it to the IDR. `ipc_chid()` (`ipc/util.c`) takes
//! `ids->rwsem` for writing and calls [`ipc_chid_find`], which applies the
//! rules to the IDR and names the objects involved. It locks them, runs the
//! type's checks, and calls [`ipc_chid_commit`] inside the write section of
//! `ids->chid_lock`, which changes the IDR and the IDs.
//!
//! Lookups run concurrently without locks (`ipc_obtain_object_check()`):
//! they find an object by slot, then compare its whole `id`. The commit
//! publishes every new ID with one store, after the object is in its new
//! slot and before it leaves the old one, so a lookup only ever finds an
//! object at an ID it holds. A lookup that fails while a change is in
//! flight waits for `ids->chid_lock` and looks again.

pub mod chid_rules;

use self::chid_rules::{
    decide,
    object,
    Action,
    ChidError,
    Id,
    Layout,
    Table, //
};
use core::ptr;
use kernel::{
    bindings,
    error::{
        from_result,
        to_result, //
    },
    num::casts::FromSafeCast,
    prelude::*,
    sync::atomic::{
        Atomic,
        Relaxed, //
    },
    types::Opaque, //
};

type Perm = bindings::kern_ipc_perm;

// The C callers pass `IPC_CHID_EXCHANGE`; the rules read it as this.
kernel::static_assert!(bindings::IPC_CHID_EXCHANGE == chid_rules::EXCHANGE);

/// An index or sequence number as the IDR's `unsigned long`.
fn slot(n: u32) -> c_ulong {
    c_ulong::from_safe_cast(n)
}

/// The IDs of one IPC type of a namespace, `struct ipc_ids`.
///
/// # Invariants
///
/// `rwsem` is held for writing while an `&Ids` exists: the IDR, `max_idx`,
/// the objects in the IDR and their `seq` change only through it, and the
/// objects in the IDR stay live (removing one needs `rwsem`).
#[repr(transparent)]
struct Ids(Opaque<bindings::ipc_ids>);

impl Ids {
    /// Borrows the `struct ipc_ids` at `ptr`.
    ///
    /// # Safety
    ///
    /// `ptr` must point to a live `struct ipc_ids` whose `rwsem` the caller
    /// holds for writing for all of `'a`.
    unsafe fn from_raw<'a>(ptr: *mut bindings::ipc_ids) -> &'a Self {
        // SAFETY: `Ids` is a transparent wrapper of `Opaque<ipc_ids>`, so the
        // cast keeps size and alignment; the caller guarantees that `ptr` is
        // live for `'a`.
        // INVARIANT: the caller holds `rwsem` for writing for `'a`.
        unsafe { &*ptr.cast() }
    }

    fn idr(&self) -> *mut bindings::idr {
        // SAFETY: `self.0.get()` points to a live `struct ipc_ids`, borrowed
        // for `&self`; this only computes the address of a field.
        unsafe { &raw mut (*self.0.get()).ipcs_idr }
    }

    /// The object in slot `index`, or null.
    fn find(&self, index: u32) -> *mut Perm {
        // SAFETY: `rwsem` is held for writing (type invariant), which
        // excludes every change of the IDR but ours.
        unsafe { bindings::idr_find(self.idr(), slot(index)) }.cast()
    }

    /// Publishes `raw`, the new ID of `perm`, and its sequence number `id.seq`
    /// for lockless lookups.
    ///
    /// # Safety
    ///
    /// `perm` must be a live object in the IDR, whose lock the caller holds.
    unsafe fn publish(&self, perm: *mut Perm, id: Id, raw: c_int) {
        // SAFETY: `perm` is live (the caller guarantees it). Writers of
        // `seq` hold `rwsem` for writing and the object's lock, both held
        // here (type invariant, and the caller); its readers hold one of
        // them.
        unsafe { (*perm).seq = slot(id.seq) };
        // SAFETY: `perm` is live, so its `id`, a field of a `struct
        // kern_ipc_perm`, is valid for writes and aligned. Its writers hold
        // the object's lock, held here; its readers either hold that lock
        // too or read it with READ_ONCE() (the lookups, Smack's audit data),
        // so this store races with no plain access: it is WRITE_ONCE().
        unsafe { Atomic::from_ptr(&raw mut (*perm).id) }.store(raw, Relaxed);
    }

    /// Raises `max_idx` to `index` if it is below.
    fn took(&self, index: u32) {
        // SAFETY: `rwsem` is held for writing (type invariant), and it
        // protects `max_idx`.
        let max = unsafe { (*self.0.get()).max_idx };
        if i64::from(max) < i64::from(index) {
            if let Ok(index) = c_int::try_from(index) {
                // SAFETY: as above.
                unsafe { (*self.0.get()).max_idx = index };
            }
        }
    }
}

impl Table for Ids {
    fn seq_at(&self, index: u32) -> Option<u32> {
        let perm = self.find(index);
        if perm.is_null() {
            return None;
        }
        // SAFETY: `rwsem` is held for writing (type invariant): the object
        // in the IDR is live, and its `seq` changes only under `rwsem`.
        let seq = unsafe { (*perm).seq };
        // A sequence number beyond `u32` (none is) still holds the slot.
        Some(u32::try_from(seq).unwrap_or(u32::MAX))
    }
}

impl From<ChidError> for Error {
    fn from(e: ChidError) -> Self {
        match e {
            ChidError::Invalid => EINVAL,
            ChidError::OutOfRange => ERANGE,
            ChidError::Exists => EEXIST,
        }
    }
}

/// Reads the layout of IDs that `ipc_chid()` passes.
///
/// # Safety
///
/// `layout` must be valid for reads.
unsafe fn read_layout(layout: *const bindings::ipc_chid_layout) -> Result<Layout> {
    // SAFETY: the caller guarantees that `layout` is valid for reads.
    let raw = unsafe { &*layout };
    Layout::new(raw.seq_shift, raw.mni, raw.seq_max).ok_or(EINVAL)
}

/// Applies the rules to a change of `id` into `newid` and names the objects.
///
/// Returns `IPC_CHID_KEEP`, `IPC_CHID_RESEQ`, `IPC_CHID_MOVE` or
/// `IPC_CHID_SWAP`, or `-EINVAL`, `-ERANGE` or `-EEXIST` as `ipc_chid()`
/// documents. `*objp` is the object whose ID is `id` whenever there is one
/// and `flags` are known, also when the change is refused, so that the
/// caller checks its right to the object before it reports what the rules
/// say of `newid`; it is null otherwise. `*otherp` is the object whose ID is
/// `newid` for a swap, null otherwise. Changes nothing.
///
/// # Safety
///
/// `ids` must point to a live `struct ipc_ids` whose `rwsem` the caller holds
/// for writing, `layout` must be valid for reads, and `objp` and `otherp`
/// valid for writes.
#[export]
pub unsafe extern "C" fn ipc_chid_find(
    ids: *mut bindings::ipc_ids,
    layout: *const bindings::ipc_chid_layout,
    id: c_int,
    newid: c_int,
    flags: c_uint,
    objp: *mut *mut Perm,
    otherp: *mut *mut Perm,
) -> c_int {
    from_result(|| {
        // SAFETY: the caller guarantees that both are valid for writes.
        unsafe {
            *objp = ptr::null_mut();
            *otherp = ptr::null_mut();
        }
        // SAFETY: the caller guarantees that `layout` is valid for reads.
        let id_layout = unsafe { read_layout(layout) }?;
        // SAFETY: the caller guarantees that `ids` is live and that it holds
        // `rwsem` for writing for the whole call.
        let ids = unsafe { Ids::from_raw(ids) };
        if let Ok(from) = object(ids, &id_layout, id, flags) {
            // SAFETY: the caller guarantees that `objp` is valid for writes.
            unsafe { *objp = ids.find(from.index) };
        }
        let change = decide(ids, &id_layout, id, newid, flags)?;
        let (other, action) = match change.action {
            Action::Keep => (ptr::null_mut(), bindings::IPC_CHID_KEEP),
            Action::Reseq => (ptr::null_mut(), bindings::IPC_CHID_RESEQ),
            Action::Move => (ptr::null_mut(), bindings::IPC_CHID_MOVE),
            Action::Exchange => (ids.find(change.to.index), bindings::IPC_CHID_SWAP),
        };
        // SAFETY: the caller guarantees that `otherp` is valid for writes.
        unsafe { *otherp = other };
        c_int::try_from(action).map_err(|_| EINVAL)
    })
}

/// Carries out the change [`ipc_chid_find`] found, for `obj` locked: moves it
/// to `newid` (also within its own slot), or exchanges it with `other`.
///
/// Returns 0 or a negative errno. The errors are of checks that
/// [`ipc_chid_find`] made impossible (`ipc_chid()` warns about them); all
/// but a failed `idr_replace()` of an exchange leave the IDR unchanged.
///
/// # Safety
///
/// As for [`ipc_chid_find`], and `obj` (and `other`, unless null) must be
/// live objects of the IDR of `ids`, locked by the caller.
///
/// # Context
///
/// `obj` and `other` are the objects [`ipc_chid_find`] returned for `newid`.
/// The caller has `idr_preload()` in effect and holds `ids->chid_lock` for
/// writing, so that lookups that fail meanwhile look again.
#[export]
pub unsafe extern "C" fn ipc_chid_commit(
    ids: *mut bindings::ipc_ids,
    layout: *const bindings::ipc_chid_layout,
    obj: *mut Perm,
    other: *mut Perm,
    newid: c_int,
) -> c_int {
    from_result(|| {
        // SAFETY: the caller guarantees that `layout` is valid for reads.
        let id_layout = unsafe { read_layout(layout) }?;
        // SAFETY: the caller guarantees that `ids` is live and that it holds
        // `rwsem` for writing for the whole call.
        let ids = unsafe { Ids::from_raw(ids) };
        // SAFETY: the caller guarantees that `obj` is live and that it holds
        // its lock, under which alone `id` is written.
        let oldid = unsafe { (*obj).id };
        let from = id_layout.decode(oldid).map_err(|_| ERANGE)?;
        let to = id_layout.decode(newid).map_err(|_| ERANGE)?;
        if ids.find(from.index) != obj {
            return Err(EINVAL);
        }

        if to.index == from.index {
            // SAFETY: `obj` is live, in the IDR of `ids` (checked above) and
            // locked by the caller.
            unsafe { ids.publish(obj, to, newid) };
            return Ok(0);
        }

        if other.is_null() {
            // SAFETY: the caller guarantees what this function requires, which
            // `move_to()` requires too; with `other` null, `ipc_chid_find()`
            // found the slot of `newid` free, and `rwsem` kept it so.
            unsafe { move_to(ids, obj, from, to, newid) }?;
            return Ok(0);
        }

        if ids.find(to.index) != other {
            return Err(EINVAL);
        }
        // The holder of `newid`'s slot gets the old ID of `obj`. Between the
        // two replacements both slots show `obj`, whose ID is still the old
        // one: lookups of the new ID fail until the stores below and retry.
        let idr = ids.idr();
        // Both slots hold the objects checked above, and `rwsem` held for
        // writing keeps them there, so neither replacement can fail. The
        // results are checked all the same (`ipc_chid()` warns on error),
        // and a failure leaves the IDR as it was: `idr_replace()` fails only
        // on an empty slot, which it leaves empty.
        // SAFETY: `rwsem` is held for writing (invariant of `Ids`), which
        // excludes every other change of the IDR.
        let was_other = unsafe { bindings::idr_replace(idr, obj.cast(), slot(to.index)) };
        if was_other != other.cast() {
            return Err(EINVAL);
        }
        // SAFETY: as above.
        let was_obj = unsafe { bindings::idr_replace(idr, other.cast(), slot(from.index)) };
        if was_obj != obj.cast() {
            // SAFETY: as above. The slot `to` holds `obj` since the first
            // replacement, so this puts `other` back.
            unsafe { bindings::idr_replace(idr, other.cast(), slot(to.index)) };
            return Err(EINVAL);
        }
        // SAFETY: `obj` and `other` are live, in the IDR of `ids` (checked
        // above) and locked by the caller.
        unsafe {
            ids.publish(obj, to, newid);
            ids.publish(other, from, oldid);
        }
        Ok(0)
    })
}

/// Moves `obj` from slot `from` to the free slot `to`.
///
/// # Safety
///
/// As for [`ipc_chid_commit`], with `to.index` free.
unsafe fn move_to(ids: &Ids, obj: *mut Perm, from: Id, to: Id, newid: c_int) -> Result {
    let start = c_int::try_from(to.index).map_err(|_| ERANGE)?;
    let end = to
        .index
        .checked_add(1)
        .and_then(|end| c_int::try_from(end).ok())
        .ok_or(ERANGE)?;
    // Publish at the new slot first: a lookup of the new ID finds `obj` with
    // its old ID and retries, a lookup of the old ID still succeeds.
    // SAFETY: `rwsem` is held for writing (invariant of `Ids`), which
    // excludes every other change of the IDR; the caller preloaded it
    // (`idr_preload()`), so GFP_NOWAIT suffices.
    let got =
        unsafe { bindings::idr_alloc(ids.idr(), obj.cast(), start, end, bindings::GFP_NOWAIT) };
    to_result(got)?;
    if got != start {
        // Impossible with a range of one slot; leave the IDR as it was.
        if let Ok(got) = c_ulong::try_from(got) {
            // SAFETY: `rwsem` is held for writing (invariant of `Ids`), and
            // `idr_alloc()` just put `obj` in the slot `got`.
            unsafe { bindings::idr_remove(ids.idr(), got) };
        }
        return Err(ENOSPC);
    }
    // `max_idx` stays an upper bound when `from` was the highest slot in
    // use: `ipc_get_maxidx()` finds the exact value when asked.
    ids.took(to.index);
    // SAFETY: `obj` is live, in the IDR of `ids` and locked by the caller.
    unsafe { ids.publish(obj, to, newid) };
    // SAFETY: `rwsem` is held for writing (invariant of `Ids`), and the slot
    // `from` holds `obj` (checked by the caller).
    unsafe { bindings::idr_remove(ids.idr(), slot(from.index)) };
    Ok(())
}
