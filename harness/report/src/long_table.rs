//! The long table: one row per (cell, class, metric), with the cell's axes.

use std::path::Path;

use anyhow::{Context, Result};
use polars::prelude::{DataFrame, ParquetCompression, ParquetWriter, PolarsResult};
use serde::Serialize;

use dictas_atomic::write_file;
use crate::cells::Cell;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LongRow {
    pub dataset: String,
    pub method: String,
    /// Canonical JSON of the cell's `method_settings`, empty when there are none.
    pub method_settings: String,
    pub backbone: String,
    pub image_size: u32,
    pub k_shot: u32,
    pub seed: Option<i64>,
    pub support_mode: String,
    pub cell_id: String,
    pub class: String,
    pub metric: String,
    /// Fraction in [0, 1] as `metrics.csv` holds it (NaN where it had no number).
    pub value: f64,
}

/// Every class row (the `mean` row included) times every metric column of every cell.
pub fn long_rows(cells: &[Cell]) -> Vec<LongRow> {
    let mut rows = Vec::new();
    for cell in cells {
        let info = &cell.info;
        let setup = info.setup();
        for class_row in &cell.metrics.rows {
            for (metric, value) in cell.metrics.metrics.iter().zip(&class_row.values) {
                rows.push(LongRow {
                    dataset: info.dataset.clone(),
                    method: setup.method.clone(),
                    method_settings: setup.method_settings.clone(),
                    backbone: setup.backbone.clone(),
                    image_size: setup.image_size,
                    k_shot: info.k_shot,
                    seed: info.seed,
                    support_mode: setup.support_mode.clone(),
                    cell_id: info.cell_id.clone(),
                    class: class_row.class.clone(),
                    metric: metric.clone(),
                    value: *value,
                });
            }
        }
    }
    rows
}

/// The long rows as a polars frame (seed is a nullable integer column).
pub fn long_frame(rows: &[LongRow]) -> PolarsResult<DataFrame> {
    let text = |f: fn(&LongRow) -> &str| rows.iter().map(f).collect::<Vec<&str>>();
    polars::df!(
        "dataset" => text(|r| &r.dataset),
        "method" => text(|r| &r.method),
        "method_settings" => text(|r| &r.method_settings),
        "backbone" => text(|r| &r.backbone),
        "image_size" => rows.iter().map(|r| r.image_size).collect::<Vec<u32>>(),
        "k_shot" => rows.iter().map(|r| r.k_shot).collect::<Vec<u32>>(),
        "seed" => rows.iter().map(|r| r.seed).collect::<Vec<Option<i64>>>(),
        "support_mode" => text(|r| &r.support_mode),
        "cell_id" => text(|r| &r.cell_id),
        "class" => text(|r| &r.class),
        "metric" => text(|r| &r.metric),
        "value" => rows.iter().map(|r| r.value).collect::<Vec<f64>>(),
    )
}

/// Writes `long.parquet` (uncompressed: the tables are small and no codec needs compiling).
pub fn write_long_parquet(rows: &[LongRow], path: &Path) -> Result<()> {
    let mut frame = long_frame(rows).context("cannot build the long table")?;
    let mut bytes = Vec::new();
    ParquetWriter::new(&mut bytes)
        .with_compression(ParquetCompression::Uncompressed)
        .finish(&mut frame)
        .with_context(|| format!("cannot encode {}", path.display()))?;
    write_file(path, &bytes)
}

/// Writes `long.csv` (an empty `seed` field for cells without a seed).
pub fn write_long_csv(rows: &[LongRow], path: &Path) -> Result<()> {
    crate::csv_out::write_csv(path, rows)
}
