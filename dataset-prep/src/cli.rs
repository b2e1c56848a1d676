//! Command-line arguments and entry points of `dictas prep`, `dictas verify` and
//! `dictas synth` (embedded as subcommands by the `dictas` binary).

use crate::dataset::Dataset;
use crate::manifest;
use crate::parallel::in_pool;
use crate::prepare::{prepare, PrepOptions};
use crate::synth::{generate_mvtec_like, SynthSpec};
use crate::{dtd, verify};
use anyhow::{anyhow, bail, Context, Result};
use std::fs;
use std::path::{Path, PathBuf};

/// Standardize a public dataset into `ROOT/<dataset>/` and `ROOT/meta_<dataset>.json`.
#[derive(Debug, Clone, clap::Args)]
pub struct PrepArgs {
    /// mvtec, visa, MPDD, BTAD, mvtec3D, RESC, BrasTS, VOC, Ade; or dtd to check a DTD
    /// texture folder (no output).
    pub dataset: String,
    /// The dataset's raw folder as downloaded (for visa: the folder holding split_csv/).
    #[arg(long)]
    pub src: PathBuf,
    /// Data root receiving `<dataset>/` and `meta_<dataset>.json` (not used for dtd).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub jobs: Option<usize>,
    /// Standardize only these classes, in this order (comma-separated standardized names),
    /// e.g. a subset, or the classes of `dictas synth`. Ids and meta keys then follow this
    /// list, so the published support lists no longer apply.
    #[arg(long, value_delimiter = ',')]
    pub classes: Option<Vec<String>>,
}

pub fn run_prep(args: &PrepArgs) -> Result<()> {
    if args.dataset == "dtd" {
        return run_dtd_check(args);
    }
    let dataset = Dataset::from_name(&args.dataset)
        .map_err(|error| anyhow!("{error} (or dtd, to check a DTD texture folder)"))?;
    let Some(out) = &args.out else {
        bail!("prep {dataset} needs --out ROOT (the data root to write into)");
    };
    let options = PrepOptions {
        jobs: args.jobs,
        classes: args.classes.clone(),
        show_progress: true,
    };
    let summary = prepare(dataset, &args.src, out, &options)?;
    println!(
        "{}: {} images ({} with masks) in {} classes -> {}, {}",
        dataset,
        summary.images,
        summary.masks,
        summary.classes.len(),
        summary.dataset_dir.display(),
        summary.meta_path.display()
    );
    Ok(())
}

fn run_dtd_check(args: &PrepArgs) -> Result<()> {
    if args.out.is_some() || args.classes.is_some() {
        bail!("prep dtd only checks a folder; it takes --src DIR (and --jobs), not --out or --classes");
    }
    let report = in_pool(args.jobs, || dtd::check_dtd(&args.src))??;
    print!("{}", dtd::format_report(&report));
    if !report.unreadable.is_empty() {
        bail!(
            "{} DTD image(s) cannot be decoded (listed above)",
            report.unreadable.len()
        );
    }
    Ok(())
}

/// Check a standardized data root: entries, masks, counts, support lists, sha256 manifest.
#[derive(Debug, Clone, clap::Args)]
pub struct VerifyArgs {
    /// Data root holding `<dataset>/` and `meta_<dataset>.json`.
    #[arg(long)]
    pub data: PathBuf,
    /// Dataset to check (default: every `meta_*.json` in the data root).
    #[arg(long)]
    pub dataset: Option<String>,
    /// Write a sha256 manifest of the checked datasets (meta files included) to FILE.
    #[arg(long, value_name = "FILE")]
    pub manifest: Option<PathBuf>,
    /// Compare the tree with the manifest in FILE; differences make the check fail.
    #[arg(long, value_name = "FILE")]
    pub check_manifest: Option<PathBuf>,
    /// Folder holding `supports/<dataset>/fix_<k>-shot.txt`.
    #[arg(long, default_value = "experiments")]
    pub experiments: PathBuf,
    /// Fail when a published support image is missing (otherwise only reported).
    #[arg(long)]
    pub require_supports: bool,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub jobs: Option<usize>,
}

pub fn run_verify(args: &VerifyArgs) -> Result<()> {
    let datasets = match &args.dataset {
        Some(name) => vec![name.clone()],
        None => datasets_in(&args.data)?,
    };
    let failures = in_pool(args.jobs, || verify_all(args, &datasets))??;
    if !failures.is_empty() {
        bail!("verification failed: {}", failures.join("; "));
    }
    println!("verification passed");
    Ok(())
}

/// Runs every check and prints its report; returns one line per failed check.
fn verify_all(args: &VerifyArgs, datasets: &[String]) -> Result<Vec<String>> {
    let mut failures = Vec::new();
    for dataset in datasets {
        let report = verify::verify_dataset(&args.data, dataset, Some(&args.experiments))?;
        print!("{}", verify::format_report(&report));
        if !report.problems.is_empty() {
            failures.push(format!("{} problem(s) in {dataset}", report.problems.len()));
        }
        let missing = report.missing_support_images();
        if args.require_supports && missing > 0 {
            failures.push(format!("{missing} published support image(s) missing from {dataset}"));
        }
    }
    if args.manifest.is_none() && args.check_manifest.is_none() {
        return Ok(failures);
    }
    let actual = manifest::compute(&args.data, datasets)?;
    if let Some(path) = &args.manifest {
        manifest::write(path, &actual)?;
        println!("manifest of {} files written to {}", actual.len(), path.display());
    }
    if let Some(path) = &args.check_manifest {
        let diff = manifest::compare(&manifest::read(path)?, &actual);
        for (label, paths) in [
            ("missing", &diff.missing),
            ("extra", &diff.extra),
            ("changed", &diff.changed),
        ] {
            for p in paths {
                println!("  manifest {label}: {p}");
            }
        }
        if diff.is_empty() {
            println!("tree matches manifest {} ({} files)", path.display(), actual.len());
        } else {
            failures.push(format!(
                "tree differs from manifest {}: {} missing, {} extra, {} changed",
                path.display(),
                diff.missing.len(),
                diff.extra.len(),
                diff.changed.len()
            ));
        }
    }
    Ok(failures)
}

/// Names `d` of every `meta_<d>.json` in `root`, sorted.
fn datasets_in(root: &Path) -> Result<Vec<String>> {
    let mut names = Vec::new();
    for entry in fs::read_dir(root).with_context(|| format!("listing data root {}", root.display()))? {
        let name = entry
            .with_context(|| format!("listing data root {}", root.display()))?
            .file_name();
        let name = name.to_string_lossy();
        if let Some(dataset) = name.strip_prefix("meta_").and_then(|n| n.strip_suffix(".json")) {
            names.push(dataset.to_string());
        }
    }
    names.sort();
    if names.is_empty() {
        bail!("no meta_<dataset>.json in {} (run `dictas prep` first)", root.display());
    }
    Ok(names)
}

/// Generate a synthetic benchmark in the raw MVTec layout (textures with planted defects).
#[derive(Debug, Clone, clap::Args)]
pub struct SynthArgs {
    /// Folder to create (replaced if it exists).
    #[arg(long)]
    pub out: PathBuf,
    /// Number of classes (1-5: wood, grid, carpet, tile, leather).
    #[arg(long, default_value_t = 3)]
    pub classes: usize,
    /// Image side in pixels.
    #[arg(long, default_value_t = 256)]
    pub size: u32,
    /// Normal training images per class.
    #[arg(long, default_value_t = 16)]
    pub train: usize,
    /// Normal test images per class.
    #[arg(long, default_value_t = 8)]
    pub test_good: usize,
    /// Test images per defect kind (blob, color_spot, scratch) per class.
    #[arg(long, default_value_t = 4)]
    pub test_defect: usize,
    /// Seed of the generated textures and defects (same seed, same files).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub jobs: Option<usize>,
}

pub fn run_synth(args: &SynthArgs) -> Result<()> {
    let spec = SynthSpec {
        classes: SynthSpec::default_classes(args.classes)?,
        size: args.size,
        train: args.train,
        test_good: args.test_good,
        test_defect: args.test_defect,
        seed: args.seed,
    };
    in_pool(args.jobs, || generate_mvtec_like(&args.out, &spec))??;
    println!(
        "wrote {} synthetic classes to {}; standardize with:\n  dictas prep mvtec --src {} --out ROOT --classes {}",
        spec.classes.len(),
        args.out.display(),
        args.out.display(),
        spec.classes.join(",")
    );
    Ok(())
}
