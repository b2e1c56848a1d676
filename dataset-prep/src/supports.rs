//! The published fixed support lists (`fix_<k>-shot.txt`, one standardized relative path
//! per line) shipped under `experiments/supports/<dataset>/`.

use anyhow::{Context, Result};
use std::path::{Path, PathBuf};

/// The k values the paper's tables use, for which lists are published.
pub const PUBLISHED_SHOTS: [usize; 5] = [1, 2, 4, 8, 16];

/// `<experiments_dir>/supports/<dataset>/fix_<k>-shot.txt`.
pub fn published_support_list(experiments_dir: &Path, dataset: &str, k: usize) -> PathBuf {
    experiments_dir
        .join("supports")
        .join(dataset)
        .join(format!("fix_{k}-shot.txt"))
}

/// The paths of a support list, in file order; blank lines are ignored and surrounding
/// whitespace (including a Windows `\r`) is trimmed.
pub fn read_support_list(path: &Path) -> Result<Vec<String>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading support list {}", path.display()))?;
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(str::to_string)
        .collect())
}
