//! Times `sobol_analyze` on the workload of `benches/gsa.rs` (N = 2^12, D = 20, 100 resamples,
//! one thread) for `scripts/bench_gsa.sh`, which times SALib on the same outputs; prints the
//! median wall time in seconds of REPEAT runs (first argument, default 11).

use std::time::Instant;

use bc_engine::gsa::saltelli::{saltelli_sample, sobol_analyze};
use bc_engine::gsa::sequence::Scrambling;
use bc_engine::gsa::Bootstrap;

const N: usize = 1 << 12;
const D: usize = 20;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let repeat: usize = std::env::args().nth(1).map(|a| a.parse()).transpose()?.unwrap_or(11).max(1);
    let x = saltelli_sample(N, &[(0.0, 1.0); D], Scrambling::None, 0)?;
    // The G function with a_j = j, as the bench and the Python side compute it.
    let y: Vec<f64> = (0..x.rows())
        .map(|i| x.row(i).iter().enumerate().map(|(j, &v)| ((4.0 * v - 2.0).abs() + j as f64) / (1.0 + j as f64)).product())
        .collect();
    let b = Bootstrap { num_resamples: 100, conf_level: 0.95, seed: 1, threads: 1 };
    let mut times = Vec::with_capacity(repeat);
    let mut s1_0 = 0.0;
    for _ in 0..repeat {
        let t = Instant::now();
        let s = sobol_analyze(&y, D, &b)?;
        times.push(t.elapsed().as_secs_f64());
        s1_0 = s.s1[0];
    }
    times.sort_by(f64::total_cmp);
    println!("median_seconds {:.6} runs {repeat} s1_0 {s1_0:.12}", times[repeat / 2]);
    Ok(())
}
