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
    /// Standardized data root holding meta_<dataset>.json.
    #[arg(long, value_name = "ROOT")]
    pub data: Option<PathBuf>,
    /// Auxiliary training dataset (visa or mvtec in the paper).
    #[arg(long, value_name = "NAME")]
    pub dataset: Option<String>,
    /// DTD images folder (DIR/<category>/*.jpg), the texture source of synthesized anomalies.
    #[arg(long, value_name = "DIR")]
    pub dtd: Option<PathBuf>,
    /// CLIP checkpoint (OpenAI TorchScript .pt, state dict or safetensors).
    #[arg(long, value_name = "FILE")]
    pub clip: Option<PathBuf>,
    /// Output folder: weights, resumable state, logs and curves.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// CLIP layers whose patch tokens are used, comma-separated [default: 6,12,18,24].
    #[arg(long, value_delimiter = ',')]
    pub layers: Option<Vec<i64>>,
    /// Neighbourhood window sizes, comma-separated [default: 1,3].
    #[arg(long, value_delimiter = ',')]
    pub scales: Option<Vec<i64>>,
    /// Side of the square network input [default: 336].
    #[arg(long)]
    pub image_size: Option<i64>,
    /// Samples per optimizer step [default: 24].
    #[arg(long)]
    pub batch_size: Option<usize>,
    /// Number of epochs [default: 30].
    #[arg(long)]
    pub epochs: Option<usize>,
    /// Adam learning rate [default: 0.0001].
    #[arg(long)]
    pub lr: Option<f64>,
    /// Adam beta1 [default: 0.5].
    #[arg(long)]
    pub beta1: Option<f64>,
    /// Adam beta2 [default: 0.999].
    #[arg(long)]
    pub beta2: Option<f64>,
    /// Learning-rate factor when validation AP stops improving [default: 0.8].
    #[arg(long)]
    pub plateau_factor: Option<f64>,
    /// Epochs without improvement before the factor applies [default: 2].
    #[arg(long)]
    pub plateau_patience: Option<u32>,
    /// Weight of the Lcqc loss term [default: 0.1].
    #[arg(long)]
    pub lambda1: Option<f64>,
    /// Weight of the Ltac loss term [default: 0.1].
    #[arg(long)]
    pub lambda2: Option<f64>,
    /// Seed of sampling and synthesis [default: 222].
    #[arg(long)]
    pub seed: Option<u64>,
    /// Probability that the support is an augmented copy of the image [default: 0.9].
    #[arg(long)]
    pub support_augment_p: Option<f64>,
    /// Probability that the query gets a synthesized anomaly [default: 0.3].
    #[arg(long)]
    pub anomaly_p: Option<f64>,
    /// Validation data root [default: --data].
    #[arg(long, value_name = "ROOT")]
    pub val_data: Option<PathBuf>,
    /// Validation dataset [default: the reference's choice for --dataset].
    #[arg(long, value_name = "NAME")]
    pub val_dataset: Option<String>,
    /// Validation classes, comma-separated [default: the reference's choice].
    #[arg(long, value_delimiter = ',')]
    pub val_classes: Option<Vec<String>>,
    /// Published-format 1-shot support list for validation.
    #[arg(long, value_name = "FILE")]
    pub val_supports: Option<PathBuf>,
    /// cpu, cuda or cuda:N [default: cpu].
    #[arg(long)]
    pub device: Option<String>,
    /// `gelu` (reference) or `quick-gelu`.
    #[arg(long)]
    pub activation: Option<String>,
    /// Batches prepared ahead of the model [default: 2].
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
