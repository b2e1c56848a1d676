//! The `dictas train` command line.

use std::path::PathBuf;

use anyhow::Result;

use crate::config::TrainConfig;

/// Train DictAS self-supervised on an auxiliary dataset (published recipe by default).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct TrainArgs {
    /// YAML file with the same keys as the flags (underscores); flags override it.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Continue the run whose output folder is DIR exactly where its last checkpoint stopped.
    #[arg(long, value_name = "DIR")]
    pub resume: Option<PathBuf>,
    #[arg(long, value_name = "ROOT")]
    pub data: Option<PathBuf>,
    #[arg(long, value_name = "NAME")]
    pub dataset: Option<String>,
    #[arg(long, value_name = "DIR")]
    pub dtd: Option<PathBuf>,
    #[arg(long, value_name = "FILE")]
    pub clip: Option<PathBuf>,
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    #[arg(long, value_delimiter = ',')]
    pub layers: Option<Vec<i64>>,
    #[arg(long, value_delimiter = ',')]
    pub scales: Option<Vec<i64>>,
    #[arg(long)]
    pub image_size: Option<i64>,
    #[arg(long)]
    pub batch_size: Option<usize>,
    #[arg(long)]
    pub epochs: Option<usize>,
    #[arg(long)]
    pub lr: Option<f64>,
    #[arg(long)]
    pub beta1: Option<f64>,
    #[arg(long)]
    pub beta2: Option<f64>,
    #[arg(long)]
    pub plateau_factor: Option<f64>,
    #[arg(long)]
    pub plateau_patience: Option<u32>,
    #[arg(long)]
    pub lambda1: Option<f64>,
    #[arg(long)]
    pub lambda2: Option<f64>,
    #[arg(long)]
    pub seed: Option<u64>,
    #[arg(long)]
    pub support_augment_p: Option<f64>,
    #[arg(long)]
    pub anomaly_p: Option<f64>,
    #[arg(long, value_name = "ROOT")]
    pub val_data: Option<PathBuf>,
    #[arg(long, value_name = "NAME")]
    pub val_dataset: Option<String>,
    #[arg(long, value_delimiter = ',')]
    pub val_classes: Option<Vec<String>>,
    #[arg(long, value_name = "FILE")]
    pub val_supports: Option<PathBuf>,
    #[arg(long)]
    pub device: Option<String>,
    /// `gelu` (reference) or `quick-gelu`.
    #[arg(long)]
    pub activation: Option<String>,
    #[arg(long)]
    pub prefetch: Option<usize>,
    /// DictAS weights to start from.
    #[arg(long, value_name = "FILE")]
    pub init: Option<PathBuf>,
    /// Stop after this many optimizer steps, leaving a resumable checkpoint.
    #[arg(long)]
    pub max_steps: Option<u64>,
}

macro_rules! override_with {
    ($cfg:ident, $args:ident, $($field:ident),*) => {
        $( if let Some(v) = $args.$field.clone() { $cfg.$field = v; } )*
    };
}

impl TrainArgs {
    /// Config file (if any) with the flags applied on top, validated.
    pub fn to_config(&self) -> Result<TrainConfig> {
        let mut cfg = match &self.config {
            Some(path) => TrainConfig::from_yaml(path)?,
            None => TrainConfig::default(),
        };
        self.apply(&mut cfg);
        cfg.resolve()
    }

    /// Writes every given flag into `cfg`.
    pub fn apply(&self, cfg: &mut TrainConfig) {
        override_with!(
            cfg, self, layers, scales, image_size, batch_size, epochs, lr, beta1, beta2, plateau_factor,
            plateau_patience, lambda1, lambda2, seed, support_augment_p, anomaly_p, val_classes, device,
            activation, prefetch
        );
        for (slot, value) in [
            (&mut cfg.data, &self.data),
            (&mut cfg.dtd, &self.dtd),
            (&mut cfg.clip, &self.clip),
            (&mut cfg.out, &self.out),
            (&mut cfg.val_data, &self.val_data),
            (&mut cfg.val_supports, &self.val_supports),
            (&mut cfg.init, &self.init),
        ] {
            if value.is_some() {
                *slot = value.clone();
            }
        }
        if self.dataset.is_some() {
            cfg.dataset = self.dataset.clone();
        }
        if self.val_dataset.is_some() {
            cfg.val_dataset = self.val_dataset.clone();
        }
        if self.max_steps.is_some() {
            cfg.max_steps = self.max_steps;
        }
    }
}
