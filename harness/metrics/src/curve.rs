//! The binary classification curve behind AUROC, AP and F1-max, as scikit-learn's
//! `_binary_clf_curve` defines it: one point per distinct score, from the highest score down,
//! holding the cumulative true and false positive counts of `score >= threshold`.
//!
//! Positive and negative scores are sorted separately (as integer keys) and merged while
//! walking, so the curve is never materialised and no pass per threshold is made.

use crate::error::{check_same_length, MetricsError};
use crate::radix_sort::{radix_sort, RadixKey};
use crate::score_key::{check_finite, Score};

/// One point of the curve: predictions are `score >= key`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CurvePoint<K> {
    pub key: K,
    pub true_positives: u64,
    pub false_positives: u64,
}

/// Order keys of the positive and of the negative samples, each sorted ascending.
#[derive(Debug, Clone)]
pub(crate) struct RankedScores<K> {
    pub positives: Vec<K>,
    pub negatives: Vec<K>,
}

impl<K: RadixKey> RankedScores<K> {
    /// Ranks already-split keys.
    pub fn from_keys(mut positives: Vec<K>, mut negatives: Vec<K>) -> Self {
        rayon::join(|| radix_sort(&mut positives), || radix_sort(&mut negatives));
        RankedScores {
            positives,
            negatives,
        }
    }

    pub fn view(&self) -> RankedView<'_, K> {
        RankedView {
            positives: &self.positives,
            negatives: &self.negatives,
        }
    }
}

/// Borrowed ranked scores: ascending positive keys and ascending negative keys.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RankedView<'a, K> {
    pub positives: &'a [K],
    pub negatives: &'a [K],
}

impl<K: RadixKey> RankedView<'_, K> {
    pub fn positive_count(&self) -> u64 {
        self.positives.len() as u64
    }

    pub fn negative_count(&self) -> u64 {
        self.negatives.len() as u64
    }

    /// Visits every distinct key from the highest to the lowest.
    pub fn walk(&self, mut visit: impl FnMut(CurvePoint<K>)) {
        let (mut pos, mut neg) = (self.positives.len(), self.negatives.len());
        let (mut true_positives, mut false_positives) = (0u64, 0u64);
        while pos > 0 || neg > 0 {
            let key = match (pos, neg) {
                (0, _) => self.negatives[neg - 1],
                (_, 0) => self.positives[pos - 1],
                _ => self.positives[pos - 1].max(self.negatives[neg - 1]),
            };
            while pos > 0 && self.positives[pos - 1] == key {
                pos -= 1;
                true_positives += 1;
            }
            while neg > 0 && self.negatives[neg - 1] == key {
                neg -= 1;
                false_positives += 1;
            }
            visit(CurvePoint {
                key,
                true_positives,
                false_positives,
            });
        }
    }
}

/// Validates scores and labels and ranks them.
pub(crate) fn rank_scores<S: Score>(
    scores: &[S],
    labels: &[bool],
) -> Result<RankedScores<S::Key>, MetricsError> {
    check_same_length("labels (one per score)", scores.len(), labels.len())?;
    if scores.is_empty() {
        return Err(MetricsError::Empty {
            what: "scores".to_string(),
        });
    }
    check_finite("scores", scores)?;
    let mut positives = Vec::new();
    let mut negatives = Vec::with_capacity(scores.len());
    for (&score, &label) in scores.iter().zip(labels) {
        if label {
            positives.push(score.order_key());
        } else {
            negatives.push(score.order_key());
        }
    }
    Ok(RankedScores::from_keys(positives, negatives))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ties_form_one_point_with_cumulative_counts() {
        let scores = [0.5f32, 0.9, 0.5, 0.1, 0.9, 0.5];
        let labels = [true, false, false, true, true, true];
        let ranked = rank_scores(&scores, &labels).unwrap();
        let mut points = Vec::new();
        ranked.view().walk(|p| {
            points.push((
                f32::from_order_key(p.key),
                p.true_positives,
                p.false_positives,
            ))
        });
        assert_eq!(points, vec![(0.9, 1, 1), (0.5, 3, 2), (0.1, 4, 2)]);
    }

    #[test]
    fn rejects_mismatched_and_empty_input() {
        assert!(matches!(
            rank_scores(&[0.1f32], &[true, false]),
            Err(MetricsError::LengthMismatch { .. })
        ));
        assert!(matches!(
            rank_scores::<f32>(&[], &[]),
            Err(MetricsError::Empty { .. })
        ));
    }
}
