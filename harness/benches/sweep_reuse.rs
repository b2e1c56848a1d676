//! What feature reuse saves: a 2 seeds x 2 k-shots sweep over the parity fixture run as one
//! sweep (one group: the backbone loaded once, each query batch encoded once for all four
//! cells) against the same four cells run as four one-cell sweeps (each loads and encodes on
//! its own). Both run in this process on the CPU without the report; rounds alternate so
//! that load on the machine affects both alike.
//!
//! `cargo bench -p dictas --bench sweep_reuse [-- ROUNDS]` (default 3 rounds).

#[path = "../../tests/common/mod.rs"]
mod common;

use dictas::sweep::{sweep, SweepArgs};
use std::path::Path;
use std::time::{Duration, Instant};

const BACKBONE: (&str, &str) = ("tiny-clip", "clip-jit.pt");
const K_SHOTS: [usize; 2] = [1, 2];
const SEEDS: [u64; 2] = [1, 2];

/// Runs the spec in `yaml` from `dir`, returning the wall time and the number of cells run.
fn timed_sweep(dir: &Path, name: &str, yaml: &str) -> (Duration, usize) {
    std::fs::create_dir_all(dir).expect("a folder for the spec");
    let spec = common::write_text(dir, name, yaml);
    let args = SweepArgs { spec, force: false, shard: None, no_report: true, dry_run: false };
    let start = Instant::now();
    let summary = sweep(&args).unwrap_or_else(|e| panic!("sweep {name} failed: {e:#}"));
    (start.elapsed(), summary.ran)
}

/// All four cells in one sweep.
fn with_reuse(dir: &Path) -> Duration {
    let yaml = common::fixture_sweep_yaml(&dir.join("out"), &[BACKBONE], &K_SHOTS, &SEEDS);
    let (time, ran) = timed_sweep(dir, "grid.yaml", &yaml);
    assert_eq!(ran, 4);
    time
}

/// Each cell in a sweep of its own, one after the other.
fn without_reuse(dir: &Path) -> Duration {
    let mut total = Duration::ZERO;
    for k in K_SHOTS {
        for seed in SEEDS {
            let out = dir.join(format!("k{k}-seed{seed}"));
            let yaml = common::fixture_sweep_yaml(&out, &[BACKBONE], &[k], &[seed]);
            let (time, ran) = timed_sweep(dir, &format!("k{k}-seed{seed}.yaml"), &yaml);
            assert_eq!(ran, 1);
            total += time;
        }
    }
    total
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn main() {
    std::env::set_var("DICTAS_PROGRESS", "0");
    // `cargo bench` passes `--bench`; a bare number is the round count.
    let rounds: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(3).max(1);
    let (mut reuse, mut separate) = (Vec::new(), Vec::new());
    for round in 0..rounds {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let shared = with_reuse(&dir.path().join("reuse"));
        let apart = without_reuse(&dir.path().join("separate"));
        println!(
            "round {}: one sweep {:.2} s, four one-cell sweeps {:.2} s",
            round + 1,
            shared.as_secs_f64(),
            apart.as_secs_f64()
        );
        reuse.push(shared);
        separate.push(apart);
    }
    let (shared, apart) = (median(reuse), median(separate));
    println!(
        "median of {rounds}: 2 seeds x 2 k-shots with reuse {:.2} s, without {:.2} s, ratio {:.2}x",
        shared.as_secs_f64(),
        apart.as_secs_f64(),
        apart.as_secs_f64() / shared.as_secs_f64()
    );
}
