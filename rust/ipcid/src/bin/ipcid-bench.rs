// SPDX-License-Identifier: GPL-2.0

//! `ipcid-bench [N...]`: what it costs to put N message queues at wanted
//! IDs, each way measured side by side in one run, in fresh IPC namespaces:
//!
//! - (a) the upstream way: write `kernel.msg_next_id`, then `msgget()`;
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
use kernel::plan::plan;
use std::fs::OpenOptions;
use std::io::Write;
use std::os::unix::fs::FileExt;
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

fn measure(layout: &Layout, n: usize, rng: &mut Rng) -> Res<Row> {
    let wanted = wanted_ids(layout, n, rng)?;

    // (a) kernel.msg_next_id, then msgget().
    fresh_namespace(layout)?;
    let next_id = OpenOptions::new()
        .write(true)
        .open("/proc/sys/kernel/msg_next_id")
        .map_err(|e| format!("msg_next_id: {e}"))?;
    let t = Instant::now();
    for &w in &wanted {
        next_id
            .write_at(w.to_string().as_bytes(), 0)
            .map_err(|e| format!("msg_next_id: {e}"))?;
        let id = create()?;
        if id != w {
            return Err(format!("msg_next_id gave {id} instead of {w}"));
        }
    }
    let a = per(n, t.elapsed());

    // (b) msgget(), then IPC_SETID; the second part timed on its own too.
    fresh_namespace(layout)?;
    let mut in_setid = std::time::Duration::ZERO;
    let t = Instant::now();
    for &w in &wanted {
        let id = create()?;
        let s = Instant::now();
        setid(id, w, false)?;
        in_setid += s.elapsed();
    }
    let b = per(n, t.elapsed());
    let b_change = per(n, in_setid);

    // (c) msgget() alone.
    fresh_namespace(layout)?;
    let t = Instant::now();
    let mut ids = Vec::with_capacity(n);
    for _ in 0..n {
        ids.push(create()?);
    }
    let c = per(n, t.elapsed());

    // (d) the queues of (c) take a random permutation of their IDs.
    let mut perm = ids.clone();
    for i in (1..perm.len()).rev() {
        perm.swap(i, rng.below(i + 1));
    }
    let renames: Vec<(i32, i32)> = ids.iter().copied().zip(perm.iter().copied()).collect();
    let steps = plan(layout, &ids, &renames, true).map_err(|e| format!("plan: {e:?}"))?;
    let t = Instant::now();
    for s in &steps {
        setid(s.id, s.newid, s.exchange)?;
    }
    let d_change = per(steps.len(), t.elapsed());
    let d_exchanges = steps.iter().filter(|s| s.exchange).count();
    Ok(Row {
        n,
        a,
        b,
        b_change,
        c,
        d_change,
        d_changes: steps.len(),
        d_exchanges,
    })
}

/// One change, averaged over trips between two free slots, next to
/// `others` queues; at the top slot of the layout if `top`.
fn one_change(layout: &Layout, others: usize, top: bool) -> Res<f64> {
    fresh_namespace(layout)?;
    for _ in 0..others {
        create()?;
    }
    let q = create()?;
    let hi = layout.slots() - 1;
    let (x, y) = if top {
        (hi, hi - 1)
    } else {
        (
            u32::try_from(others).unwrap_or(0) + 10,
            u32::try_from(others).unwrap_or(0) + 11,
        )
    };
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
    let small = one_change(&layout, 10, false)?;
    let large = one_change(&layout, 10_000, false)?;
    let top = one_change(&layout, 10, true)?;
    println!(
        "one change: {small:.2} us next to 10 queues, {large:.2} us next to 10000 ({:.2}x), \
         {top:.2} us at the top slot {} ({:.2}x)",
        large / small,
        layout.slots() - 1,
        top / small
    );
    Ok(())
}
