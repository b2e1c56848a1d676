//! The `dictas report` command line.

use std::path::PathBuf;

use anyhow::Result;

use crate::report::{run_report, ReportOptions};

/// Tables, comparison with published numbers and plots for a folder of evaluation runs.
#[derive(clap::Args, Debug, Clone, PartialEq)]
pub struct ReportArgs {
    /// Run folder holding cells/<cell_id>/ (or one cell folder with cell.json at its top)
    pub dir: PathBuf,
    /// Metric columns of metrics.csv for tables and plots, comma-separated
    #[arg(long, value_delimiter = ',', default_value = "auroc_px,aupro_px,ap_px")]
    pub metrics: Vec<String>,
    /// Folder of published figures (*.csv) to compare with [default: the workspace's results/published]
    #[arg(long)]
    pub published: Option<PathBuf>,
    /// Skip the comparison with published figures
    #[arg(long, conflicts_with = "published")]
    pub no_published: bool,
    /// Output folder [default: DIR/report]
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Best and worst images per class in the anomaly-map overlays (0: no overlays)
    #[arg(long, default_value_t = 3)]
    pub overlay_images: usize,
}

/// `results/published` of the workspace this crate was built in.
pub fn default_published_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../results/published")
}

impl ReportArgs {
    /// The options these arguments stand for. Without `--published`, the workspace's folder is
    /// used when it exists (a binary run away from its source tree simply skips the comparison).
    pub fn options(&self) -> ReportOptions {
        let published_dir = if self.no_published {
            None
        } else {
            self.published
                .clone()
                .or_else(|| Some(default_published_dir()).filter(|d| d.is_dir()))
        };
        ReportOptions {
            metrics: self.metrics.clone(),
            published_dir,
            out_dir: self.out.clone(),
            overlay_count: self.overlay_images,
        }
    }
}

/// Runs the report and prints the paper tables and where the files went.
pub fn run_report_cli(args: &ReportArgs) -> Result<()> {
    let options = args.options();
    if options.published_dir.is_none() && !args.no_published {
        eprintln!(
            "warning: {} not found; no comparison with published figures (use --published)",
            default_published_dir().display()
        );
    }
    let summary = run_report(&args.dir, &options)?;
    println!("{}", summary.paper_table_markdown);
    println!(
        "{} cells read, {} files written to {}",
        summary.cells_read,
        summary.files.len(),
        summary.out_dir.display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Command {
        #[command(flatten)]
        report: ReportArgs,
    }

    fn parse(args: &[&str]) -> ReportArgs {
        Command::try_parse_from(std::iter::once("dictas-report").chain(args.iter().copied()))
            .unwrap()
            .report
    }

    #[test]
    fn defaults_give_paper_metrics_and_the_workspace_published_folder() {
        let args = parse(&["runs/sweep"]);
        assert_eq!(args.metrics, ["auroc_px", "aupro_px", "ap_px"]);
        let options = args.options();
        assert_eq!(options.published_dir, Some(default_published_dir()));
        assert!(default_published_dir()
            .join("dictas_iccv2025.csv")
            .is_file());
        assert_eq!(options.out_dir, None);
        assert_eq!(options.overlay_count, 3);
    }

    #[test]
    fn flags_override_the_defaults() {
        let args = parse(&[
            "runs/sweep",
            "--metrics",
            "ap_px,f1_sp",
            "--published",
            "/tmp/p",
            "--out",
            "/tmp/o",
            "--overlay-images",
            "0",
        ]);
        let options = args.options();
        assert_eq!(options.metrics, ["ap_px", "f1_sp"]);
        assert_eq!(options.published_dir, Some(PathBuf::from("/tmp/p")));
        assert_eq!(options.out_dir, Some(PathBuf::from("/tmp/o")));
        assert_eq!(options.overlay_count, 0);
        assert_eq!(
            parse(&["d", "--no-published"]).options().published_dir,
            None
        );
    }
}
