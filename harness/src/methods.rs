//! The scoring methods behind one interface: DictAS and the training-free baselines.
//!
//! A method is prepared once per class from the support set (a dictionary, a memory bank, a
//! window memory) and then maps every query batch. Token-based methods share the backbone's
//! cached query features; WinCLIP works on the images themselves.

use crate::eval::args::LookupArg;
use crate::job::MethodConfig;
use crate::pipeline::{Backbone, DictAsScorer};
use crate::rules::ClassRule;
use anyhow::{anyhow, bail, Result};
use dictas_baselines::{FastReconSettings, WinClipMemory, WinClipSettings};
use dictas_model::dictas::SupportDictionary;
use serde::{Deserialize, Serialize};
use tch::{Device, Kind, Tensor};

/// Methods a job can name.
pub const KNOWN_METHODS: &[&str] = &["dictas", "knn", "fastrecon", "winclip"];

/// Method-specific settings (each method reads its own; all enter the config hash).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MethodSettings {
    /// fastrecon: ridge regularization (default 0.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lambda: Option<f64>,
    /// fastrecon: weight of the distribution regularization (default 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distribution_weight: Option<f64>,
    /// winclip: window sides in patches (default 2, 3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_scales: Option<Vec<i64>>,
    /// winclip: window stride in patches (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_stride: Option<i64>,
}

/// Label of a method in cell ids and tables: the name, plus the lookup when it is not the
/// published sparsemax (so the lookup ablation gets distinct rows).
pub fn default_label(name: &str, lookup: LookupArg) -> String {
    match (name, lookup) {
        ("dictas", LookupArg::Softmax) => "dictas-softmax".into(),
        ("dictas", LookupArg::Max) => "dictas-max".into(),
        ("winclip", _) => dictas_baselines::WINCLIP_NAME.to_string(),
        _ => name.to_string(),
    }
}

/// A loaded method.
pub enum Method {
    DictAs(DictAsScorer),
    Knn,
    FastRecon(FastReconSettings),
    WinClip(WinClipSettings),
}

/// A method's per-class state.
pub enum Prepared {
    Dictionary(SupportDictionary),
    Tokens(Vec<Tensor>),
    Windows(WinClipMemory),
}

impl Method {
    pub fn load(config: &MethodConfig, device: Device) -> Result<Self> {
        let s = &config.settings;
        Ok(match config.name.as_str() {
            "dictas" => {
                let checkpoint =
                    config.checkpoint.as_ref().ok_or_else(|| anyhow!("method dictas needs a checkpoint"))?;
                Method::DictAs(DictAsScorer::load(checkpoint, config.lookup, device)?)
            }
            "knn" => Method::Knn,
            "fastrecon" => {
                let d = FastReconSettings::default();
                Method::FastRecon(FastReconSettings {
                    lambda: s.lambda.unwrap_or(d.lambda),
                    distribution_weight: s.distribution_weight.unwrap_or(d.distribution_weight),
                })
            }
            "winclip" => {
                let d = WinClipSettings::default();
                Method::WinClip(WinClipSettings {
                    scales: s.window_scales.clone().unwrap_or(d.scales),
                    stride: s.window_stride.unwrap_or(d.stride),
                    ..d
                })
            }
            other => bail!("unknown method '{other}': expected one of {}", KNOWN_METHODS.join(", ")),
        })
    }

    /// Whether the method needs the images themselves (not only cached tokens).
    pub fn needs_images(&self) -> bool {
        matches!(self, Method::WinClip(_))
    }

    /// Per-class state from the support tokens (per layer [1, M, C]) or images [k, 3, S, S].
    pub fn prepare(
        &self,
        backbone: &Backbone,
        support_tokens: &[Tensor],
        support_images: Option<&Tensor>,
        rule: &ClassRule,
    ) -> Result<Prepared> {
        Ok(match self {
            Method::DictAs(scorer) => Prepared::Dictionary(scorer.prepare(backbone, support_tokens, rule)?),
            Method::Knn | Method::FastRecon(_) => {
                Prepared::Tokens(support_tokens.iter().map(|t| t.shallow_clone()).collect())
            }
            Method::WinClip(settings) => {
                let images = support_images.ok_or_else(|| anyhow!("winclip needs the support images"))?;
                Prepared::Windows(tch::no_grad(|| {
                    dictas_baselines::winclip_memory(&backbone.clip, &images.to_device(backbone.device()), settings)
                })?)
            }
        })
    }

    /// Raw maps [B, S, S] (f32, CPU) of a query batch.
    pub fn maps(
        &self,
        backbone: &Backbone,
        prepared: &Prepared,
        query_tokens: &[Tensor],
        query_images: Option<&Tensor>,
        text: &Tensor,
    ) -> Result<Tensor> {
        let size = backbone.image_size as i64;
        let grid = backbone.grid();
        let maps = tch::no_grad(|| -> Result<Tensor> {
            Ok(match (self, prepared) {
                (Method::DictAs(scorer), Prepared::Dictionary(d)) => return scorer.maps(backbone, query_tokens, d),
                (Method::Knn, Prepared::Tokens(support)) => {
                    dictas_baselines::knn_maps(query_tokens, support, grid, size)?
                }
                (Method::FastRecon(settings), Prepared::Tokens(support)) => {
                    dictas_baselines::fastrecon_maps(query_tokens, support, grid, size, settings)?
                }
                (Method::WinClip(settings), Prepared::Windows(memory)) => {
                    let images = query_images.ok_or_else(|| anyhow!("winclip needs the query images"))?;
                    dictas_baselines::winclip_maps(&backbone.clip, &images.to_device(backbone.device()), text, memory, settings)?
                }
                _ => bail!("method and prepared state do not match"),
            })
        })?;
        Ok(maps.to_device(Device::Cpu).to_kind(Kind::Float))
    }
}
