//! Development binary exposing the `prep`, `verify` and `synth` commands of this crate
//! alone (the user-facing command is `dictas`).

use clap::{Parser, Subcommand};
use dictas_prep::cli;

#[derive(Debug, Parser)]
#[command(name = "dictas-prep", about = "Dataset standardization commands of dictas")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Standardize a public dataset into the unified layout and meta JSON.
    Prep(cli::PrepArgs),
    /// Check a standardized data root.
    Verify(cli::VerifyArgs),
    /// Generate a synthetic benchmark in the raw MVTec layout.
    Synth(cli::SynthArgs),
}

fn main() {
    let result = match &Cli::parse().command {
        Command::Prep(args) => cli::run_prep(args),
        Command::Verify(args) => cli::run_verify(args),
        Command::Synth(args) => cli::run_synth(args),
    };
    if let Err(error) = result {
        eprintln!("error: {error:#}");
        std::process::exit(1);
    }
}
