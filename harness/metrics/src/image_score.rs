//! The reference's image-level anomaly score: a weighted sum of the min-max normalised text
//! score and the min-max normalised maximum of the smoothed anomaly map, and the per-dataset
//! weight of the text part.

use crate::error::{check_same_length, MetricsError};
use crate::score_key::check_finite;

/// Text weight used where no dataset or class rule applies (the reference's `--alpha`).
pub const DEFAULT_TEXT_WEIGHT: f64 = 0.5;

/// Added to the min-max denominators, as in the reference.
const NORMALISATION_EPS: f64 = 1e-6;

/// The reference's text weight `alpha`: 0.2 for datasets `mvtec` and `visa` (whatever the
/// class); otherwise 0 for classes `bracket_brown`, `metal1`, `metal2` and `wood`; otherwise
/// [`DEFAULT_TEXT_WEIGHT`]. Names compare exactly (case-sensitive), as in the reference.
pub fn alpha_for(dataset: &str, class: &str) -> f64 {
    alpha_with_fallback(dataset, class, DEFAULT_TEXT_WEIGHT)
}

/// [`alpha_for`] with another weight for the classes no rule covers.
pub fn alpha_with_fallback(dataset: &str, class: &str, fallback: f64) -> f64 {
    if matches!(dataset, "mvtec" | "visa") {
        0.2
    } else if matches!(class, "bracket_brown" | "metal2" | "metal1" | "wood") {
        0.0
    } else {
        fallback
    }
}

/// `alpha * t + (1 - alpha) * m` per image, where `t` is the text score and `m` the map maximum,
/// each min-max normalised over the class with `+ 1e-6` in the denominator.
///
/// Precision follows the reference under numpy 1.x: the map part is normalised and weighted in
/// float32 (the maxima are a float32 array, `max - min + 1e-6` is rounded to float32 before
/// dividing, `1 - alpha` is rounded to float32 before multiplying); the text part and the sum
/// are float64.
pub fn fuse_image_scores(
    text_scores: &[f64],
    map_maxima: &[f32],
    alpha: f64,
) -> Result<Vec<f64>, MetricsError> {
    check_same_length(
        "map maxima (one per text score)",
        text_scores.len(),
        map_maxima.len(),
    )?;
    if text_scores.is_empty() {
        return Err(MetricsError::Empty {
            what: "image scores".to_string(),
        });
    }
    check_finite("text scores", text_scores)?;
    check_finite("map maxima", map_maxima)?;
    if !alpha.is_finite() {
        return Err(MetricsError::InvalidParameter {
            what: "text weight alpha".to_string(),
            reason: format!("{alpha} is not finite"),
        });
    }
    let text_min = text_scores.iter().copied().fold(f64::INFINITY, f64::min);
    let text_max = text_scores
        .iter()
        .copied()
        .fold(f64::NEG_INFINITY, f64::max);
    let text_range = text_max - text_min + NORMALISATION_EPS;

    let map_min = map_maxima.iter().copied().fold(f32::INFINITY, f32::min);
    let map_max = map_maxima.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let map_range = (f64::from(map_max - map_min) + NORMALISATION_EPS) as f32;
    let map_weight = (1.0 - alpha) as f32;

    Ok(text_scores
        .iter()
        .zip(map_maxima)
        .map(|(&text, &map)| {
            let text_part = alpha * ((text - text_min) / text_range);
            let map_part = map_weight * ((map - map_min) / map_range);
            text_part + f64::from(map_part)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alpha_rules_follow_the_reference_order() {
        assert_eq!(alpha_for("mvtec", "wood"), 0.2);
        assert_eq!(alpha_for("visa", "pcb1"), 0.2);
        assert_eq!(alpha_for("BTAD", "wood"), 0.0);
        assert_eq!(alpha_for("BTAD", "metal1"), 0.0);
        assert_eq!(alpha_for("MPDD", "bracket_brown"), 0.0);
        assert_eq!(alpha_for("MPDD", "bracket_black"), 0.5);
        assert_eq!(alpha_for("MVTec", "bottle"), 0.5);
        assert_eq!(alpha_with_fallback("RESC", "retina", 0.7), 0.7);
    }

    #[test]
    fn fusion_matches_numpy() {
        // python (numpy 1.26):
        //   text = np.array([0.61, 0.7, 0.55, 0.9]); m = np.array([0.3, 0.45, 0.2, 0.41], np.float32)
        //   m = (m - m.min()) / (m.max() - m.min() + 1e-6); text = (text - text.min()) / (text.max() - text.min() + 1e-6)
        //   [repr(v) for v in 0.3 * text + (1 - 0.3) * m]
        // (with the map part in float64 instead, the first value would be 0.33142734621771586)
        let fused =
            fuse_image_scores(&[0.61, 0.7, 0.55, 0.9], &[0.3, 0.45, 0.2, 0.41], 0.3).unwrap();
        let expected = [
            0.3314273527987026,
            0.8285682478863059,
            0.0,
            0.8879968178016084,
        ];
        assert_eq!(fused, expected);
    }
}
