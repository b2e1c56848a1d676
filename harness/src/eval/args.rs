//! Command-line settings of `dictas eval`.

use crate::rules::RuleOverrides;
use clap::{Args, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ActivationArg {
    /// Exact (erf) GELU, as the reference runs CLIP.
    Gelu,
    /// CLIP's original sigmoid approximation.
    QuickGelu,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LookupArg {
    /// Sparse weights over the dictionary (the published method).
    Sparsemax,
    /// Dense softmax weights (ablation).
    Softmax,
    /// One-hot on the best-matching key (ablation).
    Max,
}

/// Evaluate DictAS on one standardized dataset with one support configuration.
#[derive(Debug, Clone, Args)]
pub struct EvalArgs {
    /// Data root holding <dataset>/ and meta_<dataset>.json (the output of `dictas prep`).
    #[arg(long)]
    pub data: PathBuf,
    /// Dataset name: mvtec, visa, MPDD, BTAD, mvtec3D, RESC or BrasTS.
    #[arg(long)]
    pub dataset: String,
    /// CLIP weights: OpenAI TorchScript archive (.pt) or a state-dict file.
    #[arg(long)]
    pub clip: PathBuf,
    /// DictAS weights: reference `.pth` ({"Mymodel": state_dict}) or safetensors.
    #[arg(long)]
    pub checkpoint: PathBuf,
    /// Number of normal support images per class.
    #[arg(long)]
    pub k_shot: usize,
    /// Support list in the published format (one relative path per line).
    #[arg(long, conflicts_with = "seed")]
    pub supports: Option<PathBuf>,
    /// Draw k random normal training images per class with this seed instead of a list.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Side of the square network input; a multiple of the patch size.
    #[arg(long, default_value_t = 336)]
    pub image_size: u32,
    /// auto, cpu, cuda or cuda:N.
    #[arg(long, default_value = "auto")]
    pub device: String,
    /// Output folder (created whole or not at all).
    #[arg(long)]
    pub out: PathBuf,
    /// Also write each test image's raw map as float32 .npy under maps/.
    #[arg(long)]
    pub save_maps: bool,
    /// Only these classes (comma-separated), in the meta file's order.
    #[arg(long, value_delimiter = ',')]
    pub classes: Option<Vec<String>>,
    /// Query images per forward pass.
    #[arg(long, default_value_t = 8)]
    pub batch_size: usize,
    #[command(flatten)]
    pub scoring: ScoringArgs,
    /// Override the text-score weight of the image score.
    #[arg(long)]
    pub alpha: Option<f64>,
}

/// How maps are computed, shared by `eval` and `infer`.
#[derive(Debug, Clone, Args)]
pub struct ScoringArgs {
    /// CLIP MLP activation.
    #[arg(long, value_enum, default_value_t = ActivationArg::Gelu)]
    pub activation: ActivationArg,
    /// Dictionary lookup weights.
    #[arg(long, value_enum, default_value_t = LookupArg::Sparsemax)]
    pub lookup: LookupArg,
    /// Override the dataset rule's layers (comma-separated, 1-based).
    #[arg(long, value_delimiter = ',')]
    pub layers: Option<Vec<i64>>,
    /// Override the dataset rule's window scales (comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub scales: Option<Vec<i64>>,
    /// Override the Gaussian sigma of the maps.
    #[arg(long)]
    pub sigma: Option<f64>,
}

impl Default for ScoringArgs {
    fn default() -> Self {
        Self { activation: ActivationArg::Gelu, lookup: LookupArg::Sparsemax, layers: None, scales: None, sigma: None }
    }
}

impl ScoringArgs {
    /// The rule overrides these flags ask for (with `alpha` where the command has one).
    pub fn overrides(&self, alpha: Option<f64>) -> RuleOverrides {
        RuleOverrides {
            layers: self.layers.clone(),
            scales: self.scales.clone(),
            sigma: self.sigma,
            alpha,
            rotate_supports: None,
        }
    }
}
