//! Our results next to published ones, matched on method, dataset, k-shot and metric.

use std::path::Path;

use anyhow::Result;
use serde::Serialize;

use crate::csv_out::write_csv;
use crate::names::{
    dataset_display, dataset_key, dataset_order, method_display, method_match_key, metric_display,
    metric_order, same_dataset,
};
use crate::published::PublishedValue;
use crate::setup::MethodSetup;
use crate::stats::{SeedStats, Summary};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchStatus {
    Both,
    OursOnly,
    PublishedOnly,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ComparisonRow {
    pub status: MatchStatus,
    /// Our setup; `None` for a published-only row.
    pub setup: Option<MethodSetup>,
    pub method: String,
    pub dataset: String,
    pub k_shot: u32,
    pub metric: String,
    /// Our statistics over seeds, as fractions.
    pub ours: Option<Summary>,
    pub published: Option<PublishedValue>,
}

impl ComparisonRow {
    /// Our mean over seeds, in percent.
    pub fn ours_percent(&self) -> Option<f64> {
        self.ours.map(|s| s.mean * 100.0)
    }

    /// Ours minus published, in percentage points.
    pub fn difference(&self) -> Option<f64> {
        Some(self.ours_percent()? - self.published.as_ref()?.value)
    }
}

fn matches(stat: &SeedStats, published: &PublishedValue) -> bool {
    method_match_key(&stat.key.setup.method) == method_match_key(&published.method)
        && same_dataset(&stat.key.dataset, &published.dataset)
        && stat.key.k_shot == published.k_shot
        && stat.metric == published.metric
}

/// Rows for the chosen metrics: every one of our groups (with the published value where one
/// matches) and every published value no group matched.
pub fn compare(
    stats: &[SeedStats],
    published: &[PublishedValue],
    metrics: &[String],
) -> Vec<ComparisonRow> {
    let chosen = |metric: &str| metrics.iter().any(|m| m == metric);
    let mut rows: Vec<ComparisonRow> = Vec::new();
    for stat in stats.iter().filter(|s| chosen(&s.metric)) {
        let matched: Vec<&PublishedValue> = published.iter().filter(|p| matches(stat, p)).collect();
        let ours_row = |published: Option<&PublishedValue>| ComparisonRow {
            status: if published.is_some() {
                MatchStatus::Both
            } else {
                MatchStatus::OursOnly
            },
            setup: Some(stat.key.setup.clone()),
            method: stat.key.setup.method.clone(),
            dataset: stat.key.dataset.clone(),
            k_shot: stat.key.k_shot,
            metric: stat.metric.clone(),
            ours: stat.summary,
            published: published.cloned(),
        };
        if matched.is_empty() {
            rows.push(ours_row(None));
        } else {
            rows.extend(matched.into_iter().map(|p| ours_row(Some(p))));
        }
    }
    for value in published.iter().filter(|p| chosen(&p.metric)) {
        if !stats.iter().any(|s| matches(s, value)) {
            rows.push(ComparisonRow {
                status: MatchStatus::PublishedOnly,
                setup: None,
                method: value.method.clone(),
                dataset: dataset_key(&value.dataset),
                k_shot: value.k_shot,
                metric: value.metric.clone(),
                ours: None,
                published: Some(value.clone()),
            });
        }
    }
    rows.sort_by_cached_key(|r| {
        (
            dataset_order(&r.dataset),
            r.k_shot,
            metric_order(&r.metric),
            r.setup.is_none(), // our rows first, then published-only ones
            method_match_key(&r.method),
            r.setup.clone(),
        )
    });
    rows
}

#[derive(Serialize)]
struct ComparisonCsvRow<'a> {
    status: MatchStatus,
    method: &'a str,
    method_settings: &'a str,
    backbone: &'a str,
    image_size: Option<u32>,
    support_mode: &'a str,
    dataset: &'a str,
    k_shot: u32,
    metric: &'a str,
    ours_percent: Option<f64>,
    ours_std_percent: Option<f64>,
    n_seeds: Option<usize>,
    published_percent: Option<f64>,
    difference: Option<f64>,
    source: &'a str,
}

/// Writes `comparison.csv` (percent values, full precision; `difference` = ours - published).
pub fn write_comparison_csv(rows: &[ComparisonRow], path: &Path) -> Result<()> {
    let records: Vec<ComparisonCsvRow> = rows
        .iter()
        .map(|r| ComparisonCsvRow {
            status: r.status,
            method: &r.method,
            method_settings: r.setup.as_ref().map_or("", |s| s.method_settings.as_str()),
            backbone: r.setup.as_ref().map_or("", |s| s.backbone.as_str()),
            image_size: r.setup.as_ref().map(|s| s.image_size),
            support_mode: r.setup.as_ref().map_or("", |s| s.support_mode.as_str()),
            dataset: &r.dataset,
            k_shot: r.k_shot,
            metric: &r.metric,
            ours_percent: r.ours_percent(),
            ours_std_percent: r.ours.and_then(|s| s.std).map(|s| s * 100.0),
            n_seeds: r.ours.map(|s| s.n),
            published_percent: r.published.as_ref().map(|p| p.value),
            difference: r.difference(),
            source: r.published.as_ref().map_or("", |p| p.source.as_str()),
        })
        .collect();
    write_csv(path, &records)
}

/// Markdown table; published-only rows say so in the last column.
pub fn render_comparison_markdown(rows: &[ComparisonRow]) -> String {
    let setups: Vec<MethodSetup> = rows.iter().filter_map(|r| r.setup.clone()).collect();
    let mut out = String::from(
        "## Comparison with published results\n\nPercent; Δ = ours − published. Ours is the mean over seeds (± sample std when several ran).\n\n",
    );
    out.push_str("| Method | Dataset | k | Metric | Ours | Published | Δ | Note |\n");
    out.push_str("| :--- | :--- | ---: | :--- | ---: | ---: | ---: | :--- |\n");
    for row in rows {
        let method = match &row.setup {
            Some(setup) => setup.label_among(&setups),
            None => method_display(&row.method),
        };
        let ours = row.ours.map_or("–".to_string(), |s| {
            crate::paper_table::format_percent(&s, " ± ")
        });
        let published = row
            .published
            .as_ref()
            .map_or("–".to_string(), |p| format!("{:.1}", p.value));
        let difference = row
            .difference()
            .map_or("–".to_string(), |d| format!("{d:+.1}"));
        let note = match row.status {
            MatchStatus::Both => row
                .published
                .as_ref()
                .map_or(String::new(), |p| p.source.clone()),
            MatchStatus::OursOnly => "no published value".to_string(),
            MatchStatus::PublishedOnly => format!(
                "published only ({})",
                row.published.as_ref().map_or("", |p| p.source.as_str())
            ),
        };
        out.push_str(&format!(
            "| {method} | {} | {} | {} | {ours} | {published} | {difference} | {note} |\n",
            dataset_display(&row.dataset),
            row.k_shot,
            metric_display(&row.metric),
        ));
    }
    out
}
