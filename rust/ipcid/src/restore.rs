// SPDX-License-Identifier: GPL-2.0

//! `ipcid restore`: recreate the objects of a dump in the current IPC
//! namespace, each at its recorded ID.
//!
//! Objects are created where the kernel puts them, filled, and then moved
//! to their IDs with the planner of the host crate: paths of moves, and
//! cycles resolved with exchanges, so that objects created on each other's
//! wanted slots trade places. Objects that were in the namespace before
//! are never moved: a wanted slot that one of them holds is an error. On
//! any error, every object created so far is removed again.

use crate::format::{unhex, Dump, Object};
use crate::objects;
use crate::sys::{self, Kind};
use kernel::chid_rules::Layout;
use kernel::plan::{plan, PlanError, Step};
use std::collections::BTreeMap;
use std::io;

pub struct Report {
    pub objects: usize,
    pub exchanges: usize,
    pub lost: usize,
}

/// Fails with a clear message if `IPC_SETID` cannot be used here.
pub fn check_kernel() -> Result<(), String> {
    match sys::probe_setid() {
        Ok(()) => Ok(()),
        Err(e) if e.raw_os_error() == Some(libc::EINVAL) => Err(
            "this kernel has no IPC_SETID (it needs the System V IPC ID change, \
             CONFIG_SYSVIPC_CHID)"
                .into(),
        ),
        Err(e) if e.raw_os_error() == Some(libc::EPERM) => Err(
            "IPC_SETID needs CAP_CHECKPOINT_RESTORE or CAP_SYS_ADMIN in the user \
             namespace that owns this IPC namespace"
                .into(),
        ),
        Err(e) => Err(format!("IPC_SETID: {e}")),
    }
}

/// What a failed `IPC_SETID` means, in words.
pub fn explain(kind: Kind, id: i32, newid: i32, e: &io::Error) -> String {
    let what = format!("{} {id} -> {newid}", kind.name());
    match e.raw_os_error() {
        Some(libc::EBUSY) => format!("{what}: the segment is attached (shmdt() it first)"),
        Some(libc::EEXIST) => {
            format!("{what}: the ID's index is held (use --exchange to trade IDs)")
        }
        Some(libc::EINVAL) => format!("{what}: no {} has ID {id}", kind.name()),
        Some(libc::EPERM) => format!(
            "{what}: not allowed (CAP_CHECKPOINT_RESTORE, and ownership of the object \
             or CAP_SYS_ADMIN, are needed)"
        ),
        Some(libc::EACCES) => format!("{what}: refused by the security module"),
        _ => format!("{what}: {e}"),
    }
}

/// An object this run created, and where it is now.
struct Made {
    kind: Kind,
    /// Its current ID.
    id: i32,
    /// The index in the dump's objects.
    obj: usize,
}

struct Cleanup {
    made: Vec<Made>,
    done: bool,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        for m in &self.made {
            if let Err(e) = sys::rmid(m.kind, m.id) {
                eprintln!("ipcid: could not remove {} {}: {e}", m.kind.name(), m.id);
            }
        }
        if !self.made.is_empty() {
            eprintln!(
                "ipcid: removed the {} objects this restore created",
                self.made.len()
            );
        }
    }
}

pub fn restore(file: &str) -> Result<Report, String> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("{file}: {e}"))?;
    let dump = crate::format::parse(&text).map_err(|e| format!("{file}: {e}"))?;
    check_kernel()?;
    let layout = objects::layout()?;
    check_ids(&dump, &layout)?;

    // What the namespace holds already: never moved, never in the way.
    let mut foreign: BTreeMap<(Kind, u32), objects::Listed> = BTreeMap::new();
    for kind in Kind::ALL {
        for l in objects::list(kind)? {
            let d = layout
                .decode(l.id)
                .map_err(|_| format!("bad ID {}", l.id))?;
            foreign.insert((kind, d.index), l);
        }
    }
    for o in &dump.objects {
        let c = o.common();
        let d = layout
            .decode(c.id)
            .map_err(|_| format!("bad ID {}", c.id))?;
        if let Some(f) = foreign.get(&(o.kind(), d.index)) {
            return Err(format!(
                "{kind} {id} (key {key}) cannot be restored: its index is held by {kind} {fid} \
                 (key {fkey}), which this restore did not create",
                kind = o.kind().name(),
                id = c.id,
                key = c.key,
                fid = f.id,
                fkey = f.key
            ));
        }
    }

    check_keys(&dump, &foreign)?;

    let mut cleanup = Cleanup {
        made: Vec::new(),
        done: false,
    };
    let total = dump.objects.len();
    for (i, o) in dump.objects.iter().enumerate() {
        let id = create(o)?;
        cleanup.made.push(Made {
            kind: o.kind(),
            id,
            obj: i,
        });
        fill(o, id)?;
        if (i + 1) % 1000 == 0 {
            eprintln!("restore: created {}/{total}", i + 1);
        }
    }

    let mut exchanges = 0;
    for kind in Kind::ALL {
        let present: Vec<i32> = objects::list(kind)?.iter().map(|l| l.id).collect();
        let renames: Vec<(i32, i32)> = cleanup
            .made
            .iter()
            .filter(|m| m.kind == kind)
            .filter_map(|m| dump.objects.get(m.obj).map(|o| (m.id, o.common().id)))
            .collect();
        let steps = plan(&layout, &present, &renames, true).map_err(|e| planned(kind, e))?;
        for s in &steps {
            sys::setid(kind, s.id, s.newid, s.exchange)
                .map_err(|e| explain(kind, s.id, s.newid, &e))?;
            exchanges += usize::from(s.exchange);
            let mut ids: Vec<i32> = cleanup
                .made
                .iter()
                .filter(|m| m.kind == kind)
                .map(|m| m.id)
                .collect();
            follow(&mut ids, s);
            for (m, id) in cleanup.made.iter_mut().filter(|m| m.kind == kind).zip(ids) {
                m.id = id;
            }
        }
    }

    // Contents first, while this program still owns and may read every
    // object; then owners and modes, read back from /proc/sysvipc.
    let mut lost = verify(&dump, &cleanup.made)?;
    for m in &cleanup.made {
        let Some(o) = dump.objects.get(m.obj) else {
            continue;
        };
        let c = o.common();
        let qbytes = match o {
            Object::Msg { qbytes, .. } => Some(*qbytes),
            _ => None,
        };
        sys::set_perm(m.kind, m.id, c.uid, c.gid, c.mode, qbytes)
            .map_err(|e| format!("{} {}: IPC_SET: {e}", m.kind.name(), m.id))?;
    }

    lost += verify_owners(&dump, &cleanup.made)?;
    if lost > 0 {
        return Err(format!("{lost} objects did not come back as they were"));
    }
    cleanup.done = true;
    Ok(Report {
        objects: total,
        exchanges,
        lost,
    })
}

/// Every ID must be one of the running layout, and no two objects of a
/// kind may want the same index in it.
fn check_ids(dump: &Dump, layout: &Layout) -> Result<(), String> {
    let mut seen: BTreeMap<(Kind, u32), i32> = BTreeMap::new();
    for o in &dump.objects {
        let id = o.common().id;
        let d = layout.decode(id).map_err(|_| {
            format!(
                "{} {id} is not an ID of this kernel's layout",
                o.kind().name()
            )
        })?;
        if let Some(other) = seen.insert((o.kind(), d.index), id) {
            return Err(format!(
                "{kind} {other} and {kind} {id} have the same index {index} in this kernel's \
                 layout (seq << {shift}): the dump comes from a kernel booted {how}",
                kind = o.kind().name(),
                index = d.index,
                shift = if layout.slots() > 1 << 15 { 24 } else { 15 },
                how = if dump.seq_shift == 24 {
                    "with ipcmni_extend"
                } else {
                    "without ipcmni_extend"
                },
            ));
        }
    }
    Ok(())
}

/// Follows the objects whose IDs are `ids` through one call: the object at
/// `s.id` has `s.newid` now, and in an exchange the object whose ID was
/// `s.newid` has `s.id`.
fn follow(ids: &mut [i32], s: &Step) {
    for id in ids.iter_mut() {
        if *id == s.id {
            *id = s.newid;
        } else if s.exchange && *id == s.newid {
            *id = s.id;
        }
    }
}

fn planned(kind: Kind, e: PlanError) -> String {
    format!("{}: no plan of changes: {e:?}", kind.name())
}

fn create(o: &Object) -> Result<i32, String> {
    let c = o.common();
    let flags = libc::IPC_CREAT | libc::IPC_EXCL | 0o600;
    let r = match o {
        Object::Msg { .. } => sys::msgget(c.key, flags),
        Object::Sem { values, .. } => {
            let n = i32::try_from(values.len()).map_err(|_| "too many semaphores".to_string())?;
            sys::semget(c.key, n, flags)
        }
        Object::Shm { size, .. } => sys::shmget(c.key, *size, flags),
    };
    r.map_err(|e| match e.raw_os_error() {
        Some(libc::EEXIST) => format!(
            "{} {}: its key {} is taken by an object this restore did not create",
            o.kind().name(),
            c.id,
            c.key
        ),
        _ => format!("{} {}: create: {e}", o.kind().name(), c.id),
    })
}

fn fill(o: &Object, id: i32) -> Result<(), String> {
    let err =
        |what: &str, e: io::Error| format!("{} {}: {what}: {e}", o.kind().name(), o.common().id);
    match o {
        Object::Msg {
            qbytes, messages, ..
        } => {
            // While filling, the queue must take every message (its byte
            // and message counts are both bounded by msg_qbytes); the
            // recorded limit, possibly lower, is set at the end.
            let bytes: u64 = messages.iter().map(|m| m.text.len() as u64 / 2).sum();
            let need = (*qbytes).max(bytes).max(messages.len() as u64);
            let ds = sys::msg_stat(id).map_err(|e| err("IPC_STAT", e))?;
            if need > ds.qbytes {
                sys::set_perm(
                    Kind::Msg,
                    id,
                    ds.perm.uid,
                    ds.perm.gid,
                    ds.perm.mode & 0o777,
                    Some(need),
                )
                .map_err(|e| err("msg_qbytes", e))?;
            }
            for m in messages {
                let text = unhex(&m.text).map_err(|e| format!("{}: {e}", o.common().id))?;
                sys::msgsnd(id, m.mtype, &text).map_err(|e| err("msgsnd", e))?;
            }
        }
        Object::Sem { values, .. } => {
            sys::sem_set_values(id, values).map_err(|e| err("SETVAL", e))?
        }
        Object::Shm { data, .. } => {
            let bytes = unhex(data).map_err(|e| format!("{}: {e}", o.common().id))?;
            sys::shm_io(id, Some(&bytes)).map_err(|e| err("shmat", e))?;
        }
    }
    Ok(())
}

/// Keys must be free here and unique in the dump (IPC_PRIVATE aside).
fn check_keys(dump: &Dump, foreign: &BTreeMap<(Kind, u32), objects::Listed>) -> Result<(), String> {
    let mut seen: BTreeMap<(Kind, i32), i32> = BTreeMap::new();
    for o in &dump.objects {
        let c = o.common();
        if c.key == libc::IPC_PRIVATE {
            continue;
        }
        if let Some(other) = seen.insert((o.kind(), c.key), c.id) {
            return Err(format!(
                "{kind} {other} and {kind} {id} have the same key {key}",
                kind = o.kind().name(),
                id = c.id,
                key = c.key
            ));
        }
        if let Some(((_, _), f)) = foreign
            .iter()
            .find(|((k, _), f)| *k == o.kind() && f.key == c.key)
        {
            return Err(format!(
                "{kind} {id} cannot be restored: its key {key} is held by {kind} {fid}, \
                 which this restore did not create",
                kind = o.kind().name(),
                id = c.id,
                key = c.key,
                fid = f.id
            ));
        }
    }
    Ok(())
}

/// Reads every restored object back and compares its contents with the
/// dump: how many differ.
fn verify(dump: &Dump, made: &[Made]) -> Result<usize, String> {
    let mut lost = 0;
    for m in made {
        let Some(want) = dump.objects.get(m.obj) else {
            continue;
        };
        let c = want.common();
        if m.id != c.id {
            eprintln!("ipcid: {} {} is at {}", m.kind.name(), c.id, m.id);
            lost += 1;
            continue;
        }
        let here = objects::Listed {
            id: c.id,
            key: c.key,
            uid: c.uid,
            gid: c.gid,
            mode: c.mode,
        };
        if &objects::read(m.kind, &here)? != want {
            eprintln!("ipcid: {} {} differs from the dump", m.kind.name(), c.id);
            lost += 1;
        }
    }
    Ok(lost)
}

/// Compares IDs, keys, owners and modes as /proc/sysvipc lists them.
fn verify_owners(dump: &Dump, made: &[Made]) -> Result<usize, String> {
    let mut lost = 0;
    for kind in Kind::ALL {
        let listed: BTreeMap<i32, objects::Listed> = objects::list(kind)?
            .into_iter()
            .map(|l| (l.id, l))
            .collect();
        for m in made.iter().filter(|m| m.kind == kind) {
            let Some(want) = dump.objects.get(m.obj) else {
                continue;
            };
            let c = want.common();
            match listed.get(&c.id) {
                Some(l) if (l.key, l.uid, l.gid, l.mode) == (c.key, c.uid, c.gid, c.mode) => {}
                _ => {
                    eprintln!("ipcid: {} {} is not as the dump has it", kind.name(), c.id);
                    lost += 1;
                }
            }
        }
    }
    Ok(lost)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(shift: i32) -> Layout {
        Layout::new(shift, 1 << shift, i32::MAX >> shift).expect("a layout")
    }

    /// The kernel's side of a call, on a table slot -> ID.
    fn apply(layout: &Layout, table: &mut BTreeMap<u32, i32>, s: &Step) {
        let from = layout.decode(s.id).expect("id").index;
        let to = layout.decode(s.newid).expect("newid").index;
        assert_eq!(table.remove(&from), Some(s.id), "no object at {}", s.id);
        if let Some(held) = table.insert(to, s.newid) {
            assert!(s.exchange, "{} is held", s.newid);
            // An exchange trades with the object whose ID is newid only.
            assert_eq!(held, s.newid, "{} is held by {held}", s.newid);
            table.insert(from, s.id);
        }
    }

    /// What a restore does: objects created at the lowest free indexes,
    /// then planned to their wanted IDs and followed call by call.
    fn restore_into(shift: i32, foreign: &[i32], wanted: &[i32]) -> usize {
        let l = layout(shift);
        let mut table: BTreeMap<u32, i32> = BTreeMap::new();
        for &f in foreign {
            table.insert(l.decode(f).expect("foreign").index, f);
        }
        let mut ids = Vec::new();
        for _ in wanted {
            let free = (0..).find(|i| !table.contains_key(i)).expect("a free slot");
            let id = i32::try_from(free).expect("fits");
            table.insert(free, id);
            ids.push(id);
        }
        let present: Vec<i32> = table.values().copied().collect();
        let renames: Vec<(i32, i32)> = ids.iter().copied().zip(wanted.iter().copied()).collect();
        let steps = plan(&l, &present, &renames, true).expect("a plan");
        for s in &steps {
            apply(&l, &mut table, s);
            follow(&mut ids, s);
        }
        assert_eq!(ids, wanted);
        for &f in foreign {
            assert_eq!(table.get(&l.decode(f).expect("foreign").index), Some(&f));
        }
        steps.iter().filter(|s| s.exchange).count()
    }

    #[test]
    fn objects_created_on_each_others_slots_trade_places() {
        // The scattered queues of the in-guest test, in both layouts.
        for shift in [15, 24] {
            let id = |index: i32, seq: i32| seq << shift | index;
            let wanted = [id(3, 1), id(40, 2), id(1, 3), id(0, 7)];
            assert!(restore_into(shift, &[], &wanted) >= 1);
            assert!(restore_into(shift, &[id(500, 0), id(501, 3)], &wanted) >= 1);
        }
    }

    #[test]
    fn every_permutation_of_five_is_followed() {
        let mut p = [0, 1, 2, 3, 4];
        // Heap's algorithm, iteratively.
        let mut c = [0usize; 5];
        let mut i = 0;
        let mut count = 1;
        restore_into(15, &[], &p.map(|x| x << 15 | x));
        while i < p.len() {
            if c[i] < i {
                if i % 2 == 0 {
                    p.swap(0, i);
                } else {
                    p.swap(c[i], i);
                }
                let wanted = p.map(|x| (x + 1) << 15 | x);
                restore_into(15, &[], &wanted);
                count += 1;
                c[i] += 1;
                i = 0;
            } else {
                c[i] = 0;
                i += 1;
            }
        }
        assert_eq!(count, 120);
    }
}
