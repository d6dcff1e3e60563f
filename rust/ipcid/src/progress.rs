// SPDX-License-Identifier: GPL-2.0

//! Progress of a long dump or restore on standard error: a bar when it is
//! a terminal, plain lines (every 1000 objects, and at the end) when it is
//! not. Work on fewer than [`SHOWN_FROM`] objects shows none.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};
use std::io::IsTerminal;
use std::time::Instant;

/// The least number of objects whose progress is shown.
pub const SHOWN_FROM: usize = 1000;

/// How often a plain line is printed, in objects.
const EVERY: u64 = 1000;

pub struct Progress {
    what: &'static str,
    total: u64,
    done: u64,
    start: Instant,
    show: Show,
}

enum Show {
    Nothing,
    Lines,
    Bar(ProgressBar),
}

impl Progress {
    /// Progress of `what` ("restore: creating", ...) over `total` objects.
    pub fn new(what: &'static str, total: usize) -> Progress {
        let total = u64::try_from(total).unwrap_or(u64::MAX);
        let show = if total < SHOWN_FROM as u64 {
            Show::Nothing
        } else if std::io::stderr().is_terminal() {
            let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
            let style = ProgressStyle::with_template(
                "{prefix:22} [{bar:30}] {pos}/{len} objects, {rate}, {eta} left",
            )
            .map(|s| {
                s.progress_chars("=> ").with_key(
                    "rate",
                    |state: &ProgressState, w: &mut dyn std::fmt::Write| {
                        let _ = write!(w, "{:.0}/s", state.per_sec());
                    },
                )
            })
            .unwrap_or_else(|_| ProgressStyle::default_bar());
            bar.set_style(style);
            bar.set_prefix(what);
            Show::Bar(bar)
        } else {
            Show::Lines
        };
        Progress {
            what,
            total,
            done: 0,
            start: Instant::now(),
            show,
        }
    }

    /// One more object done.
    pub fn inc(&mut self) {
        self.done = self.done.saturating_add(1);
        match &self.show {
            Show::Nothing => {}
            Show::Bar(bar) => bar.inc(1),
            Show::Lines => {
                if self.done.is_multiple_of(EVERY) && self.done < self.total {
                    self.line();
                }
            }
        }
    }

    fn line(&self) {
        let secs = self.start.elapsed().as_secs_f64();
        let rate = if secs > 0.0 {
            self.done as f64 / secs
        } else {
            0.0
        };
        crate::note!(
            "{}: {}/{} objects, {rate:.0}/s",
            self.what,
            self.done,
            self.total
        );
    }

    /// The work is over (done or not): the bar goes, a last line stays.
    pub fn finish(self) {
        match &self.show {
            Show::Nothing => {}
            Show::Bar(bar) => {
                bar.finish_and_clear();
                self.line();
            }
            Show::Lines => self.line(),
        }
    }
}
