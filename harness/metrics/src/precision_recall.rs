//! Metrics from scikit-learn's `precision_recall_curve`: average precision (step-wise, as
//! `average_precision_score`), the best F1 over the curve with the reference's epsilon, and the
//! IoU of a thresholded prediction.

use crate::curve::{rank_scores, CurvePoint};
use crate::error::{check_same_length, require_samples, MetricsError};
use crate::score_key::{check_finite, Score};
use crate::summation::CompensatedSum;

/// Best F1 on the precision-recall curve and the score threshold where it is reached.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct F1Max<S> {
    pub f1: f64,
    /// A score of the input; the prediction behind `f1` is `score >= threshold`.
    pub threshold: S,
}

/// `sum_k (R_k - R_{k-1}) * P_k` over thresholds from the highest down, with recalls computed
/// as scikit-learn does (`tp / P`, then differenced).
#[derive(Debug, Default)]
pub(crate) struct AveragePrecision {
    sum: CompensatedSum,
    previous_recall: f64,
}

impl AveragePrecision {
    pub fn add<K>(&mut self, point: &CurvePoint<K>, positives: u64) {
        let recall = point.true_positives as f64 / positives as f64;
        let predicted = point.true_positives + point.false_positives;
        let precision = point.true_positives as f64 / predicted as f64;
        self.sum.add((recall - self.previous_recall) * precision);
        self.previous_recall = recall;
    }

    pub fn value(&self) -> f64 {
        self.sum.value()
    }
}

/// Tracks `argmax` of `2PR / (P + R + eps)` the way the reference's numpy `argmax` over the
/// ascending-threshold arrays resolves ties: the lowest threshold wins.
#[derive(Debug)]
pub(crate) struct BestF1<K> {
    eps: f64,
    best: Option<BestPoint<K>>,
    counts_above: (u64, u64),
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct BestPoint<K> {
    pub f1: f64,
    pub key: K,
    /// True and false positives strictly above the threshold: the prediction `score > key`.
    pub strictly_above: (u64, u64),
}

impl<K: Copy> BestF1<K> {
    pub fn new(eps: f64) -> Self {
        BestF1 {
            eps,
            best: None,
            counts_above: (0, 0),
        }
    }

    /// Points must arrive from the highest threshold down.
    pub fn add(&mut self, point: &CurvePoint<K>, positives: u64) {
        let recall = point.true_positives as f64 / positives as f64;
        let predicted = point.true_positives + point.false_positives;
        let precision = point.true_positives as f64 / predicted as f64;
        let f1 = (2.0 * precision * recall) / (precision + recall + self.eps);
        // A NaN (only possible with eps = 0 and P = R = 0) is not a candidate.
        let improves = match self.best {
            None => true,
            Some(best) => f1 >= best.f1,
        };
        if f1.is_finite() && improves {
            self.best = Some(BestPoint {
                f1,
                key: point.key,
                strictly_above: self.counts_above,
            });
        }
        self.counts_above = (point.true_positives, point.false_positives);
    }

    pub fn best(&self) -> Option<BestPoint<K>> {
        self.best
    }
}

fn check_eps(eps: f64) -> Result<(), MetricsError> {
    if eps.is_finite() && eps >= 0.0 {
        Ok(())
    } else {
        Err(MetricsError::InvalidParameter {
            what: "F1 epsilon".to_string(),
            reason: format!("{eps} is not a finite non-negative number"),
        })
    }
}

/// scikit-learn's `average_precision_score(labels, scores)`. Needs at least one positive.
pub fn average_precision<S: Score>(scores: &[S], labels: &[bool]) -> Result<f64, MetricsError> {
    let ranked = rank_scores(scores, labels)?;
    let ranked = ranked.view();
    let positives = ranked.positive_count();
    require_samples("average precision", "positive", positives)?;
    let mut ap = AveragePrecision::default();
    ranked.walk(|point| ap.add(&point, positives));
    Ok(ap.value())
}

/// Best `2PR / (P + R + eps)` over `precision_recall_curve(labels, scores)` and its threshold,
/// as the reference computes F1-max (eps = 1e-8 for pixels, 1e-6 for images). Among equal F1
/// values the lowest threshold is reported, like numpy's `argmax` in the reference.
pub fn f1_max<S: Score>(scores: &[S], labels: &[bool], eps: f64) -> Result<F1Max<S>, MetricsError> {
    check_eps(eps)?;
    let ranked = rank_scores(scores, labels)?;
    let ranked = ranked.view();
    let positives = ranked.positive_count();
    require_samples("F1-max", "positive", positives)?;
    let mut best = BestF1::new(eps);
    ranked.walk(|point| best.add(&point, positives));
    // With a positive sample the lowest threshold has recall 1 and a finite F1, so `None`
    // cannot happen; it is still reported rather than trusted.
    let best = best.best().ok_or(MetricsError::SingleClass {
        metric: "F1-max",
        missing: "positive",
    })?;
    Ok(F1Max {
        f1: best.f1,
        threshold: S::from_order_key(best.key),
    })
}

/// IoU between the prediction `score > threshold` (strict, as the reference) and the labels.
/// Returns 0.0 when both are empty (the reference would divide 0 by 0).
pub fn iou_at_threshold(
    scores: &[f32],
    labels: &[bool],
    threshold: f32,
) -> Result<f64, MetricsError> {
    check_same_length("labels (one per score)", scores.len(), labels.len())?;
    check_finite("scores", scores)?;
    let (mut intersection, mut union) = (0u64, 0u64);
    for (&score, &label) in scores.iter().zip(labels) {
        let predicted = score > threshold;
        intersection += u64::from(predicted && label);
        union += u64::from(predicted || label);
    }
    Ok(intersection_over_union(intersection, union))
}

pub(crate) fn intersection_over_union(intersection: u64, union: u64) -> f64 {
    if union == 0 {
        0.0
    } else {
        intersection as f64 / union as f64
    }
}
