//! Build progress on stderr: a bar on a terminal, plain lines otherwise (logs, CI).

use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

use crate::index::BuildEvent;

/// How often a plain line is written while a part is being read.
const LINE_EVERY: Duration = Duration::from_secs(5);

pub(super) struct Progress {
    terminal: bool,
    started: Instant,
    part_started: Instant,
    bar: Option<ProgressBar>,
    last_line: Instant,
}

impl Progress {
    pub(super) fn new(terminal: bool) -> Progress {
        let now = Instant::now();
        Progress {
            terminal,
            started: now,
            part_started: now,
            bar: None,
            last_line: now,
        }
    }

    pub(super) fn event(&mut self, event: BuildEvent) {
        match event {
            BuildEvent::Loaded { documents } => eprintln!(
                "Corpus vàlid: {documents} documents ({:.2} s)",
                self.started.elapsed().as_secs_f64()
            ),
            BuildEvent::Indexing { part, done, total } => self.indexing(part, done, total),
            BuildEvent::Committing { part } => {
                if let Some(bar) = self.bar.take() {
                    bar.finish();
                }
                eprintln!("{part:<8} escrivint l'índex al disc…");
            }
            BuildEvent::Verifying => eprintln!("Verificant la nova generació…"),
        }
    }

    fn indexing(&mut self, part: &str, done: usize, total: usize) {
        if done <= 1 {
            self.part_started = Instant::now();
            self.last_line = Instant::now();
        }
        if self.terminal {
            let bar = self.bar.get_or_insert_with(|| {
                let style = ProgressBar::new(total as u64).with_style(
                    ProgressStyle::with_template(
                        "{bar:30} {prefix:<8} {pos:>7}/{len} documents llegits  {per_sec}",
                    )
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
                );
                style.with_prefix(part.to_string())
            });
            bar.set_position(done as u64);
            return;
        }
        if done < total && self.last_line.elapsed() < LINE_EVERY {
            return;
        }
        self.last_line = Instant::now();
        let rate = done as f64 / self.part_started.elapsed().as_secs_f64().max(1e-6);
        eprintln!("{part:<8} {done:>7}/{total} documents llegits  {rate:>8.0} documents/s");
    }
}
