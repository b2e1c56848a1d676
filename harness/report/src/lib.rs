//! Reports for DictAS evaluation runs: the long table (CSV and Parquet), dataset means and
//! statistics over seeds, paper-layout tables (Markdown and LaTeX), a comparison with published
//! figures and plots (PNG and SVG).
//!
//! Input: a run folder of `cells/<cell_id>/` folders, each with `cell.json`, `metrics.csv`,
//! `images.csv` and optionally `maps/` (see [`cells`]). Output: `<run>/report/` by default.

pub mod cells;
mod cli;
pub mod comparison;
mod csv_out;
pub mod long_table;
pub mod names;
pub mod paper_table;
pub mod plots;
pub mod published;
mod report;
pub mod setup;
pub mod stats;

pub use cli::{default_published_dir, run_report_cli, ReportArgs};
pub use report::{run_report, ReportOptions, ReportSummary, DEFAULT_METRICS};
