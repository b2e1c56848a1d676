//! MVTec 3D-AD: RGB images in `<c>/train/good/rgb/*.png` and `<c>/test/<defect>/rgb/*.png`,
//! masks `<c>/test/<defect>/gt/<same name>`. The `validation` split and `xyz` maps are not read.

use super::folders::FolderLayout;
use std::path::{Path, PathBuf};

pub fn layout() -> FolderLayout {
    FolderLayout {
        image_subfolder: Some("rgb"),
        ..FolderLayout::png_in_class_folders(2, mask_path)
    }
}

fn mask_path(class_dir: &Path, _source_class: &str, defect: &str, file_name: &str) -> PathBuf {
    class_dir.join("test").join(defect).join("gt").join(file_name)
}
