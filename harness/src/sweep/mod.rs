//! `dictas sweep FILE`: run every cell of an experiment spec, resumably, then report.

pub mod grid;
pub mod spec;

use crate::job::Job;
use crate::runner::{self, config_hash, RunOptions, WeightsHashes};
use anyhow::{bail, Context, Result};
use clap::Args;
use grid::Shard;
use spec::ExperimentSpec;
use std::path::PathBuf;

/// Run an experiment grid (datasets x methods x backbones x k-shots x seeds).
#[derive(Debug, Clone, Args)]
pub struct SweepArgs {
    /// The experiment spec (YAML).
    pub spec: PathBuf,
    /// Redo every cell, even finished ones.
    #[arg(long)]
    pub force: bool,
    /// Run only shard I of N (e.g. 2/4); shards can share one output folder.
    #[arg(long)]
    pub shard: Option<Shard>,
    /// Skip the report at the end.
    #[arg(long)]
    pub no_report: bool,
    /// List the cells and whether each is done, then stop.
    #[arg(long)]
    pub dry_run: bool,
}

/// What a sweep did.
pub struct SweepSummary {
    pub total: usize,
    pub skipped: usize,
    pub ran: usize,
    pub output: PathBuf,
}

pub fn run(args: &SweepArgs) -> Result<()> {
    let summary = sweep(args)?;
    eprintln!(
        "sweep: {} cells, {} already done, {} run; results in {}",
        summary.total,
        summary.skipped,
        summary.ran,
        summary.output.display()
    );
    Ok(())
}

/// Everything `dictas sweep` does except the final message.
pub fn sweep(args: &SweepArgs) -> Result<SweepSummary> {
    let spec = ExperimentSpec::load(&args.spec)?;
    let mut jobs = grid::expand(&spec);
    let shared = grid::shared_ids(&jobs);
    if !shared.is_empty() {
        bail!(
            "invalid experiment spec {}: several cells would be written to the same folder: {}; \
             give the entries distinct names (or methods distinct `label`s)",
            args.spec.display(),
            shared.join(", ")
        );
    }
    if let Some(shard) = args.shard {
        jobs = grid::select_shard(jobs, shard);
    }
    let total = jobs.len();
    let mut hashes = WeightsHashes::default();
    let mut pending = Vec::new();
    for job in jobs {
        let done = !args.force && is_done(&job, &mut hashes)?;
        if args.dry_run {
            println!("{} {}", if done { "done   " } else { "pending" }, job.id);
        }
        if !done {
            pending.push(job);
        }
    }
    let skipped = total - pending.len();
    if args.dry_run {
        return Ok(SweepSummary { total, skipped, ran: 0, output: spec.output });
    }
    // Only a real run touches the output folder (a dry run must leave no trace).
    std::fs::create_dir_all(spec.output.join("cells"))
        .with_context(|| format!("creating {}", spec.output.display()))?;
    dictas_atomic::remove_abandoned(&spec.output.join("cells"));
    dictas_atomic::write_file(
        &spec.output.join("spec.yaml"),
        serde_yaml::to_string(&spec).context("serializing the spec")?.as_bytes(),
    )?;
    if !pending.is_empty() {
        let options = RunOptions {
            device: dictas_model::parse_device(&spec.device)?,
            batch_size: spec.batch_size,
            feature_cache: spec.feature_cache.clone(),
        };
        runner::run_jobs(&pending, &options, &mut hashes)?;
    }
    if !args.no_report {
        crate::report::report_folder(&spec.output)?;
    }
    Ok(SweepSummary { total, skipped, ran: total - skipped, output: spec.output })
}

/// A cell is done when its folder holds a cell.json whose config hash matches.
fn is_done(job: &Job, hashes: &mut WeightsHashes) -> Result<bool> {
    let record = job.out.join("cell.json");
    if !record.is_file() || !job.out.join("metrics.csv").is_file() {
        return Ok(false);
    }
    let text = std::fs::read_to_string(&record).with_context(|| format!("reading {}", record.display()))?;
    let Ok(value) = serde_json::from_str::<serde_json::Value>(&text) else { return Ok(false) };
    Ok(value["config_hash"].as_str() == Some(config_hash(job, hashes)?.as_str()))
}

