//! `dictas demo`: the embedded default. Generates the synthetic data and tiny random weights
//! that `experiments/demo.yaml` names (when missing), then sweeps it and writes the report.

use crate::sweep::spec::{lexically_normal, ExperimentSpec};
use crate::sweep::{self, SweepArgs};
use crate::tiny_weights::{self, TinyClip};
use anyhow::{bail, Context, Result};
use clap::Args;
use std::path::PathBuf;

/// Run the embedded demo (synthetic data, tiny random weights, no downloads).
#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    /// The demo's experiment spec.
    #[arg(long)]
    pub spec: Option<PathBuf>,
    /// Regenerate data and weights and redo every cell.
    #[arg(long)]
    pub force: bool,
}

/// Classes of the synthetic benchmark (official MVTec names, so `prep mvtec` takes them).
const DEMO_CLASSES: [&str; 3] = ["wood", "grid", "carpet"];

fn default_spec() -> PathBuf {
    let local = PathBuf::from("experiments/demo.yaml");
    if local.is_file() {
        local
    } else {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../experiments/demo.yaml")
    }
}

pub fn run(args: &DemoArgs) -> Result<()> {
    let spec_path = args.spec.clone().unwrap_or_else(default_spec);
    let text = std::fs::read_to_string(&spec_path).with_context(|| format!("reading {}", spec_path.display()))?;
    let mut spec: ExperimentSpec =
        serde_yaml::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", spec_path.display()))?;
    let base = spec_path.parent().map(PathBuf::from).unwrap_or_default();
    spec.data_root = lexically_normal(&base.join(&spec.data_root));
    let (Some(method), Some(backbone)) = (spec.methods.first(), spec.backbones.first()) else {
        bail!("{} names no method or backbone", spec_path.display());
    };
    let checkpoint = lexically_normal(&base.join(method.checkpoint.as_ref().context("demo method needs a checkpoint")?));
    let clip = lexically_normal(&base.join(&backbone.weights));
    let tiny = TinyClip { image_size: backbone.image_size as i64, ..TinyClip::default() };
    if args.force || !clip.is_file() {
        eprintln!("demo: writing tiny random CLIP {}", clip.display());
        tiny_weights::write_clip(&clip, &tiny, 0)?;
    }
    if args.force || !checkpoint.is_file() {
        eprintln!("demo: writing tiny random DictAS {}", checkpoint.display());
        tiny_weights::write_dictas(&checkpoint, tiny.vision_width, tiny.embed_dim, 0)?;
    }
    let meta = spec.data_root.join("meta_mvtec.json");
    if args.force || !meta.is_file() {
        let raw = spec.data_root.with_file_name("raw");
        eprintln!("demo: generating a synthetic benchmark in {}", raw.display());
        dictas_prep::cli::run_synth(&dictas_prep::cli::SynthArgs {
            out: raw.clone(),
            classes: DEMO_CLASSES.len(),
            size: 256,
            train: 8,
            test_good: 6,
            test_defect: 3,
            seed: 0,
            jobs: None,
        })?;
        dictas_prep::cli::run_prep(&dictas_prep::cli::PrepArgs {
            dataset: "mvtec".into(),
            src: raw,
            out: Some(spec.data_root.clone()),
            jobs: None,
            classes: Some(DEMO_CLASSES.iter().map(|c| c.to_string()).collect()),
        })?;
    }
    sweep::run(&SweepArgs { spec: spec_path, force: args.force, shard: None, no_report: false, dry_run: false })
}
