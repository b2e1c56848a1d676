//! `dictas bench`: speed and memory of evaluation (a measurement, not a test).
//!
//! 1. Throughput of the whole eval pipeline (decode, CLIP, DictAS, metrics, outputs) on a
//!    prepared dataset, with peak resident memory.
//! 2. Seconds per query image with a random-weight model of ViT-L-14-336's size at 336 px and
//!    4 support images (layers 6/12/18/24, scales 1 and 3: the VisA rule), the cost that
//!    matters for the paper's setting.

use crate::eval::args::{ActivationArg, LookupArg};
use crate::eval::EvalArgs;
use crate::pipeline::{self, Backbone, DictAsScorer};
use crate::rules::{self, RuleOverrides};
use crate::tiny_weights::{self, TinyClip};
use anyhow::{Context, Result};
use clap::Args;
use std::path::PathBuf;
use std::time::Instant;
use tch::{Device, Kind, Tensor};

/// Measure evaluation speed and memory.
#[derive(Debug, Clone, Args)]
pub struct BenchArgs {
    /// Parity-style setup for the throughput part: a folder with data/, clip-jit.pt,
    /// dictas.pth and support/fix_2-shot.txt (e.g. the shared parity fixture).
    #[arg(long)]
    pub fixture: Option<PathBuf>,
    /// Query images to time with the ViT-L-14-336-sized model (0 skips that part).
    #[arg(long, default_value_t = 3)]
    pub large_queries: usize,
    /// auto, cpu, cuda or cuda:N.
    #[arg(long, default_value = "auto")]
    pub device: String,
}

/// Peak resident memory of this process (Linux), in MiB.
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

pub fn run(args: &BenchArgs) -> Result<()> {
    let device = dictas_model::parse_device(&args.device)?;
    println!("device: {device:?}, libtorch threads: {}", tch::get_num_threads());
    if let Some(fx) = &args.fixture {
        let scratch = std::env::temp_dir().join(format!("dictas-bench-{}", std::process::id()));
        let eval = EvalArgs {
            data: fx.join("data"),
            dataset: "mvtec".into(),
            clip: fx.join("clip-jit.pt"),
            checkpoint: fx.join("dictas.pth"),
            k_shot: 2,
            supports: Some(fx.join("support/fix_2-shot.txt")),
            seed: None,
            image_size: 224,
            device: args.device.clone(),
            out: scratch.join("eval"),
            save_maps: false,
            classes: None,
            batch_size: 8,
            scoring: Default::default(),
            alpha: None,
        };
        let job = crate::eval::job_from_args(&eval)?;
        let options = crate::runner::RunOptions { device, batch_size: 8, feature_cache: None };
        let start = Instant::now();
        let outcomes = crate::runner::run_jobs(&[job], &options, &mut Default::default())?;
        let seconds = start.elapsed().as_secs_f64();
        let meta = dictas_prep::meta::read_meta(&eval.data, "mvtec")?;
        let images: usize = meta.test.values().map(Vec::len).sum();
        println!(
            "eval on {} ({images} test images, 224 px, k = 2): {seconds:.2} s, {:.2} img/s, peak RSS {:.0} MiB",
            fx.display(),
            images as f64 / seconds,
            peak_rss_mib().unwrap_or(f64::NAN)
        );
        drop(outcomes);
        let _ = std::fs::remove_dir_all(&scratch);
    }
    if args.large_queries > 0 {
        large_model(args.large_queries, device)?;
    }
    Ok(())
}

/// Seconds per query image with a ViT-L-14-336-sized random model.
fn large_model(queries: usize, device: Device) -> Result<()> {
    let dir = std::env::temp_dir().join(format!("dictas-bench-large-{}", std::process::id()));
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let shape = TinyClip {
        vision_width: 1024,
        vision_layers: 24,
        patch: 14,
        image_size: 336,
        text_width: 768,
        // The text tower runs once per class; one block keeps the file small.
        text_layers: 1,
        embed_dim: 768,
    };
    let clip_path = dir.join("vit-l-14-336-random.safetensors");
    let dictas_path = dir.join("dictas-random.safetensors");
    tiny_weights::write_clip(&clip_path, &shape, 0)?;
    tiny_weights::write_dictas(&dictas_path, shape.vision_width, shape.embed_dim, 0)?;
    let result = (|| -> Result<()> {
        let backbone = Backbone::load(&clip_path, 336, ActivationArg::Gelu, device)?;
        let scorer = DictAsScorer::load(&dictas_path, LookupArg::Sparsemax, device)?;
        let rule = rules::class_rule("visa", "pcb1", 4, &RuleOverrides::default())?;
        tch::manual_seed(1);
        let supports = Tensor::randn([4, 3, 336, 336], (Kind::Float, Device::Cpu));
        let start = Instant::now();
        let tokens = pipeline::support_tokens(&backbone, &supports, &rule)?;
        let dictionary = scorer.prepare(&backbone, &tokens, &rule)?;
        let support_seconds = start.elapsed().as_secs_f64();
        let mut per_query = Vec::new();
        for _ in 0..queries {
            let query = Tensor::randn([1, 3, 336, 336], (Kind::Float, Device::Cpu));
            let start = Instant::now();
            let features = backbone.encode(&query, &rule.layers)?;
            let maps = scorer.maps(&backbone, &features.layers, &dictionary)?;
            let _ = maps.sum(Kind::Float).double_value(&[]);
            per_query.push(start.elapsed().as_secs_f64());
        }
        per_query.sort_by(f64::total_cmp);
        println!(
            "ViT-L-14-336-sized random model, 336 px, 4 shots, layers 6/12/18/24, scales 1/3: \
             supports {support_seconds:.2} s once per class; per query image median {:.3} s (min {:.3}, max {:.3}, n = {}); peak RSS {:.0} MiB",
            per_query[per_query.len() / 2],
            per_query[0],
            per_query[per_query.len() - 1],
            per_query.len(),
            peak_rss_mib().unwrap_or(f64::NAN)
        );
        Ok(())
    })();
    let _ = std::fs::remove_dir_all(&dir);
    result
}
