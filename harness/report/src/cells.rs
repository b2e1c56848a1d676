//! Reading a run folder: its cells' `cell.json`, `metrics.csv` and `images.csv`.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{bail, ensure, Context, Result};
use serde::Deserialize;

use crate::setup::{canonical_settings, GroupKey, MethodSetup};

/// Name of the summary row that `metrics.csv` ends with.
pub const MEAN_CLASS: &str = "mean";

/// `cell.json`: what one cell evaluated.
#[derive(Debug, Clone, Deserialize)]
pub struct CellInfo {
    pub cell_id: String,
    pub dataset: String,
    pub method: String,
    #[serde(default)]
    pub method_settings: serde_json::Value,
    pub backbone: String,
    pub image_size: u32,
    pub k_shot: u32,
    pub seed: Option<i64>,
    pub support_mode: String,
    #[serde(default)]
    pub config_hash: String,
}

impl CellInfo {
    pub fn setup(&self) -> MethodSetup {
        MethodSetup {
            method: self.method.clone(),
            method_settings: canonical_settings(&self.method_settings),
            backbone: self.backbone.clone(),
            image_size: self.image_size,
            support_mode: self.support_mode.clone(),
        }
    }

    pub fn group_key(&self) -> GroupKey {
        GroupKey {
            setup: self.setup(),
            dataset: self.dataset.clone(),
            k_shot: self.k_shot,
        }
    }
}

/// `metrics.csv`: one row per class plus the `mean` row; values are fractions.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricsTable {
    /// Metric column names in file order (the columns after `class`).
    pub metrics: Vec<String>,
    pub rows: Vec<ClassMetrics>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ClassMetrics {
    pub class: String,
    /// Aligned with [`MetricsTable::metrics`]; NaN where the file holds no number.
    pub values: Vec<f64>,
}

impl MetricsTable {
    /// The value of `metric` in the row of `class`.
    pub fn value(&self, class: &str, metric: &str) -> Option<f64> {
        let column = self.metrics.iter().position(|m| m == metric)?;
        let row = self.rows.iter().find(|r| r.class == class)?;
        Some(row.values[column])
    }

    /// Rows of the classes, without the `mean` row.
    pub fn class_rows(&self) -> impl Iterator<Item = &ClassMetrics> {
        self.rows.iter().filter(|r| r.class != MEAN_CLASS)
    }
}

/// One row of `images.csv`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ImageRecord {
    pub img_path: String,
    pub cls_name: String,
    /// 1 for an anomalous test image, 0 for a normal one (read as a number to accept `1.0`).
    pub anomaly: f64,
    pub text_score: f64,
    pub image_score: f64,
}

impl ImageRecord {
    pub fn is_anomalous(&self) -> bool {
        self.anomaly > 0.5
    }
}

/// A complete cell: its folder, `cell.json` and `metrics.csv`.
#[derive(Debug, Clone)]
pub struct Cell {
    pub dir: PathBuf,
    pub info: CellInfo,
    pub metrics: MetricsTable,
}

impl Cell {
    /// Reads `images.csv` (only the overlay plots need it).
    pub fn read_images(&self) -> Result<Vec<ImageRecord>> {
        let path = self.dir.join("images.csv");
        let mut reader = csv::Reader::from_path(&path)
            .with_context(|| format!("cannot open {}", path.display()))?;
        reader
            .deserialize::<ImageRecord>()
            .enumerate()
            .map(|(i, row)| {
                row.with_context(|| {
                    format!(
                        "{} row {}: expected columns img_path,cls_name,anomaly,text_score,image_score",
                        path.display(),
                        i + 2
                    )
                })
            })
            .collect()
    }
}

/// The complete cells of a run folder, and what was skipped.
#[derive(Debug, Default)]
pub struct LoadedRun {
    pub cells: Vec<Cell>,
    pub warnings: Vec<String>,
}

/// Reads `dir/cells/*/`, or `dir` itself when it is one cell (has `cell.json`).
///
/// Cell folders without `metrics.csv` are runs still in progress or that failed: they are
/// skipped with a warning. A file that exists but cannot be parsed is an error, so that a
/// damaged result never silently disappears from a table.
pub fn load_run(dir: &Path) -> Result<LoadedRun> {
    let cell_dirs = if dir.join("cell.json").is_file() {
        vec![dir.to_path_buf()]
    } else if dir.join("cells").is_dir() {
        list_subfolders(&dir.join("cells"))?
    } else {
        bail!(
            "{} is not a run folder: expected cells/<cell_id>/ folders or a cell.json at its top",
            dir.display()
        );
    };

    let mut run = LoadedRun::default();
    for cell_dir in cell_dirs {
        if !cell_dir.join("cell.json").is_file() {
            run.warnings
                .push(format!("skipping {}: no cell.json", cell_dir.display()));
        } else if !cell_dir.join("metrics.csv").is_file() {
            run.warnings.push(format!(
                "skipping incomplete cell {}: no metrics.csv",
                cell_dir.display()
            ));
        } else {
            let cell = read_cell(&cell_dir)?;
            if let Some(warning) = out_of_range_warning(&cell) {
                run.warnings.push(warning);
            }
            run.cells.push(cell);
        }
    }
    Ok(run)
}

fn list_subfolders(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut folders = Vec::new();
    for entry in fs::read_dir(dir).with_context(|| format!("cannot list {}", dir.display()))? {
        let path = entry
            .with_context(|| format!("cannot list {}", dir.display()))?
            .path();
        // Hidden folders are cells still being written (`.ID.tmp-PID` staging) or being
        // replaced; only finished cells count.
        let hidden = path.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.'));
        if path.is_dir() && !hidden {
            folders.push(path);
        }
    }
    folders.sort();
    Ok(folders)
}

/// Reads one cell folder that has both `cell.json` and `metrics.csv`.
pub fn read_cell(dir: &Path) -> Result<Cell> {
    let info_path = dir.join("cell.json");
    let text = fs::read_to_string(&info_path)
        .with_context(|| format!("cannot read {}", info_path.display()))?;
    let info: CellInfo = serde_json::from_str(&text).with_context(|| {
        format!(
            "{} does not match the cell.json contract",
            info_path.display()
        )
    })?;
    let metrics = read_metrics(&dir.join("metrics.csv"))?;
    Ok(Cell {
        dir: dir.to_path_buf(),
        info,
        metrics,
    })
}

/// Reads `metrics.csv`: a `class` column followed by any number of metric columns.
pub fn read_metrics(path: &Path) -> Result<MetricsTable> {
    let mut reader =
        csv::Reader::from_path(path).with_context(|| format!("cannot open {}", path.display()))?;
    let headers = reader
        .headers()
        .with_context(|| format!("cannot read the header of {}", path.display()))?
        .clone();
    ensure!(
        headers.get(0) == Some("class") && headers.len() > 1,
        "{}: expected a header starting with `class` followed by metric columns, found `{}`",
        path.display(),
        headers.iter().collect::<Vec<_>>().join(",")
    );
    let metrics: Vec<String> = headers.iter().skip(1).map(str::to_string).collect();

    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let record = record.with_context(|| format!("{} line {line}", path.display()))?;
        let values = metrics
            .iter()
            .enumerate()
            .map(|(column, metric)| {
                parse_value(record.get(column + 1).unwrap_or(""))
                    .with_context(|| format!("{} line {line}, column {metric}", path.display()))
            })
            .collect::<Result<Vec<_>>>()?;
        rows.push(ClassMetrics {
            class: record[0].to_string(),
            values,
        });
    }
    ensure!(
        rows.iter().any(|r| r.class == MEAN_CLASS),
        "{}: no `{MEAN_CLASS}` row (the dataset mean the tables report)",
        path.display()
    );
    Ok(MetricsTable { metrics, rows })
}

/// A number, or NaN for an empty field (a metric that could not be computed).
fn parse_value(field: &str) -> Result<f64> {
    let field = field.trim();
    if field.is_empty() {
        return Ok(f64::NAN);
    }
    field
        .parse()
        .with_context(|| format!("expected a number, found `{field}`"))
}

/// Values above 1 usually mean percentages were written where fractions are expected.
fn out_of_range_warning(cell: &Cell) -> Option<String> {
    let outside = cell
        .metrics
        .rows
        .iter()
        .flat_map(|r| r.values.iter())
        .any(|v| v.is_finite() && !(0.0..=1.0).contains(v));
    outside.then(|| {
        format!(
            "{}: values outside [0, 1]; metrics.csv should hold fractions",
            cell.dir.join("metrics.csv").display()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_reader_keeps_columns_and_marks_missing_values() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("metrics.csv");
        fs::write(&path, "class,auroc_px,ap_px\nbottle,0.9,\nmean,0.9,0.5\n").unwrap();
        let table = read_metrics(&path).unwrap();
        assert_eq!(table.metrics, ["auroc_px", "ap_px"]);
        assert!(table.value("bottle", "ap_px").unwrap().is_nan());
        assert_eq!(table.value("mean", "ap_px"), Some(0.5));
        assert_eq!(table.class_rows().count(), 1);
    }

    #[test]
    fn metrics_reader_names_the_bad_field() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("metrics.csv");
        fs::write(&path, "class,auroc_px\nmean,abc\n").unwrap();
        let message = format!("{:#}", read_metrics(&path).unwrap_err());
        assert!(message.contains("line 2, column auroc_px"), "{message}");
        fs::write(&path, "name,auroc_px\nmean,0.1\n").unwrap();
        let message = format!("{:#}", read_metrics(&path).unwrap_err());
        assert!(message.contains("starting with `class`"), "{message}");
        fs::write(&path, "class,auroc_px\nbottle,0.1\n").unwrap();
        let message = format!("{:#}", read_metrics(&path).unwrap_err());
        assert!(message.contains("no `mean` row"), "{message}");
    }
}
