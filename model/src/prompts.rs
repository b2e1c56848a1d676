//! The reference's text prompt ensemble and the image-level text score.

use anyhow::Result;
use tch::{Kind, Tensor};

use crate::clip::ClipModel;
use crate::tokenizer::tokenize;

/// States of a normal object; `{}` is the class name.
pub const NORMAL_STATES: [&str; 7] = [
    "{}",
    "flawless {}",
    "perfect {}",
    "unblemished {}",
    "{} without flaw",
    "{} without defect",
    "{} without damage",
];

/// States of an anomalous object.
pub const ABNORMAL_STATES: [&str; 5] =
    ["damaged {}", "broken {}", "{} with flaw", "{} with defect", "{} with damage"];

/// Sentence templates; `{}` is a filled state. The backslash in `a jpeg \ photo` is literal.
pub const TEMPLATES: [&str; 35] = [
    "a bad photo of a {}.",
    "a low resolution photo of the {}.",
    "a bad photo of the {}.",
    "a cropped photo of the {}.",
    "a bright photo of a {}.",
    "a dark photo of the {}.",
    "a photo of my {}.",
    "a photo of the cool {}.",
    "a close-up photo of a {}.",
    "a black and white photo of the {}.",
    "a bright photo of the {}.",
    "a cropped photo of a {}.",
    "a jpeg corrupted photo of a {}.",
    "a blurry photo of the {}.",
    "a photo of the {}.",
    "a good photo of the {}.",
    "a photo of one {}.",
    "a close-up photo of the {}.",
    "a photo of a {}.",
    "a low resolution photo of a {}.",
    "a photo of a large {}.",
    "a blurry photo of a {}.",
    r"a jpeg \ photo of the {}.",
    "a good photo of a {}.",
    "a photo of the small {}.",
    "a photo of the large {}.",
    "a black and white photo of a {}.",
    "a dark photo of a {}.",
    "a photo of a cool {}.",
    "a photo of a small {}.",
    "there is a {} in the scene.",
    "there is the {} in the scene.",
    "this is a {} in the scene.",
    "this is the {} in the scene.",
    "this is one {} in the scene.",
];

/// All sentences of one state group, state-major then template, as the reference orders them.
pub fn sentences(states: &[&str], class_name: &str) -> Vec<String> {
    compose_sentences(states, &TEMPLATES, class_name)
}

/// Every state (with `{}` filled by the class name) put into every template, state-major.
pub fn compose_sentences(states: &[&str], templates: &[&str], class_name: &str) -> Vec<String> {
    states
        .iter()
        .flat_map(|state| {
            let filled = state.replacen("{}", class_name, 1);
            templates.iter().map(move |t| t.replacen("{}", &filled, 1))
        })
        .collect()
}

/// The class's text matrix `[embed_dim, 2]` (column 0 normal, column 1 abnormal). Per group:
/// L2-normalize each sentence embedding, average, L2-normalize again. The class name is used
/// as written (underscores kept).
pub fn class_text_features(clip: &ClipModel, class_name: &str) -> Result<Tensor> {
    let context = clip.config().context_length as usize;
    let mut columns = Vec::with_capacity(2);
    for states in [&NORMAL_STATES[..], &ABNORMAL_STATES[..]] {
        let tokens = tokenize(&sentences(states, class_name), context)?;
        let embeddings = clip.f_encode_text(&tokens)?;
        let embeddings = &embeddings / embeddings.norm_scalaropt_dim(2, [-1], true);
        let mean = embeddings.mean_dim([0i64].as_slice(), false, Kind::Float);
        columns.push(&mean / mean.norm());
    }
    Ok(Tensor::stack(&columns, 1))
}

/// Image text score of the reference: `softmax(100 * normalize(global) @ text)[abnormal]`, for
/// global features `[B, embed_dim]` and a text matrix `[embed_dim, 2]`; returns `[B]`.
pub fn text_anomaly_scores(global: &Tensor, text: &Tensor) -> Tensor {
    scaled_text_scores(global, text, 100.0)
}

/// `softmax(logit_scale * normalize(f) @ text)[abnormal]` for embeddings `[..., embed_dim]`
/// and a unit-column text matrix `[embed_dim, 2]`; returns `[...]`. `logit_scale` is the
/// inverse softmax temperature.
pub fn scaled_text_scores(embeddings: &Tensor, text: &Tensor, logit_scale: f64) -> Tensor {
    let normalized = embeddings / embeddings.norm_scalaropt_dim(2, [-1], true);
    let probabilities = (normalized * logit_scale).matmul(text).softmax(-1, Kind::Float);
    probabilities.select(-1, 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ensemble_has_the_reference_size_and_order() {
        let normal = sentences(&NORMAL_STATES, "metal_nut");
        assert_eq!(normal.len(), 7 * 35);
        assert_eq!(normal[0], "a bad photo of a metal_nut.");
        assert_eq!(normal[35 + 22], r"a jpeg \ photo of the flawless metal_nut.");
        assert_eq!(normal[6 * 35 + 34], "this is one metal_nut without damage in the scene.");
        let abnormal = sentences(&ABNORMAL_STATES, "pcb1");
        assert_eq!(abnormal.len(), 5 * 35);
        assert_eq!(abnormal[2 * 35 + 1], "a low resolution photo of the pcb1 with flaw.");
    }

    #[test]
    fn text_score_is_the_abnormal_softmax_probability() {
        // global [1, 2] normalizes to (0.6, 0.8); logits 100 * (0.6, 0.8) @ I = (60, 80).
        let global = Tensor::from_slice(&[3.0f32, 4.0]).view([1, 2]);
        let text = Tensor::eye(2, (Kind::Float, tch::Device::Cpu));
        let score = text_anomaly_scores(&global, &text).double_value(&[0]);
        let expected = 1.0 / (1.0 + (-20.0f64).exp());
        assert!((score - expected).abs() < 1e-6, "{score}");
    }
}
