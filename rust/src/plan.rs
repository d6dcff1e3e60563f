// SPDX-License-Identifier: GPL-2.0

//! Turning the IDs a restore wants into a sequence of `IPC_SETID` calls.
//!
//! A restore knows, for each IPC object of one type, the ID it has and the
//! ID it must get. Seen slot by slot, the wanted renames form a parallel
//! copy: each slot is the source of at most one rename and the target of at
//! most one. Such a graph is a set of paths and cycles, and it is
//! sequentialized as register allocators sequentialize parallel moves
//! (Boissinot et al., "Revisiting Out-of-SSA Translation for Correctness,
//! Code Quality, and Efficiency", CGO 2009):
//!
//! - a path is emitted from its free end backwards, one move per rename;
//! - a cycle of `k` slots takes `k - 1` exchanges, and one more call for
//!   each of its `m` objects that wants another sequence number than the
//!   ID it receives: an exchange only trades the two exact IDs, so the
//!   cycle's IDs stay its IDs, and such an object then moves in its slot;
//! - without exchanges a cycle takes `k + 1` moves through one free slot
//!   (the classic `tmp = A; A = B; B = tmp`), which is also the shorter way
//!   when `m > 2` and a slot is free, since a move sets any sequence
//!   number.
//!
//! Every call the plan makes is one that the kernel accepts at that point.

use crate::chid_rules::{ChidError, Id, Layout};
use alloc::collections::{BTreeMap, BTreeSet};
use alloc::vec::Vec;

/// One `IPC_SETID` call: change `id` into `newid`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Step {
    /// The ID of the object at the time of the call.
    pub id: i32,
    /// The ID it gets.
    pub newid: i32,
    /// Whether the call passes `IPC_SETID_EXCHANGE`.
    pub exchange: bool,
}

/// Why no plan exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlanError {
    /// An ID does not fit the layout.
    Layout(ChidError),
    /// An ID to rename is not the ID of an object.
    NoSuchObject(i32),
    /// Two objects are given the same ID, or two wanted IDs share a slot.
    Conflict(i32),
    /// A wanted ID's slot is held by an object that is not renamed.
    Occupied(i32),
    /// A cycle must be broken without exchanges, and no slot is free.
    NoFreeSlot,
}

impl From<ChidError> for PlanError {
    fn from(e: ChidError) -> Self {
        PlanError::Layout(e)
    }
}

struct Rename {
    cur: Id,
    want: Id,
}

/// Plans the calls that give every object of `renames` its wanted ID.
///
/// `present` lists the IDs of all objects of the namespace (of one type),
/// including those in `renames` (as `(current, wanted)` pairs). With
/// `exchange` false, only moves to free slots are used.
pub fn plan(
    layout: &Layout,
    present: &[i32],
    renames: &[(i32, i32)],
    exchange: bool,
) -> Result<Vec<Step>, PlanError> {
    // slot -> sequence number of its object
    let mut held: BTreeMap<u32, u32> = BTreeMap::new();
    for &id in present {
        let d = layout.decode(id)?;
        if held.insert(d.index, d.seq).is_some() {
            return Err(PlanError::Conflict(id));
        }
    }
    // source slot -> rename, and target slot -> source slot
    let mut by_src: BTreeMap<u32, Rename> = BTreeMap::new();
    let mut by_dst: BTreeMap<u32, u32> = BTreeMap::new();
    let mut targets: BTreeSet<u32> = BTreeSet::new();
    let mut steps = Vec::new();
    for &(cur, want) in renames {
        let c = layout.decode(cur)?;
        let w = layout.decode(want)?;
        if held.get(&c.index) != Some(&c.seq) {
            return Err(PlanError::NoSuchObject(cur));
        }
        if by_src.contains_key(&c.index) || !targets.insert(w.index) {
            return Err(PlanError::Conflict(want));
        }
        if c.index == w.index {
            if c != w {
                steps.push(step(layout, c, w, false)?);
            }
            continue;
        }
        by_dst.insert(w.index, c.index);
        by_src.insert(c.index, Rename { cur: c, want: w });
    }
    for (&dst, _) in by_dst.iter() {
        if held.contains_key(&dst) && !by_src.contains_key(&dst) {
            let id = layout.encode(Id {
                index: dst,
                seq: held.get(&dst).copied().unwrap_or(0),
            })?;
            return Err(PlanError::Occupied(id));
        }
    }

    // Paths: a rename whose target is free can go now, and frees its source.
    let mut ready: Vec<u32> = by_dst
        .iter()
        .filter(|(dst, _)| !by_src.contains_key(dst))
        .map(|(_, &src)| src)
        .collect();
    let mut occupied: BTreeSet<u32> = held.keys().copied().collect();
    while let Some(src) = ready.pop() {
        let Some(r) = by_src.remove(&src) else {
            continue;
        };
        by_dst.remove(&r.want.index);
        occupied.remove(&src);
        occupied.insert(r.want.index);
        steps.push(step(layout, r.cur, r.want, false)?);
        if let Some(&next) = by_dst.get(&src) {
            ready.push(next);
        }
    }

    // What is left are cycles.
    while let Some((&first, _)) = by_src.iter().next() {
        let mut cycle = Vec::new();
        let mut slot = first;
        while let Some(r) = by_src.remove(&slot) {
            slot = r.want.index;
            cycle.push(r);
        }
        let tmp = (0..layout.slots()).find(|s| !occupied.contains(s));
        match tmp {
            Some(tmp) if !exchange || reseqs(&cycle) > 2 => {
                move_cycle(layout, &cycle, tmp, &mut steps)?
            }
            _ if exchange => exchange_cycle(layout, &cycle, &mut steps)?,
            _ => return Err(PlanError::NoFreeSlot),
        }
    }
    Ok(steps)
}

fn step(layout: &Layout, from: Id, to: Id, exchange: bool) -> Result<Step, PlanError> {
    Ok(Step {
        id: layout.encode(from)?,
        newid: layout.encode(to)?,
        exchange,
    })
}

/// How many objects of `cycle` want another ID than the one they receive
/// in [`exchange_cycle`]: the ID that `cycle[i + 1]` has.
fn reseqs(cycle: &[Rename]) -> usize {
    let next = cycle.iter().cycle().skip(1);
    cycle
        .iter()
        .zip(next)
        .filter(|(r, n)| r.want != n.cur)
        .count()
}

/// `cycle[i]` wants the slot of `cycle[i + 1]`, and the last wants the
/// slot of the first. The object at the first object's ID trades with
/// `cycle[i + 1]`, for each `i` in turn: `cycle[i]` gets the ID that
/// `cycle[i + 1]` had, then moves within that slot to the sequence number
/// it wants, if it wants another; the last object ends at the first
/// object's ID.
fn exchange_cycle(
    layout: &Layout,
    cycle: &[Rename],
    steps: &mut Vec<Step>,
) -> Result<(), PlanError> {
    let Some(carrier) = cycle.first().map(|r| r.cur) else {
        return Ok(());
    };
    for (r, next) in cycle.iter().zip(cycle.iter().skip(1)) {
        steps.push(step(layout, carrier, next.cur, true)?);
        if r.want != next.cur {
            steps.push(step(layout, next.cur, r.want, false)?);
        }
    }
    if let Some(last) = cycle.last() {
        if last.want != carrier {
            steps.push(step(layout, carrier, last.want, false)?);
        }
    }
    Ok(())
}

/// Without exchanges: park the last object in `tmp`, run the cycle as a
/// path, then bring the parked object home.
fn move_cycle(
    layout: &Layout,
    cycle: &[Rename],
    tmp: u32,
    steps: &mut Vec<Step>,
) -> Result<(), PlanError> {
    let Some(last) = cycle.last() else {
        return Ok(());
    };
    let parked = Id { index: tmp, seq: 0 };
    steps.push(step(layout, last.cur, parked, false)?);
    for r in cycle.iter().rev().skip(1) {
        steps.push(step(layout, r.cur, r.want, false)?);
    }
    steps.push(step(layout, parked, last.want, false)?);
    Ok(())
}
