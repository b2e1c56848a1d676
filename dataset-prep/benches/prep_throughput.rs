//! Throughput of `prep` on one MVTec-sized class: 300 synthetic 1024x1024 PNG images
//! (240 train, 30 normal test, 30 defective test with masks), standardized with one worker
//! and with all cores. Run: `cargo bench -p dictas-prep --bench prep_throughput`.

use dictas_prep::synth::{generate_mvtec_like, SynthSpec};
use dictas_prep::{prepare, Dataset, PrepOptions};
use std::time::Instant;

fn main() -> anyhow::Result<()> {
    let work = tempfile::tempdir()?;
    let raw = work.path().join("raw");
    let spec = SynthSpec {
        classes: vec!["wood".to_string()],
        size: 1024,
        train: 240,
        test_good: 30,
        test_defect: 10,
        seed: 1,
    };
    let started = Instant::now();
    generate_mvtec_like(&raw, &spec)?;
    println!(
        "generated 300 source images of 1024x1024 in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut worker_counts = vec![1];
    if cores > 1 {
        worker_counts.push(cores);
    }
    println!("{:>7}  {:>9}  {:>9}  {:>8}", "workers", "images", "seconds", "images/s");
    for jobs in worker_counts {
        let out = work.path().join(format!("out-{jobs}"));
        let options = PrepOptions {
            jobs: Some(jobs),
            classes: Some(spec.classes.clone()),
            show_progress: false,
        };
        let started = Instant::now();
        let summary = prepare(Dataset::Mvtec, &raw, &out, &options)?;
        let seconds = started.elapsed().as_secs_f64();
        println!(
            "{:>7}  {:>9}  {:>9.2}  {:>8.1}",
            jobs,
            summary.images,
            seconds,
            summary.images as f64 / seconds
        );
    }
    Ok(())
}
