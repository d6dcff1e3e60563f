// SPDX-License-Identifier: GPL-2.0

//! `ipcid-bench [N...]`: what it costs to put N message queues at wanted
//! IDs, each way measured side by side in one run, in fresh IPC namespaces:
//!
//! - (a) the upstream way, as CRIU uses it: open `kernel.msg_next_id`,
//!   write the ID, close it, then `msgget()`;
//! - (b) `msgget()`, then `IPC_SETID` to the wanted ID;
//! - (c) `msgget()` alone, with no ID wanted: the floor;
//! - (d) a random permutation of the IDs of N existing queues, realised
//!   with the planner's moves and exchanges.
//!
//! Then the cost of one change (a move there and back between two free
//! slots) next to N = 10 queues, next to N = 10 000, and at the top slot of
//! the layout. Prints a table; exits non-zero if a call fails.

use ipcid::sys::{self, Kind};
use kernel::ipc_chid::{Id, Layout};
use kernel::plan::{plan, Step};
use std::fs::OpenOptions;
use std::io::Write;
use std::time::Instant;

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
                f64::NAN
            });
        let b = r.to_ne_bytes();
        // SAFETY: `b` is 8 readable bytes; `_exit` does not return.
        unsafe {
            libc::write(fds[1], b.as_ptr().cast(), b.len());
            libc::_exit(0)
        }
    }
    let mut b = [0u8; 8];
    // SAFETY: `b` has room for 8 bytes; the descriptors are ours.
    let n = unsafe { libc::read(fds[0], b.as_mut_ptr().cast(), b.len()) };
    // SAFETY: as above; waits for the child.
    unsafe {
        libc::close(fds[0]);
        libc::close(fds[1]);
        libc::waitpid(pid, std::ptr::null_mut(), 0);
    }
    std::thread::sleep(std::time::Duration::from_millis(300));
    let r = f64::from_ne_bytes(b);
    if n != 8 || r.is_nan() {
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

/// (a): open kernel.msg_next_id, write the ID, close it, then msgget().
fn way_a(wanted: &[i32]) -> Res<f64> {
    let text: Vec<String> = wanted.iter().map(i32::to_string).collect();
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
    Ok(per(wanted.len(), t.elapsed()))
}

/// (b): msgget(), then IPC_SETID.
fn way_b(wanted: &[i32]) -> Res<f64> {
    let t = Instant::now();
    for &w in wanted {
        setid(create()?, w, false)?;
    }
    Ok(per(wanted.len(), t.elapsed()))
}

/// The IPC_SETID part of (b) alone: N queues created first, then put at
/// their wanted IDs with the planner's calls (moves; exchanges for the
/// queues created on each other's wanted slots), as a restore does.
fn way_b_change(layout: &Layout, wanted: &[i32]) -> Res<f64> {
    let ids = wanted.iter().map(|_| create()).collect::<Res<Vec<i32>>>()?;
    let renames: Vec<(i32, i32)> = ids.iter().copied().zip(wanted.iter().copied()).collect();
    let steps = plan(layout, &ids, &renames, true).map_err(|e| format!("plan: {e:?}"))?;
    let t = Instant::now();
    for s in &steps {
        setid(s.id, s.newid, s.exchange)?;
    }
    Ok(per(steps.len(), t.elapsed()))
}

/// (c): msgget() alone.
fn way_c(n: usize) -> Res<f64> {
    let t = Instant::now();
    for _ in 0..n {
        create()?;
    }
    Ok(per(n, t.elapsed()))
}

/// (d): the queues take a random permutation of their IDs, per change.
fn way_d(layout: &Layout, n: usize, seed: u64) -> Res<(f64, usize)> {
    let ids = (0..n).map(|_| create()).collect::<Res<Vec<i32>>>()?;
    let steps = permutation_plan(layout, &ids, seed)?;
    let t = Instant::now();
    for s in &steps {
        setid(s.id, s.newid, s.exchange)?;
    }
    Ok((per(steps.len(), t.elapsed()), steps.len()))
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

/// Each way three times, in rotating order, each in a namespace and a
/// process of its own; the medians.
fn measure(layout: &Layout, n: usize, rng: &mut Rng) -> Res<Row> {
    if n > usize::try_from(layout.slots()).unwrap_or(0) / 2 {
        return Err(format!("N = {n} does not fit the layout twice"));
    }
    let wanted = wanted_ids(layout, n, rng)?;
    let seed = rng.next();
    let (mut a, mut b, mut bc, mut c, mut d) = (vec![], vec![], vec![], vec![], vec![]);
    for round in 0..3 {
        for way in 0..5 {
            match (way + round) % 5 {
                0 => a.push(in_child(layout, || way_a(&wanted))?),
                1 => b.push(in_child(layout, || way_b(&wanted))?),
                2 => bc.push(in_child(layout, || way_b_change(layout, &wanted))?),
                3 => c.push(in_child(layout, || way_c(n))?),
                _ => d.push(in_child(layout, || way_d(layout, n, seed).map(|r| r.0))?),
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

/// One change, averaged over trips between two free slots, next to
/// `others` queues; at the top slot of the layout if `top`.
fn one_change(layout: &Layout, others: usize, top: bool) -> Res<f64> {
    for _ in 0..others {
        create()?;
    }
    let q = create()?;
    let hi = layout.slots() - 1;
    let low = u32::try_from(others).map_err(|_| "too many")? + 10;
    let (x, y) = if top { (hi, hi - 1) } else { (low, low + 1) };
    let x = layout
        .encode(Id { index: x, seq: 0 })
        .map_err(|e| format!("{e:?}"))?;
    let y = layout
        .encode(Id { index: y, seq: 0 })
        .map_err(|e| format!("{e:?}"))?;
    setid(q, x, false)?;
    let trips = 2000;
    let t = Instant::now();
    for _ in 0..trips {
        setid(x, y, false)?;
        setid(y, x, false)?;
    }
    Ok(per(2 * trips, t.elapsed()))
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
    let mut sizes: Vec<usize> = std::env::args()
        .skip(1)
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
        let r = measure(&layout, n, &mut rng)?;
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
    let small = in_child(&layout, || one_change(&layout, 10, false))?;
    let large = in_child(&layout, || one_change(&layout, 10_000, false))?;
    let top = in_child(&layout, || one_change(&layout, 10, true))?;
    println!(
        "one change: {small:.2} us next to 10 queues, {large:.2} us next to 10000 ({:.2}x), \
         {top:.2} us at the top slot {} ({:.2}x)",
        large / small,
        layout.slots() - 1,
        top / small
    );
    Ok(())
}
