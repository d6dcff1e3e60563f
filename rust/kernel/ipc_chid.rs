// SPDX-License-Identifier: GPL-2.0

//! System V IPC identifiers: their layout, and the rules for changing one.
//!
//! An IPC identifier packs the index of the object's slot in its namespace's
//! IDR and a sequence number: `id = seq << shift | index`. The layout is
//! chosen at boot (`ipcmni_extend` widens the index from 15 to 24 bits), so
//! it is never assumed here: [`Layout`] is built at run time from the values
//! `ipc/util.h` computes.
//!
//! Changing the ID of an object follows three rules: the object exists; the
//! new ID obeys the layout; the slot of the new ID is free or the object's
//! own, or the caller asked to exchange IDs with the object whose ID is
//! exactly the new ID. An exchange is a trade: it never renames an object
//! the caller did not name, such as a later holder of a slot whose object
//! was removed. [`decide`] applies the rules to a view of the IDR given by
//! the [`Table`] trait and returns the [`Action`] that realises the change,
//! or the [`ChidError`] that refuses it.
//!
//! This module is pure logic with no kernel types, so that the same source
//! is built into the kernel (see `ipc/chid.rs`) and tested on the host.

/// The `flags` bit asking to trade IDs with the object whose ID is the new ID.
pub const EXCHANGE: u32 = 0x1;

/// Why a change of ID is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChidError {
    /// `id` names no live object, or `flags` has unknown bits (`EINVAL`).
    Invalid,
    /// `newid` is outside the ID space of the layout (`ERANGE`).
    OutOfRange,
    /// The slot of `newid` is held by another object, and [`EXCHANGE`] was
    /// not given or that object's ID is not exactly `newid` (`EEXIST`).
    Exists,
}

/// An IPC identifier taken apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Id {
    /// The slot in the IDR.
    pub index: u32,
    /// The sequence number.
    pub seq: u32,
}

/// The layout of IPC identifiers of the running kernel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    shift: u32,
    mni: u32,
    seq_max: u32,
}

impl Layout {
    /// Builds a layout from `ipcmni_seq_shift()`, `ipc_mni` and
    /// `ipcid_seq_max()`.
    ///
    /// Returns [`None`] if the three do not describe a layout: the shift must
    /// leave room for a sequence number in a non-negative `int`, the index
    /// slots must fit below the shift, and the sequence numbers above it.
    ///
    /// # Examples
    ///
    /// ```
    /// use kernel::ipc_chid::Layout;
    ///
    /// // The default layout and the one of `ipcmni_extend`.
    /// assert!(Layout::new(15, 1 << 15, i32::MAX >> 15).is_some());
    /// assert!(Layout::new(24, 1 << 24, i32::MAX >> 24).is_some());
    /// // 2^16 slots do not fit in 15 index bits.
    /// assert!(Layout::new(15, 1 << 16, 0).is_none());
    /// ```
    pub fn new(shift: i32, mni: i32, seq_max: i32) -> Option<Self> {
        let shift = u32::try_from(shift).ok().filter(|s| (1..31).contains(s))?;
        let mni = u32::try_from(mni).ok().filter(|&m| m >= 1)?;
        let seq_max = u32::try_from(seq_max).ok()?;
        let slots = 1u32.checked_shl(shift)?;
        let seqs = (i32::MAX as u32).checked_shr(shift)?;
        if mni > slots || seq_max > seqs {
            return None;
        }
        Some(Self {
            shift,
            mni,
            seq_max,
        })
    }

    /// Takes `id` apart.
    ///
    /// Fails with [`ChidError::OutOfRange`] if `id` is negative or names a
    /// slot or sequence number beyond the layout.
    ///
    /// # Examples
    ///
    /// ```
    /// use kernel::ipc_chid::{Id, Layout};
    ///
    /// let default = Layout::new(15, 1 << 15, i32::MAX >> 15).unwrap();
    /// let extended = Layout::new(24, 1 << 24, i32::MAX >> 24).unwrap();
    /// assert_eq!(default.decode(0x8005), Ok(Id { index: 5, seq: 1 }));
    /// assert_eq!(extended.decode(0x8005), Ok(Id { index: 0x8005, seq: 0 }));
    /// assert!(default.decode(-1).is_err());
    /// ```
    pub fn decode(&self, id: i32) -> Result<Id, ChidError> {
        let id = u32::try_from(id).map_err(|_| ChidError::OutOfRange)?;
        let index = id & self.index_mask();
        let seq = id.checked_shr(self.shift).ok_or(ChidError::OutOfRange)?;
        if index >= self.mni || seq > self.seq_max {
            return Err(ChidError::OutOfRange);
        }
        Ok(Id { index, seq })
    }

    /// Puts `id` together, the inverse of [`Layout::decode`].
    ///
    /// # Examples
    ///
    /// ```
    /// use kernel::ipc_chid::{Id, Layout};
    ///
    /// let default = Layout::new(15, 1 << 15, i32::MAX >> 15).unwrap();
    /// assert_eq!(default.encode(Id { index: 5, seq: 1 }), Ok(0x8005));
    /// assert!(default.encode(Id { index: 1 << 15, seq: 0 }).is_err());
    /// ```
    pub fn encode(&self, id: Id) -> Result<i32, ChidError> {
        if id.index >= self.mni || id.seq > self.seq_max {
            return Err(ChidError::OutOfRange);
        }
        let seq = id
            .seq
            .checked_shl(self.shift)
            .ok_or(ChidError::OutOfRange)?;
        i32::try_from(seq | id.index).map_err(|_| ChidError::OutOfRange)
    }

    /// The number of index slots (`ipc_mni`).
    pub fn slots(&self) -> u32 {
        self.mni
    }

    /// The largest sequence number (`ipcid_seq_max()`).
    pub fn seq_max(&self) -> u32 {
        self.seq_max
    }

    fn index_mask(&self) -> u32 {
        // `new()` checked that `1 << shift` does not overflow.
        (1u32 << self.shift) - 1
    }
}

/// A view of the IDR of one IPC type.
pub trait Table {
    /// Returns the sequence number of the object in slot `index`, or
    /// [`None`] if the slot is free.
    fn seq_at(&self, index: u32) -> Option<u32>;
}

/// How a change of ID is carried out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// `newid` is `id`: there is nothing to do.
    Keep,
    /// `newid` names the object's own slot with another sequence number: the
    /// sequence number is rewritten in place. This is a move within a slot
    /// that holds no other object, so it needs no [`EXCHANGE`].
    Reseq,
    /// The slot of `newid` is free: the object moves there.
    Move,
    /// `newid` is the ID of another object: the two trade IDs. The object
    /// gets `newid`, the other object gets the old `id`.
    Exchange,
}

/// A change of ID that the rules allow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Change {
    /// How the change is carried out.
    pub action: Action,
    /// The ID of the object, taken apart.
    pub from: Id,
    /// The new ID, taken apart.
    pub to: Id,
}

/// Finds the object whose ID is `id`, the first rule of a change.
///
/// Fails with [`ChidError::Invalid`] if `flags` has unknown bits or no
/// object has the ID `id`. The caller can check its right to change the
/// object before [`decide`] tells it anything about the new ID's slot.
///
/// # Examples
///
/// ```
/// use kernel::ipc_chid::{object, ChidError, Id, Layout, Table};
///
/// // Slot 3 is held with sequence number 2.
/// struct One;
/// impl Table for One {
///     fn seq_at(&self, index: u32) -> Option<u32> {
///         (index == 3).then_some(2)
///     }
/// }
///
/// let l = Layout::new(15, 1 << 15, i32::MAX >> 15).unwrap();
/// assert_eq!(object(&One, &l, 2 << 15 | 3, 0), Ok(Id { index: 3, seq: 2 }));
/// assert_eq!(object(&One, &l, 1 << 15 | 3, 0), Err(ChidError::Invalid));
/// assert_eq!(object(&One, &l, 2 << 15 | 3, 2), Err(ChidError::Invalid));
/// ```
pub fn object<T: Table + ?Sized>(
    table: &T,
    layout: &Layout,
    id: i32,
    flags: u32,
) -> Result<Id, ChidError> {
    if flags & !EXCHANGE != 0 {
        return Err(ChidError::Invalid);
    }
    let from = layout.decode(id).map_err(|_| ChidError::Invalid)?;
    if table.seq_at(from.index) != Some(from.seq) {
        return Err(ChidError::Invalid);
    }
    Ok(from)
}

/// Applies the rules to a change of `id` into `newid` in `table`.
///
/// The errors are checked in this order: unknown `flags` and a non-existent
/// object ([`ChidError::Invalid`], as [`object`] finds), an out-of-range
/// `newid` ([`ChidError::OutOfRange`]), a slot held by another object
/// without [`EXCHANGE`], or under another ID than `newid`
/// ([`ChidError::Exists`]).
///
/// # Examples
///
/// ```
/// use kernel::ipc_chid::{decide, Action, ChidError, Layout, Table, EXCHANGE};
///
/// // Slots 0 and 1 are held, with sequence numbers 0 and 1.
/// struct Two;
/// impl Table for Two {
///     fn seq_at(&self, index: u32) -> Option<u32> {
///         match index {
///             0 => Some(0),
///             1 => Some(1),
///             _ => None,
///         }
///     }
/// }
///
/// let l = Layout::new(15, 1 << 15, i32::MAX >> 15).unwrap();
/// let a = 0;
/// let b = 1 << 15 | 1;
/// assert_eq!(decide(&Two, &l, a, 7, 0).map(|c| c.action), Ok(Action::Move));
/// assert_eq!(decide(&Two, &l, a, a, 0).map(|c| c.action), Ok(Action::Keep));
/// assert_eq!(decide(&Two, &l, a, 3 << 15, 0).map(|c| c.action), Ok(Action::Reseq));
/// assert_eq!(decide(&Two, &l, a, b, 0), Err(ChidError::Exists));
/// assert_eq!(decide(&Two, &l, a, b, EXCHANGE).map(|c| c.action), Ok(Action::Exchange));
/// // Slot 1 is held under another ID than 2 << 15 | 1: no trade.
/// assert_eq!(decide(&Two, &l, a, 2 << 15 | 1, EXCHANGE), Err(ChidError::Exists));
/// assert_eq!(decide(&Two, &l, 1, 7, 0), Err(ChidError::Invalid));
/// assert_eq!(decide(&Two, &l, a, -7, 0), Err(ChidError::OutOfRange));
/// assert_eq!(decide(&Two, &l, a, 7, 2), Err(ChidError::Invalid));
/// ```
pub fn decide<T: Table + ?Sized>(
    table: &T,
    layout: &Layout,
    id: i32,
    newid: i32,
    flags: u32,
) -> Result<Change, ChidError> {
    let from = object(table, layout, id, flags)?;
    let to = layout.decode(newid)?;
    let action = if to == from {
        Action::Keep
    } else if to.index == from.index {
        Action::Reseq
    } else {
        match table.seq_at(to.index) {
            None => Action::Move,
            Some(seq) if seq == to.seq && flags & EXCHANGE != 0 => Action::Exchange,
            Some(_) => return Err(ChidError::Exists),
        }
    };
    Ok(Change { action, from, to })
}
