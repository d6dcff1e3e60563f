// SPDX-License-Identifier: GPL-2.0

//! Changing the ID of a System V IPC object: the IDR side of `ipc_chid()`.
//!
//! `ipc_chid()` (`ipc/util.c`) takes `ids->rwsem` for writing and calls
//! [`ipc_chid_find`], which applies the rules of [`kernel::ipc_chid`] to the
//! IDR and names the objects involved. It locks them, runs the type's
//! checks, and calls [`ipc_chid_commit`] inside the write section of
//! `ids->chid_lock`, which changes the IDR and the IDs.
//!
//! Lookups run concurrently without locks (`ipc_obtain_object_check()`):
//! they find an object by slot, then compare its whole `id`. The commit
//! publishes every new ID with one store, after the object is in its new
//! slot and before it leaves the old one, so a lookup only ever finds an
//! object at an ID it holds. A lookup that fails while a change is in
//! flight waits for `ids->chid_lock` and looks again.

use core::ptr;
use kernel::bindings;
use kernel::error::{from_result, to_result};
use kernel::ffi::{c_int, c_uint, c_ulong};
use kernel::ipc_chid::{decide, object, Action, ChidError, Id, Layout, Table};
use kernel::prelude::*;

type Perm = bindings::kern_ipc_perm;

// The C callers pass `IPC_CHID_EXCHANGE`; the rules read it as this.
kernel::static_assert!(bindings::IPC_CHID_EXCHANGE == kernel::ipc_chid::EXCHANGE);

/// An index or sequence number as the IDR's `unsigned long`.
fn slot(n: u32) -> c_ulong {
    // Lossless: `unsigned long` has at least 32 bits.
    n as c_ulong
}

/// The IDs of one IPC type of a namespace, with `rwsem` held for writing.
///
/// # Invariants
///
/// `self.0` points to a live `struct ipc_ids` whose `rwsem` is held for
/// writing for as long as the `Ids` exists: its IDR, `max_idx`, and the
/// objects in the IDR and their `seq` do not change but through it.
struct Ids(*mut bindings::ipc_ids);

impl Ids {
    /// # Safety
    ///
    /// `ids` must point to a live `struct ipc_ids` whose `rwsem` the caller
    /// holds for writing for the lifetime of the returned `Ids`.
    unsafe fn new(ids: *mut bindings::ipc_ids) -> Self {
        // INVARIANT: the caller guarantees it.
        Self(ids)
    }

    fn idr(&self) -> *mut bindings::idr {
        // SAFETY: `self.0` points to a live `struct ipc_ids` (type
        // invariant); this only computes a field address.
        unsafe { ptr::addr_of_mut!((*self.0).ipcs_idr) }
    }

    /// The object in slot `index`, or null.
    fn find(&self, index: u32) -> *mut Perm {
        // SAFETY: the IDR is live, and `rwsem` held for writing keeps it
        // from changing under the lookup (type invariant).
        unsafe { bindings::idr_find(self.idr(), slot(index)) }.cast()
    }

    /// Raises `max_idx` to `index` if it is below.
    fn took(&self, index: u32) {
        // SAFETY: `self.0` is live and `rwsem` held for writing protects
        // `max_idx` (type invariant).
        let max = unsafe { (*self.0).max_idx };
        if i64::from(max) < i64::from(index) {
            self.set_max(index);
        }
    }

    fn set_max(&self, index: u32) {
        if let Ok(max) = c_int::try_from(index) {
            // SAFETY: `self.0` is live and `rwsem` held for writing protects
            // `max_idx` (type invariant).
            unsafe { (*self.0).max_idx = max };
        }
    }
}

impl Table for Ids {
    fn seq_at(&self, index: u32) -> Option<u32> {
        let perm = self.find(index);
        if perm.is_null() {
            return None;
        }
        // SAFETY: objects in the IDR are live while `rwsem` is held for
        // writing (removal needs it), and `seq` only changes under it
        // (type invariant).
        u32::try_from(unsafe { (*perm).seq }).ok()
    }
}

fn error(e: ChidError) -> Error {
    match e {
        ChidError::Invalid => EINVAL,
        ChidError::OutOfRange => ERANGE,
        ChidError::Exists => EEXIST,
    }
}

/// # Safety
///
/// `layout` must be valid for reads.
unsafe fn layout(layout: *const bindings::ipc_chid_layout) -> Result<Layout> {
    // SAFETY: the caller guarantees that `layout` is valid for reads.
    let l = unsafe { &*layout };
    Layout::new(l.seq_shift, l.mni, l.seq_max).ok_or(EINVAL)
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
        let layout = unsafe { self::layout(layout) }?;
        // SAFETY: the caller guarantees that `ids` is live with `rwsem` held
        // for writing, for the whole call.
        let ids = unsafe { Ids::new(ids) };
        if let Ok(from) = object(&ids, &layout, id, flags) {
            // SAFETY: the caller guarantees that `objp` is valid for writes.
            unsafe { *objp = ids.find(from.index) };
        }
        let change = decide(&ids, &layout, id, newid, flags).map_err(error)?;
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

/// Publishes the new ID of `perm` (and its sequence number) for lockless
/// lookups.
///
/// # Safety
///
/// `perm` must be a live object that the caller has locked.
unsafe fn publish(perm: *mut Perm, id: Id, raw: c_int) {
    // SAFETY: the caller guarantees that `perm` is live and locked; lockless
    // readers read `id` with READ_ONCE(), hence the volatile store.
    unsafe {
        (*perm).seq = slot(id.seq);
        ptr::write_volatile(ptr::addr_of_mut!((*perm).id), raw);
    }
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
/// As for [`ipc_chid_find`], and `obj` (and `other`, unless null) must be the
/// objects it returned for `newid`, locked by the caller, with
/// `idr_preload()` in effect and `ids->chid_lock` held for writing.
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
        let layout = unsafe { self::layout(layout) }?;
        // SAFETY: the caller guarantees that `ids` is live with `rwsem` held
        // for writing, for the whole call.
        let ids = unsafe { Ids::new(ids) };
        // SAFETY: `obj` is live and locked.
        let oldid = unsafe { (*obj).id };
        let from = layout.decode(oldid).map_err(|_| ERANGE)?;
        let to = layout.decode(newid).map_err(|_| ERANGE)?;
        if ids.find(from.index) != obj {
            return Err(EINVAL);
        }

        if to.index == from.index {
            // SAFETY: `obj` is live and locked.
            unsafe { publish(obj, to, newid) };
            return Ok(0);
        }

        if other.is_null() {
            // SAFETY: the caller guarantees the contracts of each helper.
            unsafe { move_to(&ids, obj, from, to, newid) }?;
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
        // SAFETY: the IDR is live and `rwsem` is held for writing.
        let was_other = unsafe { bindings::idr_replace(idr, obj.cast(), slot(to.index)) };
        if was_other != other.cast() {
            return Err(EINVAL);
        }
        // SAFETY: as above.
        let was_obj = unsafe { bindings::idr_replace(idr, other.cast(), slot(from.index)) };
        if was_obj != obj.cast() {
            // SAFETY: as above; the slot `to` holds `obj` since the first
            // replacement, so this puts `other` back.
            unsafe { bindings::idr_replace(idr, other.cast(), slot(to.index)) };
            return Err(EINVAL);
        }
        // SAFETY: `obj` and `other` are live and locked.
        unsafe {
            publish(obj, to, newid);
            publish(other, from, oldid);
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
    // SAFETY: the IDR is live, `rwsem` is held for writing and the caller
    // preloaded the IDR, so GFP_NOWAIT suffices.
    let got =
        unsafe { bindings::idr_alloc(ids.idr(), obj.cast(), start, end, bindings::GFP_NOWAIT) };
    to_result(got)?;
    if got != start {
        // Impossible with a range of one slot; leave the IDR as it was.
        if let Ok(got) = c_ulong::try_from(got) {
            // SAFETY: `idr_alloc()` just put `obj` in the slot `got`.
            unsafe { bindings::idr_remove(ids.idr(), got) };
        }
        return Err(ENOSPC);
    }
    // `max_idx` stays an upper bound when `from` was the highest slot in
    // use: `ipc_get_maxidx()` finds the exact value when asked.
    ids.took(to.index);
    // SAFETY: `obj` is live and locked.
    unsafe { publish(obj, to, newid) };
    // SAFETY: the slot `from` holds `obj` (checked by the caller).
    unsafe { bindings::idr_remove(ids.idr(), slot(from.index)) };
    Ok(())
}
