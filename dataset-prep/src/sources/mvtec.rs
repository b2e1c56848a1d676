//! MVTec AD: `<c>/train/good/*.png`, `<c>/test/<defect>/*.png`,
//! masks `<c>/ground_truth/<defect>/<name with ".png" -> "_mask.png">`.

use super::folders::FolderLayout;
use std::path::{Path, PathBuf};

pub fn layout() -> FolderLayout {
    FolderLayout::png_in_class_folders(2, mask_path)
}

// The reference replaces every ".png" in the file name, not only the extension.
fn mask_path(class_dir: &Path, _source_class: &str, defect: &str, file_name: &str) -> PathBuf {
    class_dir
        .join("ground_truth")
        .join(defect)
        .join(file_name.replace(".png", "_mask.png"))
}
