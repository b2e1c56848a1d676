//! VisA: everything is reached through `split_csv/1cls.csv` (columns object, split, label,
//! image, mask; paths relative to the VisA root). A class's rows are taken train then test,
//! each in CSV order.

use crate::dataset::Dataset;
use crate::plan::{Plan, PlanBuilder};
use crate::problems::Problems;
use std::path::{Path, PathBuf};

pub const SPLIT_CSV: &str = "split_csv/1cls.csv";
const COLUMNS: [&str; 5] = ["object", "split", "label", "image", "mask"];

struct Row {
    /// 1-based line in the CSV file, for messages.
    line: u64,
    object: String,
    split: String,
    label: String,
    image: String,
    mask: String,
}

pub fn plan(src: &Path, classes: &[String], problems: &mut Problems) -> Plan {
    let mut builder = PlanBuilder::new(Dataset::Visa);
    let csv_path = src.join(SPLIT_CSV);
    let rows = read_rows(&csv_path, problems);
    for class in classes {
        builder.add_class(class);
        let Some(rows) = &rows else { continue };
        let class_rows: Vec<&Row> = rows.iter().filter(|row| &row.object == class).collect();
        if class_rows.is_empty() {
            problems.push(&csv_path, format!("no rows for class '{class}'"));
        }
        for phase in ["train", "test"] {
            for row in class_rows.iter().filter(|row| row.split == phase) {
                plan_row(&mut builder, src, &csv_path, class, row, problems);
            }
        }
    }
    builder.finish()
}

fn plan_row(builder: &mut PlanBuilder, src: &Path, csv_path: &Path, class: &str, row: &Row, problems: &mut Problems) {
    let at_line = |what: &str| format!("{what} (line {} of {})", row.line, csv_path.display());
    let image = src.join(&row.image);
    if !image.is_file() {
        problems.push(&image, at_line("image listed in the CSV not found"));
    }
    let file_name = Path::new(&row.image)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let is_anomaly = match row.label.as_str() {
        "anomaly" => true,
        "normal" => false,
        other => {
            problems.push(
                csv_path,
                at_line(&format!("label '{other}' is neither 'normal' nor 'anomaly'")),
            );
            false
        }
    };
    match (row.split.as_str(), is_anomaly) {
        ("train", true) => {
            problems.push(&image, at_line("training row is labelled 'anomaly'"));
            builder.add_train(class, &image, &file_name);
        }
        ("train", false) => builder.add_train(class, &image, &file_name),
        (_, false) => builder.add_test_good(class, &image, &file_name),
        (_, true) => {
            let mask = mask_path(src, row, csv_path, problems);
            builder.add_test_anomaly(class, "anomaly", &image, &file_name, &mask);
        }
    }
}

fn mask_path(src: &Path, row: &Row, csv_path: &Path, problems: &mut Problems) -> PathBuf {
    if row.mask.is_empty() {
        problems.push(
            src.join(&row.image),
            format!("anomaly row has no mask (line {} of {})", row.line, csv_path.display()),
        );
        return PathBuf::new();
    }
    let mask = src.join(&row.mask);
    if !mask.is_file() {
        problems.push(
            &mask,
            format!(
                "mask listed in the CSV not found (line {} of {})",
                row.line,
                csv_path.display()
            ),
        );
    }
    mask
}

/// All rows, or `None` (with problems) when the file or its header is unusable.
fn read_rows(csv_path: &Path, problems: &mut Problems) -> Option<Vec<Row>> {
    let mut reader = match csv::ReaderBuilder::new().has_headers(true).from_path(csv_path) {
        Ok(reader) => reader,
        Err(error) => {
            problems.push(csv_path, format!("cannot read split CSV: {error}"));
            return None;
        }
    };
    let headers = match reader.headers() {
        Ok(headers) => headers.clone(),
        Err(error) => {
            problems.push(csv_path, format!("cannot read CSV header: {error}"));
            return None;
        }
    };
    let mut index = [0usize; 5];
    let mut missing = Vec::new();
    for (slot, column) in index.iter_mut().zip(COLUMNS) {
        match headers.iter().position(|h| h == column) {
            Some(position) => *slot = position,
            None => missing.push(column),
        }
    }
    if !missing.is_empty() {
        let found: Vec<&str> = headers.iter().collect();
        problems.push(
            csv_path,
            format!(
                "CSV lacks column(s) {}; expected {}, found [{}]",
                missing.join(", "),
                COLUMNS.join(", "),
                found.join(", ")
            ),
        );
        return None;
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            Err(error) => {
                problems.push(csv_path, format!("malformed CSV row: {error}"));
                continue;
            }
        };
        let field = |i: usize| record.get(index[i]).unwrap_or("").to_string();
        rows.push(Row {
            line: record.position().map_or(0, |p| p.line()),
            object: field(0),
            split: field(1),
            label: field(2),
            image: field(3),
            mask: field(4),
        });
    }
    Some(rows)
}
