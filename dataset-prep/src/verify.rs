//! Checks a standardized dataset against its meta file: every entry exists and decodes as
//! a 3-channel 8-bit image, every mask is 8-bit single-channel, binary (0/255) and the size
//! of its image; counts per class and phase; published support lists resolve.

use crate::decode::decode;
use crate::meta::{read_meta, Meta, MetaEntry};
use crate::problems::Problem;
use crate::supports::{published_support_list, read_support_list, PUBLISHED_SHOTS};
use anyhow::Result;
use image::{ColorType, DynamicImage};
use rayon::prelude::*;
use std::fmt::Write as _;
use std::path::Path;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassCounts {
    pub class: String,
    pub train: usize,
    pub test_good: usize,
    pub test_anomaly: usize,
}

/// What became of one published support list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SupportCheck {
    /// No list is published (or shipped) for this dataset and k.
    NoList { k: usize },
    /// All `count` listed images exist under the data root.
    Complete { k: usize, count: usize },
    /// Some listed images are absent.
    Missing {
        k: usize,
        count: usize,
        missing: Vec<String>,
    },
}

#[derive(Debug, Clone)]
pub struct DatasetReport {
    pub dataset: String,
    pub counts: Vec<ClassCounts>,
    /// Entries that are absent, undecodable, of the wrong format or inconsistent.
    pub problems: Vec<Problem>,
    pub supports: Vec<SupportCheck>,
}

impl DatasetReport {
    pub fn missing_support_images(&self) -> usize {
        self.supports
            .iter()
            .map(|check| match check {
                SupportCheck::Missing { missing, .. } => missing.len(),
                _ => 0,
            })
            .sum()
    }
}

/// Verifies `ROOT/<dataset>` against `ROOT/meta_<dataset>.json`. Support lists are looked
/// up under `experiments_dir` when given. Call inside the worker pool that should do the work.
pub fn verify_dataset(root: &Path, dataset: &str, experiments_dir: Option<&Path>) -> Result<DatasetReport> {
    let meta = read_meta(root, dataset)?;
    let counts = count_classes(&meta);
    let entries: Vec<(&str, &MetaEntry)> = meta
        .train
        .iter()
        .chain(meta.test.iter())
        .flat_map(|(class, entries)| entries.iter().map(move |entry| (class.as_str(), entry)))
        .collect();
    let problems: Vec<Problem> = entries
        .par_iter()
        .flat_map_iter(|(class, entry)| check_entry(root, class, entry))
        .collect();
    let supports = match experiments_dir {
        Some(dir) => check_supports(root, dataset, dir)?,
        None => Vec::new(),
    };
    Ok(DatasetReport {
        dataset: dataset.to_string(),
        counts,
        problems,
        supports,
    })
}

fn count_classes(meta: &Meta) -> Vec<ClassCounts> {
    let mut classes: Vec<&String> = meta.train.keys().collect();
    classes.extend(meta.test.keys().filter(|class| !meta.train.contains_key(*class)));
    classes
        .into_iter()
        .map(|class| {
            let test = meta.test.get(class).map(Vec::as_slice).unwrap_or_default();
            ClassCounts {
                class: class.clone(),
                train: meta.train.get(class).map_or(0, Vec::len),
                test_good: test.iter().filter(|e| e.anomaly == 0).count(),
                test_anomaly: test.iter().filter(|e| e.anomaly != 0).count(),
            }
        })
        .collect()
}

fn check_entry(root: &Path, class: &str, entry: &MetaEntry) -> Vec<Problem> {
    let mut problems = Vec::new();
    let image_path = root.join(&entry.img_path);
    if entry.cls_name != class {
        problems.push(Problem::new(
            &image_path,
            format!("listed under class '{class}' but cls_name is '{}'", entry.cls_name),
        ));
    }
    let image = match decode(&image_path) {
        Ok(image) if image.color() == ColorType::Rgb8 => Some(image),
        Ok(image) => {
            problems.push(Problem::new(
                &image_path,
                format!("expected 8-bit 3-channel pixels, found {:?}", image.color()),
            ));
            None
        }
        Err(error) => {
            problems.push(Problem::new(&image_path, format!("{error:#}")));
            None
        }
    };
    match (entry.anomaly != 0, entry.mask_path.is_empty()) {
        (true, true) => problems.push(Problem::new(&image_path, "anomaly without mask_path")),
        (false, false) => problems.push(Problem::new(&image_path, "normal image with a mask_path")),
        (true, false) => problems.extend(check_mask(&root.join(&entry.mask_path), image.as_ref())),
        (false, true) => {}
    }
    problems
}

fn check_mask(mask_path: &Path, image: Option<&DynamicImage>) -> Option<Problem> {
    let mask = match decode(mask_path) {
        Ok(DynamicImage::ImageLuma8(mask)) => mask,
        Ok(other) => {
            return Some(Problem::new(
                mask_path,
                format!("expected an 8-bit single-channel mask, found {:?}", other.color()),
            ))
        }
        Err(error) => return Some(Problem::new(mask_path, format!("{error:#}"))),
    };
    if let Some(image) = image {
        if (image.width(), image.height()) != mask.dimensions() {
            let message = format!(
                "mask is {}x{}, its image {}x{}",
                mask.width(),
                mask.height(),
                image.width(),
                image.height()
            );
            return Some(Problem::new(mask_path, message));
        }
    }
    let stray = mask.iter().filter(|&&v| v != 0 && v != 255).count();
    (stray > 0).then(|| {
        Problem::new(
            mask_path,
            format!("mask is not binary: {stray} pixel(s) other than 0 and 255"),
        )
    })
}

fn check_supports(root: &Path, dataset: &str, experiments_dir: &Path) -> Result<Vec<SupportCheck>> {
    let mut checks = Vec::new();
    for k in PUBLISHED_SHOTS {
        let list_path = published_support_list(experiments_dir, dataset, k);
        if !list_path.is_file() {
            checks.push(SupportCheck::NoList { k });
            continue;
        }
        let listed = read_support_list(&list_path)?;
        let missing: Vec<String> = listed.iter().filter(|p| !root.join(p).is_file()).cloned().collect();
        checks.push(if missing.is_empty() {
            SupportCheck::Complete { k, count: listed.len() }
        } else {
            SupportCheck::Missing {
                k,
                count: listed.len(),
                missing,
            }
        });
    }
    Ok(checks)
}

/// The human-readable report: count table, problems, support lists.
pub fn format_report(report: &DatasetReport) -> String {
    let mut text = String::new();
    let width = report
        .counts
        .iter()
        .map(|c| c.class.len())
        .chain([5])
        .max()
        .unwrap_or(5);
    let _ = writeln!(text, "dataset {}", report.dataset);
    let _ = writeln!(
        text,
        "  {:<width$}  {:>7}  {:>9}  {:>12}",
        "class", "train", "test good", "test anomaly"
    );
    let total = ClassCounts {
        class: "total".into(),
        train: report.counts.iter().map(|c| c.train).sum(),
        test_good: report.counts.iter().map(|c| c.test_good).sum(),
        test_anomaly: report.counts.iter().map(|c| c.test_anomaly).sum(),
    };
    for c in report.counts.iter().chain([&total]) {
        let _ = writeln!(
            text,
            "  {:<width$}  {:>7}  {:>9}  {:>12}",
            c.class, c.train, c.test_good, c.test_anomaly
        );
    }
    if report.problems.is_empty() {
        let _ = writeln!(
            text,
            "  all entries exist and decode; masks are binary and match their images"
        );
    } else {
        let _ = writeln!(text, "  {} problem(s):", report.problems.len());
        for problem in &report.problems {
            let _ = writeln!(text, "    {problem}");
        }
    }
    for check in &report.supports {
        let _ = match check {
            SupportCheck::NoList { k } => writeln!(text, "  supports k={k:<2}: no published list"),
            SupportCheck::Complete { k, count } => writeln!(text, "  supports k={k:<2}: all {count} images present"),
            SupportCheck::Missing { k, count, missing } => {
                writeln!(
                    text,
                    "  supports k={k:<2}: {} of {count} images missing, e.g. {}",
                    missing.len(),
                    missing[0]
                )
            }
        };
    }
    text
}
