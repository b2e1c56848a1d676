//! Shared helpers of the integration tests: the published reference files, tiny encoded
//! images, and quiet `prepare` calls.
#![allow(dead_code)] // each test binary uses a different part

use dictas_prep::{prepare, Dataset, PrepOptions, PrepSummary};
use image::{GrayImage, ImageFormat, Luma, Rgb, RgbImage};
use std::fs;
use std::io::Cursor;
use std::path::{Path, PathBuf};

/// `$DICTAS_REFERENCE`, else the `shared/reference` folder inside or next to the repository
/// (holding `meta/meta_<dataset>.json`).
pub fn reference_dir() -> PathBuf {
    if let Ok(dir) = std::env::var("DICTAS_REFERENCE") {
        return PathBuf::from(dir);
    }
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let candidates = [repo.join("shared/reference"), repo.join("../shared/reference")];
    candidates
        .iter()
        .find(|p| p.join("meta").is_dir())
        .cloned()
        .unwrap_or_else(|| panic!("published reference files not found in {candidates:?}; set DICTAS_REFERENCE"))
}

pub fn published_meta_path(dataset: &str) -> PathBuf {
    reference_dir().join("meta").join(format!("meta_{dataset}.json"))
}

/// The repository's `experiments` folder (holding `supports/`).
pub fn experiments_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../experiments")
}

/// A temporary folder, in RAM (`/dev/shm`) when the system has one: the tests write
/// tens of thousands of tiny files, which a busy disk makes needlessly slow.
pub fn scratch() -> tempfile::TempDir {
    let shm = Path::new("/dev/shm");
    if shm.is_dir() {
        if let Ok(dir) = tempfile::Builder::new().prefix("dictas-prep-test").tempdir_in(shm) {
            return dir;
        }
    }
    tempfile::tempdir().unwrap()
}

pub fn write(path: &Path, bytes: &[u8]) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, bytes).unwrap();
}

pub fn encode(image: impl Into<image::DynamicImage>, format: ImageFormat) -> Vec<u8> {
    let mut bytes = Cursor::new(Vec::new());
    image.into().write_to(&mut bytes, format).unwrap();
    bytes.into_inner()
}

/// A small RGB image with distinct pixels.
pub fn rgb(width: u32, height: u32) -> RgbImage {
    RgbImage::from_fn(width, height, |x, y| Rgb([(x * 40) as u8, (y * 60) as u8, 200]))
}

/// A small mask: left half 255, right half 0.
pub fn mask(width: u32, height: u32) -> GrayImage {
    GrayImage::from_fn(width, height, |x, _| Luma([if x < width / 2 { 255 } else { 0 }]))
}

pub fn quiet_options() -> PrepOptions {
    PrepOptions {
        jobs: Some(2),
        classes: None,
        show_progress: false,
    }
}

pub fn prep(dataset: Dataset, src: &Path, out: &Path) -> anyhow::Result<PrepSummary> {
    prepare(dataset, src, out, &quiet_options())
}

pub fn prep_classes(dataset: Dataset, src: &Path, out: &Path, classes: &[&str]) -> anyhow::Result<PrepSummary> {
    let options = PrepOptions {
        classes: Some(classes.iter().map(|c| c.to_string()).collect()),
        ..quiet_options()
    };
    prepare(dataset, src, out, &options)
}

/// Every file under `dir`, relative, sorted.
pub fn list_tree(dir: &Path) -> Vec<String> {
    let mut files: Vec<String> = walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| e.path().strip_prefix(dir).unwrap().to_string_lossy().into_owned())
        .collect();
    files.sort();
    files
}

/// Names of the entries directly in `dir`, sorted.
pub fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}
