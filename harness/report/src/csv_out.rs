//! CSV output shared by the tables.

use std::path::Path;

use anyhow::{Context, Result};
use serde::Serialize;

use dictas_atomic::write_file;

/// Serializes `rows` (header from the field names) and writes them atomically.
pub fn write_csv<T: Serialize>(path: &Path, rows: &[T]) -> Result<()> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    for row in rows {
        writer
            .serialize(row)
            .with_context(|| format!("cannot encode a row of {}", path.display()))?;
    }
    write_records(path, writer)
}

/// Writes a header and already formatted records (for tables whose columns depend on the data).
pub fn write_table(path: &Path, header: &[String], records: &[Vec<String>]) -> Result<()> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(header)?;
    for record in records {
        writer.write_record(record)?;
    }
    write_records(path, writer)
}

fn write_records(path: &Path, writer: csv::Writer<Vec<u8>>) -> Result<()> {
    let bytes = writer
        .into_inner()
        .map_err(|e| anyhow::anyhow!("cannot encode {}: {}", path.display(), e.error()))?;
    write_file(path, &bytes)
}
