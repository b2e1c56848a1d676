//! RESC: `retina/train/good/*.png`, `retina/test/<defect>/*.png`,
//! masks `retina/ground_truth/<defect>/<same name>`.

use super::folders::FolderLayout;
use std::path::{Path, PathBuf};

pub fn layout() -> FolderLayout {
    FolderLayout::png_in_class_folders(1, mask_path)
}

fn mask_path(class_dir: &Path, _source_class: &str, defect: &str, file_name: &str) -> PathBuf {
    class_dir.join("ground_truth").join(defect).join(file_name)
}
