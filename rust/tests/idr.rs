// SPDX-License-Identifier: GPL-2.0

//! `ipc/chid.rs`, the kernel side of the series, run against the kernel's
//! own IDR (`lib/idr.c` and the radix tree, built by `build.rs`), checked
//! call by call against the model of `common`.

#![cfg(feature = "kernel-idr")]

mod common;

use common::Model;
use kernel::bindings;
use kernel::chid::{ipc_chid_commit, ipc_chid_find};
use kernel::chid_rules::{ChidError, Id, Layout, EXCHANGE};
use proptest::prelude::*;
use std::collections::BTreeMap;
use std::ptr;
use std::sync::{Mutex, MutexGuard};

/// The userspace IDR keeps its preload pool in one "per-CPU" variable, a
/// global shared by all threads: tests take turns.
static IDR: Mutex<()> = Mutex::new(());

/// A namespace's IDs of one type: a real IDR and objects in it.
struct Ns {
    _turn: MutexGuard<'static, ()>,
    ids: Box<bindings::ipc_ids>,
    layout: bindings::ipc_chid_layout,
    // Boxed: the IDR holds their addresses, which must not move.
    #[allow(clippy::vec_box)]
    objs: Vec<Box<bindings::kern_ipc_perm>>,
}

impl Ns {
    fn new(shift: i32, mni: i32) -> Self {
        let turn = IDR.lock().unwrap_or_else(|e| e.into_inner());
        // SAFETY: plain C set-up calls on memory we own.
        let ids = unsafe {
            bindings::host_init();
            let mut ids: Box<bindings::ipc_ids> = Box::new(std::mem::zeroed());
            bindings::host_ids_init(&mut *ids);
            ids
        };
        let layout = bindings::ipc_chid_layout {
            seq_shift: shift,
            mni,
            seq_max: i32::MAX >> shift,
        };
        Ns {
            _turn: turn,
            ids,
            layout,
            objs: Vec::new(),
        }
    }

    fn rules(&self) -> Layout {
        Layout::new(self.layout.seq_shift, self.layout.mni, self.layout.seq_max).unwrap()
    }

    /// Adds an object at `id`, as ipc_addid() with next_id does.
    fn add(&mut self, id: i32) {
        let d = self.rules().decode(id).unwrap();
        let mut perm = Box::new(bindings::kern_ipc_perm {
            id,
            seq: d.seq as usize,
        });
        let idx = d.index as i32;
        // SAFETY: the IDR is ours; the object outlives it (see Drop).
        let got = unsafe {
            bindings::host_idr_preload();
            let got = bindings::idr_alloc(
                &mut self.ids.ipcs_idr,
                ptr::from_mut(&mut *perm).cast(),
                idx,
                idx + 1,
                bindings::GFP_NOWAIT,
            );
            bindings::host_idr_preload_end();
            got
        };
        assert_eq!(got, idx);
        self.ids.max_idx = self.ids.max_idx.max(idx);
        self.objs.push(perm);
    }

    /// ipc_chid() without the object locks: find, then commit.
    fn chid(&mut self, id: i32, newid: i32, flags: u32) -> Result<(), i32> {
        let mut obj = ptr::null_mut();
        let mut other = ptr::null_mut();
        // SAFETY: single-threaded, so the IDR is as if under ids->rwsem;
        // the pointers are valid.
        let action = unsafe {
            ipc_chid_find(
                &mut *self.ids,
                &self.layout,
                id,
                newid,
                flags,
                &mut obj,
                &mut other,
            )
        };
        if action < 0 {
            return Err(action);
        }
        if action == bindings::IPC_CHID_KEEP as i32 {
            return Ok(());
        }
        assert!(!obj.is_null());
        assert_eq!(other.is_null(), action != bindings::IPC_CHID_SWAP as i32);
        // SAFETY: as above, with the objects ipc_chid_find() returned.
        let err = unsafe {
            bindings::host_idr_preload();
            let err = ipc_chid_commit(&mut *self.ids, &self.layout, obj, other, newid);
            bindings::host_idr_preload_end();
            err
        };
        if err < 0 {
            Err(err)
        } else {
            Ok(())
        }
    }

    /// What the IDR holds, checked for consistency: every object sits in
    /// the slot of its ID with its sequence number, no slot holds anything
    /// else, and max_idx is an upper bound of the highest slot in use (a
    /// move that leaves the top slot does not lower it; `ipc_get_maxidx()`
    /// finds the exact value) within the layout.
    fn state(&mut self) -> Model {
        let l = self.rules();
        let mut m = BTreeMap::new();
        for (n, o) in self.objs.iter_mut().enumerate() {
            let d = l.decode(o.id).unwrap();
            assert_eq!(o.seq, d.seq as usize, "seq of object {n}");
            // SAFETY: a lookup in our IDR.
            let found = unsafe { bindings::idr_find(&self.ids.ipcs_idr, d.index as usize) };
            assert_eq!(found, ptr::from_mut(&mut **o).cast(), "slot of object {n}");
            m.insert(d.index, (n as u32, d.seq));
        }
        let mut count = 0;
        let mut next: i32 = 0;
        // SAFETY: walking our IDR.
        while !unsafe { bindings::idr_get_next(&mut self.ids.ipcs_idr, &mut next) }.is_null() {
            count += 1;
            next += 1;
        }
        assert_eq!(count, self.objs.len(), "slots in use");
        let top = m.keys().next_back().map_or(-1, |&i| i as i32);
        assert!(
            self.ids.max_idx >= top,
            "max_idx {} below {top}",
            self.ids.max_idx
        );
        assert!(
            self.ids.max_idx < l.slots() as i32,
            "max_idx beyond the layout"
        );
        Model(m)
    }
}

impl Drop for Ns {
    fn drop(&mut self) {
        // SAFETY: the IDR is ours and no longer used; this thread made it.
        unsafe {
            bindings::host_ids_destroy(&mut *self.ids);
            bindings::host_done();
        }
    }
}

fn errno(e: ChidError) -> i32 {
    match e {
        ChidError::Invalid => -22,
        ChidError::OutOfRange => -34,
        ChidError::Exists => -17,
    }
}

#[test]
fn move_exchange_and_errors() {
    let mut ns = Ns::new(15, 1 << 15);
    let l = ns.rules();
    let a = 0;
    let b = l.encode(Id { index: 1, seq: 4 }).unwrap();
    ns.add(a);
    ns.add(b);
    // Move A to slot 9: the old slot is freed, max_idx follows.
    let a2 = l.encode(Id { index: 9, seq: 2 }).unwrap();
    assert_eq!(ns.chid(a, a2, 0), Ok(()));
    assert_eq!(ns.objs[0].id, a2);
    assert_eq!(ns.state().0.get(&9), Some(&(0, 2)));
    // Back below B: max_idx stays where it was, an upper bound.
    assert_eq!(ns.chid(a2, 0, 0), Ok(()));
    assert_eq!(ns.ids.max_idx, 9);
    // Errors change nothing.
    let before = ns.state();
    assert_eq!(ns.chid(a, b, 0), Err(-17));
    assert_eq!(ns.chid(a, -5, 0), Err(-34));
    assert_eq!(ns.chid(a + (1 << 15), 7, 0), Err(-22));
    assert_eq!(ns.chid(a, 7, 4), Err(-22));
    assert_eq!(ns.state(), before);
    // An exchange names B exactly: B's slot under another ID is refused.
    let stale = l.encode(Id { index: 1, seq: 9 }).unwrap();
    assert_eq!(ns.chid(a, stale, EXCHANGE), Err(-17));
    assert_eq!(ns.state(), before);
    // Exchange: A gets B's ID, B gets A's.
    assert_eq!(ns.chid(a, b, EXCHANGE), Ok(()));
    assert_eq!((ns.objs[0].id, ns.objs[1].id), (b, a));
    ns.state();
}

#[test]
fn extended_layout_high_slots() {
    let mut ns = Ns::new(24, 1 << 24);
    ns.add(5);
    let top = (1 << 24) - 1;
    assert_eq!(ns.chid(5, top, 0), Ok(()));
    assert_eq!(ns.ids.max_idx, top);
    assert_eq!(ns.chid(top, i32::MAX, 0), Ok(()));
    assert_eq!(ns.chid(i32::MAX, 0x8005, 0), Ok(()));
    // Leaving the top slot costs nothing: max_idx stays an upper bound.
    assert_eq!(ns.ids.max_idx, top);
    ns.state();
}

#[derive(Clone, Debug)]
struct Call {
    id: Option<usize>,
    raw_id: i32,
    newid: i32,
    flags: u32,
}

fn calls(ids: i32) -> impl Strategy<Value = Vec<Call>> {
    let call = (
        proptest::option::weighted(0.9, 0usize..8),
        0..ids,
        prop_oneof![9 => 0..ids, 1 => i32::MIN..0],
        prop_oneof![4 => Just(0u32), 4 => Just(EXCHANGE), 1 => 0u32..8],
    )
        .prop_map(|(id, raw_id, newid, flags)| Call {
            id,
            raw_id,
            newid,
            flags,
        });
    proptest::collection::vec(call, 1..40)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Random calls on a real IDR of a tiny layout (8 slots, seq 0..7):
    /// each answer and each state equal the model's.
    #[test]
    fn real_idr_follows_the_model(
        slots in proptest::sample::subsequence((0u32..8).collect::<Vec<_>>(), 1..8),
        seqs in proptest::collection::vec(0u32..8, 8),
        calls in calls(64),
    ) {
        let mut ns = Ns::new(3, 8);
        let l = ns.rules();
        for (i, &s) in slots.iter().enumerate() {
            ns.add(l.encode(Id { index: s, seq: seqs[i] }).unwrap());
        }
        let mut model = ns.state();
        for c in calls {
            // Mostly the ID of a live object, sometimes any ID.
            let id = match c.id {
                Some(n) if n < ns.objs.len() => ns.objs[n].id,
                _ => c.raw_id,
            };
            let want = model.apply(&l, id, c.newid, c.flags).map_err(errno);
            prop_assert_eq!(ns.chid(id, c.newid, c.flags), want, "chid({}, {}, {})", id, c.newid, c.flags);
            prop_assert_eq!(&ns.state(), &model);
        }
    }
}
