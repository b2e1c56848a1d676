//! Turning a run folder into the report folder.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{bail, ensure, Context, Result};

use dictas_atomic::write_file;
use crate::cells::load_run;
use crate::comparison::{compare, render_comparison_markdown, write_comparison_csv};
use crate::long_table::{long_rows, write_long_csv, write_long_parquet};
use crate::paper_table::{build_paper_tables, render_latex, render_markdown};
use crate::plots::overlay_inputs::overlay_figures;
use crate::plots::{save_figure, KShotFigure, MethodComparisonFigure, PerClassFigure};
use crate::published::load_published;
use crate::setup::sanitize_file_stem;
use crate::stats::{metric_columns, seed_stats, write_dataset_means, write_seed_stats, SeedStats};

/// Metrics the paper tables show unless told otherwise: pixel AUROC, PRO and AP.
pub const DEFAULT_METRICS: [&str; 3] = ["auroc_px", "aupro_px", "ap_px"];

#[derive(Debug, Clone, PartialEq)]
pub struct ReportOptions {
    /// Metric columns of `metrics.csv` for the tables, the comparison and the plots.
    pub metrics: Vec<String>,
    /// Folder of published figures (`*.csv`); `None` skips the comparison.
    pub published_dir: Option<PathBuf>,
    /// Output folder; `None` means `<run dir>/report`.
    pub out_dir: Option<PathBuf>,
    /// Best and worst images per class in the overlay grids (0 disables them).
    pub overlay_count: usize,
}

impl Default for ReportOptions {
    fn default() -> Self {
        ReportOptions {
            metrics: DEFAULT_METRICS.iter().map(|m| m.to_string()).collect(),
            published_dir: None,
            out_dir: None,
            overlay_count: 3,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ReportSummary {
    pub out_dir: PathBuf,
    /// Every file written, in the order written.
    pub files: Vec<PathBuf>,
    /// The paper tables in Markdown (also in `paper_table.md`).
    pub paper_table_markdown: String,
    /// Skipped cells and other problems that did not stop the report (also printed to stderr).
    pub warnings: Vec<String>,
    pub cells_read: usize,
}

struct Report {
    out_dir: PathBuf,
    files: Vec<PathBuf>,
    warnings: Vec<String>,
}

impl Report {
    fn warn(&mut self, warnings: impl IntoIterator<Item = String>) {
        for warning in warnings {
            eprintln!("warning: {warning}");
            self.warnings.push(warning);
        }
    }

    fn write_text(&mut self, name: &str, text: &str) -> Result<()> {
        let path = self.out_dir.join(name);
        write_file(&path, text.as_bytes())?;
        self.files.push(path);
        Ok(())
    }

    /// Runs a writer for `name` and records the path.
    fn write_with(&mut self, name: &str, write: impl FnOnce(&Path) -> Result<()>) -> Result<()> {
        let path = self.out_dir.join(name);
        write(&path)?;
        self.files.push(path);
        Ok(())
    }
}

/// Reads the cells of `dir` and writes tables, the comparison with published figures and plots.
pub fn run_report(dir: &Path, opts: &ReportOptions) -> Result<ReportSummary> {
    let run = load_run(dir)?;
    let out_dir = opts.out_dir.clone().unwrap_or_else(|| dir.join("report"));
    let mut report = Report {
        out_dir: out_dir.clone(),
        files: Vec::new(),
        warnings: Vec::new(),
    };
    report.warn(run.warnings);
    let cells = run.cells;
    ensure!(
        !cells.is_empty(),
        "{} holds no complete cell (a cell needs cell.json and metrics.csv)",
        dir.display()
    );
    check_metrics(&opts.metrics, &metric_columns(&cells))?;
    let plots_dir = out_dir.join("plots");
    fs::create_dir_all(&plots_dir)
        .with_context(|| format!("cannot create {}", plots_dir.display()))?;

    let rows = long_rows(&cells);
    report.write_with("long.parquet", |p| write_long_parquet(&rows, p))?;
    report.write_with("long.csv", |p| write_long_csv(&rows, p))?;
    report.write_with("dataset_means.csv", |p| write_dataset_means(&cells, p))?;
    let (stats, seed_warnings) = seed_stats(&cells);
    report.warn(seed_warnings);
    report.write_with("seed_stats.csv", |p| write_seed_stats(&stats, p))?;

    let tables = build_paper_tables(&stats, &opts.metrics);
    let markdown = render_markdown(&tables);
    report.write_text("paper_table.md", &format!("# Results\n\n{markdown}"))?;
    report.write_text("paper_table.tex", &render_latex(&tables))?;

    let published = match &opts.published_dir {
        Some(published_dir) => {
            let published = load_published(published_dir)?;
            let comparison = compare(&stats, &published, &opts.metrics);
            report.write_text("comparison.md", &render_comparison_markdown(&comparison))?;
            report.write_with("comparison.csv", |p| write_comparison_csv(&comparison, p))?;
            published
        }
        None => Vec::new(),
    };

    write_plots(&mut report, &plots_dir, &cells, &stats, &published, opts)?;
    Ok(ReportSummary {
        out_dir,
        files: report.files,
        paper_table_markdown: markdown,
        warnings: report.warnings,
        cells_read: cells.len(),
    })
}

fn check_metrics(chosen: &[String], available: &[String]) -> Result<()> {
    if chosen.is_empty() {
        bail!("no metric chosen; available: {}", available.join(","));
    }
    for metric in chosen {
        ensure!(
            available.contains(metric),
            "metric `{metric}` is in no metrics.csv of the run; available: {}",
            available.join(",")
        );
    }
    Ok(())
}

fn write_plots(
    report: &mut Report,
    plots_dir: &Path,
    cells: &[crate::cells::Cell],
    stats: &[SeedStats],
    published: &[crate::published::PublishedValue],
    opts: &ReportOptions,
) -> Result<()> {
    let mut setups: Vec<_> = stats.iter().map(|s| s.key.setup.clone()).collect();
    setups.sort();
    setups.dedup();
    for setup in &setups {
        for metric in &opts.metrics {
            if let Some(figure) = KShotFigure::from_stats(stats, setup, metric) {
                let stem = sanitize_file_stem(&format!("kshot_{metric}_{}", setup.slug()));
                report.files.extend(save_figure(&figure, plots_dir, &stem)?);
            }
        }
    }

    for cell in cells {
        let figure = PerClassFigure::from_cell(cell, &opts.metrics);
        let stem = sanitize_file_stem(&format!("classes_{}", cell.info.cell_id));
        report.files.extend(save_figure(&figure, plots_dir, &stem)?);
    }

    let mut k_shots: Vec<u32> = stats.iter().map(|s| s.key.k_shot).collect();
    k_shots.sort_unstable();
    k_shots.dedup();
    for k in k_shots {
        if let Some(figure) = MethodComparisonFigure::build(stats, published, &opts.metrics, k) {
            report
                .files
                .extend(save_figure(&figure, plots_dir, &format!("methods_k{k}"))?);
        }
    }

    // Overlays only illustrate; a cell whose images.csv or maps cannot be read loses its
    // overlays, not the report.
    for cell in cells {
        let (figures, warnings) = match overlay_figures(cell, opts.overlay_count) {
            Ok(found) => found,
            Err(error) => (
                Vec::new(),
                vec![format!("no overlays for {}: {error:#}", cell.dir.display())],
            ),
        };
        report.warn(warnings);
        for (stem, figure) in figures {
            report.files.extend(figure.save(plots_dir, &stem)?);
        }
    }
    Ok(())
}
