//! Progress bars on stderr: counts, rate and ETA, hidden when stderr is not a terminal
//! unless DICTAS_PROGRESS=1 asks for them.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A bar for `total` items of `unit` (e.g. "img"), prefixed with `label`.
pub fn bar(total: u64, label: &str, unit: &str) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(total), draw_target());
    let template = format!(
        "{{prefix:>12}} [{{bar:30}}] {{pos}}/{{len}} {unit} {{per_sec}} eta {{eta}} {{msg}}"
    );
    bar.set_style(ProgressStyle::with_template(&template).expect("valid template").progress_chars("=> "));
    bar.set_prefix(label.to_string());
    bar
}

fn draw_target() -> ProgressDrawTarget {
    if std::env::var("DICTAS_PROGRESS").as_deref() == Ok("1") {
        ProgressDrawTarget::stderr()
    } else if std::env::var("DICTAS_PROGRESS").as_deref() == Ok("0") {
        ProgressDrawTarget::hidden()
    } else {
        // indicatif hides itself when stderr is not a terminal.
        ProgressDrawTarget::stderr()
    }
}
