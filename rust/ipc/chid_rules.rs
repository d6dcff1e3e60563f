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
//! This module of `ipc/chid.rs` is pure logic with no kernel types, so that
//! the same source is tested in the kernel, by the KUnit suite below, and on
//! the host, against a model of the IDR.

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
    mask: u32,
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
    pub fn new(shift: i32, mni: i32, seq_max: i32) -> Option<Self> {
        let shift = u32::try_from(shift).ok().filter(|s| (1..31).contains(s))?;
        let mni = u32::try_from(mni).ok().filter(|&m| m >= 1)?;
        let seq_max = u32::try_from(seq_max).ok()?;
        let slots = 1u32.checked_shl(shift)?;
        let mask = slots.checked_sub(1)?;
        let seqs = i32::MAX.unsigned_abs().checked_shr(shift)?;
        if mni > slots || seq_max > seqs {
            return None;
        }
        Some(Self {
            shift,
            mask,
            mni,
            seq_max,
        })
    }

    /// Takes `id` apart.
    ///
    /// Fails with [`ChidError::OutOfRange`] if `id` is negative or names a
    /// slot or sequence number beyond the layout.
    pub fn decode(&self, id: i32) -> Result<Id, ChidError> {
        let id = u32::try_from(id).map_err(|_| ChidError::OutOfRange)?;
        let index = id & self.mask;
        let seq = id.checked_shr(self.shift).ok_or(ChidError::OutOfRange)?;
        if index >= self.mni || seq > self.seq_max {
            return Err(ChidError::OutOfRange);
        }
        Ok(Id { index, seq })
    }

    /// Puts `id` together, the inverse of [`Layout::decode`].
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

#[kernel::macros::kunit_tests(ipc_chid_rules)]
mod tests {
    use super::*;

    /// Slots 0, 1 and 3 are held, with sequence numbers 0, 1 and 2.
    struct Three;

    impl Table for Three {
        fn seq_at(&self, index: u32) -> Option<u32> {
            match index {
                0 => Some(0),
                1 => Some(1),
                3 => Some(2),
                _ => None,
            }
        }
    }

    fn id(index: u32, seq: u32) -> Id {
        Id { index, seq }
    }

    /// The default layout.
    fn default() -> Result<Layout, ChidError> {
        Layout::new(15, 1 << 15, i32::MAX >> 15).ok_or(ChidError::Invalid)
    }

    /// The layout of `ipcmni_extend`.
    fn extended() -> Result<Layout, ChidError> {
        Layout::new(24, 1 << 24, i32::MAX >> 24).ok_or(ChidError::Invalid)
    }

    /// The action of changing `oldid` into `newid`, or why it is refused.
    fn action(oldid: i32, newid: i32, flags: u32) -> Result<Action, ChidError> {
        Ok(decide(&Three, &default()?, oldid, newid, flags)?.action)
    }

    #[test]
    fn layouts() {
        assert!(Layout::new(15, 1 << 15, i32::MAX >> 15).is_some());
        assert!(Layout::new(24, 1 << 24, i32::MAX >> 24).is_some());
        // 2^16 slots do not fit in 15 index bits.
        assert!(Layout::new(15, 1 << 16, 0).is_none());
        // Sequence numbers beyond a non-negative `int`.
        assert!(Layout::new(15, 1 << 15, (i32::MAX >> 15) + 1).is_none());
        assert!(Layout::new(0, 1, 0).is_none());
        assert!(Layout::new(31, 1, 0).is_none());
        assert!(Layout::new(15, 0, 0).is_none());
        assert!(Layout::new(-1, 1, 0).is_none());
    }

    #[test]
    fn decode_encode() -> Result<(), ChidError> {
        let (d, e) = (default()?, extended()?);
        assert_eq!(d.decode(0x8005), Ok(id(5, 1)));
        assert_eq!(e.decode(0x8005), Ok(id(0x8005, 0)));
        assert_eq!(d.decode(i32::MAX), Ok(id(0x7fff, 0xffff)));
        assert_eq!(d.decode(-1), Err(ChidError::OutOfRange));
        assert_eq!(d.encode(id(5, 1)), Ok(0x8005));
        assert_eq!(e.encode(id(0x8005, 0)), Ok(0x8005));
        assert_eq!(d.encode(id(1 << 15, 0)), Err(ChidError::OutOfRange));
        assert_eq!(e.encode(id(0, 128)), Err(ChidError::OutOfRange));
        // A layout with fewer slots than its index bits can hold.
        let small = Layout::new(15, 16, 3).ok_or(ChidError::Invalid)?;
        assert_eq!(small.decode(16), Err(ChidError::OutOfRange));
        assert_eq!(small.decode(4 << 15), Err(ChidError::OutOfRange));
        Ok(())
    }

    #[test]
    fn find_the_object() -> Result<(), ChidError> {
        let l = default()?;
        assert_eq!(object(&Three, &l, (2 << 15) | 3, 0), Ok(id(3, 2)));
        assert_eq!(object(&Three, &l, (2 << 15) | 3, EXCHANGE), Ok(id(3, 2)));
        // A stale sequence number, a free slot, unknown flags, a bad ID.
        assert_eq!(
            object(&Three, &l, (1 << 15) | 3, 0),
            Err(ChidError::Invalid)
        );
        assert_eq!(object(&Three, &l, 2, 0), Err(ChidError::Invalid));
        assert_eq!(
            object(&Three, &l, (2 << 15) | 3, 2),
            Err(ChidError::Invalid)
        );
        assert_eq!(object(&Three, &l, -1, 0), Err(ChidError::Invalid));
        Ok(())
    }

    #[test]
    fn actions() {
        let b = (1 << 15) | 1;
        assert_eq!(action(0, 7, 0), Ok(Action::Move));
        assert_eq!(action(0, 0, 0), Ok(Action::Keep));
        assert_eq!(action(0, 3 << 15, 0), Ok(Action::Reseq));
        assert_eq!(action(0, b, EXCHANGE), Ok(Action::Exchange));
        // A free slot needs no flag, and the flag does not hurt.
        assert_eq!(action(0, 7, EXCHANGE), Ok(Action::Move));
    }

    #[test]
    fn refusals() {
        let b = (1 << 15) | 1;
        // A held slot without the flag.
        assert_eq!(action(0, b, 0), Err(ChidError::Exists));
        // Slot 1 is held under another ID than `(2 << 15) | 1`: no trade.
        assert_eq!(action(0, (2 << 15) | 1, EXCHANGE), Err(ChidError::Exists));
        // No object at the ID, unknown flags, a new ID out of range.
        assert_eq!(action(1, 7, 0), Err(ChidError::Invalid));
        assert_eq!(action(0, 7, 2), Err(ChidError::Invalid));
        assert_eq!(action(0, -7, 0), Err(ChidError::OutOfRange));
        // The object is checked before the new ID.
        assert_eq!(action(1, -7, 0), Err(ChidError::Invalid));
    }
}
