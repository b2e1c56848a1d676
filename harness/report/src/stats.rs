//! Dataset means per cell and their statistics over seeds.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Result;
use serde::Serialize;

use crate::cells::{Cell, MEAN_CLASS};
use crate::csv_out::{write_csv, write_table};
use crate::names::dataset_order;
use crate::setup::GroupKey;

/// Mean, sample standard deviation (ddof = 1), min and max of the finite values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    /// Number of finite values summarized (NaN values, metrics that could not be computed,
    /// are left out).
    pub n: usize,
    pub mean: f64,
    /// `None` with fewer than two values.
    pub std: Option<f64>,
    pub min: f64,
    pub max: f64,
}

pub fn summarize(values: &[f64]) -> Option<Summary> {
    let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    let n = finite.len();
    if n == 0 {
        return None;
    }
    let mean = finite.iter().sum::<f64>() / n as f64;
    let std = (n > 1).then(|| {
        let squares: f64 = finite.iter().map(|v| (v - mean).powi(2)).sum();
        (squares / (n - 1) as f64).sqrt()
    });
    let min = finite.iter().copied().fold(f64::INFINITY, f64::min);
    let max = finite.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    Some(Summary {
        n,
        mean,
        std,
        min,
        max,
    })
}

/// The dataset means (`mean` rows) of the cells that share a group key, for one metric.
#[derive(Debug, Clone, PartialEq)]
pub struct SeedStats {
    pub key: GroupKey,
    pub metric: String,
    /// `None` when no cell of the group has a finite value for the metric.
    pub summary: Option<Summary>,
}

/// Metric columns in order of first appearance over all cells.
pub fn metric_columns(cells: &[Cell]) -> Vec<String> {
    let mut columns: Vec<String> = Vec::new();
    for cell in cells {
        for metric in &cell.metrics.metrics {
            if !columns.contains(metric) {
                columns.push(metric.clone());
            }
        }
    }
    columns
}

/// Groups the cells by everything but the seed, sorted by setup, paper dataset order and k.
pub fn group_cells(cells: &[Cell]) -> Vec<(GroupKey, Vec<&Cell>)> {
    let mut groups: BTreeMap<GroupKey, Vec<&Cell>> = BTreeMap::new();
    for cell in cells {
        groups.entry(cell.info.group_key()).or_default().push(cell);
    }
    let mut groups: Vec<_> = groups.into_iter().collect();
    groups.sort_by_cached_key(|(key, _)| {
        (key.setup.clone(), dataset_order(&key.dataset), key.k_shot)
    });
    groups
}

/// Statistics over seeds of every metric's dataset mean, plus warnings about groups in which
/// two cells share a seed (both are counted, which understates the spread).
pub fn seed_stats(cells: &[Cell]) -> (Vec<SeedStats>, Vec<String>) {
    let metrics = metric_columns(cells);
    let mut stats = Vec::new();
    let mut warnings = Vec::new();
    for (key, members) in group_cells(cells) {
        warnings.extend(repeated_seed_warnings(&members));
        for metric in &metrics {
            let values: Vec<f64> = members
                .iter()
                .filter_map(|c| c.metrics.value(MEAN_CLASS, metric))
                .collect();
            if values.is_empty() {
                continue;
            }
            stats.push(SeedStats {
                key: key.clone(),
                metric: metric.clone(),
                summary: summarize(&values),
            });
        }
    }
    (stats, warnings)
}

fn repeated_seed_warnings(members: &[&Cell]) -> Vec<String> {
    let mut by_seed: BTreeMap<Option<i64>, Vec<&str>> = BTreeMap::new();
    for cell in members {
        by_seed
            .entry(cell.info.seed)
            .or_default()
            .push(&cell.info.cell_id);
    }
    by_seed
        .into_iter()
        .filter(|(_, ids)| ids.len() > 1)
        .map(|(seed, ids)| {
            let seed = seed.map_or("none".to_string(), |s| s.to_string());
            format!(
                "cells {} have the same configuration and seed {seed}; all are counted in seed_stats",
                ids.join(", ")
            )
        })
        .collect()
}

#[derive(Serialize)]
struct SeedStatsRow<'a> {
    dataset: &'a str,
    method: &'a str,
    method_settings: &'a str,
    backbone: &'a str,
    image_size: u32,
    k_shot: u32,
    support_mode: &'a str,
    metric: &'a str,
    mean: Option<f64>,
    std: Option<f64>,
    min: Option<f64>,
    max: Option<f64>,
    n: usize,
}

/// Writes `seed_stats.csv`; `std` is empty for a single seed, all statistics are empty when
/// no value was finite.
pub fn write_seed_stats(stats: &[SeedStats], path: &Path) -> Result<()> {
    let rows: Vec<SeedStatsRow> = stats
        .iter()
        .map(|s| SeedStatsRow {
            dataset: &s.key.dataset,
            method: &s.key.setup.method,
            method_settings: &s.key.setup.method_settings,
            backbone: &s.key.setup.backbone,
            image_size: s.key.setup.image_size,
            k_shot: s.key.k_shot,
            support_mode: &s.key.setup.support_mode,
            metric: &s.metric,
            mean: s.summary.map(|x| x.mean),
            std: s.summary.and_then(|x| x.std),
            min: s.summary.map(|x| x.min),
            max: s.summary.map(|x| x.max),
            n: s.summary.map_or(0, |x| x.n),
        })
        .collect();
    write_csv(path, &rows)
}

/// Writes `dataset_means.csv`: one row per cell, its axes then one column per metric holding
/// the `mean` row of its `metrics.csv` (empty where the cell lacks the metric).
pub fn write_dataset_means(cells: &[Cell], path: &Path) -> Result<()> {
    let metrics = metric_columns(cells);
    let mut header: Vec<String> = [
        "cell_id",
        "dataset",
        "method",
        "method_settings",
        "backbone",
        "image_size",
        "k_shot",
        "seed",
        "support_mode",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    header.extend(metrics.iter().cloned());

    let records: Vec<Vec<String>> = cells
        .iter()
        .map(|cell| {
            let info = &cell.info;
            let setup = info.setup();
            let mut record = vec![
                info.cell_id.clone(),
                info.dataset.clone(),
                setup.method,
                setup.method_settings,
                setup.backbone,
                setup.image_size.to_string(),
                info.k_shot.to_string(),
                info.seed.map(|s| s.to_string()).unwrap_or_default(),
                setup.support_mode,
            ];
            record.extend(metrics.iter().map(|metric| {
                cell.metrics
                    .value(MEAN_CLASS, metric)
                    .map(|v| v.to_string())
                    .unwrap_or_default()
            }));
            record
        })
        .collect();
    write_table(path, &header, &records)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_uses_sample_std_and_skips_nan() {
        // 0.90, 0.92, 0.97: mean 0.93; squared deviations 9e-4, 1e-4, 16e-4 sum to 26e-4,
        // divided by n - 1 = 2 gives 13e-4, std = sqrt(13e-4) = 0.0360555...
        let s = summarize(&[0.90, f64::NAN, 0.92, 0.97]).unwrap();
        assert_eq!(s.n, 3);
        assert!((s.mean - 0.93).abs() < 1e-12);
        assert!((s.std.unwrap() - 0.036_055_512_754_639_89).abs() < 1e-12);
        assert_eq!((s.min, s.max), (0.90, 0.97));
        assert_eq!(summarize(&[0.5]).unwrap().std, None);
        assert_eq!(summarize(&[f64::NAN]), None);
    }
}
