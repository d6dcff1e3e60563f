// SPDX-License-Identifier: GPL-2.0

//! `ipcid-bench [--quick] [N...]`: what it costs to put N message queues
//! at wanted IDs, each way measured side by side in one run, in fresh IPC
//! namespaces:
//!
//! - (a) the upstream way, as CRIU uses it: open `kernel.msg_next_id`,
//!   write the ID, close it, then `msgget()`;
//! - (b) `msgget()`, then `IPC_SETID` to the wanted ID;
//! - (c) `msgget()` alone, with no ID wanted: the floor;
//! - (d) a random permutation of the IDs of N existing queues, realised
//!   with the planner's moves and exchanges.
//!
//! Each way runs five times, in rotating order, in a process and a
//! namespace of its own, and a pass over fewer than 20 000 queues is
//! repeated until it covers as many; the table has the medians. Then the
//! cost of one change (a move there and back between two free slots) next
//! to N = 10 queues, next to N = 10 000, and at the top slot of the
//! layout, and what one change next to 10 queues is made of: a null system
//! call, `IPC_STAT`, `IPC_SETID` onto a held slot (refused with EEXIST
//! after the caller's checks, before the object locks and the IDR
//! updates), a move and an exchange, all in batches taken in turn so that the guest's noise falls
//! on each alike. Prints a table; exits non-zero if a call fails.
//! `--quick` measures little, to check that the program works.

use ipcid::sys::{self, Kind};
use kernel::chid_rules::{Id, Layout};
use kernel::plan::{plan, Step};
use std::fs::OpenOptions;
use std::io::Write;
use std::time::{Duration, Instant};

type Res<T> = Result<T, String>;

fn fresh_namespace(layout: &Layout) -> Res<()> {
    // SAFETY: no pointer arguments; the calling thread gets a new IPC
    // namespace, which this single-threaded program uses from then on.
    if unsafe { libc::unshare(libc::CLONE_NEWIPC) } != 0 {
        return Err(format!("unshare: {}", std::io::Error::last_os_error()));
    }
    let mut f = OpenOptions::new()
        .write(true)
        .open("/proc/sys/kernel/msgmni")
        .map_err(|e| format!("msgmni: {e}"))?;
    // As many queues as the layout has slots (the largest value allowed).
    f.write_all(layout.slots().to_string().as_bytes())
        .map_err(|e| format!("msgmni: {e}"))
}

fn create() -> Res<i32> {
    sys::msgget(libc::IPC_PRIVATE, 0o600).map_err(|e| format!("msgget: {e}"))
}

fn setid(id: i32, newid: i32, exchange: bool) -> Res<()> {
    sys::setid(Kind::Msg, id, newid, exchange)
        .map_err(|e| format!("IPC_SETID {id} -> {newid}: {e}"))
}

/// A small deterministic generator (xorshift), so that runs compare.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % u64::try_from(n).unwrap_or(1)).unwrap_or(0)
    }
}

/// N distinct wanted IDs, as a checkpointed namespace has them: indexes
/// spread over twice N slots, small sequence numbers.
fn wanted_ids(layout: &Layout, n: usize, rng: &mut Rng) -> Res<Vec<i32>> {
    let span = u32::try_from(2 * n)
        .map_err(|_| "N too large")?
        .min(layout.slots());
    let mut idx: Vec<u32> = (0..span).collect();
    for i in (1..idx.len()).rev() {
        idx.swap(i, rng.below(i + 1));
    }
    idx.truncate(n);
    idx.iter()
        .map(|&index| {
            let seq = u32::try_from(rng.below(4))
                .unwrap_or(0)
                .min(layout.seq_max());
            layout
                .encode(Id { index, seq })
                .map_err(|e| format!("{e:?}"))
        })
        .collect()
}

fn per(n: usize, t: std::time::Duration) -> f64 {
    t.as_secs_f64() * 1e6 / n.max(1) as f64
}

/// Runs `f` in a child process, in an IPC namespace of its own, and
/// returns what it measured; then waits for the namespace to go, so that
/// its teardown does not run during the next measurement.
fn in_child(layout: &Layout, f: impl FnOnce() -> Res<f64>) -> Res<f64> {
    let v = in_child_all(layout, 1, || f().map(|r| vec![r]))?;
    v.first().copied().ok_or_else(|| "no measurement".into())
}

/// As `in_child()`, for a measurement of `k` values.
fn in_child_all(layout: &Layout, k: usize, f: impl FnOnce() -> Res<Vec<f64>>) -> Res<Vec<f64>> {
    let mut fds = [0; 2];
    // SAFETY: `fds` has room for the two descriptors.
    if unsafe { libc::pipe(fds.as_mut_ptr()) } != 0 {
        return Err("pipe".into());
    }
    // SAFETY: single-threaded; the child only computes, writes and exits.
    let pid = unsafe { libc::fork() };
    if pid == 0 {
        let r = fresh_namespace(layout)
            .and_then(|()| f())
            .unwrap_or_else(|e| {
                eprintln!("ipcid-bench: {e}");
                vec![]
            });
        let b: Vec<u8> = r.iter().flat_map(|x| x.to_ne_bytes()).collect();
        // SAFETY: `b` is `b.len()` readable bytes (at most 8 * k, within
        // a pipe's atomic size); `_exit` does not return.
        unsafe {
            libc::write(fds[1], b.as_ptr().cast(), b.len());
            libc::_exit(0)
        }
    }
    let mut b = vec![0u8; 8 * k];
    // SAFETY: `b` has room for `b.len()` bytes; the descriptors are ours.
    let n = unsafe { libc::read(fds[0], b.as_mut_ptr().cast(), b.len()) };
    // SAFETY: as above; waits for the child.
    unsafe {
        libc::close(fds[0]);
        libc::close(fds[1]);
        libc::waitpid(pid, std::ptr::null_mut(), 0);
    }
    std::thread::sleep(std::time::Duration::from_millis(300));
    let r: Vec<f64> = b
        .chunks_exact(8)
        .map(|c| f64::from_ne_bytes(c.try_into().unwrap_or([0xff; 8])))
        .collect();
    if usize::try_from(n).ok() != Some(b.len()) || r.iter().any(|x| x.is_nan()) {
        return Err("a measurement failed (see above)".into());
    }
    Ok(r)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

struct Row {
    n: usize,
    a: f64,
    b: f64,
    b_change: f64,
    c: f64,
    d_change: f64,
    d_changes: usize,
    d_exchanges: usize,
}

/// How much a run measures: `FULL` for the table, `QUICK` (`--quick`) to
/// check that the program works.
#[derive(Clone, Copy)]
struct Effort {
    /// Passes over fewer queues than this are repeated until they cover
    /// as many, so that no time measured is a few milliseconds, which a
    /// guest's clock and scheduler do not resolve; the queues of a pass
    /// are removed, untimed, before the next.
    min_objects: usize,
    /// Rounds of the ways, in rotating order; the table has the medians.
    rounds: usize,
    /// Calls per batch, and rounds of batches, of the single changes.
    batch: usize,
    batch_rounds: usize,
}

const FULL: Effort = Effort {
    min_objects: 20_000,
    rounds: 5,
    batch: 2000,
    batch_rounds: 15,
};

const QUICK: Effort = Effort {
    min_objects: 100,
    rounds: 1,
    batch: 100,
    batch_rounds: 3,
};

/// The passes of a measurement over `n` queues.
fn passes(e: Effort, n: usize) -> usize {
    e.min_objects.div_ceil(n.max(1))
}

fn remove_all(ids: &[i32]) -> Res<()> {
    ids.iter()
        .try_for_each(|&id| sys::rmid(Kind::Msg, id).map_err(|e| format!("IPC_RMID {id}: {e}")))
}

/// Times `pass` over `passes(e, n)` passes; each returns its queues (to
/// remove) and the calls it counts. The time per call.
fn repeated(
    e: Effort,
    n: usize,
    mut pass: impl FnMut(&mut Duration) -> Res<(Vec<i32>, usize)>,
) -> Res<f64> {
    let (mut total, mut calls) = (Duration::ZERO, 0);
    for _ in 0..passes(e, n) {
        let (ids, c) = pass(&mut total)?;
        calls += c;
        remove_all(&ids)?;
    }
    Ok(per(calls, total))
}

/// (a): open kernel.msg_next_id, write the ID, close it, then msgget().
fn way_a(e: Effort, wanted: &[i32]) -> Res<f64> {
    let text: Vec<String> = wanted.iter().map(i32::to_string).collect();
    repeated(e, wanted.len(), |total| {
        let t = Instant::now();
        for (w, s) in wanted.iter().zip(&text) {
            OpenOptions::new()
                .write(true)
                .open("/proc/sys/kernel/msg_next_id")
                .and_then(|mut f| f.write_all(s.as_bytes()))
                .map_err(|e| format!("msg_next_id: {e}"))?;
            let id = create()?;
            if id != *w {
                return Err(format!("msg_next_id gave {id} instead of {w}"));
            }
        }
        *total += t.elapsed();
        Ok((wanted.to_vec(), wanted.len()))
    })
}

/// (b): msgget(), then IPC_SETID.
fn way_b(e: Effort, wanted: &[i32]) -> Res<f64> {
    repeated(e, wanted.len(), |total| {
        let t = Instant::now();
        for &w in wanted {
            setid(create()?, w, false)?;
        }
        *total += t.elapsed();
        Ok((wanted.to_vec(), wanted.len()))
    })
}

/// The IPC_SETID part of (b) alone: N queues created first, then put at
/// their wanted IDs with the planner's calls (moves; exchanges for the
/// queues created on each other's wanted slots), as a restore does.
fn way_b_change(e: Effort, layout: &Layout, wanted: &[i32]) -> Res<f64> {
    repeated(e, wanted.len(), |total| {
        let ids = wanted.iter().map(|_| create()).collect::<Res<Vec<i32>>>()?;
        let renames: Vec<(i32, i32)> = ids.iter().copied().zip(wanted.iter().copied()).collect();
        let steps = plan(layout, &ids, &renames, true).map_err(|e| format!("plan: {e:?}"))?;
        let t = Instant::now();
        for s in &steps {
            setid(s.id, s.newid, s.exchange)?;
        }
        *total += t.elapsed();
        Ok((wanted.to_vec(), steps.len()))
    })
}

/// (c): msgget() alone.
fn way_c(e: Effort, n: usize) -> Res<f64> {
    repeated(e, n, |total| {
        let t = Instant::now();
        let ids = (0..n).map(|_| create()).collect::<Res<Vec<i32>>>()?;
        *total += t.elapsed();
        Ok((ids, n))
    })
}

/// (d): the queues take a random permutation of their IDs, per change.
fn way_d(e: Effort, layout: &Layout, n: usize, seed: u64) -> Res<f64> {
    repeated(e, n, |total| {
        let ids = (0..n).map(|_| create()).collect::<Res<Vec<i32>>>()?;
        let steps = permutation_plan(layout, &ids, seed)?;
        let t = Instant::now();
        for s in &steps {
            setid(s.id, s.newid, s.exchange)?;
        }
        *total += t.elapsed();
        Ok((ids, steps.len()))
    })
}

/// The planner's calls that give `ids` a random permutation of themselves.
fn permutation_plan(layout: &Layout, ids: &[i32], seed: u64) -> Res<Vec<Step>> {
    let mut rng = Rng(seed);
    let mut perm = ids.to_vec();
    for i in (1..perm.len()).rev() {
        perm.swap(i, rng.below(i + 1));
    }
    let renames: Vec<(i32, i32)> = ids.iter().copied().zip(perm).collect();
    plan(layout, ids, &renames, true).map_err(|e| format!("plan: {e:?}"))
}

/// Each way once a round, in rotating order, each in a namespace and a
/// process of its own; the medians.
fn measure(e: Effort, layout: &Layout, n: usize, rng: &mut Rng) -> Res<Row> {
    if n > usize::try_from(layout.slots()).unwrap_or(0) / 2 {
        return Err(format!("N = {n} does not fit the layout twice"));
    }
    let wanted = wanted_ids(layout, n, rng)?;
    let seed = rng.next();
    let (mut a, mut b, mut bc, mut c, mut d) = (vec![], vec![], vec![], vec![], vec![]);
    for round in 0..e.rounds {
        for way in 0..5 {
            match (way + round) % 5 {
                0 => a.push(in_child(layout, || way_a(e, &wanted))?),
                1 => b.push(in_child(layout, || way_b(e, &wanted))?),
                2 => bc.push(in_child(layout, || way_b_change(e, layout, &wanted))?),
                3 => c.push(in_child(layout, || way_c(e, n))?),
                _ => d.push(in_child(layout, || way_d(e, layout, n, seed))?),
            }
        }
    }
    // The plan of (d) is deterministic: count its calls here.
    let (d_changes, d_exchanges) = plan_of_d(layout, n, seed)?;
    Ok(Row {
        n,
        a: median(a),
        b: median(b),
        b_change: median(bc),
        c: median(c),
        d_change: median(d),
        d_changes,
        d_exchanges,
    })
}

/// The number of calls and exchanges of (d)'s plan for IDs 0..n.
fn plan_of_d(layout: &Layout, n: usize, seed: u64) -> Res<(usize, usize)> {
    let ids: Vec<i32> = (0..n)
        .map(|i| i32::try_from(i).map_err(|_| "N too large".to_string()))
        .collect::<Res<_>>()?;
    let steps = permutation_plan(layout, &ids, seed)?;
    Ok((steps.len(), steps.iter().filter(|s| s.exchange).count()))
}

/// An IPC namespace, held open by a descriptor to enter again.
struct Namespace(std::fs::File);

impl Namespace {
    /// Moves the process into a new IPC namespace and holds it.
    fn new(layout: &Layout) -> Res<Self> {
        fresh_namespace(layout)?;
        std::fs::File::open("/proc/self/ns/ipc")
            .map(Namespace)
            .map_err(|e| format!("/proc/self/ns/ipc: {e}"))
    }

    fn enter(&self) -> Res<()> {
        use std::os::fd::AsRawFd;
        // SAFETY: no pointer arguments; the descriptor is an IPC namespace
        // and this process is single-threaded.
        if unsafe { libc::setns(self.0.as_raw_fd(), libc::CLONE_NEWIPC) } != 0 {
            return Err(format!("setns: {}", std::io::Error::last_os_error()));
        }
        Ok(())
    }
}

/// A queue that moves between two free slots, `x` and `y`, next to
/// `others` queues, in a namespace of its own.
struct Mover {
    ns: Namespace,
    x: i32,
    y: i32,
    /// The first of the other queues.
    other: i32,
}

impl Mover {
    fn new(layout: &Layout, others: usize, top: bool) -> Res<Self> {
        let ns = Namespace::new(layout)?;
        let ids = (0..others).map(|_| create()).collect::<Res<Vec<i32>>>()?;
        let q = create()?;
        let hi = layout.slots() - 1;
        let low = u32::try_from(others).map_err(|_| "too many")? + 10;
        let (x, y) = if top { (hi, hi - 1) } else { (low, low + 1) };
        let encode = |index| {
            layout
                .encode(Id { index, seq: 0 })
                .map_err(|e| format!("{e:?}"))
        };
        let (x, y) = (encode(x)?, encode(y)?);
        setid(q, x, false)?;
        let other = *ids.first().ok_or("no other queue")?;
        Ok(Mover { ns, x, y, other })
    }
}

/// What is measured of one change, a call at a time.
#[derive(Clone, Copy)]
enum Op {
    /// A system call that does nothing (getppid()): entry and exit.
    Null,
    /// msgctl(IPC_STAT): the lookup, the permission check and a copy out.
    Stat,
    /// IPC_SETID onto a held slot, refused with EEXIST: the copy of the
    /// argument, the IDs' rwsem, the lookups, the caller's checks (owner,
    /// LSM, audit) and the ID's rules; a change without the object locks
    /// and the IDR updates.
    Refused,
    /// A move to a free slot and back.
    Move,
    /// An exchange with another queue and back.
    Exchange,
}

/// `count` calls of `op` on `m`'s queue; the time they took.
fn calls(m: &Mover, op: Op, count: usize) -> Res<Duration> {
    m.ns.enter()?;
    let t = Instant::now();
    for _ in 0..count / 2 {
        match op {
            Op::Null => {
                // SAFETY: no arguments.
                unsafe {
                    libc::syscall(libc::SYS_getppid);
                    libc::syscall(libc::SYS_getppid);
                }
            }
            Op::Stat => {
                sys::msg_stat(m.x).map_err(|e| format!("IPC_STAT: {e}"))?;
                sys::msg_stat(m.x).map_err(|e| format!("IPC_STAT: {e}"))?;
            }
            Op::Refused => {
                for _ in 0..2 {
                    match sys::setid(Kind::Msg, m.x, m.other, false) {
                        Err(e) if e.raw_os_error() == Some(libc::EEXIST) => {}
                        r => return Err(format!("IPC_SETID onto a held slot: {r:?}")),
                    }
                }
            }
            Op::Move => {
                setid(m.x, m.y, false)?;
                setid(m.y, m.x, false)?;
            }
            Op::Exchange => {
                setid(m.x, m.other, true)?;
                setid(m.x, m.other, true)?;
            }
        }
    }
    Ok(t.elapsed())
}

/// Batches of `count` calls of each (mover, op) pair in turn, for
/// `rounds` rounds in rotating order, so that drift and background work
/// fall on all alike; the median time per call of each pair.
fn interleaved(pairs: &[(&Mover, Op)], count: usize, rounds: usize) -> Res<Vec<f64>> {
    let mut times = vec![Vec::with_capacity(rounds); pairs.len()];
    for round in 0..rounds {
        for k in 0..pairs.len() {
            let i = (k + round) % pairs.len();
            let (m, op) = pairs.get(i).ok_or("no pair")?;
            let t = calls(m, *op, count)?;
            times.get_mut(i).ok_or("no pair")?.push(per(count, t));
        }
    }
    Ok(times.into_iter().map(median).collect())
}

/// One change next to 10 queues, next to 10 000 and at the top slot; and
/// what a change next to 10 queues costs, split.
fn single_changes(e: Effort, layout: &Layout) -> Res<Vec<f64>> {
    let small = Mover::new(layout, 10, false)?;
    let large = Mover::new(layout, 10_000, false)?;
    let top = Mover::new(layout, 10, true)?;
    interleaved(
        &[
            (&small, Op::Move),
            (&large, Op::Move),
            (&top, Op::Move),
            (&small, Op::Null),
            (&small, Op::Stat),
            (&small, Op::Refused),
            (&small, Op::Exchange),
        ],
        e.batch,
        e.batch_rounds,
    )
}

fn main() -> std::process::ExitCode {
    match run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ipcid-bench: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run() -> Res<()> {
    let layout = ipcid::objects::layout()?;
    let extended = layout.slots() > 1 << 15;
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let e = if args.first().map(String::as_str) == Some("--quick") {
        args.remove(0);
        QUICK
    } else {
        FULL
    };
    let mut sizes: Vec<usize> = args
        .iter()
        .map(|a| a.parse().map_err(|_| format!("not a number: {a}")))
        .collect::<Res<_>>()?;
    if sizes.is_empty() {
        sizes = vec![10, 1000, 10000];
        if extended {
            sizes.push(100_000);
        }
    }
    sys::probe_setid().map_err(|e| format!("IPC_SETID: {e}"))?;
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    println!(
        "ipcid-bench: message queues, {} layout, microseconds per object (per change for d)",
        if extended { "ipcmni_extend" } else { "default" }
    );
    println!(
        "{:>7} {:>9} {:>9} {:>9} {:>9} {:>9} {:>8} {:>8} {:>9}   changes of (d)",
        "N", "(a)", "(b)", "(c)", "(b) chg", "(d) chg", "(b)/(a)", "(b)/(c)", "(d)/(b)chg"
    );
    for &n in &sizes {
        let r = measure(e, &layout, n, &mut rng)?;
        println!(
            "{:>7} {:>9.2} {:>9.2} {:>9.2} {:>9.2} {:>9.2} {:>8.2} {:>8.2} {:>9.2}   {} ({} exchanges)",
            r.n,
            r.a,
            r.b,
            r.c,
            r.b_change,
            r.d_change,
            r.b / r.a,
            r.b / r.c,
            r.d_change / r.b_change,
            r.d_changes,
            r.d_exchanges
        );
    }
    let v = in_child_all(&layout, 7, || single_changes(e, &layout))?;
    let [small, large, top, null, stat, refused, exchange] = v[..] else {
        return Err("a measurement is missing".into());
    };
    println!(
        "one change: {small:.2} us next to 10 queues, {large:.2} us next to 10000 ({:.2}x), \
         {top:.2} us at the top slot {} ({:.2}x)",
        large / small,
        layout.slots() - 1,
        top / small
    );
    println!(
        "one call next to 10 queues: getppid() {null:.2} us, IPC_STAT {stat:.2} us, \
         IPC_SETID refused (EEXIST) {refused:.2} us, move {small:.2} us, exchange {exchange:.2} us"
    );
    Ok(())
}
