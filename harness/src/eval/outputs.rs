//! The files `dictas eval` writes: metrics.csv, images.csv, maps/*.npy, cell.json and
//! manifest.json, plus the Markdown table printed on stdout.

use dictas_atomic as atomic;
use anyhow::{Context, Result};
use dictas_metrics::MetricValues;
use serde::Serialize;
use std::path::Path;

/// Metric columns of metrics.csv, in order.
pub const METRIC_COLUMNS: [&str; 9] =
    ["auroc_px", "aupro_px", "aupro_px_mvtec", "ap_px", "f1_px", "iou_px", "auroc_sp", "ap_sp", "f1_sp"];

/// The nine metric values of a class, in [`METRIC_COLUMNS`] order.
pub fn metric_values(m: &MetricValues) -> [f64; 9] {
    [m.auroc_px, m.aupro_px, m.aupro_px_mvtec, m.ap_px, m.f1_px, m.iou_px, m.auroc_sp, m.ap_sp, m.f1_sp]
}

/// One row of images.csv.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct ImageRow {
    pub img_path: String,
    pub cls_name: String,
    pub anomaly: u8,
    pub text_score: f64,
    pub image_score: f64,
}

/// Per-class rows plus the mean over classes.
pub fn metrics_table(rows: &[(String, [f64; 9])]) -> Vec<(String, [f64; 9])> {
    let mut table = rows.to_vec();
    if !rows.is_empty() {
        let mut mean = [0.0; 9];
        for (_, values) in rows {
            for (m, v) in mean.iter_mut().zip(values) {
                *m += v / rows.len() as f64;
            }
        }
        table.push(("mean".to_string(), mean));
    }
    table
}

pub fn write_metrics_csv(path: &Path, table: &[(String, [f64; 9])]) -> Result<()> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["class"];
    header.extend(METRIC_COLUMNS);
    w.write_record(&header)?;
    for (class, values) in table {
        let mut record = vec![class.clone()];
        // `{}` on f64 prints the shortest text that reads back to the same value.
        record.extend(values.iter().map(|v| format!("{v}")));
        w.write_record(&record)?;
    }
    atomic::write_file(path, &w.into_inner().context("finishing metrics.csv")?)
}

pub fn write_images_csv(path: &Path, rows: &[ImageRow]) -> Result<()> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for row in rows {
        w.serialize(row)?;
    }
    atomic::write_file(path, &w.into_inner().context("finishing images.csv")?)
}

/// Writes a [S, S] map as float32 .npy at `maps/<img_path with .npy>` under `dir`.
pub fn write_map(dir: &Path, img_path: &str, side: usize, values: &[f32]) -> Result<()> {
    let rel = Path::new(img_path).with_extension("npy");
    let path = dir.join("maps").join(rel);
    let array = ndarray::ArrayView2::from_shape((side, side), values).context("map shape")?;
    let mut bytes = Vec::new();
    ndarray_npy::WriteNpyExt::write_npy(&array, &mut bytes).context("encoding .npy")?;
    atomic::write_file(&path, &bytes)
}

/// Markdown table in percent with 2 decimals.
pub fn markdown_table(table: &[(String, [f64; 9])]) -> String {
    let mut s = String::from("| class |");
    for c in METRIC_COLUMNS {
        s.push_str(&format!(" {c} |"));
    }
    s.push_str("\n|---|");
    s.push_str(&"---:|".repeat(METRIC_COLUMNS.len()));
    s.push('\n');
    for (class, values) in table {
        s.push_str(&format!("| {class} |"));
        for v in values {
            s.push_str(&format!(" {:.2} |", v * 100.0));
        }
        s.push('\n');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_row_and_markdown() {
        let rows = vec![("a".to_string(), [0.5; 9]), ("b".to_string(), [1.0; 9])];
        let table = metrics_table(&rows);
        assert_eq!(table.len(), 3);
        assert_eq!(table[2].0, "mean");
        assert!((table[2].1[0] - 0.75).abs() < 1e-12);
        let md = markdown_table(&table);
        assert!(md.contains("| mean | 75.00 |"), "{md}");
    }

    #[test]
    fn metrics_csv_round_trips_full_precision() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("metrics.csv");
        let v = 0.123_456_789_012_345_68_f64;
        write_metrics_csv(&path, &metrics_table(&[("x".into(), [v; 9])])).unwrap();
        let mut r = csv::Reader::from_path(&path).unwrap();
        let rec = r.records().next().unwrap().unwrap();
        assert_eq!(rec[1].parse::<f64>().unwrap(), v);
    }
}
