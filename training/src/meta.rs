//! The unified meta file `ROOT/meta_<dataset>.json` (SPEC section 1): the training images of
//! every class and the test images of the validation classes.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde::Deserialize;
use serde_json::Value;

/// One image entry of a meta file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct MetaEntry {
    pub img_path: String,
    #[serde(default)]
    pub mask_path: String,
    pub cls_name: String,
    #[serde(default)]
    pub anomaly: u8,
}

impl MetaEntry {
    /// Absolute image path under `root`.
    pub fn image(&self, root: &Path) -> PathBuf {
        root.join(&self.img_path)
    }

    /// Absolute mask path under `root`, `None` for a normal image.
    pub fn mask(&self, root: &Path) -> Option<PathBuf> {
        (self.anomaly == 1 && !self.mask_path.is_empty()).then(|| root.join(&self.mask_path))
    }
}

/// Classes of one phase in file order, with their entries.
pub type ClassEntries = Vec<(String, Vec<MetaEntry>)>;

/// Reads `phase` ("train" or "test") of `root/meta_<dataset>.json`, classes in file order.
pub fn read_phase(root: &Path, dataset: &str, phase: &str) -> Result<ClassEntries> {
    let path = root.join(format!("meta_{dataset}.json"));
    let text = std::fs::read_to_string(&path).with_context(|| format!("reading meta file {}", path.display()))?;
    let value: Value = serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
    let Some(Value::Object(classes)) = value.get(phase) else {
        bail!("{} has no object `{phase}` (expected {{\"train\": {{...}}, \"test\": {{...}}}})", path.display());
    };
    classes
        .iter()
        .map(|(class, entries)| {
            let entries: Vec<MetaEntry> = serde_json::from_value(entries.clone())
                .with_context(|| format!("{}: entries of `{phase}.{class}`", path.display()))?;
            Ok((class.clone(), entries))
        })
        .collect()
}

/// Keeps the classes named in `wanted` (in the file's order); each must exist.
pub fn select_classes(all: ClassEntries, wanted: &[String], source: &str) -> Result<ClassEntries> {
    for w in wanted {
        if !all.iter().any(|(c, _)| c == w) {
            let known: Vec<&str> = all.iter().map(|(c, _)| c.as_str()).collect();
            bail!("class `{w}` is not in {source} (classes: {})", known.join(", "));
        }
    }
    Ok(all.into_iter().filter(|(c, _)| wanted.contains(c)).collect())
}
