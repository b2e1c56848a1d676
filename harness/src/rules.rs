//! The reference's per-dataset test rules ("best segmentation" mode), with user overrides.
//!
//! The reference chooses feature layers, window scales, the Gaussian sigma and the image-score
//! fusion weight from the dataset (and, for `screw`, from k). The defaults here reproduce it;
//! every field can be overridden from the command line or an experiment spec.

use anyhow::{bail, Result};
use serde::{Deserialize, Serialize};

/// Datasets whose rules the reference defines.
pub const KNOWN_DATASETS: &[&str] = &["mvtec", "visa", "MPDD", "BTAD", "mvtec3D", "RESC", "BrasTS"];

/// Settings that decide how one class is scored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassRule {
    /// 1-based transformer block indices whose patch tokens are used.
    pub layers: Vec<i64>,
    /// Window sizes for neighbourhood averaging of the token grid (1 = none).
    pub scales: Vec<i64>,
    /// Gaussian sigma applied to the maps before the metrics.
    pub sigma: f64,
    /// Weight of the text score in the fused image score.
    pub alpha: f64,
    /// Whether each support image is joined by 9 rotated copies (reference rule for `screw`).
    pub rotate_supports: bool,
}

/// Optional replacements for the dataset defaults.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleOverrides {
    #[serde(default)]
    pub layers: Option<Vec<i64>>,
    #[serde(default)]
    pub scales: Option<Vec<i64>>,
    #[serde(default)]
    pub sigma: Option<f64>,
    #[serde(default)]
    pub alpha: Option<f64>,
    #[serde(default)]
    pub rotate_supports: Option<bool>,
}

/// Checks that `dataset` is one whose rules are known; the message lists the valid names.
pub fn check_dataset(dataset: &str) -> Result<()> {
    if KNOWN_DATASETS.contains(&dataset) {
        Ok(())
    } else {
        bail!("unknown dataset rules '{dataset}': expected one of {}", KNOWN_DATASETS.join(", "))
    }
}

/// The rule the reference applies to `class` of `dataset` at `k_shot`, then the overrides.
pub fn class_rule(dataset: &str, class: &str, k_shot: usize, overrides: &RuleOverrides) -> Result<ClassRule> {
    check_dataset(dataset)?;
    let all_layers = vec![6, 12, 18, 24];
    let mut layers = if matches!(dataset, "mvtec" | "BTAD") { vec![6, 12] } else { all_layers.clone() };
    if class == "screw" && k_shot > 4 {
        layers = all_layers;
    }
    let scales = if matches!(dataset, "mvtec3D" | "MPDD" | "BTAD") { vec![1] } else { vec![1, 3] };
    let rule = ClassRule {
        layers: overrides.layers.clone().unwrap_or(layers),
        scales: overrides.scales.clone().unwrap_or(scales),
        sigma: overrides.sigma.unwrap_or(6.0),
        alpha: overrides.alpha.unwrap_or_else(|| dictas_metrics::alpha_for(dataset, class)),
        rotate_supports: overrides.rotate_supports.unwrap_or(class == "screw" && k_shot <= 4),
    };
    validate(&rule)?;
    Ok(rule)
}

fn validate(rule: &ClassRule) -> Result<()> {
    if rule.layers.is_empty() || rule.layers.iter().any(|&l| l < 1) {
        bail!("layers must be a non-empty list of 1-based block indices, got {:?}", rule.layers);
    }
    if rule.scales.is_empty() || rule.scales.iter().any(|&s| s < 1) {
        bail!("scales must be a non-empty list of window sizes >= 1, got {:?}", rule.scales);
    }
    if rule.sigma.is_nan() || rule.sigma < 0.0 {
        bail!("sigma must be >= 0, got {}", rule.sigma);
    }
    if !(0.0..=1.0).contains(&rule.alpha) {
        bail!("alpha must lie in [0, 1], got {}", rule.alpha);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_table() {
        let none = RuleOverrides::default();
        let r = class_rule("mvtec", "bottle", 2, &none).unwrap();
        assert_eq!((r.layers, r.scales, r.sigma, r.alpha), (vec![6, 12], vec![1, 3], 6.0, 0.2));
        let r = class_rule("BTAD", "metal1", 4, &none).unwrap();
        assert_eq!((r.layers, r.scales, r.alpha), (vec![6, 12], vec![1], 0.0));
        let r = class_rule("visa", "pcb1", 1, &none).unwrap();
        assert_eq!((r.layers, r.scales, r.alpha), (vec![6, 12, 18, 24], vec![1, 3], 0.2));
        let r = class_rule("MPDD", "bracket_black", 1, &none).unwrap();
        assert_eq!((r.layers, r.scales, r.alpha), (vec![6, 12, 18, 24], vec![1], 0.5));
        let r = class_rule("MPDD", "bracket_brown", 1, &none).unwrap();
        assert_eq!(r.alpha, 0.0);
    }

    #[test]
    fn screw_rule_depends_on_k() {
        let none = RuleOverrides::default();
        let r = class_rule("mvtec", "screw", 4, &none).unwrap();
        assert!(r.rotate_supports);
        assert_eq!(r.layers, vec![6, 12]);
        let r = class_rule("mvtec", "screw", 8, &none).unwrap();
        assert!(!r.rotate_supports);
        assert_eq!(r.layers, vec![6, 12, 18, 24]);
    }

    #[test]
    fn overrides_and_errors() {
        let o = RuleOverrides { layers: Some(vec![3]), sigma: Some(4.0), ..Default::default() };
        let r = class_rule("RESC", "retina", 1, &o).unwrap();
        assert_eq!((r.layers, r.sigma), (vec![3], 4.0));
        let err = class_rule("cifar", "cat", 1, &RuleOverrides::default()).unwrap_err().to_string();
        assert!(err.contains("unknown dataset rules 'cifar'") && err.contains("mvtec"), "{err}");
        let bad = RuleOverrides { alpha: Some(2.0), ..Default::default() };
        assert!(class_rule("mvtec", "bottle", 1, &bad).is_err());
    }
}
