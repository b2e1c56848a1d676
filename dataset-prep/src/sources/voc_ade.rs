//! VOC and ADE20K as prepared for the reference (auxiliary training sets): class folder
//! `object`, training images `object/train/good/*.jpg`; test images, if any, are .png with
//! masks `object/ground_truth/<defect>/<stem>/000.png`.

use super::folders::{FolderLayout, Phase};
use crate::plan::source_stem;
use std::path::{Path, PathBuf};

pub fn layout() -> FolderLayout {
    FolderLayout {
        extension,
        ..FolderLayout::png_in_class_folders(2, mask_path)
    }
}

fn extension(_source_class: &str, phase: Phase) -> &'static str {
    match phase {
        Phase::Train => "jpg",
        Phase::Test => "png",
    }
}

fn mask_path(class_dir: &Path, _source_class: &str, defect: &str, file_name: &str) -> PathBuf {
    class_dir
        .join("ground_truth")
        .join(defect)
        .join(source_stem(file_name))
        .join("000.png")
}
