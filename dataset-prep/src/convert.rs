//! Executes a [`Plan`]: decode, convert and write every image and mask in parallel,
//! collecting every failure instead of stopping at the first.

use crate::dataset::MaskRule;
use crate::decode::{read_color, read_gray};
use crate::encode::{bmp24, png_gray};
use crate::plan::{Job, MaskJob, Plan};
use crate::problems::Problem;
use crate::progress;
use anyhow::{Context, Result};
use image::{GrayImage, RgbImage};
use rayon::prelude::*;
use std::fs;
use std::path::Path;

/// The standardized sub-folders every class gets, even when empty (the meta lists
/// `test` species from them).
pub const CLASS_FOLDERS: [&str; 4] = ["train/good", "test/good", "test/anomaly", "ground_truth/anomaly"];

/// Writes all of `plan` under `out_dir` (the dataset folder). Must run inside the pool
/// that should do the work. Returns the problems met, in plan order.
pub fn convert(plan: &Plan, out_dir: &Path, show_progress: bool) -> Result<Vec<Problem>> {
    for class in &plan.classes {
        for folder in CLASS_FOLDERS {
            let dir = out_dir.join(class).join(folder);
            fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        }
    }
    let rule = plan.dataset.mask_rule();
    let bar = progress::bar(plan.jobs.len(), plan.dataset.name());
    if !show_progress {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let problems: Vec<Problem> = plan
        .jobs
        .par_iter()
        .flat_map_iter(|job| {
            let problems = convert_job(job, rule, out_dir);
            bar.inc(1);
            problems
        })
        .collect();
    bar.finish_and_clear();
    Ok(problems)
}

fn convert_job(job: &Job, rule: MaskRule, out_dir: &Path) -> Vec<Problem> {
    let mut problems = Vec::new();
    let image = match read_color(&job.source) {
        Ok(image) => Some(image),
        Err(error) => {
            problems.push(Problem::new(&job.source, format!("{error:#}")));
            None
        }
    };
    if let Some(mask_job) = &job.mask {
        if let Err(problem) = convert_mask(mask_job, image.as_ref(), &job.source, rule, out_dir) {
            problems.push(problem);
        }
    }
    if let Some(image) = image {
        let dest = out_dir.join(&job.dest);
        if let Err(error) = fs::write(&dest, bmp24(&image)) {
            problems.push(Problem::new(&dest, format!("cannot write: {error}")));
        }
    }
    problems
}

fn convert_mask(
    mask_job: &MaskJob,
    image: Option<&RgbImage>,
    image_path: &Path,
    rule: MaskRule,
    out_dir: &Path,
) -> Result<(), Problem> {
    let mask = read_gray(&mask_job.source).map_err(|error| Problem::new(&mask_job.source, format!("{error:#}")))?;
    if let Some(image) = image {
        if mask.dimensions() != image.dimensions() {
            let message = format!(
                "mask is {}x{} but its image {} is {}x{}",
                mask.width(),
                mask.height(),
                image_path.display(),
                image.width(),
                image.height()
            );
            return Err(Problem::new(&mask_job.source, message));
        }
    }
    let binary = binarize(&mask, rule);
    let dest = out_dir.join(&mask_job.dest);
    let bytes = png_gray(&binary).map_err(|error| Problem::new(&dest, format!("{error:#}")))?;
    fs::write(&dest, bytes).map_err(|error| Problem::new(&dest, format!("cannot write: {error}")))
}

pub fn binarize(mask: &GrayImage, rule: MaskRule) -> GrayImage {
    let mut out = mask.clone();
    for value in out.iter_mut() {
        *value = rule.binarize(*value);
    }
    out
}
