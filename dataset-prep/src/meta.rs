//! The unified meta JSON (SPEC section 1): types, reading, building it from a
//! standardized tree, and writing it byte-for-byte as the reference's `json.dumps(indent=4)`.

use crate::pyjson;
use anyhow::{Context, Result};
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use std::fs;
use std::path::{Path, PathBuf};

/// One image of the meta file. Field order is the published key order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetaEntry {
    /// Relative to the data root, e.g. `mvtec/bottle/test/anomaly/mvtec_broken_large_000209.bmp`.
    pub img_path: String,
    /// Relative to the data root; empty for normal images.
    pub mask_path: String,
    pub cls_name: String,
    /// `good` or `anomaly`.
    pub specie_name: String,
    /// The file name up to its first `_` (`Ade` for VOC files, as published).
    pub dataset_name: String,
    /// 1 for anomalies, 0 for normal images.
    pub anomaly: u8,
}

/// Class -> entries, in the file's class order.
pub type ClassEntries = IndexMap<String, Vec<MetaEntry>>;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meta {
    pub train: ClassEntries,
    pub test: ClassEntries,
}

/// `ROOT/meta_<dataset>.json`.
pub fn meta_path(root: &Path, dataset: &str) -> PathBuf {
    root.join(format!("meta_{dataset}.json"))
}

/// Reads `ROOT/meta_<dataset>.json`, keeping the file's class order.
pub fn read_meta(root: &Path, dataset: &str) -> Result<Meta> {
    let path = meta_path(root, dataset);
    let text = fs::read_to_string(&path).with_context(|| format!("reading meta file {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| {
        format!(
            "{} is not a meta file ({{\"train\": {{class: [entry...]}}, \"test\": ...}})",
            path.display()
        )
    })
}

/// Builds the meta of the standardized tree in `dataset_dir` (whose entries are named
/// `<dataset_name>/...`): for each class, phase train then test, species = sorted folder
/// names under the phase, files sorted by name.
pub fn build_meta(dataset_dir: &Path, dataset_name: &str, classes: &[String]) -> Result<Meta> {
    let mut meta = Meta {
        train: IndexMap::new(),
        test: IndexMap::new(),
    };
    for class in classes {
        for (phase, entries) in [("train", &mut meta.train), ("test", &mut meta.test)] {
            let phase_dir = dataset_dir.join(class).join(phase);
            let mut class_entries = Vec::new();
            for specie in sorted_names(&phase_dir)? {
                let is_anomaly = specie != "good";
                for file in sorted_names(&phase_dir.join(&specie))? {
                    let mask_path = if is_anomaly {
                        format!(
                            "{dataset_name}/{class}/ground_truth/{specie}/{}",
                            file.replace(".bmp", ".png")
                        )
                    } else {
                        String::new()
                    };
                    class_entries.push(MetaEntry {
                        img_path: format!("{dataset_name}/{class}/{phase}/{specie}/{file}"),
                        mask_path,
                        cls_name: class.clone(),
                        specie_name: specie.clone(),
                        dataset_name: file.split('_').next().unwrap_or_default().to_string(),
                        anomaly: u8::from(is_anomaly),
                    });
                }
            }
            entries.insert(class.clone(), class_entries);
        }
    }
    Ok(meta)
}

fn sorted_names(dir: &Path) -> Result<Vec<String>> {
    let mut names = Vec::new();
    for entry in fs::read_dir(dir).with_context(|| format!("listing {}", dir.display()))? {
        let entry = entry.with_context(|| format!("listing {}", dir.display()))?;
        let name = entry
            .file_name()
            .into_string()
            .map_err(|raw| anyhow::anyhow!("file name is not valid UTF-8: {}", dir.join(raw).display()))?;
        names.push(name);
    }
    names.sort();
    Ok(names)
}

/// The file's bytes: 4-space indentation, ASCII-escaped, trailing newline (as published).
pub fn to_json_bytes(meta: &Meta) -> Vec<u8> {
    let mut bytes = pyjson::to_vec_indented(meta);
    bytes.push(b'\n');
    bytes
}

/// Writes `ROOT/meta_<dataset>.json` atomically.
pub fn write_meta(root: &Path, dataset: &str, meta: &Meta) -> Result<PathBuf> {
    let path = meta_path(root, dataset);
    dictas_atomic::write_file(&path, &to_json_bytes(meta))?;
    Ok(path)
}
