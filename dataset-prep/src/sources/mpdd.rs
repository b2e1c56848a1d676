//! MPDD: the MVTec layout, masks `<c>/ground_truth/<defect>/<stem>_mask.png` where the stem
//! ends at the file name's first '.'.

use super::folders::FolderLayout;
use crate::plan::source_stem;
use std::path::{Path, PathBuf};

pub fn layout() -> FolderLayout {
    FolderLayout::png_in_class_folders(2, mask_path)
}

fn mask_path(class_dir: &Path, _source_class: &str, defect: &str, file_name: &str) -> PathBuf {
    class_dir
        .join("ground_truth")
        .join(defect)
        .join(format!("{}_mask.png", source_stem(file_name)))
}
