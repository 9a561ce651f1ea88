//! Build progress on stderr: a redrawn bar on a terminal, plain lines otherwise (logs, CI).

use std::io::Write;
use std::time::{Duration, Instant};

use crate::index::BuildEvent;

/// How often a terminal bar is redrawn, and how often a plain line is written mid-part.
const REDRAW: Duration = Duration::from_millis(80);
const LINE_EVERY: Duration = Duration::from_secs(5);
const BAR_WIDTH: usize = 30;

pub struct Progress {
    terminal: bool,
    started: Instant,
    part_started: Instant,
    last_output: Option<Instant>,
}

impl Progress {
    pub fn new(terminal: bool) -> Progress {
        let now = Instant::now();
        Progress {
            terminal,
            started: now,
            part_started: now,
            last_output: None,
        }
    }

    pub fn event(&mut self, event: BuildEvent) {
        let mut err = std::io::stderr().lock();
        let _ = match event {
            BuildEvent::Loaded { documents } => writeln!(
                err,
                "Corpus valid: {documents} documents ({:.2} s)",
                self.started.elapsed().as_secs_f64()
            ),
            BuildEvent::Indexing { part, done, total } => {
                if done <= 1 {
                    self.part_started = Instant::now();
                    // A bar starts at once; plain lines only for long parts and at the end.
                    self.last_output = (!self.terminal).then(Instant::now);
                }
                let finished = done == total;
                let due = self
                    .last_output
                    .is_none_or(|t| t.elapsed() >= if self.terminal { REDRAW } else { LINE_EVERY });
                if !finished && !due {
                    return;
                }
                self.last_output = Some(Instant::now());
                let rate = done as f64 / self.part_started.elapsed().as_secs_f64().max(1e-6);
                let line =
                    format!("{part:<8} {done:>7}/{total} documents read  {rate:>8.0} documents/s");
                if self.terminal {
                    let filled = (done * BAR_WIDTH).checked_div(total).unwrap_or(BAR_WIDTH);
                    let bar = format!("{}{}", "█".repeat(filled), "░".repeat(BAR_WIDTH - filled));
                    write!(err, "\r\x1b[2K{bar} {line}")
                        .and_then(|()| if finished { writeln!(err) } else { Ok(()) })
                } else {
                    writeln!(err, "{line}")
                }
            }
            BuildEvent::Committing { part } => {
                writeln!(err, "{part:<8} writing the index to disk…")
            }
            BuildEvent::Verifying => writeln!(err, "Verifying the new generation…"),
        };
    }
}
