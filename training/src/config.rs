//! Training settings: published defaults, a YAML file with the same keys, command-line flags
//! overriding both.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};

/// Every setting of a training run. Field names are the YAML keys.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrainConfig {
    /// Standardized data root holding `meta_<dataset>.json`.
    pub data: Option<PathBuf>,
    /// Auxiliary training dataset name (`visa` or `mvtec` in the paper).
    pub dataset: Option<String>,
    /// DTD images folder (`DIR/<category>/*.jpg`).
    pub dtd: Option<PathBuf>,
    /// CLIP checkpoint.
    pub clip: Option<PathBuf>,
    /// Output folder.
    pub out: Option<PathBuf>,
    pub layers: Vec<i64>,
    pub scales: Vec<i64>,
    pub image_size: i64,
    pub batch_size: usize,
    pub epochs: usize,
    pub lr: f64,
    pub beta1: f64,
    pub beta2: f64,
    pub plateau_factor: f64,
    pub plateau_patience: u32,
    pub lambda1: f64,
    pub lambda2: f64,
    pub seed: u64,
    pub support_augment_p: f64,
    pub anomaly_p: f64,
    /// Side training images are first resized to (1024 in the recipe).
    pub base_size: u32,
    /// Side of the anomaly synthesis canvas (512 in the recipe; a multiple of 4).
    pub canvas: u32,
    /// Validation data root (defaults to `data`).
    pub val_data: Option<PathBuf>,
    /// Validation dataset (defaults to the reference's choice for `dataset`).
    pub val_dataset: Option<String>,
    /// Validation classes (defaults to the reference's choice).
    pub val_classes: Vec<String>,
    /// Published-format 1-shot support list for validation (default
    /// `experiments/supports/<val_dataset>/fix_1-shot.txt` when it exists, else each class's
    /// first training image).
    pub val_supports: Option<PathBuf>,
    /// `cpu`, `cuda`, `cuda:N`.
    pub device: String,
    /// `gelu` (the reference) or `quick-gelu`.
    pub activation: String,
    /// Batches prepared ahead of the model.
    pub prefetch: usize,
    /// DictAS weights to start from instead of the random initialization.
    pub init: Option<PathBuf>,
    /// Stop (with a resumable checkpoint) after this many optimizer steps in this invocation.
    pub max_steps: Option<u64>,
    /// Also keep `epoch_<n>.safetensors` after every epoch, as the reference does.
    pub keep_epoch_weights: bool,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            data: None,
            dataset: None,
            dtd: None,
            clip: None,
            out: None,
            layers: vec![6, 12, 18, 24],
            scales: vec![1, 3],
            image_size: 336,
            batch_size: 24,
            epochs: 30,
            lr: 1e-4,
            beta1: 0.5,
            beta2: 0.999,
            plateau_factor: 0.8,
            plateau_patience: 2,
            lambda1: 0.1,
            lambda2: 0.1,
            seed: 222,
            support_augment_p: 0.9,
            anomaly_p: 0.3,
            base_size: 1024,
            canvas: 512,
            val_data: None,
            val_dataset: None,
            val_classes: Vec::new(),
            val_supports: None,
            device: "cpu".into(),
            activation: "gelu".into(),
            prefetch: 2,
            init: None,
            max_steps: None,
            keep_epoch_weights: true,
        }
    }
}

/// The reference's validation target for a training dataset.
pub fn reference_validation(train_dataset: &str) -> (&'static str, &'static [&'static str]) {
    if train_dataset == "mvtec" {
        ("visa", &["chewinggum", "cashew", "pipe_fryum", "capsules", "candle"])
    } else {
        ("mvtec", &["bottle", "hazelnut", "cable", "metal_nut", "leather", "pill"])
    }
}

impl TrainConfig {
    pub fn from_yaml(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading config {}", path.display()))?;
        serde_yaml::from_str(&text).with_context(|| format!("parsing config {}", path.display()))
    }

    /// Fills the validation defaults and checks the settings.
    pub fn resolve(mut self) -> Result<Self> {
        let Some(dataset) = self.dataset.clone() else { bail!("no training dataset: pass --dataset or set `dataset`") };
        for (name, value) in [("data", &self.data), ("dtd", &self.dtd), ("clip", &self.clip), ("out", &self.out)] {
            if value.is_none() {
                bail!("missing `{name}`: pass --{name} or set it in the config file");
            }
        }
        let (val_dataset, val_classes) = reference_validation(&dataset);
        if self.val_dataset.is_none() {
            self.val_dataset = Some(val_dataset.to_string());
            if self.val_classes.is_empty() {
                self.val_classes = val_classes.iter().map(|c| c.to_string()).collect();
            }
        }
        if self.val_data.is_none() {
            self.val_data = self.data.clone();
        }
        if self.layers.len() != 4 {
            bail!("`layers` must name 4 CLIP layers (the fused head concatenates 4), got {:?}", self.layers);
        }
        if !self.scales.contains(&1) || self.scales.iter().any(|&s| s < 1) {
            bail!("`scales` must be positive and include 1, got {:?}", self.scales);
        }
        if self.base_size == 0 || self.canvas == 0 || self.canvas % 4 != 0 {
            bail!("`base_size` must be positive and `canvas` a positive multiple of 4");
        }
        if self.batch_size == 0 || self.epochs == 0 || self.image_size <= 0 {
            bail!("batch_size, epochs and image_size must be positive");
        }
        for (name, p) in [("support_augment_p", self.support_augment_p), ("anomaly_p", self.anomaly_p)] {
            if !(0.0..=1.0).contains(&p) {
                bail!("`{name}` must be a probability, got {p}");
            }
        }
        Ok(self)
    }

    pub fn out_dir(&self) -> &Path {
        self.out.as_deref().expect("resolved config has `out`")
    }
}
