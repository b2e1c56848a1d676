//! Paper-layout tables: datasets as rows, one column group per k-shot, one sub-column per
//! metric, in percent with one decimal (mean ± sample std when several seeds ran).

use std::collections::BTreeSet;

use crate::names::{dataset_display, dataset_order, metric_display};
use crate::setup::MethodSetup;
use crate::stats::{SeedStats, Summary};

/// One table: the results of one setup (method, settings, backbone, image size, support mode).
#[derive(Debug, Clone, PartialEq)]
pub struct PaperTable {
    pub setup: MethodSetup,
    pub k_shots: Vec<u32>,
    pub metrics: Vec<String>,
    pub rows: Vec<PaperRow>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PaperRow {
    pub dataset: String,
    /// `k_shots.len() * metrics.len()` entries, k-major: entry `k * metrics.len() + m`.
    pub entries: Vec<Option<Summary>>,
}

/// Builds one table per setup present in `stats`, showing `metrics` in the given order.
pub fn build_paper_tables(stats: &[SeedStats], metrics: &[String]) -> Vec<PaperTable> {
    let setups: BTreeSet<&MethodSetup> = stats.iter().map(|s| &s.key.setup).collect();
    setups
        .into_iter()
        .map(|setup| {
            let of_setup: Vec<&SeedStats> =
                stats.iter().filter(|s| &s.key.setup == setup).collect();
            let k_shots: Vec<u32> = of_setup
                .iter()
                .map(|s| s.key.k_shot)
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            let mut datasets: Vec<&str> = of_setup.iter().map(|s| s.key.dataset.as_str()).collect();
            datasets.sort_by_key(|d| dataset_order(d));
            datasets.dedup();
            let rows = datasets
                .into_iter()
                .map(|dataset| PaperRow {
                    dataset: dataset.to_string(),
                    entries: k_shots
                        .iter()
                        .flat_map(|k| metrics.iter().map(move |m| (*k, m)))
                        .map(|(k, metric)| {
                            of_setup
                                .iter()
                                .find(|s| {
                                    s.key.dataset == dataset
                                        && s.key.k_shot == k
                                        && &s.metric == metric
                                })
                                .and_then(|s| s.summary)
                        })
                        .collect(),
                })
                .collect();
            PaperTable {
                setup: setup.clone(),
                k_shots,
                metrics: metrics.to_vec(),
                rows,
            }
        })
        .collect()
}

/// `93.0` for one seed, `93.0 ± 3.6` for several (`pm` is the ± sign of the output format).
pub fn format_percent(summary: &Summary, pm: &str) -> String {
    match summary.std {
        Some(std) => format!("{:.1}{pm}{:.1}", summary.mean * 100.0, std * 100.0),
        None => format!("{:.1}", summary.mean * 100.0),
    }
}

/// A row's entries as text: `missing` where there is no value, `pm` as the ± sign.
fn entry_texts<'a>(
    row: &'a PaperRow,
    missing: &'a str,
    pm: &'a str,
) -> impl Iterator<Item = String> + 'a {
    row.entries.iter().map(move |e| {
        e.as_ref()
            .map_or(missing.to_string(), |s| format_percent(s, pm))
    })
}

/// How many seeds the table's entries summarize, e.g. `3` or `2–3`.
fn seed_count_range(table: &PaperTable) -> Option<String> {
    let counts: BTreeSet<usize> = table
        .rows
        .iter()
        .flat_map(|r| r.entries.iter().flatten().map(|s| s.n))
        .collect();
    let (first, last) = (*counts.first()?, *counts.last()?);
    Some(if first == last {
        first.to_string()
    } else {
        format!("{first}–{last}")
    })
}

fn note(table: &PaperTable) -> String {
    let mut note = "Pixel-level metrics unless marked I- (image-level), in percent.".to_string();
    if let Some(range) = seed_count_range(table) {
        if range != "1" {
            note.push_str(&format!(" Mean ± sample std over seeds (n = {range})."));
        }
    }
    note
}

pub fn render_markdown(tables: &[PaperTable]) -> String {
    let mut out = String::new();
    for table in tables {
        out.push_str(&format!(
            "### {}\n\n{}\n\n",
            table.setup.title(),
            note(table)
        ));
        let mut header = vec!["Dataset".to_string()];
        for k in &table.k_shots {
            header.extend(
                table
                    .metrics
                    .iter()
                    .map(|m| format!("{k}-shot {}", metric_display(m))),
            );
        }
        out.push_str(&format!("| {} |\n", header.join(" | ")));
        let align: Vec<&str> = header
            .iter()
            .enumerate()
            .map(|(i, _)| if i == 0 { ":---" } else { "---:" })
            .collect();
        out.push_str(&format!("| {} |\n", align.join(" | ")));
        for row in &table.rows {
            let mut fields = vec![dataset_display(&row.dataset)];
            fields.extend(entry_texts(row, "–", " ± "));
            out.push_str(&format!("| {} |\n", fields.join(" | ")));
        }
        out.push('\n');
    }
    out
}

/// LaTeX with booktabs rules (`\usepackage{booktabs}`), one `table` environment per setup.
pub fn render_latex(tables: &[PaperTable]) -> String {
    let mut out = String::from("% Requires \\usepackage{booktabs}.\n");
    for table in tables {
        let n_metrics = table.metrics.len();
        let n_columns = table.k_shots.len() * n_metrics;
        out.push_str("\\begin{table}[t]\n\\centering\n");
        out.push_str(&format!(
            "\\caption{{{}. {}}}\n\\label{{tab:{}}}\n",
            latex_escape(&table.setup.title()),
            latex_escape(&note(table)),
            table.setup.slug()
        ));
        out.push_str(&format!(
            "\\begin{{tabular}}{{l{}}}\n\\toprule\n",
            "c".repeat(n_columns)
        ));

        let groups: Vec<String> = table
            .k_shots
            .iter()
            .map(|k| format!("\\multicolumn{{{n_metrics}}}{{c}}{{{k}-shot}}"))
            .collect();
        out.push_str(&format!(" & {} \\\\\n", groups.join(" & ")));
        let rules: Vec<String> = (0..table.k_shots.len())
            .map(|g| {
                format!(
                    "\\cmidrule(lr){{{}-{}}}",
                    2 + g * n_metrics,
                    1 + (g + 1) * n_metrics
                )
            })
            .collect();
        out.push_str(&format!("{}\n", rules.join(" ")));
        let mut header = vec!["Dataset".to_string()];
        for _ in &table.k_shots {
            header.extend(
                table
                    .metrics
                    .iter()
                    .map(|m| latex_escape(&metric_display(m))),
            );
        }
        out.push_str(&format!("{} \\\\\n\\midrule\n", header.join(" & ")));

        for row in &table.rows {
            let mut fields = vec![latex_escape(&dataset_display(&row.dataset))];
            fields.extend(entry_texts(row, "--", " $\\pm$ "));
            out.push_str(&format!("{} \\\\\n", fields.join(" & ")));
        }
        out.push_str("\\bottomrule\n\\end{tabular}\n\\end{table}\n\n");
    }
    out
}

/// Escapes LaTeX special characters; typographic dashes and ± become their LaTeX forms.
pub fn latex_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\textbackslash{}"),
            '&' | '%' | '$' | '#' | '_' | '{' | '}' => {
                out.push('\\');
                out.push(c);
            }
            '~' => out.push_str("\\textasciitilde{}"),
            '^' => out.push_str("\\textasciicircum{}"),
            '—' => out.push_str("---"),
            '–' => out.push_str("--"),
            '±' => out.push_str("$\\pm$"),
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_format_rounds_to_one_decimal() {
        let one = Summary {
            n: 1,
            mean: 0.98643,
            std: None,
            min: 0.98643,
            max: 0.98643,
        };
        assert_eq!(format_percent(&one, " ± "), "98.6");
        let several = Summary {
            n: 3,
            mean: 0.93,
            std: Some(0.0360555),
            min: 0.9,
            max: 0.97,
        };
        assert_eq!(format_percent(&several, " ± "), "93.0 ± 3.6");
    }

    #[test]
    fn latex_escape_handles_specials() {
        assert_eq!(
            latex_escape("a_b & 50% — x ± y"),
            "a\\_b \\& 50\\% --- x $\\pm$ y"
        );
    }
}
