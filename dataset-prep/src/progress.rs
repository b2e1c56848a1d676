//! Progress bars on stderr (count, rate, ETA); hidden when stderr is not a terminal.

use indicatif::{ProgressBar, ProgressStyle};

pub fn bar(len: usize, label: &str) -> ProgressBar {
    let bar = ProgressBar::new(len as u64);
    let style = ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} {per_sec} ETA {eta}")
        .expect("valid progress template")
        .progress_chars("=> ");
    bar.set_style(style);
    bar.set_prefix(label.to_string());
    bar
}
