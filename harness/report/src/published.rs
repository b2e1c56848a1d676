//! Published figures to compare with (`results/published/*.csv`).

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{ensure, Context, Result};
use serde::Deserialize;

/// One published number. `value` is in percent, as papers print it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct PublishedValue {
    pub method: String,
    pub dataset: String,
    pub k_shot: u32,
    pub metric: String,
    pub value: f64,
    #[serde(default)]
    pub source: String,
}

/// Reads every `*.csv` of `dir` (sorted by name) with columns
/// `method,dataset,k_shot,metric,value,source`.
pub fn load_published(dir: &Path) -> Result<Vec<PublishedValue>> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .with_context(|| format!("cannot list the published-results folder {}", dir.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "csv"))
        .collect();
    files.sort();
    let mut values = Vec::new();
    for file in files {
        values.extend(read_published_csv(&file)?);
    }
    Ok(values)
}

pub fn read_published_csv(path: &Path) -> Result<Vec<PublishedValue>> {
    let mut reader =
        csv::Reader::from_path(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut values = Vec::new();
    for (i, row) in reader.deserialize::<PublishedValue>().enumerate() {
        let line = i + 2;
        let value = row.with_context(|| {
            format!(
                "{} line {line}: expected columns method,dataset,k_shot,metric,value,source",
                path.display()
            )
        })?;
        ensure!(
            (0.0..=100.0).contains(&value.value),
            "{} line {line}: value {} is not a percentage in [0, 100]",
            path.display(),
            value.value
        );
        values.push(value);
    }
    Ok(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_figures_load_and_hold_the_spec_numbers() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../results/published");
        let values = load_published(&dir).unwrap();
        // 4 methods x 4 datasets x 3 metrics, plus 3 lookups x 4 k-shots.
        assert_eq!(values.len(), 4 * 4 * 3 + 3 * 4);
        let find = |method: &str, dataset: &str, k: u32, metric: &str| {
            values
                .iter()
                .find(|v| {
                    v.method == method
                        && v.dataset == dataset
                        && v.k_shot == k
                        && v.metric == metric
                })
                .map(|v| v.value)
        };
        assert_eq!(find("dictas", "mvtec", 4, "aupro_px"), Some(95.1));
        assert_eq!(find("april-gan", "BrasTS", 4, "ap_px"), Some(40.0));
        assert_eq!(find("dictas-softmax", "mvtec", 16, "ap_px"), Some(63.8));
        // The sparsemax lookup is the default, labelled `dictas` like the sweep's cells.
        assert_eq!(find("dictas", "mvtec", 16, "ap_px"), Some(68.5));
    }

    #[test]
    fn values_above_one_hundred_are_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.csv");
        fs::write(
            &path,
            "method,dataset,k_shot,metric,value,source\nm,mvtec,4,ap_px,120,t\n",
        )
        .unwrap();
        let message = format!("{:#}", read_published_csv(&path).unwrap_err());
        assert!(message.contains("line 2"), "{message}");
    }
}
