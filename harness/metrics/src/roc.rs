//! Area under the ROC curve, equal to scikit-learn's `roc_auc_score` for binary labels.
//!
//! scikit-learn integrates the (FPR, TPR) points of all distinct thresholds with the trapezoid
//! rule (its `drop_intermediate` only removes collinear points, which leaves the area
//! unchanged). Here the same area is accumulated in integer arithmetic, so the only rounding is
//! the final division.

use crate::curve::{rank_scores, CurvePoint, RankedView};
use crate::error::{require_samples, MetricsError};
use crate::radix_sort::RadixKey;
use crate::score_key::Score;

/// Twice the area under the unnormalised ROC staircase, in units of one positive times one
/// negative.
#[derive(Debug, Default)]
pub(crate) struct RocArea {
    twice_area: u128,
    previous_true_positives: u64,
    previous_false_positives: u64,
}

impl RocArea {
    pub fn add<K>(&mut self, point: &CurvePoint<K>) {
        let width = point.false_positives - self.previous_false_positives;
        let height_sum = point.true_positives + self.previous_true_positives;
        self.twice_area += u128::from(width) * u128::from(height_sum);
        self.previous_true_positives = point.true_positives;
        self.previous_false_positives = point.false_positives;
    }

    pub fn finish(&self, positives: u64, negatives: u64) -> Result<f64, MetricsError> {
        require_samples("ROC AUC", "positive", positives)?;
        require_samples("ROC AUC", "negative", negatives)?;
        let denominator = 2u128 * u128::from(positives) * u128::from(negatives);
        Ok(self.twice_area as f64 / denominator as f64)
    }
}

fn roc_auc_of_ranked<K: RadixKey>(ranked: RankedView<'_, K>) -> Result<f64, MetricsError> {
    let mut area = RocArea::default();
    ranked.walk(|point| area.add(&point));
    area.finish(ranked.positive_count(), ranked.negative_count())
}

/// scikit-learn's `roc_auc_score(labels, scores)`. Errors when only one class is present (where
/// scikit-learn raises), on length mismatch, empty input, or a non-finite score.
pub fn roc_auc<S: Score>(scores: &[S], labels: &[bool]) -> Result<f64, MetricsError> {
    roc_auc_of_ranked(rank_scores(scores, labels)?.view())
}
