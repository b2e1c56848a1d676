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
use dictas_baselines::winclip_prompts::PromptEnsemble;
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
    /// winclip: prompt ensemble of the zero-shot branch, `winclip` (default) or `dictas`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompts: Option<String>,
    /// winclip: softmax temperature of the text score (default 0.07).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f64>,
}

impl MethodSettings {
    /// What is wrong with these settings for method `method`: values out of range, and
    /// settings that belong to another method (silently ignoring them would mislabel results).
    pub fn problems(&self, method: &str) -> Vec<String> {
        let mut problems = Vec::new();
        let mut owned_by = |setting: &str, present: bool, owner: &str| {
            if present && method != owner {
                problems.push(format!("method {method}: setting `{setting}` applies only to method {owner}"));
            }
        };
        owned_by("lambda", self.lambda.is_some(), "fastrecon");
        owned_by("distribution_weight", self.distribution_weight.is_some(), "fastrecon");
        owned_by("window_scales", self.window_scales.is_some(), "winclip");
        owned_by("window_stride", self.window_stride.is_some(), "winclip");
        owned_by("prompts", self.prompts.is_some(), "winclip");
        owned_by("temperature", self.temperature.is_some(), "winclip");
        // The ranges are the baselines' own checks, so a spec passes exactly when the run would.
        let checked = match method {
            "fastrecon" => self.fastrecon().check(),
            "winclip" => self.winclip().and_then(|s| s.check()),
            _ => Ok(()),
        };
        if let Err(e) = checked {
            problems.push(format!("method {method}: {e:#}"));
        }
        problems
    }

    /// FastRecon's settings: these values over its defaults.
    fn fastrecon(&self) -> FastReconSettings {
        let d = FastReconSettings::default();
        FastReconSettings {
            lambda: self.lambda.unwrap_or(d.lambda),
            distribution_weight: self.distribution_weight.unwrap_or(d.distribution_weight),
        }
    }

    /// WinCLIP's settings: these values over its defaults.
    fn winclip(&self) -> Result<WinClipSettings> {
        let d = WinClipSettings::default();
        let prompts = match &self.prompts {
            Some(name) => PromptEnsemble::parse(name)?,
            None => d.prompts,
        };
        Ok(WinClipSettings {
            scales: self.window_scales.clone().unwrap_or(d.scales),
            stride: self.window_stride.unwrap_or(d.stride),
            prompts,
            temperature: self.temperature.unwrap_or(d.temperature),
            ..d
        })
    }
}

/// Revision of a method's implementation, counted from 1 and raised when a method's results
/// change for the same settings; a sweep recomputes cells made by an older revision.
pub fn implementation_revision(name: &str) -> u32 {
    match name {
        // 2: WinCLIP's own prompt ensemble and temperature replace DictAS's.
        "winclip" => 2,
        _ => 1,
    }
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
            "fastrecon" => Method::FastRecon(s.fastrecon()),
            "winclip" => Method::WinClip(s.winclip()?),
            other => bail!("unknown method '{other}': expected one of {}", KNOWN_METHODS.join(", ")),
        })
    }

    /// Whether the method needs the images themselves (not only cached tokens).
    pub fn needs_images(&self) -> bool {
        matches!(self, Method::WinClip(_))
    }

    /// Per-class state of `class` from the support tokens (per layer [1, M, C]) or images
    /// [k, 3, S, S].
    pub fn prepare(
        &self,
        backbone: &Backbone,
        class: &str,
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
                    dictas_baselines::winclip_memory(&backbone.clip, &images.to_device(backbone.device()), class, settings)
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
                    dictas_baselines::winclip_maps(&backbone.clip, &images.to_device(backbone.device()), memory, settings)?
                }
                _ => bail!("method and prepared state do not match"),
            })
        })?;
        Ok(maps.to_device(Device::Cpu).to_kind(Kind::Float))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_of_another_method_and_bad_values_are_reported() {
        let settings = MethodSettings {
            lambda: Some(0.1),
            prompts: Some("coop".into()),
            temperature: Some(0.0),
            window_stride: Some(0),
            ..MethodSettings::default()
        };
        let problems = settings.problems("winclip").join("\n");
        assert!(problems.contains("setting `lambda` applies only to method fastrecon"), "{problems}");
        assert!(problems.contains("unknown WinCLIP prompt ensemble 'coop'"), "{problems}");
        assert_eq!(settings.problems("winclip").len(), 2);

        let cold = MethodSettings { temperature: Some(0.0), ..Default::default() };
        let problems = cold.problems("winclip").join("\n");
        assert!(problems.contains("method winclip: WinCLIP temperature is 0"), "{problems}");
        let no_step = MethodSettings { window_stride: Some(0), ..Default::default() };
        assert!(no_step.problems("winclip")[0].contains("window stride is 0"));
        // The same bound as the run itself: FastRecon's ridge must be positive, not only >= 0.
        let no_ridge = MethodSettings { lambda: Some(0.0), ..Default::default() };
        assert!(no_ridge.problems("fastrecon")[0].contains("FastRecon lambda is 0"));

        let fine = MethodSettings { prompts: Some("dictas".into()), temperature: Some(0.01), ..Default::default() };
        assert!(fine.problems("winclip").is_empty());
        assert_eq!(fine.problems("knn").len(), 2, "winclip settings on knn are flagged");
    }

    #[test]
    fn only_revised_methods_carry_a_revision() {
        assert_eq!(implementation_revision("winclip"), 2);
        for name in ["dictas", "knn", "fastrecon"] {
            assert_eq!(implementation_revision(name), 1);
        }
    }
}
