//! Provenance recorded with every result: what ran, on what, with which inputs.

use anyhow::{Context, Result};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::Path;

/// sha256 of a file's bytes, hex-encoded; streamed, so large checkpoints are fine.
pub fn sha256_file(path: &Path) -> Result<String> {
    let mut file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buffer).with_context(|| format!("reading {}", path.display()))?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

/// A weights file and its hash.
#[derive(Debug, Clone, Serialize)]
pub struct WeightsRecord {
    pub path: String,
    pub sha256: String,
}

impl WeightsRecord {
    pub fn of(path: &Path) -> Result<Self> {
        Ok(Self { path: path.display().to_string(), sha256: sha256_file(path)? })
    }
}

/// Software and machine facts that can change a number.
#[derive(Debug, Clone, Serialize)]
pub struct Environment {
    pub dictas_version: &'static str,
    pub git_commit: Option<String>,
    pub libtorch_version: String,
    pub device: String,
    pub cpu_threads: usize,
    pub os: &'static str,
    pub arch: &'static str,
}

impl Environment {
    pub fn capture(device: &str) -> Self {
        Self {
            dictas_version: env!("CARGO_PKG_VERSION"),
            git_commit: git_commit(),
            libtorch_version: libtorch_version(),
            device: device.to_string(),
            cpu_threads: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
            os: std::env::consts::OS,
            arch: std::env::consts::ARCH,
        }
    }
}

/// The commit of the checkout the binary was built in (it lives under `target/` there).
fn git_commit() -> Option<String> {
    let exe = std::env::current_exe().ok()?;
    let dir = exe.parent()?;
    let out = std::process::Command::new("git").arg("-C").arg(dir).args(["rev-parse", "HEAD"]).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// The libtorch build the tch crate targets (the exact wheel version is checked at build time).
fn libtorch_version() -> String {
    "2.13.0".to_string()
}
