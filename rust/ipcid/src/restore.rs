// SPDX-License-Identifier: GPL-2.0

//! `ipcid restore`: recreate the objects of a dump in the current IPC
//! namespace, each at its recorded ID.
//!
//! In order:
//! 1. the namespace's limits, raised where an object of the dump exceeds
//!    its own (a limit lowered after the object was made);
//! 2. the objects, created where the kernel puts them and filled;
//! 3. moved to their IDs with the planner of the host crate: paths of
//!    moves, and cycles resolved with exchanges, so that objects created on
//!    each other's wanted slots trade places;
//! 4. owners and modes, `SHM_LOCK`, and the segments that were removed
//!    while attached: removed again while a holder process keeps them
//!    attached until it is killed, so that they go at their last detach;
//! 5. the limits exactly as dumped (but `shm_rmid_forced`, left 0), and
//!    last the `*_next_id` cursors, which the restore's own creations
//!    would use up.
//!
//! Objects that were in the namespace before are never moved: a wanted
//! slot that one of them holds is an error. On any error, and on SIGINT,
//! SIGTERM or SIGHUP, every object created so far is removed again and the
//! limits and cursors are put back as they were.
//!
//! What no system call can set is not restored: the creator's user and
//! group (`cuid`, `cgid`), the times, and the PIDs of the last operations.

use crate::format::{unhex, Dump, Limits, NextIds, Object};
use crate::objects;
use crate::progress::Progress;
use crate::signals;
use crate::sys::{self, Kind};
use kernel::chid_rules::Layout;
use kernel::plan::{plan, PlanError, Step};
use std::collections::BTreeMap;
use std::io;

pub struct Report {
    pub objects: usize,
    pub exchanges: usize,
    pub lost: usize,
    /// The process that keeps the segments removed while attached
    /// attached, if there are any.
    pub holder: Option<libc::pid_t>,
}

/// What `ipcid restore` cannot give back, for `--help` and README.
pub const NOT_RESTORED: &str = "\
What a restore does not give back, since no system call sets it:
  - the creator's user and group of each object (cuid, cgid): the restore
    creates them;
  - the times (msg_stime, sem_otime, shm_atime, ..., and every ctime);
  - the PIDs of the last operations (msg_lspid, msg_lrpid, shm_cpid,
    shm_lpid, sempid);
  - the attachments of segments, and semaphore adjustments (SEM_UNDO):
    they belong to the processes, which a restore of the processes gives
    back.
A segment that was removed while attached comes back removed and attached
by a holder process, whose PID the restore prints: killed (SIGTERM) once
the restored processes have attached the segment, it lets go of it, which
then goes at its last detach, as it would have.
kernel.shm_rmid_forced is left 0 where the dump has 1: with 1, the segments
the restore created would go when it exits. Set it once the restored
processes have attached theirs.";

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

/// What a restore changed, undone unless it completes.
struct Cleanup {
    made: Vec<Made>,
    /// The namespace's limits before, once the restore wrote any.
    limits: Option<Limits>,
    /// The namespace's cursors before, once the restore created anything
    /// (creating uses up a pending one) or wrote them.
    next_id: Option<NextIds>,
    holder: Option<libc::pid_t>,
    done: bool,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        // Everything is undone first, then said: saying it may fail.
        let mut failed = Vec::new();
        let mut removed = 0;
        for m in &self.made {
            match sys::rmid(m.kind, m.id) {
                Ok(()) => removed += 1,
                Err(e) => failed.push(format!("could not remove {} {}: {e}", m.kind.name(), m.id)),
            }
        }
        // The segments it kept attached, removed above, go with it.
        if let Some(pid) = self.holder.take() {
            release(pid);
        }
        let limits = self.limits.take().map(|l| write_limits(&l));
        let cursors = self.next_id.take().map(|n| put_next_ids(&n));
        for f in failed {
            crate::note!("ipcid: {f}");
        }
        if !self.made.is_empty() {
            crate::note!("ipcid: removed the {removed} objects this restore created");
        }
        match limits {
            Some(Ok(())) => crate::note!("ipcid: put the namespace's limits back as they were"),
            Some(Err(e)) => crate::note!("ipcid: could not put the limits back: {e}"),
            None => {}
        }
        if let Some(Err(e)) = cursors {
            crate::note!("ipcid: could not put the *_next_id cursors back: {e}");
        }
    }
}

fn write_limits(l: &Limits) -> Result<(), String> {
    for (name, value) in l.entries() {
        objects::write_sysctl(name, &value)?;
    }
    Ok(())
}

/// Makes the namespace's cursors those of `n`. A pending one is written;
/// one that is -1 (none pending) cannot be (the kernel takes 0 and up),
/// so where one is pending it is used up by an object created and
/// removed at once.
fn put_next_ids(n: &NextIds) -> Result<(), String> {
    let now = objects::next_ids()?.ok_or("no *_next_id cursors")?;
    for kind in Kind::ALL {
        let (want, got) = (n.get(kind), now.get(kind));
        if want >= 0 {
            objects::write_sysctl(&format!("{}_next_id", kind.name()), &want.to_string())?;
        } else if got >= 0 {
            let id = match kind {
                Kind::Msg => sys::msgget(libc::IPC_PRIVATE, 0o600),
                Kind::Sem => sys::semget(libc::IPC_PRIVATE, 1, 0o600),
                Kind::Shm => sys::shmget(libc::IPC_PRIVATE, 1, 0o600),
            }
            .map_err(|e| format!("{}_next_id {got}: clearing it: {e}", kind.name()))?;
            sys::rmid(kind, id).map_err(|e| format!("{} {id}: IPC_RMID: {e}", kind.name()))?;
        }
    }
    Ok(())
}

/// Ends the holder process: what only it kept attached goes.
fn release(pid: libc::pid_t) {
    // SAFETY: no pointer arguments. `pid` is a child of this process that
    // was not waited for, and SIGCHLD has its default action (see
    // `signals::catch()`), so it is at worst a zombie: its PID cannot
    // have been reused.
    unsafe { libc::kill(pid, libc::SIGKILL) };
    let mut status = 0;
    // SAFETY: `status` is a valid place for the status.
    unsafe { libc::waitpid(pid, &mut status, 0) };
}

/// The limits the objects of the dump need, next to those already in the
/// namespace: `dumped` where that is enough, higher where not.
fn needed(dump: &Dump, dumped: &Limits, foreign: &[(Kind, i32)]) -> Result<Limits, String> {
    // SAFETY: no arguments but the name.
    let page = u64::try_from(unsafe { libc::sysconf(libc::_SC_PAGESIZE) })
        .ok()
        .filter(|&p| p > 0)
        .unwrap_or(4096);
    let pages = |size: u64| size.div_ceil(page);
    let mut need = Limits {
        msgmax: 0,
        msgmnb: 0,
        msgmni: 0,
        sem: [0, 0, dumped.sem[2], 0],
        shmmax: 0,
        shmall: 0,
        shmmni: 0,
        shm_rmid_forced: dumped.shm_rmid_forced,
    };
    let mut count = |kind: Kind, nsems: u64, size: u64| match kind {
        Kind::Msg => need.msgmni += 1,
        Kind::Sem => {
            need.sem[3] += 1;
            need.sem[1] += nsems;
            need.sem[0] = need.sem[0].max(nsems);
        }
        Kind::Shm => {
            need.shmmni += 1;
            need.shmall += pages(size);
            need.shmmax = need.shmmax.max(size);
        }
    };
    for &(kind, id) in foreign {
        match kind {
            Kind::Msg => count(kind, 0, 0),
            Kind::Sem => {
                let ds = sys::sem_stat(id).map_err(|e| format!("sem {id}: IPC_STAT: {e}"))?;
                count(kind, ds.nsems, 0);
            }
            Kind::Shm => {
                let ds = sys::shm_stat(id).map_err(|e| format!("shm {id}: IPC_STAT: {e}"))?;
                count(kind, 0, ds.segsz);
            }
        }
    }
    for o in &dump.objects {
        match o {
            Object::Msg {
                messages, qbytes, ..
            } => {
                count(Kind::Msg, 0, 0);
                let longest = messages.iter().map(|m| m.text.len() as u64 / 2).max();
                need.msgmax = need.msgmax.max(longest.unwrap_or(0));
                // A new queue's msg_qbytes is msgmnb; raising it above
                // needs CAP_SYS_RESOURCE in the initial user namespace.
                let bytes: u64 = messages.iter().map(|m| m.text.len() as u64 / 2).sum();
                need.msgmnb = need.msgmnb.max(*qbytes).max(bytes);
            }
            Object::Sem { values, .. } => count(Kind::Sem, values.len() as u64, 0),
            Object::Shm { size, .. } => count(Kind::Shm, 0, *size),
        }
    }
    let max = |a: u64, b: u64| a.max(b);
    Ok(Limits {
        msgmax: max(dumped.msgmax, need.msgmax),
        msgmnb: max(dumped.msgmnb, need.msgmnb),
        msgmni: max(dumped.msgmni, need.msgmni),
        sem: [
            max(dumped.sem[0], need.sem[0]),
            max(dumped.sem[1], need.sem[1]),
            dumped.sem[2],
            max(dumped.sem[3], need.sem[3]),
        ],
        shmmax: max(dumped.shmmax, need.shmmax),
        shmall: max(dumped.shmall, need.shmall),
        shmmni: max(dumped.shmmni, need.shmmni),
        // 0 while restoring: with 1, a segment goes at its last detach,
        // the restore's own after it fills them.
        shm_rmid_forced: 0,
    })
}

/// The segments removed while attached: a child process attaches them,
/// then they are removed. It keeps them until it is killed (SIGTERM), the
/// moment their processes have attached them again: then each goes at
/// its last detach. Returns its PID.
fn hold(ids: &[i32]) -> Result<libc::pid_t, String> {
    let mut fds = [0; 2];
    // SAFETY: `fds` has room for the two descriptors.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(format!("pipe: {}", io::Error::last_os_error()));
    }
    let [rd, wr] = fds;
    // SAFETY: the child makes system calls only (no allocation, no lock),
    // on what it owns, and leaves with _exit().
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        return Err(format!("fork: {}", io::Error::last_os_error()));
    }
    if pid == 0 {
        // SAFETY: as above: the holder detaches from the caller's
        // terminal, directory and descriptors, attaches the segments,
        // says so through the pipe and waits to be killed.
        unsafe {
            libc::close(rd);
            for sig in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
                libc::signal(sig, libc::SIG_DFL);
            }
            libc::setsid();
            libc::chdir(c"/".as_ptr());
            let null = libc::open(c"/dev/null".as_ptr(), libc::O_RDWR);
            if null < 0 {
                libc::_exit(1);
            }
            for fd in 0..3 {
                libc::dup2(null, fd);
            }
            for &id in ids {
                if libc::shmat(id, std::ptr::null(), libc::SHM_RDONLY) as isize == -1 {
                    libc::_exit(1);
                }
            }
            libc::write(wr, c"h".as_ptr().cast(), 1);
            libc::syscall(libc::SYS_close_range, 3, libc::c_uint::MAX, 0);
            loop {
                libc::pause();
            }
        }
    }
    // SAFETY: the parent's copy of the write end.
    unsafe { libc::close(wr) };
    let mut b = 0u8;
    let r = loop {
        // SAFETY: one byte into `b`.
        let r = unsafe { libc::read(rd, (&raw mut b).cast(), 1) };
        if r >= 0 || io::Error::last_os_error().kind() != io::ErrorKind::Interrupted {
            break r;
        }
    };
    // SAFETY: the read end, no longer used.
    unsafe { libc::close(rd) };
    if r != 1 {
        release(pid);
        return Err("the holder of the removed segments could not attach them".into());
    }
    Ok(pid)
}

pub fn restore(file: &str) -> Result<Report, String> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("{file}: {e}"))?;
    let dump = crate::format::parse(&text).map_err(|e| format!("{file}: {e}"))?;
    check_kernel()?;
    let layout = objects::layout()?;
    check_ids(&dump, &layout)?;
    if dump.version < 2 {
        crate::note!(
            "ipcid: {file} is a version {} dump: it has no limits, *_next_id cursors, \
             SHM_LOCKED or SHM_DEST; this namespace keeps its own limits and cursors",
            dump.version
        );
    }

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
    let foreign_ids: Vec<(Kind, i32)> = foreign.iter().map(|((k, _), l)| (*k, l.id)).collect();
    // The limits while restoring: the dump's, raised where its objects
    // need it (a version 1 dump has none: the namespace's own), and
    // shm_rmid_forced 0.
    let before = objects::limits()?;
    let mut during = match &dump.limits {
        Some(l) => needed(&dump, l, &foreign_ids)?,
        None => before,
    };
    during.shm_rmid_forced = 0;

    signals::catch().map_err(|e| format!("signals: {e}"))?;
    let mut cleanup = Cleanup {
        made: Vec::new(),
        limits: None,
        next_id: objects::next_ids()?,
        holder: None,
        done: false,
    };
    if dump.next_id.is_some() && cleanup.next_id.is_none() {
        return Err("the dump has *_next_id cursors and this kernel has none \
             (CONFIG_CHECKPOINT_RESTORE)"
            .into());
    }
    if during != before {
        cleanup.limits = Some(before);
        write_limits(&during).map_err(|e| format!("limits: {e}"))?;
    }

    let total = dump.objects.len();
    let mut progress = Progress::new("restore: creating", total);
    for (i, o) in dump.objects.iter().enumerate() {
        signals::check()?;
        let id = create(o)?;
        cleanup.made.push(Made {
            kind: o.kind(),
            id,
            obj: i,
        });
        fill(o, id)?;
        progress.inc();
    }
    progress.finish();

    let mut exchanges = 0;
    let mut progress = Progress::new("restore: moving to IDs", total);
    for kind in Kind::ALL {
        let present: Vec<i32> = objects::list(kind)?.iter().map(|l| l.id).collect();
        let renames: Vec<(i32, i32)> = cleanup
            .made
            .iter()
            .filter(|m| m.kind == kind)
            .filter_map(|m| dump.objects.get(m.obj).map(|o| (m.id, o.common().id)))
            .collect();
        let steps = plan(&layout, &present, &renames, true).map_err(|e| planned(kind, e))?;
        // Where each of this kind's objects is now, by its current ID.
        let mut at: BTreeMap<i32, usize> = cleanup
            .made
            .iter()
            .enumerate()
            .filter(|(_, m)| m.kind == kind)
            .map(|(i, m)| (m.id, i))
            .collect();
        for s in &steps {
            signals::check()?;
            sys::setid(kind, s.id, s.newid, s.exchange)
                .map_err(|e| explain(kind, s.id, s.newid, &e))?;
            exchanges += usize::from(s.exchange);
            follow(&mut at, &mut cleanup.made, s);
            progress.inc();
        }
    }
    progress.finish();

    // Contents first, while this program still owns and may read every
    // object; then owners and modes, read back from /proc/sysvipc.
    let mut lost = verify(&dump, &cleanup.made)?;
    let mut destroyed = Vec::new();
    for m in &cleanup.made {
        signals::check()?;
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
        if let Object::Shm {
            locked,
            destroyed: d,
            ..
        } = o
        {
            if *locked {
                sys::shm_lock(m.id).map_err(|e| format!("shm {}: SHM_LOCK: {e}", m.id))?;
            }
            if *d {
                destroyed.push(m.id);
            }
        }
    }
    if !destroyed.is_empty() {
        signals::check()?;
        let pid = hold(&destroyed)?;
        cleanup.holder = Some(pid);
        for &id in &destroyed {
            sys::rmid(Kind::Shm, id).map_err(|e| format!("shm {id}: IPC_RMID: {e}"))?;
        }
    }

    lost += verify_owners(&dump, &cleanup.made)?;
    if lost > 0 {
        return Err(format!("{lost} objects did not come back as they were"));
    }

    // The namespace as dumped; the cursors last, since every creation
    // above would have used them up.
    signals::check()?;
    let mut want = dump.limits.unwrap_or(before);
    let forced = want.shm_rmid_forced == 1;
    // Not 1: the restore created the segments, so with 1 those that no
    // process attached yet would go when it exits, and the unattached
    // segments of exited creators at once.
    want.shm_rmid_forced = 0;
    if want != during {
        write_limits(&want).map_err(|e| format!("limits: {e}"))?;
    }
    if objects::limits()? != want {
        return Err("limits: they do not read back as written".into());
    }
    if let Some(n) = &dump.next_id {
        put_next_ids(n).map_err(|e| format!("*_next_id: {e}"))?;
        if objects::next_ids()?.as_ref() != Some(n) {
            return Err("*_next_id: they do not read back as written".into());
        }
    }
    cleanup.done = true;
    if forced {
        crate::note!(
            "ipcid: kernel.shm_rmid_forced was 1 and is left 0: with 1, the segments this \
             restore created would go when it exits unless a process has attached them; \
             set it once the restored processes have attached theirs"
        );
    }
    Ok(Report {
        objects: total,
        exchanges,
        lost,
        holder: cleanup.holder,
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

/// Follows the objects through one call: the object at `s.id` has
/// `s.newid` now, and in an exchange the object whose ID was `s.newid`
/// has `s.id`. `at` maps each current ID to its entry in `made`.
fn follow(at: &mut BTreeMap<i32, usize>, made: &mut [Made], s: &Step) {
    let moved = at.remove(&s.id);
    let other = if s.exchange {
        at.remove(&s.newid)
    } else {
        None
    };
    for (entry, id) in [(moved, s.newid), (other, s.id)] {
        if let Some(i) = entry {
            if let Some(m) = made.get_mut(i) {
                m.id = id;
            }
            at.insert(id, i);
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
            crate::note!("ipcid: {} {} is at {}", m.kind.name(), c.id, m.id);
            lost += 1;
            continue;
        }
        let here = objects::Listed {
            id: c.id,
            key: c.key,
            uid: c.uid,
            gid: c.gid,
            mode: c.mode,
            state: 0,
        };
        // The segment's state comes later, and is compared then.
        if objects::read(m.kind, &here)? != without_state(want) {
            crate::note!("ipcid: {} {} differs from the dump", m.kind.name(), c.id);
            lost += 1;
        }
    }
    Ok(lost)
}

/// `o` with its segment state (locked, destroyed) cleared.
fn without_state(o: &Object) -> Object {
    let mut o = o.clone();
    if let Object::Shm {
        locked, destroyed, ..
    } = &mut o
    {
        (*locked, *destroyed) = (false, false);
    }
    o
}

/// The mode bits of a segment's state, as /proc/sysvipc/shm shows them.
fn state_bits(o: &Object) -> u32 {
    match o {
        Object::Shm {
            locked, destroyed, ..
        } => {
            (if *locked { sys::SHM_LOCKED } else { 0 })
                | (if *destroyed { sys::SHM_DEST } else { 0 })
        }
        _ => 0,
    }
}

/// Compares IDs, keys, owners, modes and segment state as /proc/sysvipc
/// lists them.
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
                Some(l)
                    if (l.key, l.uid, l.gid, l.mode, l.state)
                        == (c.key, c.uid, c.gid, c.mode, state_bits(want)) => {}
                _ => {
                    crate::note!("ipcid: {} {} is not as the dump has it", kind.name(), c.id);
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
        let mut made = Vec::new();
        for (obj, _) in wanted.iter().enumerate() {
            let free = (0..).find(|i| !table.contains_key(i)).expect("a free slot");
            let id = i32::try_from(free).expect("fits");
            table.insert(free, id);
            made.push(Made {
                kind: Kind::Msg,
                id,
                obj,
            });
        }
        let present: Vec<i32> = table.values().copied().collect();
        let renames: Vec<(i32, i32)> = made
            .iter()
            .map(|m| m.id)
            .zip(wanted.iter().copied())
            .collect();
        let steps = plan(&l, &present, &renames, true).expect("a plan");
        let mut at: BTreeMap<i32, usize> =
            made.iter().enumerate().map(|(i, m)| (m.id, i)).collect();
        for s in &steps {
            apply(&l, &mut table, s);
            follow(&mut at, &mut made, s);
        }
        let ids: Vec<i32> = made.iter().map(|m| m.id).collect();
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
