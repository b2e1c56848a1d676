//! The `dictas` command.

use clap::{Parser, Subcommand};
use dictas::eval::EvalArgs;
use dictas::infer::InferArgs;

/// Few-shot anomaly segmentation with DictAS: prepare datasets, evaluate, sweep, report.
#[derive(Debug, Parser)]
#[command(name = "dictas", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Standardize a public dataset into the unified layout and meta JSON.
    Prep(dictas_prep::cli::PrepArgs),
    /// Check a standardized data root (files, masks, counts, supports, sha256 manifest).
    Verify(dictas_prep::cli::VerifyArgs),
    /// Generate a small synthetic benchmark in the raw MVTec layout.
    Synth(dictas_prep::cli::SynthArgs),
    /// Evaluate DictAS on one dataset and support configuration.
    Eval(EvalArgs),
    /// Score one image against given normal images and write a heat-map overlay.
    Infer(InferArgs),
    /// Run an experiment grid from a YAML spec, resumably, then report.
    Sweep(dictas::sweep::SweepArgs),
    /// Train DictAS self-supervised on an auxiliary dataset (the published recipe).
    Train(dictas_train::TrainArgs),
    /// Export a trained checkpoint to the reference `.pth` layout ({"Mymodel": state_dict}).
    Export(dictas_train::ExportArgs),
    /// Measure evaluation speed and memory (CPU or GPU).
    Bench(dictas::bench::BenchArgs),
    /// Run the embedded demo: synthetic data, tiny random weights, a 2 x 2 sweep and its report.
    Demo(dictas::demo::DemoArgs),
    /// Tables, comparison with published numbers and plots for a folder of runs.
    Report(dictas_report::ReportArgs),
}

fn main() {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Prep(args) => dictas_prep::cli::run_prep(args),
        Command::Verify(args) => dictas_prep::cli::run_verify(args),
        Command::Synth(args) => dictas_prep::cli::run_synth(args),
        Command::Eval(args) => dictas::eval::run(args),
        Command::Infer(args) => dictas::infer::run(args),
        Command::Sweep(args) => dictas::sweep::run(args),
        Command::Demo(args) => dictas::demo::run(args),
        Command::Bench(args) => dictas::bench::run(args),
        Command::Train(args) => dictas_train::run_train(args),
        Command::Export(args) => dictas_train::run_export(args),
        Command::Report(args) => dictas_report::run_report_cli(args),
    };
    if let Err(error) = result {
        eprintln!("error: {error:#}");
        std::process::exit(1);
    }
}
