//! Stand-alone `dictas-train` for development; the `dictas` binary embeds the same commands.

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "dictas-train", about = "Self-supervised DictAS training")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Train (or `--resume`) a run.
    Train(dictas_train::TrainArgs),
    /// Write a checkpoint in the reference's `.pth` layout.
    Export(dictas_train::ExportArgs),
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Train(args) => dictas_train::run_train(&args),
        Command::Export(args) => dictas_train::run_export(&args),
    }
}
