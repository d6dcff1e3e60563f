// SPDX-License-Identifier: GPL-2.0

//! Tests of the rules and of the planner against a model of the IDR.
//!
//! The model applies each step with the kernel's own rules
//! ([`decide`]), so a plan passes only if every call it makes would be
//! accepted, and the state it reaches is the wanted one.

mod common;

use common::Model;
use kernel::chid_rules::{decide, Action, ChidError, Id, Layout, EXCHANGE};
use kernel::plan::{plan, PlanError, Step};
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

fn default_layout() -> Layout {
    Layout::new(15, 1 << 15, i32::MAX >> 15).unwrap()
}

fn extended_layout() -> Layout {
    Layout::new(24, 1 << 24, i32::MAX >> 24).unwrap()
}

/// Runs `steps` on `m`, failing on the first call the kernel would refuse.
fn run(m: &mut Model, l: &Layout, steps: &[Step]) -> Result<(), (Step, ChidError)> {
    for s in steps {
        let flags = if s.exchange { EXCHANGE } else { 0 };
        m.apply(l, s.id, s.newid, flags).map_err(|e| (*s, e))?;
    }
    Ok(())
}

#[test]
fn layouts_decode_every_non_negative_id() {
    for l in [default_layout(), extended_layout()] {
        for id in [0, 1, 0x7fff, 0x8000, 0x8005, 0xffffff, 0x1000000, i32::MAX] {
            let d = l.decode(id).unwrap();
            assert_eq!(l.encode(d), Ok(id));
        }
        assert_eq!(l.decode(-1), Err(ChidError::OutOfRange));
        assert_eq!(l.decode(i32::MIN), Err(ChidError::OutOfRange));
    }
    assert_eq!(default_layout().decode(0x8005), Ok(Id { index: 5, seq: 1 }));
    assert_eq!(
        extended_layout().decode(0x8005),
        Ok(Id {
            index: 0x8005,
            seq: 0
        })
    );
}

#[test]
fn lowered_mni_is_checked() {
    let l = Layout::new(15, 100, i32::MAX >> 15).unwrap();
    assert_eq!(l.decode(99), Ok(Id { index: 99, seq: 0 }));
    assert_eq!(l.decode(100), Err(ChidError::OutOfRange));
    assert_eq!(
        l.encode(Id { index: 100, seq: 0 }),
        Err(ChidError::OutOfRange)
    );
}

#[test]
fn bad_layouts_are_refused() {
    assert!(Layout::new(0, 1, 0).is_none());
    assert!(Layout::new(31, 1, 0).is_none());
    assert!(Layout::new(-1, 1, 0).is_none());
    assert!(Layout::new(15, 0, 0).is_none());
    assert!(Layout::new(15, (1 << 15) + 1, 0).is_none());
    assert!(Layout::new(15, 1 << 15, (i32::MAX >> 15) + 1).is_none());
    assert!(Layout::new(15, 1 << 15, -1).is_none());
}

#[test]
fn decision_table() {
    let l = default_layout();
    // slot 0: seq 0 (id 0); slot 1: seq 2 (id 0x10001)
    let m = Model([(0, (10, 0)), (1, (11, 2))].into_iter().collect());
    let a = 0;
    let b = 2 << 15 | 1;
    let act = |id, newid, flags| decide(&m, &l, id, newid, flags).map(|c| c.action);
    assert_eq!(act(a, a, 0), Ok(Action::Keep));
    assert_eq!(act(a, a, EXCHANGE), Ok(Action::Keep));
    assert_eq!(act(a, 5 << 15, 0), Ok(Action::Reseq));
    assert_eq!(act(a, 7, 0), Ok(Action::Move));
    assert_eq!(act(a, 7, EXCHANGE), Ok(Action::Move));
    assert_eq!(act(a, b, 0), Err(ChidError::Exists));
    // Another sequence number in a held slot collides all the same, and
    // an exchange trades only with the object whose ID is exactly newid.
    assert_eq!(act(a, 1, 0), Err(ChidError::Exists));
    assert_eq!(act(a, 1, EXCHANGE), Err(ChidError::Exists));
    assert_eq!(act(a, b, EXCHANGE), Ok(Action::Exchange));
    // A new sequence number in the object's own slot is a move.
    assert_eq!(act(b, 1, 0), Ok(Action::Reseq));
    assert_eq!(act(b, 1, EXCHANGE), Ok(Action::Reseq));
    // Stale seq, free slot, negative id, unknown flags.
    assert_eq!(act(1 << 15, 7, 0), Err(ChidError::Invalid));
    assert_eq!(act(2, 7, 0), Err(ChidError::Invalid));
    assert_eq!(act(-1, 7, 0), Err(ChidError::Invalid));
    assert_eq!(act(a, 7, 2), Err(ChidError::Invalid));
    assert_eq!(act(a, 7, u32::MAX), Err(ChidError::Invalid));
    assert_eq!(act(a, -1, 0), Err(ChidError::OutOfRange));
    // Invalid wins over out-of-range: the object is checked first.
    assert_eq!(act(2, -1, 0), Err(ChidError::Invalid));
}

#[test]
fn exchange_gives_each_the_exact_id() {
    let l = default_layout();
    let mut m = Model([(0, (10, 3)), (1, (11, 2))].into_iter().collect());
    let a = 3 << 15;
    let b = 2 << 15 | 1;
    // Slot 1 under another ID than its object's: refused, nothing changes.
    let before = m.clone();
    assert_eq!(
        m.apply(&l, a, 9 << 15 | 1, EXCHANGE),
        Err(ChidError::Exists)
    );
    assert_eq!(m, before);
    m.apply(&l, a, b, EXCHANGE).unwrap();
    assert_eq!(m.id_of(&l, 10), b);
    assert_eq!(m.id_of(&l, 11), a);
}

#[test]
fn swap_needs_one_exchange() {
    let l = default_layout();
    let m0 = Model([(0, (1, 0)), (1, (2, 0))].into_iter().collect());
    let ids = m0.ids(&l);
    let steps = plan(&l, &ids, &[(0, 1), (1, 0)], true).unwrap();
    assert_eq!(steps.len(), 1);
    let mut m = m0.clone();
    run(&mut m, &l, &steps).unwrap();
    assert_eq!((m.id_of(&l, 1), m.id_of(&l, 2)), (1, 0));
    // Without exchanges: three moves through a free slot.
    let steps = plan(&l, &ids, &[(0, 1), (1, 0)], false).unwrap();
    assert_eq!(steps.len(), 3);
    let mut m = m0.clone();
    run(&mut m, &l, &steps).unwrap();
    assert_eq!((m.id_of(&l, 1), m.id_of(&l, 2)), (1, 0));
}

#[test]
fn planner_errors() {
    let l = Layout::new(2, 2, 3).unwrap();
    assert_eq!(
        plan(&l, &[0], &[(1, 0)], true),
        Err(PlanError::NoSuchObject(1))
    );
    assert_eq!(
        plan(&l, &[0, 1], &[(0, 1)], true),
        Err(PlanError::Occupied(1))
    );
    assert_eq!(
        plan(&l, &[0, 1], &[(0, 4), (1, 4)], true),
        Err(PlanError::Conflict(4))
    );
    assert_eq!(
        plan(&l, &[0, 1], &[(0, 1), (1, 0)], false),
        Err(PlanError::NoFreeSlot)
    );
    assert_eq!(
        plan(&l, &[0], &[(0, 2)], true),
        Err(PlanError::Layout(ChidError::OutOfRange))
    );
}

/// The fewest calls that take `from` to `to`, by breadth-first search over
/// every call the kernel accepts (tiny layouts only).
fn fewest(l: &Layout, seqs: &[u32], from: &Model, to: &Model, exchange: bool) -> Option<usize> {
    let mut seen = BTreeSet::new();
    let mut queue = VecDeque::new();
    seen.insert(from.clone());
    queue.push_back((from.clone(), 0));
    let flags = if exchange { EXCHANGE } else { 0 };
    while let Some((m, d)) = queue.pop_front() {
        if m == *to {
            return Some(d);
        }
        for id in m.ids(l) {
            for index in 0..l.slots() {
                for &seq in seqs {
                    let newid = l.encode(Id { index, seq }).unwrap();
                    let mut n = m.clone();
                    if n.apply(l, id, newid, flags).is_ok() && seen.insert(n.clone()) {
                        queue.push_back((n, d + 1));
                    }
                }
            }
        }
    }
    None
}

/// A random namespace and a random wanted state of the same objects.
fn scenario(slots: u32, seqs: u32) -> impl Strategy<Value = (Model, Model)> {
    let n = 1..=slots as usize;
    n.prop_flat_map(move |n| {
        let cur = proptest::sample::subsequence((0..slots).collect::<Vec<_>>(), n);
        let want = proptest::sample::subsequence((0..slots).collect::<Vec<_>>(), n).prop_shuffle();
        let cseq = proptest::collection::vec(0..seqs, n);
        let wseq = proptest::collection::vec(0..seqs, n);
        let keep = proptest::collection::vec(any::<bool>(), n);
        (cur, want, cseq, wseq, keep).prop_map(|(cur, want, cseq, wseq, keep)| {
            let mut a = BTreeMap::new();
            let mut b = BTreeMap::new();
            for (o, (((&c, &w), (&cs, &ws)), &k)) in cur
                .iter()
                .zip(&want)
                .zip(cseq.iter().zip(&wseq))
                .zip(&keep)
                .enumerate()
            {
                a.insert(c, (o as u32, cs));
                // Some objects stay where they are.
                if k {
                    b.insert(c, (o as u32, cs));
                } else {
                    b.insert(w, (o as u32, ws));
                }
            }
            (Model(a), Model(b))
        })
    })
    .prop_filter("wanted slots must be distinct", |(a, b)| {
        a.0.len() == b.0.len()
    })
}

fn renames(l: &Layout, a: &Model, b: &Model) -> Vec<(i32, i32)> {
    b.0.values()
        .map(|&(o, _)| (a.id_of(l, o), b.id_of(l, o)))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// On tiny layouts the plan reaches the wanted state, every call is
    /// accepted, and no plan is longer than the shortest one.
    #[test]
    fn plans_are_valid_and_shortest((a, b) in scenario(4, 3), exchange in any::<bool>()) {
        let l = Layout::new(2, 4, 3).unwrap();
        let r = renames(&l, &a, &b);
        match plan(&l, &a.ids(&l), &r, exchange) {
            Ok(steps) => {
                let mut m = a.clone();
                prop_assert_eq!(run(&mut m, &l, &steps), Ok(()));
                prop_assert_eq!(&m, &b);
                let best = fewest(&l, &[0, 1, 2], &a, &b, exchange);
                prop_assert_eq!(Some(steps.len()), best);
            }
            Err(PlanError::NoFreeSlot) => {
                prop_assert!(!exchange);
                prop_assert_eq!(a.0.len(), 4);
            }
            Err(e) => prop_assert!(false, "unexpected {:?}", e),
        }
    }

    /// Random permutations of up to 100 objects, on both real layouts and
    /// on one with no free slot, which exchanges alone realise: a cycle of
    /// `k` objects takes `k - 1` exchanges and a move in place for each of
    /// its `m` objects that wants another sequence number than it gets, or
    /// `k + 1` moves through a free slot if there is one.
    #[test]
    fn permutations_need_no_free_slot(
        n in 2usize..100,
        seed in proptest::collection::vec(any::<u32>(), 100),
        layout in 0..3u8,
    ) {
        let l = match layout {
            0 => default_layout(),
            1 => extended_layout(),
            _ => Layout::new(15, n as i32, i32::MAX >> 15).unwrap(),
        };
        let slots: Vec<u32> = (0..n as u32).collect();
        let mut perm = slots.clone();
        for i in (1..n).rev() {
            perm.swap(i, seed[i] as usize % (i + 1));
        }
        let a = Model(slots.iter().map(|&s| (s, (s, s % 7))).collect());
        let b = Model(slots.iter().map(|&s| (perm[s as usize], (s, s % 5))).collect());
        let r = renames(&l, &a, &b);
        let steps = plan(&l, &a.ids(&l), &r, true).unwrap();
        let mut m = a.clone();
        prop_assert_eq!(run(&mut m, &l, &steps), Ok(()));
        prop_assert_eq!(&m, &b);
        let mut cycles = 0;
        let mut seen = vec![false; n];
        for s in 0..n {
            let mut i = s;
            cycles += usize::from(!seen[i]);
            while !seen[i] {
                seen[i] = true;
                i = perm[i] as usize;
            }
        }
        let m = (0..n).filter(|&s| s % 5 != perm[s] as usize % 7).count();
        prop_assert!(steps.len() <= n - cycles + m);
        if layout < 2 {
            prop_assert!(steps.len() <= n + cycles);
        }
    }
}
