//! Progress bars for long commands: on standard error, with rate and time left; silent when
//! standard error is not a terminal (pipes, CI, cluster logs) or with `--quiet`.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A progress bar, or nothing when progress is not shown.
pub struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    /// A bar for `total` units of work described by `what` (e.g. "runs"), shown only when
    /// standard error is a terminal and `quiet` is false.
    pub fn new(total: u64, what: &str, quiet: bool) -> Progress {
        Progress::with_visibility(total, what, !quiet && std::io::stderr().is_terminal())
    }

    /// A bar shown or not as `visible` says (tests use a hidden one).
    pub fn with_visibility(total: u64, what: &str, visible: bool) -> Progress {
        if !visible {
            return Progress { bar: None };
        }
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr_with_hz(5));
        let style = ProgressStyle::with_template("{spinner} {msg} [{bar:30}] {human_pos}/{human_len} ({rate}/s, {eta} left)")
            .map(|s| {
                s.progress_chars("=> ").with_key("rate", |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                    let _ = write!(w, "{}", whole(state.per_sec()));
                })
            })
            .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        bar.set_message(what.to_string());
        bar.enable_steady_tick(Duration::from_millis(200));
        Progress { bar: Some(bar) }
    }

    /// A progress bar that shows nothing.
    pub fn hidden() -> Progress {
        Progress { bar: None }
    }

    /// Whether anything is drawn.
    pub fn is_visible(&self) -> bool {
        self.bar.is_some()
    }

    /// Sets the units done so far.
    pub fn set(&self, done: u64) {
        if let Some(b) = &self.bar {
            b.set_position(done);
        }
    }

    /// Adds `n` units done.
    pub fn inc(&self, n: u64) {
        if let Some(b) = &self.bar {
            b.inc(n);
        }
    }

    /// Removes the bar from the terminal.
    pub fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

/// A rate for people: `7,159` (no decimals, thousands separated).
fn whole(x: f64) -> String {
    if x.is_finite() && x >= 0.0 {
        crate::estimate::group(x.round() as u64)
    } else {
        "–".into()
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_whole_numbers() {
        assert_eq!(whole(7158.8186), "7,159");
        assert_eq!(whole(f64::INFINITY), "–");
    }

    #[test]
    fn quiet_means_hidden() {
        let p = Progress::new(10, "runs", true);
        assert!(!p.is_visible());
        p.inc(3);
        p.set(10);
        p.finish();
    }
}
