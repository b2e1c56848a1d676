//! The worker pool behind `--jobs N`.

use anyhow::{bail, Context, Result};

/// Runs `work` on a rayon pool of `jobs` threads (all cores when `None`).
pub fn in_pool<T: Send>(jobs: Option<usize>, work: impl FnOnce() -> T + Send) -> Result<T> {
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(jobs) = jobs {
        if jobs == 0 {
            bail!("--jobs must be at least 1");
        }
        builder = builder.num_threads(jobs);
    }
    let pool = builder.build().context("starting the worker pool")?;
    Ok(pool.install(work))
}
