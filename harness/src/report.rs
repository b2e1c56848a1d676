//! The report at the end of a sweep: the same as `dictas report DIR` with its defaults.

use anyhow::Result;
use std::path::Path;

/// Writes DIR/report and prints the paper tables.
pub fn report_folder(dir: &Path) -> Result<()> {
    let args = dictas_report::ReportArgs {
        dir: dir.to_path_buf(),
        metrics: dictas_report::DEFAULT_METRICS.iter().map(|m| m.to_string()).collect(),
        published: None,
        no_published: false,
        out: None,
        overlay_images: 3,
    };
    dictas_report::run_report_cli(&args)
}
