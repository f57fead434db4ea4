//! Times `sobol_analyze` (100 resamples, one thread) for `scripts/bench_gsa.sh`, which times
//! SALib on the same outputs; prints the median wall time in seconds of REPEAT runs (first
//! argument, default 11). Without further arguments the outputs are those of `benches/gsa.rs`
//! (the G function with a_j = j on the unscrambled Saltelli design, N = 2^12, D = 20); with
//! `OUTPUTS D` they are read from the file OUTPUTS (one number a line, in design order, e.g.
//! the output column of a `backchannel sensitivity --out` run directory) for D inputs, and the
//! indices are printed too (`index S1 ST` a line) for comparison with SALib's.

use std::time::Instant;

use bc_engine::gsa::saltelli::{saltelli_sample, sobol_analyze};
use bc_engine::gsa::sequence::Scrambling;
use bc_engine::gsa::Bootstrap;

const N: usize = 1 << 12;
const D: usize = 20;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let repeat: usize = args.get(1).map(|a| a.parse()).transpose()?.unwrap_or(11).max(1);
    let (y, d, print_indices) = match (args.get(2), args.get(3)) {
        (Some(path), Some(d)) => {
            let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
            let mut y = Vec::new();
            for (k, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
                y.push(line.trim().parse::<f64>().map_err(|_| format!("{path}: line {}: expected a number, found {line:?}", k + 1))?);
            }
            (y, d.parse::<usize>().map_err(|_| format!("D: expected a number of inputs, found {d:?}"))?, true)
        }
        (None, None) => {
            let x = saltelli_sample(N, &[(0.0, 1.0); D], Scrambling::None, 0)?;
            // The G function with a_j = j, as the bench and the Python side compute it.
            let y = (0..x.rows())
                .map(|i| x.row(i).iter().enumerate().map(|(j, &v)| ((4.0 * v - 2.0).abs() + j as f64) / (1.0 + j as f64)).product())
                .collect();
            (y, D, false)
        }
        _ => return Err("usage: gsa_timing [REPEAT [OUTPUTS D]]".into()),
    };
    let b = Bootstrap { num_resamples: 100, conf_level: 0.95, seed: 1, threads: 1 };
    let mut times = Vec::with_capacity(repeat);
    let mut last = None;
    for _ in 0..repeat {
        let t = Instant::now();
        let s = sobol_analyze(&y, d, &b)?;
        times.push(t.elapsed().as_secs_f64());
        last = Some(s);
    }
    times.sort_by(f64::total_cmp);
    let s = last.ok_or("no run")?;
    println!("median_seconds {:.6} runs {repeat} s1_0 {:.12}", times[repeat / 2], s.s1[0]);
    if print_indices {
        for j in 0..d {
            println!("index {j} {:.17e} {:.17e}", s.s1[j], s.st[j]);
        }
    }
    Ok(())
}
