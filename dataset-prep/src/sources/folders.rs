//! The folder layout shared by every dataset except visa:
//! `<class>/train/<normal>/*`, `<class>/test/<defect or normal>/*`, masks found by a
//! dataset-specific rule. Each dataset module fills in a [`FolderLayout`].

use super::listing::{sorted_files_with_extension, sorted_subfolders};
use crate::dataset::Dataset;
use crate::plan::{Plan, PlanBuilder};
use crate::problems::Problems;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Train,
    Test,
}

/// Where the mask of an anomaly image is: (class folder, source class folder name, defect
/// folder, image file name) -> mask path.
pub type MaskPath = fn(class_dir: &Path, source_class: &str, defect: &str, file_name: &str) -> PathBuf;

/// What differs between the folder-based source layouts.
pub struct FolderLayout {
    /// Source folder name of a standardized class; `None` when the dataset has no such class.
    pub source_class: fn(&str) -> Option<String>,
    /// Name of the normal folder in `train` and `test` (`good`, or `ok` for BTAD).
    pub normal_folder: &'static str,
    /// Sub-folder of a `train`/`test` category folder that holds the images (`rgb` for mvtec3D).
    pub image_subfolder: Option<&'static str>,
    /// Image file extension for a source class folder and phase.
    pub extension: fn(source_class: &str, phase: Phase) -> &'static str,
    /// The reference converts a class's test folder only when it holds at least this many
    /// category folders (2 for mvtec, MPDD, mvtec3D and VOC/Ade: a test folder holding only
    /// `good` contributes nothing; 1 for the others).
    pub min_test_folders: usize,
    /// Path of the mask of `test/<defect>/<file_name>`.
    pub mask_path: MaskPath,
}

impl FolderLayout {
    /// The common case: classes in folders of their own name, normal folder `good`, `.png`
    /// images directly in the category folders.
    pub fn png_in_class_folders(min_test_folders: usize, mask_path: MaskPath) -> FolderLayout {
        FolderLayout {
            source_class: same_class_name,
            normal_folder: "good",
            image_subfolder: None,
            extension: png_only,
            min_test_folders,
            mask_path,
        }
    }
}

/// One class being planned: its standardized name, source folder name and source folder.
struct ClassSource<'a> {
    class: &'a str,
    source_class: &'a str,
    dir: PathBuf,
}

/// Plans a folder-layout dataset. Every problem found is added to `problems`; the plan is
/// complete (ids included) for everything that was found.
pub fn plan(layout: &FolderLayout, dataset: Dataset, src: &Path, classes: &[String], problems: &mut Problems) -> Plan {
    let mut builder = PlanBuilder::new(dataset);
    for class in classes {
        builder.add_class(class);
        let Some(source_class) = (layout.source_class)(class) else {
            problems.push(src, format!("{dataset} has no class '{class}'"));
            continue;
        };
        let source = ClassSource {
            class,
            source_class: &source_class,
            dir: src.join(&source_class),
        };
        if !source.dir.is_dir() {
            problems.push(&source.dir, format!("missing class folder (class '{class}')"));
            continue;
        }
        plan_train(layout, &source, &mut builder, problems);
        plan_test(layout, &source, &mut builder, problems);
    }
    builder.finish()
}

fn image_folder(layout: &FolderLayout, category_dir: PathBuf) -> PathBuf {
    match layout.image_subfolder {
        Some(sub) => category_dir.join(sub),
        None => category_dir,
    }
}

fn plan_train(layout: &FolderLayout, source: &ClassSource, builder: &mut PlanBuilder, problems: &mut Problems) {
    let train_dir = source.dir.join("train");
    let Some(categories) = sorted_subfolders(&train_dir, problems) else {
        return;
    };
    // The reference converts training images only when `train` holds exactly the normal
    // folder; anything else would silently drop the class's training set, so it is reported.
    if categories != [layout.normal_folder] {
        problems.push(
            &train_dir,
            format!(
                "expected exactly one folder '{}', found [{}]",
                layout.normal_folder,
                categories.join(", ")
            ),
        );
        return;
    }
    let dir = image_folder(layout, train_dir.join(layout.normal_folder));
    let extension = (layout.extension)(source.source_class, Phase::Train);
    let files = sorted_files_with_extension(&dir, extension, problems);
    if files.is_empty() && dir.is_dir() {
        problems.push(&dir, format!("no training images (*.{extension})"));
    }
    for file in files {
        builder.add_train(source.class, &dir.join(&file), &file);
    }
}

fn plan_test(layout: &FolderLayout, source: &ClassSource, builder: &mut PlanBuilder, problems: &mut Problems) {
    let test_dir = source.dir.join("test");
    let Some(categories) = sorted_subfolders(&test_dir, problems) else {
        return;
    };
    if categories.len() < layout.min_test_folders {
        return;
    }
    let extension = (layout.extension)(source.source_class, Phase::Test);
    for category in &categories {
        let dir = image_folder(layout, test_dir.join(category));
        for file in sorted_files_with_extension(&dir, extension, problems) {
            let image = dir.join(&file);
            if category == layout.normal_folder {
                builder.add_test_good(source.class, &image, &file);
                continue;
            }
            let mask = (layout.mask_path)(&source.dir, source.source_class, category, &file);
            if !mask.is_file() {
                problems.push(
                    &image,
                    format!("anomaly image has no mask (expected {})", mask.display()),
                );
            }
            builder.add_test_anomaly(source.class, category, &image, &file, &mask);
        }
    }
}

/// Identity mapping for datasets whose source folders carry the class names.
fn same_class_name(class: &str) -> Option<String> {
    Some(class.to_string())
}

/// `png` for both phases.
fn png_only(_source_class: &str, _phase: Phase) -> &'static str {
    "png"
}
