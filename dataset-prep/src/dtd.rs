//! Checks that a DTD texture folder can serve as the anomaly source of training: the
//! images the training code collects (`images/*/*.jpg`) all decode.

use crate::decode::read_color;
use crate::problems::{Problem, Problems};
use crate::sources::{sorted_files_with_extension, sorted_subfolders};
use anyhow::{bail, Result};
use rayon::prelude::*;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct DtdReport {
    /// The folder holding the category folders.
    pub images_dir: PathBuf,
    /// Category -> number of readable images, sorted by category.
    pub readable: Vec<(String, usize)>,
    pub unreadable: Vec<Problem>,
}

impl DtdReport {
    pub fn total_readable(&self) -> usize {
        self.readable.iter().map(|(_, n)| n).sum()
    }
}

/// `dir` is the DTD root (holding `images/`) or its `images` folder. Call inside the
/// worker pool that should decode. Fails only when there is nothing to check.
pub fn check_dtd(dir: &Path) -> Result<DtdReport> {
    let images_dir = if dir.join("images").is_dir() {
        dir.join("images")
    } else {
        dir.to_path_buf()
    };
    let mut listing_problems = Problems::default();
    let categories = sorted_subfolders(&images_dir, &mut listing_problems).unwrap_or_default();
    listing_problems.into_result(format!("DTD folder {}", dir.display()))?;
    let mut files = Vec::new();
    for category in &categories {
        let category_dir = images_dir.join(category);
        let mut problems = Problems::default();
        for file in sorted_files_with_extension(&category_dir, "jpg", &mut problems) {
            files.push((category.as_str(), category_dir.join(file)));
        }
    }
    if files.is_empty() {
        bail!(
            "no texture images in {} (expected <category>/*.jpg)",
            images_dir.display()
        );
    }
    let results: Vec<(&str, Option<Problem>)> = files
        .par_iter()
        .map(|(category, path)| {
            (
                *category,
                read_color(path).err().map(|e| Problem::new(path, format!("{e:#}"))),
            )
        })
        .collect();
    let mut readable: Vec<(String, usize)> = categories.iter().map(|c| (c.clone(), 0)).collect();
    let mut unreadable = Vec::new();
    for (category, problem) in results {
        match problem {
            Some(problem) => unreadable.push(problem),
            None => {
                readable
                    .iter_mut()
                    .find(|(c, _)| c == category)
                    .expect("listed category")
                    .1 += 1
            }
        }
    }
    Ok(DtdReport {
        images_dir,
        readable,
        unreadable,
    })
}

pub fn format_report(report: &DtdReport) -> String {
    let mut text = format!("DTD textures in {}\n", report.images_dir.display());
    for (category, count) in &report.readable {
        let _ = writeln!(text, "  {category:<16} {count:>5}");
    }
    let _ = writeln!(
        text,
        "  {} readable image(s) in {} categories",
        report.total_readable(),
        report.readable.len()
    );
    if !report.unreadable.is_empty() {
        let _ = writeln!(text, "  {} unreadable image(s):", report.unreadable.len());
        for problem in &report.unreadable {
            let _ = writeln!(text, "    {problem}");
        }
    }
    text
}
