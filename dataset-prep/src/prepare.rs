//! `prep` for one dataset: plan and validate the whole source, convert in parallel into a
//! hidden staging folder, build the meta from the result, then move both into place.

use dictas_atomic::{StagedDir, StagedFile};
use crate::convert::convert;
use crate::dataset::Dataset;
use crate::meta::{build_meta, meta_path, to_json_bytes};
use crate::parallel::in_pool;
use crate::plan::Plan;
use crate::problems::{Problem, Problems, SourceProblems};
use crate::sources;
use anyhow::{bail, Context, Result};
use std::fs;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Default)]
pub struct PrepOptions {
    /// Worker threads (all cores when `None`).
    pub jobs: Option<usize>,
    /// Standardize exactly these classes, in this order (ids and meta keys follow it),
    /// instead of the dataset's official list. Names are standardized class names.
    pub classes: Option<Vec<String>>,
    pub show_progress: bool,
}

#[derive(Debug, Clone)]
pub struct PrepSummary {
    pub dataset: Dataset,
    pub classes: Vec<String>,
    pub images: usize,
    pub masks: usize,
    pub dataset_dir: PathBuf,
    pub meta_path: PathBuf,
}

/// Standardizes `dataset` from `src` into `out/<dataset>/` and `out/meta_<dataset>.json`.
/// On any problem nothing is written (an existing previous output is left untouched) and
/// the error is a [`SourceProblems`] listing every problem with its path.
pub fn prepare(dataset: Dataset, src: &Path, out: &Path, options: &PrepOptions) -> Result<PrepSummary> {
    let (conversion_classes, meta_classes) = class_lists(dataset, options.classes.as_deref())?;
    let context = format!("{dataset} source {}", src.display());
    if !src.is_dir() {
        let problems = vec![Problem::new(src, "source folder not found")];
        return Err(SourceProblems { context, problems }.into());
    }
    let mut problems = Problems::default();
    let plan = sources::plan(dataset, src, &conversion_classes, &mut problems);
    problems.into_result(context.clone())?;

    let created_out = !out.exists();
    let result = write_outputs(&plan, out, &meta_classes, options, &context);
    if result.is_err() && created_out {
        // Only removes `out` if the failed run left it empty, which it should have.
        let _ = fs::remove_dir(out);
    }
    let (dataset_dir, meta_path) = result?;
    Ok(PrepSummary {
        dataset,
        classes: conversion_classes,
        images: plan.jobs.len(),
        masks: plan.jobs.iter().filter(|job| job.mask.is_some()).count(),
        dataset_dir,
        meta_path,
    })
}

fn write_outputs(
    plan: &Plan,
    out: &Path,
    meta_classes: &[String],
    options: &PrepOptions,
    context: &str,
) -> Result<(PathBuf, PathBuf)> {
    let name = plan.dataset.name();
    fs::create_dir_all(out).with_context(|| format!("creating output folder {}", out.display()))?;
    let dataset_dir = out.join(name);
    let staging = StagedDir::new(&dataset_dir)?;
    let problems = in_pool(options.jobs, || convert(plan, staging.path(), options.show_progress))??;
    if !problems.is_empty() {
        return Err(SourceProblems {
            context: context.to_string(),
            problems,
        }
        .into());
    }
    let meta = build_meta(staging.path(), name, meta_classes)?;
    let meta_file = meta_path(out, name);
    let staged_meta = StagedFile::new(&meta_file, &to_json_bytes(&meta))?;
    staging.commit()?;
    staged_meta.commit()?;
    Ok((dataset_dir, meta_file))
}

/// (conversion order, meta key order).
fn class_lists(dataset: Dataset, requested: Option<&[String]>) -> Result<(Vec<String>, Vec<String>)> {
    let owned = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<Vec<_>>();
    let Some(requested) = requested else {
        return Ok((owned(dataset.conversion_classes()), owned(dataset.meta_classes())));
    };
    if requested.is_empty() {
        bail!("--classes is empty");
    }
    for (i, class) in requested.iter().enumerate() {
        if class.is_empty() || class.contains(['/', '\\']) || class.starts_with('.') {
            bail!("invalid class name '{class}' in --classes");
        }
        if requested[..i].contains(class) {
            bail!("class '{class}' is listed twice in --classes");
        }
    }
    Ok((requested.to_vec(), requested.to_vec()))
}
