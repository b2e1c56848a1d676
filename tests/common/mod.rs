//! Helpers shared by the end-to-end tests of the `dictas` command.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The shared parity fixture (a tiny random-weight DictAS setup and the reference's outputs).
pub fn fixture() -> PathBuf {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures/parity-mvtec");
    assert!(path.is_dir(), "parity fixture not found at {} (expected ../shared beside the checkout)", path.display());
    path
}

/// Runs the `dictas` binary built for these tests.
pub fn dictas(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dictas"))
        .args(args)
        .env("DICTAS_PROGRESS", "0")
        .output()
        .expect("the dictas binary runs")
}

/// Asserts success and returns stdout.
pub fn ok(output: &Output) -> String {
    assert!(
        output.status.success(),
        "dictas failed ({}):\nstdout:\n{}\nstderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Asserts failure and returns stderr.
pub fn fails(output: &Output) -> String {
    assert!(!output.status.success(), "dictas was expected to fail but succeeded");
    String::from_utf8_lossy(&output.stderr).into_owned()
}

pub fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// Reads a CSV into rows of (header -> value).
pub fn read_csv(path: &Path) -> Vec<std::collections::HashMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let headers = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            headers.iter().zip(r.iter()).map(|(h, v)| (h.to_string(), v.to_string())).collect()
        })
        .collect()
}
