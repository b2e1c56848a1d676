//! A synthetic benchmark in the official MVTec AD layout, for demos and benchmarks without
//! downloads: procedural textures per class, planted defects with exact masks, all
//! determined by one seed.
//!
//! Layout written (`<stem>` = 3-digit index):
//! `<class>/train/good/<stem>.png`, `<class>/test/good/<stem>.png`,
//! `<class>/test/<defect>/<stem>.png`, `<class>/ground_truth/<defect>/<stem>_mask.png`,
//! with defects `blob`, `color_spot`, `scratch`. Default class names are MVTec's texture
//! classes (wood, grid, carpet, tile, leather), so `dictas prep mvtec --classes ...`
//! standardizes the result like a subset of MVTec AD.

mod defects;
mod rng;
mod textures;

use dictas_atomic::StagedDir;
use crate::encode::{png_gray, png_rgb};
use anyhow::{bail, Context, Result};
use rayon::prelude::*;
use std::fs;
use std::path::{Path, PathBuf};

pub use defects::Defect;
pub use textures::Texture;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynthSpec {
    /// Class folder names; known texture names pick their texture, others cycle through them.
    pub classes: Vec<String>,
    /// Side of the square images, in pixels (at least 32).
    pub size: u32,
    /// Normal training images per class.
    pub train: usize,
    /// Normal test images per class.
    pub test_good: usize,
    /// Test images per defect kind per class (three kinds).
    pub test_defect: usize,
    pub seed: u64,
}

impl SynthSpec {
    /// The first `count` texture classes (at most 5) with the other settings given.
    pub fn default_classes(count: usize) -> Result<Vec<String>> {
        if count == 0 || count > textures::ALL.len() {
            bail!("--classes must be between 1 and {}", textures::ALL.len());
        }
        Ok(textures::ALL[..count]
            .iter()
            .map(|t| t.class_name().to_string())
            .collect())
    }
}

/// What one output image is.
#[derive(Debug, Clone, Copy)]
enum Item {
    Train(usize),
    TestGood(usize),
    TestDefect(Defect, usize),
}

/// Writes the raw tree to `out` (replacing an existing folder only once complete).
pub fn generate_mvtec_like(out: &Path, spec: &SynthSpec) -> Result<()> {
    if spec.size < 32 {
        bail!("synthetic image size must be at least 32 pixels, got {}", spec.size);
    }
    if spec.classes.is_empty() {
        bail!("no classes to generate");
    }
    if spec.train == 0 {
        bail!("at least one training image per class is needed");
    }
    let staging = StagedDir::new(out)?;
    let mut work = Vec::new();
    for (class_index, class) in spec.classes.iter().enumerate() {
        let class_dir = staging.path().join(class);
        let mut folders = vec![class_dir.join("train/good"), class_dir.join("test/good")];
        for defect in defects::ALL {
            folders.push(class_dir.join("test").join(defect.folder()));
            folders.push(class_dir.join("ground_truth").join(defect.folder()));
        }
        for folder in folders {
            fs::create_dir_all(&folder).with_context(|| format!("creating {}", folder.display()))?;
        }
        work.extend((0..spec.train).map(|i| (class_index, Item::Train(i))));
        work.extend((0..spec.test_good).map(|i| (class_index, Item::TestGood(i))));
        for defect in defects::ALL {
            work.extend((0..spec.test_defect).map(|i| (class_index, Item::TestDefect(defect, i))));
        }
    }
    work.par_iter()
        .try_for_each(|&(class_index, item)| write_item(staging.path(), spec, class_index, item))?;
    staging.commit()?;
    Ok(())
}

fn write_item(root: &Path, spec: &SynthSpec, class_index: usize, item: Item) -> Result<()> {
    let class = &spec.classes[class_index];
    let texture = Texture::for_class(class, class_index);
    let mut class_rng = rng::Rng::derive(spec.seed, &[class_index as u64]);
    let (kind, index) = match item {
        Item::Train(i) => (0, i),
        Item::TestGood(i) => (1, i),
        Item::TestDefect(defect, i) => (
            2 + defects::ALL.iter().position(|d| *d == defect).unwrap_or(0) as u64,
            i,
        ),
    };
    let mut image_rng = rng::Rng::derive(spec.seed, &[class_index as u64, kind, index as u64]);
    let mut image = textures::render(texture, spec.size, &mut class_rng, &mut image_rng);
    let stem = format!("{index:03}");
    let class_dir = root.join(class);
    let (image_path, mask): (PathBuf, _) = match item {
        Item::Train(_) => (class_dir.join("train/good").join(format!("{stem}.png")), None),
        Item::TestGood(_) => (class_dir.join("test/good").join(format!("{stem}.png")), None),
        Item::TestDefect(defect, _) => {
            let mask = defects::plant(&mut image, defect, &mut image_rng);
            let mask_path = class_dir
                .join("ground_truth")
                .join(defect.folder())
                .join(format!("{stem}_mask.png"));
            (
                class_dir.join("test").join(defect.folder()).join(format!("{stem}.png")),
                Some((mask_path, mask)),
            )
        }
    };
    fs::write(&image_path, png_rgb(&image)?).with_context(|| format!("writing {}", image_path.display()))?;
    if let Some((mask_path, mask)) = mask {
        fs::write(&mask_path, png_gray(&mask)?).with_context(|| format!("writing {}", mask_path.display()))?;
    }
    Ok(())
}
