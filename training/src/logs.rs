//! CSV logs written as training goes: one row per optimizer step, one per epoch.

use std::fs::{File, OpenOptions};
use std::path::Path;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::losses::LossValues;

/// A `steps.csv` row.
#[derive(Debug, Clone, Serialize)]
pub struct StepRecord {
    pub epoch: usize,
    pub step: usize,
    pub global_step: u64,
    pub lr: f64,
    pub loss: f64,
    pub loss_query: f64,
    pub loss_cqc: f64,
    pub loss_tac_query: f64,
    pub loss_tac_retrieved: f64,
    pub synthesized: usize,
    pub samples_per_sec: f64,
}

/// An `epochs.csv` row (also kept in the checkpoint for the plots).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EpochRecord {
    pub epoch: usize,
    pub lr: f64,
    pub next_lr: f64,
    pub loss: f64,
    pub loss_query: f64,
    pub loss_cqc: f64,
    pub loss_tac_query: f64,
    pub loss_tac_retrieved: f64,
    pub val_ap: f64,
    pub best_ap: f64,
    pub improved: bool,
    pub value_generator_frozen: bool,
}

/// Mean of each loss over a list of steps.
pub fn mean_losses(steps: &[LossValues]) -> LossValues {
    let n = steps.len().max(1) as f64;
    let sum = |f: fn(&LossValues) -> f64| steps.iter().map(f).sum::<f64>() / n;
    LossValues {
        total: sum(|l| l.total),
        query: sum(|l| l.query),
        cqc: sum(|l| l.cqc),
        tac_query: sum(|l| l.tac_query),
        tac_retrieved: sum(|l| l.tac_retrieved),
    }
}

/// An append-only CSV file that flushes every row (so a killed run keeps its log).
pub struct CsvLog {
    writer: csv::Writer<File>,
}

impl CsvLog {
    /// Opens `path` for appending; the header is written only when the file is new or empty.
    pub fn open(path: &Path) -> Result<Self> {
        let fresh = std::fs::metadata(path).map(|m| m.len() == 0).unwrap_or(true);
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .with_context(|| format!("opening log {}", path.display()))?;
        let writer = csv::WriterBuilder::new().has_headers(fresh).from_writer(file);
        Ok(CsvLog { writer })
    }

    pub fn write<T: Serialize>(&mut self, row: &T) -> Result<()> {
        self.writer.serialize(row)?;
        self.writer.flush()?;
        Ok(())
    }
}
