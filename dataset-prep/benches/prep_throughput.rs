//! Throughput of `prep` on one MVTec-sized class: 300 synthetic 1024x1024 PNG images
//! (240 train, 30 normal test, 30 defective test with masks), standardized with one worker
//! and with all cores; wall time, images per second and the CPU time used.
//! Run: `cargo bench -p dictas-prep --bench prep_throughput`.

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
    println!("{:>7}  {:>7}  {:>9}  {:>8}  {:>13}", "workers", "images", "seconds", "images/s", "cpu seconds");
    for jobs in worker_counts {
        let out = work.path().join(format!("out-{jobs}"));
        let options = PrepOptions {
            jobs: Some(jobs),
            classes: Some(spec.classes.clone()),
            show_progress: false,
        };
        let (started, cpu_before) = (Instant::now(), process_cpu_seconds());
        let summary = prepare(Dataset::Mvtec, &raw, &out, &options)?;
        let seconds = started.elapsed().as_secs_f64();
        let cpu = match (cpu_before, process_cpu_seconds()) {
            (Some(before), Some(after)) => format!("{:.2}", after - before),
            _ => "-".to_string(),
        };
        println!(
            "{:>7}  {:>7}  {:>9.2}  {:>8.1}  {:>13}",
            jobs,
            summary.images,
            seconds,
            summary.images as f64 / seconds,
            cpu
        );
    }
    Ok(())
}

/// User + system CPU time of this process so far (Linux `/proc/self/stat`, 100 ticks per
/// second), so figures from a busy shared machine can be read as work done, not only
/// wall time. `None` where unavailable.
fn process_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which is in parentheses and may contain spaces).
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}
