//! `--dry-run`: an estimate of a big command's work before it starts: how many jobs, how long
//! (from a short calibration run of the real job), and how much output.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::records::{Cell, Column, RecordWriter};

/// What a dry run prints.
#[derive(Clone, Debug, Serialize)]
pub struct Estimate {
    /// The command (`run`, `tournament`, …).
    pub command: String,
    /// What one job is (`runs`, `negotiations`, `sweep points`).
    pub unit: String,
    /// Jobs of the whole study.
    pub total_jobs: u64,
    /// Jobs this invocation would run (its shard).
    pub jobs: u64,
    /// The shard, `i/N`.
    pub shard: String,
    /// Worker threads.
    pub threads: usize,
    /// Jobs timed for the calibration.
    pub calibration_jobs: u64,
    /// Measured seconds per job on one thread.
    pub seconds_per_job: f64,
    /// Estimated wall-clock seconds for `jobs` on `threads` threads.
    pub seconds: f64,
    /// Estimated bytes of `records.csv`.
    pub csv_bytes: u64,
    /// Estimated bytes of `records.parquet`.
    pub parquet_bytes: u64,
}

/// Times `job(i)` for `i = 0, 1, …` on this thread until `budget` has passed or `max_jobs` ran,
/// and returns (jobs timed, seconds per job, the rows they produced).
pub fn calibrate(budget: Duration, max_jobs: u64, mut job: impl FnMut(u64) -> Vec<Vec<Cell>>) -> (u64, f64, Vec<Vec<Cell>>) {
    let start = Instant::now();
    let mut rows = Vec::new();
    let mut n = 0;
    while n < max_jobs.max(1) && (n == 0 || start.elapsed() < budget) {
        rows.extend(job(n));
        n += 1;
    }
    (n, start.elapsed().as_secs_f64() / n as f64, rows)
}

/// Measures the bytes per row of `rows` in CSV and Parquet by writing them to a scratch
/// directory, and returns (csv bytes per row, parquet bytes per row).
pub fn bytes_per_row(columns: &[Column], rows: &[Vec<Cell>]) -> (f64, f64) {
    if rows.is_empty() {
        return (0.0, 0.0);
    }
    let dir = std::env::temp_dir().join(format!("bc-dry-run-{}", std::process::id()));
    let measure = || -> Option<(f64, f64)> {
        let sizes = |n: usize| -> Option<(u64, u64)> {
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).ok()?;
            let mut w = RecordWriter::create(&dir, columns.to_vec()).ok()?;
            for r in rows.iter().cycle().take(n) {
                w.write(r).ok()?;
            }
            w.finish().ok()?;
            let csv = std::fs::metadata(dir.join("records.csv")).ok()?.len();
            let pq = std::fs::metadata(dir.join("records.parquet")).ok()?.len();
            Some((csv, pq))
        };
        let (c0, p0) = sizes(0)?;
        let n = rows.len().max(1000);
        let (c1, p1) = sizes(n)?;
        Some(((c1 - c0) as f64 / n as f64, (p1.saturating_sub(p0)) as f64 / n as f64))
    };
    let out = measure().unwrap_or((0.0, 0.0));
    let _ = std::fs::remove_dir_all(&dir);
    out
}

impl Estimate {
    /// The estimate as text for people.
    pub fn text(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "dry run of `backchannel {}`: nothing was run or written", self.command);
        let share = if self.shard == "0/1" {
            String::new()
        } else {
            format!(" (shard {} of {} {})", self.shard, group(self.total_jobs), self.unit)
        };
        let _ = writeln!(s, "  work:    {} {}{share}", group(self.jobs), self.unit);
        let _ = writeln!(
            s,
            "  time:    about {} on {} thread{} (calibrated on {} {}: {} per job per thread)",
            duration(self.seconds),
            self.threads,
            if self.threads == 1 { "" } else { "s" },
            self.calibration_jobs,
            self.unit,
            duration(self.seconds_per_job)
        );
        let _ = writeln!(s, "  output:  records.csv about {}, records.parquet about {}", bytes(self.csv_bytes), bytes(self.parquet_bytes));
        let _ = writeln!(s, "remove --dry-run to start.");
        s
    }
}

/// An estimate from a calibration: `jobs` to run on `threads` threads.
#[allow(clippy::too_many_arguments)]
pub fn estimate(
    command: &str,
    unit: &str,
    total_jobs: u64,
    jobs: u64,
    shard: &str,
    threads: usize,
    calibration: (u64, f64),
    row_bytes: (f64, f64),
    rows_per_job: f64,
) -> Estimate {
    let threads = threads.max(1);
    let (calibration_jobs, seconds_per_job) = calibration;
    let rows = jobs as f64 * rows_per_job;
    Estimate {
        command: command.into(),
        unit: unit.into(),
        total_jobs,
        jobs,
        shard: shard.into(),
        threads,
        calibration_jobs,
        seconds_per_job,
        seconds: seconds_per_job * jobs as f64 / threads as f64,
        csv_bytes: (rows * row_bytes.0).round() as u64,
        parquet_bytes: (rows * row_bytes.1).round() as u64,
    }
}

/// `n` with thousands separators: `1,000,000`.
pub fn group(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn duration(secs: f64) -> String {
    if !secs.is_finite() {
        "unknown".into()
    } else if secs < 1e-3 {
        format!("{:.1} µs", secs * 1e6)
    } else if secs < 1.0 {
        format!("{:.1} ms", secs * 1e3)
    } else if secs < 120.0 {
        format!("{secs:.1} s")
    } else if secs < 7200.0 {
        format!("{:.1} min", secs / 60.0)
    } else {
        format!("{:.1} h", secs / 3600.0)
    }
}

fn bytes(b: u64) -> String {
    let b = b as f64;
    if b < 1e3 {
        format!("{b} B")
    } else if b < 1e6 {
        format!("{:.1} kB", b / 1e3)
    } else if b < 1e9 {
        format!("{:.1} MB", b / 1e6)
    } else {
        format!("{:.1} GB", b / 1e9)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::ColumnType;

    #[test]
    fn estimate_scales_with_jobs_and_threads() {
        let cols = vec![Column::new("run", ColumnType::Int), Column::new("x", ColumnType::Float)];
        let (n, per, rows) = calibrate(Duration::from_millis(20), 50, |i| vec![vec![Cell::from(i), Cell::Float(i as f64 * 0.1)]]);
        assert!((1..=50).contains(&n) && per >= 0.0);
        let bpr = bytes_per_row(&cols, &rows);
        assert!(bpr.0 > 3.0 && bpr.1 > 0.0, "{bpr:?}");
        let e = estimate("run", "runs", 1000, 250, "1/4", 2, (n, 0.002), bpr, 1.0);
        assert!((e.seconds - 0.25).abs() < 1e-12);
        assert_eq!(e.csv_bytes, (250.0 * bpr.0).round() as u64);
        let t = e.text();
        assert!(t.contains("250 runs (shard 1/4 of 1,000 runs)"), "{t}");
        assert!(t.contains("nothing was run"));
    }
}
