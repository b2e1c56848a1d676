//! `dictas infer`: one query image against given normal images, no dataset needed.

use crate::eval::args::ScoringArgs;
use crate::pipeline::{self, Backbone, DictAsScorer};
use crate::rules;
use crate::overlay;
use dictas_atomic as atomic;
use anyhow::{bail, Context, Result};
use clap::Args;
use std::path::{Path, PathBuf};

/// Score one image against a few normal images of the same object.
#[derive(Debug, Clone, Args)]
pub struct InferArgs {
    /// The query image.
    #[arg(long)]
    pub image: PathBuf,
    /// Normal support images, or folders of them (all .png/.bmp/.jpg inside).
    #[arg(long, num_args = 1.., required = true)]
    pub support: Vec<PathBuf>,
    /// CLIP weights: OpenAI TorchScript archive (.pt), state dict or safetensors.
    #[arg(long)]
    pub clip: PathBuf,
    /// DictAS weights: reference `.pth` ({"Mymodel": state_dict}) or safetensors.
    #[arg(long)]
    pub checkpoint: PathBuf,
    /// Class name used for the text prompts (e.g. "bottle").
    #[arg(long, default_value = "object")]
    pub class: String,
    /// Dataset whose test rules (layers, scales, sigma) apply.
    #[arg(long, default_value = "mvtec")]
    pub dataset: String,
    /// Side of the square network input; a multiple of the patch size.
    #[arg(long, default_value_t = 336)]
    pub image_size: u32,
    /// auto, cpu, cuda or cuda:N.
    #[arg(long, default_value = "auto")]
    pub device: String,
    /// Output folder for overlay.png and map.npy.
    #[arg(long)]
    pub out: PathBuf,
    #[command(flatten)]
    pub scoring: ScoringArgs,
}

const IMAGE_EXTENSIONS: [&str; 5] = ["png", "bmp", "jpg", "jpeg", "tif"];

/// Expands folders into their image files (sorted) and checks every file exists.
pub fn expand_supports(items: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for item in items {
        if item.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(item)
                .with_context(|| format!("listing {}", item.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.extension()
                        .and_then(|e| e.to_str())
                        .is_some_and(|e| IMAGE_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
                })
                .collect();
            found.sort();
            if found.is_empty() {
                bail!("support folder {} holds no images ({})", item.display(), IMAGE_EXTENSIONS.join(", "));
            }
            files.extend(found);
        } else if item.is_file() {
            files.push(item.clone());
        } else {
            bail!("support image not found: {}", item.display());
        }
    }
    Ok(files)
}

pub fn run(args: &InferArgs) -> Result<()> {
    if !args.image.is_file() {
        bail!("query image not found: {}", args.image.display());
    }
    let supports = expand_supports(&args.support)?;
    let overrides = args.scoring.overrides(None);
    let rule = rules::class_rule(&args.dataset, &args.class, supports.len(), &overrides)?;
    let device = dictas_model::parse_device(&args.device)?;
    let mut backbone = Backbone::load(&args.clip, args.image_size, args.scoring.activation, device)?;
    let scorer = DictAsScorer::load(&args.checkpoint, args.scoring.lookup, device)?;
    let text = backbone.text_features(&args.class)?;
    let support_images = pipeline::support_images(&supports, &rule, args.image_size)?;
    let support = pipeline::support_tokens(&backbone, &support_images, &rule)?;
    let features = backbone.encode(&pipeline::load_batch(std::slice::from_ref(&args.image), args.image_size)?, &rule.layers)?;
    let dictionary = scorer.prepare(&backbone, &support, &rule)?;
    let maps = scorer.maps(&backbone, &features.layers, &dictionary)?;
    let text_score = pipeline::text_scores(&features.global, &text)?[0];
    let side = args.image_size as usize;
    let raw: Vec<f32> = Vec::<f32>::try_from(maps.reshape([-1])).context("reading map")?;
    let smoothed = dictas_metrics::gaussian_filter_2d(&raw, side, side, rule.sigma)?;
    write_outputs(&args.out, &args.image, side, &raw, &smoothed)?;
    println!(
        "text score {:.4}, max map {:.4}; wrote {}",
        text_score,
        smoothed.iter().cloned().fold(f32::MIN, f32::max),
        args.out.display()
    );
    Ok(())
}

fn write_outputs(out: &Path, image: &Path, side: usize, raw: &[f32], smoothed: &[f32]) -> Result<()> {
    let array = ndarray::ArrayView2::from_shape((side, side), raw).context("map shape")?;
    let mut npy = Vec::new();
    ndarray_npy::WriteNpyExt::write_npy(&array, &mut npy).context("encoding map.npy")?;
    atomic::write_file(&out.join("map.npy"), &npy)?;
    let picture = image::open(image).with_context(|| format!("reading {}", image.display()))?.to_rgb8();
    let resized = dictas_imageops::pil_resize_rgb(&picture, side as u32, side as u32, dictas_imageops::Filter::Bicubic);
    let blended = overlay::heatmap_overlay(&resized, smoothed);
    let mut png = Vec::new();
    blended
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .context("encoding overlay.png")?;
    atomic::write_file(&out.join("overlay.png"), &png)
}
