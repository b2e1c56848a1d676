//! `dictas eval`: one (dataset, k-shot, support set, weights) configuration, end to end.

pub mod args;
pub mod outputs;

use crate::job::{BackboneConfig, Job, MethodConfig, SupportSource};
use crate::runner::{self, RunOptions, WeightsHashes};
use anyhow::{bail, Result};
pub use args::EvalArgs;

/// The job `dictas eval` runs, from its arguments.
pub fn job_from_args(args: &EvalArgs) -> Result<Job> {
    let supports = match (&args.supports, args.seed) {
        (Some(path), _) => SupportSource::List(path.clone()),
        (None, Some(seed)) => SupportSource::Random(seed),
        (None, None) => bail!("give either --supports FILE (published list) or --seed N (random supports)"),
    };
    for (what, path) in [("CLIP weights", &args.clip), ("DictAS checkpoint", &args.checkpoint)] {
        if !path.is_file() {
            bail!("{what} not found: {}", path.display());
        }
    }
    let id = args.out.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| "eval".into());
    Ok(Job {
        id,
        out: args.out.clone(),
        data_root: args.data.clone(),
        dataset: args.dataset.clone(),
        classes: args.classes.clone(),
        k_shot: args.k_shot,
        supports,
        method: MethodConfig {
            name: "dictas".into(),
            label: crate::methods::default_label("dictas", args.scoring.lookup),
            checkpoint: Some(args.checkpoint.clone()),
            lookup: args.scoring.lookup,
            overrides: args.scoring.overrides(args.alpha),
            settings: Default::default(),
        },
        backbone: BackboneConfig {
            name: args.clip.file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_default(),
            weights: args.clip.clone(),
            image_size: args.image_size,
            activation: args.scoring.activation,
        },
        save_maps: args.save_maps,
    })
}

/// Runs `dictas eval` and prints the Markdown table (percent, 2 decimals).
pub fn run(args: &EvalArgs) -> Result<()> {
    crate::rules::check_dataset(&args.dataset)?;
    let job = job_from_args(args)?;
    let options = RunOptions {
        device: dictas_model::parse_device(&args.device)?,
        batch_size: args.batch_size,
        feature_cache: None,
    };
    let outcomes = runner::run_jobs(std::slice::from_ref(&job), &options, &mut WeightsHashes::default())?;
    for outcome in outcomes {
        println!("{}", outputs::markdown_table(&outcome.table));
        eprintln!("wrote {}", outcome.out.display());
    }
    Ok(())
}
