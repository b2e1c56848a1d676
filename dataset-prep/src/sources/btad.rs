//! BTAD: source folders 01, 02, 03 become metal1, wood, metal2; normal folder `ok`;
//! images are .bmp in 01 and 03 and .png in 02; masks in `ground_truth/<defect>/`, named
//! like the image with "bmp" replaced by "png" for 01 and 02, and exactly like it for 03.

use super::folders::{FolderLayout, Phase};
use std::path::{Path, PathBuf};

const CLASS_FOLDERS: [(&str, &str); 3] = [("metal1", "01"), ("wood", "02"), ("metal2", "03")];

pub fn layout() -> FolderLayout {
    FolderLayout {
        source_class,
        normal_folder: "ok",
        extension,
        ..FolderLayout::png_in_class_folders(1, mask_path)
    }
}

fn source_class(class: &str) -> Option<String> {
    CLASS_FOLDERS
        .iter()
        .find(|(name, _)| *name == class)
        .map(|(_, folder)| folder.to_string())
}

fn extension(source_class: &str, _phase: Phase) -> &'static str {
    if source_class == "02" {
        "png"
    } else {
        "bmp"
    }
}

fn mask_path(class_dir: &Path, source_class: &str, defect: &str, file_name: &str) -> PathBuf {
    let mask_name = if source_class == "03" {
        file_name.to_string()
    } else {
        file_name.replace("bmp", "png")
    };
    class_dir.join("ground_truth").join(defect).join(mask_name)
}
