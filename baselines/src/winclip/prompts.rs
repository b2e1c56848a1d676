//! The text side of WinCLIP's zero-shot branch: its compositional prompt ensemble and the
//! window/image text score.
//!
//! WinCLIP composes state words with templates (paper, section 4.1 and supplementary): 7
//! normal states, 4 anomalous states and 22 templates; each group's text embedding is the
//! mean of its sentences' embeddings, and a visual embedding `f` scores
//! `softmax(cos(f, [t_normal, t_anomalous]) / temperature)[anomalous]`. The temperature is not
//! given in the paper; anomalib's implementation uses CLIP's initial 0.07, which is the default
//! here. The DictAS ensemble (35 templates, per-sentence normalization) remains available for
//! ablations.

use anyhow::{bail, Result};
use tch::{Kind, Tensor};

use dictas_model::prompts::{class_text_features, compose_sentences, scaled_text_scores, NORMAL_STATES};
use dictas_model::tokenizer::tokenize;
use dictas_model::ClipModel;

/// WinCLIP's anomalous states (it has no "broken", unlike the DictAS list). Its normal states
/// are the same seven as DictAS's ([`NORMAL_STATES`]).
pub const ANOMALOUS_STATES: [&str; 4] = ["damaged {}", "{} with flaw", "{} with defect", "{} with damage"];

/// WinCLIP's template-level prompts; `{}` is a filled state.
pub const TEMPLATES: [&str; 22] = [
    "a cropped photo of the {}.",
    "a cropped photo of a {}.",
    "a close-up photo of a {}.",
    "a close-up photo of the {}.",
    "a bright photo of a {}.",
    "a bright photo of the {}.",
    "a dark photo of the {}.",
    "a dark photo of a {}.",
    "a jpeg corrupted photo of a {}.",
    "a jpeg corrupted photo of the {}.",
    "a blurry photo of the {}.",
    "a blurry photo of a {}.",
    "a photo of a {}.",
    "a photo of the {}.",
    "a photo of a small {}.",
    "a photo of the small {}.",
    "a photo of a large {}.",
    "a photo of the large {}.",
    "a photo of the {} for visual inspection.",
    "a photo of a {} for visual inspection.",
    "a photo of the {} for anomaly detection.",
    "a photo of a {} for anomaly detection.",
];

/// Which prompt ensemble builds the class text matrix of the zero-shot branch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptEnsemble {
    /// WinCLIP's own compositional ensemble (the default).
    WinClip,
    /// The DictAS ensemble, as used for DictAS's image text score.
    DictAs,
}

impl PromptEnsemble {
    pub fn parse(name: &str) -> Result<Self> {
        match name {
            "winclip" => Ok(PromptEnsemble::WinClip),
            "dictas" => Ok(PromptEnsemble::DictAs),
            other => bail!("unknown WinCLIP prompt ensemble '{other}': expected winclip or dictas"),
        }
    }
}

/// All sentences of one state group, state-major then template.
pub fn winclip_sentences(states: &[&str], class_name: &str) -> Vec<String> {
    compose_sentences(states, &TEMPLATES, class_name)
}

/// The class's text matrix `[embed_dim, 2]` (normal, anomalous), columns of unit length.
pub fn class_text_matrix(clip: &ClipModel, class_name: &str, ensemble: PromptEnsemble) -> Result<Tensor> {
    if ensemble == PromptEnsemble::DictAs {
        return class_text_features(clip, class_name);
    }
    let context = clip.config().context_length as usize;
    let mut columns = Vec::with_capacity(2);
    for states in [&NORMAL_STATES[..], &ANOMALOUS_STATES[..]] {
        let tokens = tokenize(&winclip_sentences(states, class_name), context)?;
        // WinCLIP averages the raw sentence embeddings; the final normalization only fixes
        // the column length, which the cosine in the score ignores.
        let mean = clip.f_encode_text(&tokens)?.mean_dim([0i64].as_slice(), false, Kind::Float);
        columns.push(&mean / mean.norm());
    }
    Ok(Tensor::stack(&columns, 1))
}

/// Anomaly probability of visual embeddings `[..., embed_dim]` against a unit-column text
/// matrix `[embed_dim, 2]`: `softmax(normalize(f) @ text / temperature)[1]`, shape `[...]`.
pub fn text_scores(embeddings: &Tensor, text: &Tensor, temperature: f64) -> Tensor {
    scaled_text_scores(embeddings, text, 1.0 / temperature)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ensemble_sizes_and_composition() {
        let normal = winclip_sentences(&NORMAL_STATES, "metal_nut");
        assert_eq!(normal.len(), 7 * 22);
        assert_eq!(normal[0], "a cropped photo of the metal_nut.");
        assert_eq!(normal[22 + 21], "a photo of a flawless metal_nut for anomaly detection.");
        let anomalous = winclip_sentences(&ANOMALOUS_STATES, "pcb1");
        assert_eq!(anomalous.len(), 4 * 22);
        assert_eq!(anomalous[3 * 22 + 8], "a jpeg corrupted photo of a pcb1 with damage.");
        // Every template is distinct, so no sentence is counted twice in the mean.
        let mut unique = TEMPLATES.to_vec();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), TEMPLATES.len());
    }

    #[test]
    fn text_score_is_the_tempered_softmax_of_cosines() {
        // f normalizes to (0.6, 0.8); cosines with the identity columns are (0.6, 0.8).
        let f = Tensor::from_slice(&[3.0f32, 4.0]).view([1, 2]);
        let text = Tensor::eye(2, (Kind::Float, tch::Device::Cpu));
        let score = text_scores(&f, &text, 0.07).double_value(&[0]);
        let expected = 1.0 / (1.0 + (-(0.8f64 - 0.6) / 0.07).exp());
        assert!((score - expected).abs() < 1e-6, "{score} vs {expected}");
    }

    #[test]
    fn unknown_ensemble_is_rejected_by_name() {
        assert_eq!(PromptEnsemble::parse("winclip").unwrap(), PromptEnsemble::WinClip);
        assert_eq!(PromptEnsemble::parse("dictas").unwrap(), PromptEnsemble::DictAs);
        let err = PromptEnsemble::parse("coop").unwrap_err().to_string();
        assert!(err.contains("'coop'") && err.contains("winclip or dictas"), "{err}");
    }
}
