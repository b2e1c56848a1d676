//! All curve-based metrics of one score set in a single walk over the ranked scores: what a
//! class evaluation needs for its pixels (AUROC, AP, F1-max, its threshold, IoU) and images.

use crate::curve::RankedView;
use crate::error::{require_samples, MetricsError};
use crate::precision_recall::{intersection_over_union, AveragePrecision, BestF1};
use crate::radix_sort::RadixKey;
use crate::roc::RocArea;

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct RankingSummary<K> {
    pub auroc: f64,
    pub average_precision: f64,
    pub f1: f64,
    pub f1_threshold_key: K,
    /// IoU of `score > F1 threshold` against the labels.
    pub iou_at_f1_threshold: f64,
}

pub(crate) fn summarize<K: RadixKey>(
    ranked: RankedView<'_, K>,
    f1_eps: f64,
) -> Result<RankingSummary<K>, MetricsError> {
    let positives = ranked.positive_count();
    require_samples("ranking metrics", "positive", positives)?;
    require_samples("ranking metrics", "negative", ranked.negative_count())?;
    let mut roc = RocArea::default();
    let mut ap = AveragePrecision::default();
    let mut f1 = BestF1::new(f1_eps);
    ranked.walk(|point| {
        roc.add(&point);
        ap.add(&point, positives);
        f1.add(&point, positives);
    });
    let best = f1.best().ok_or(MetricsError::SingleClass {
        metric: "F1-max",
        missing: "positive",
    })?;
    let (intersection, false_positives_above) = best.strictly_above;
    Ok(RankingSummary {
        auroc: roc.finish(positives, ranked.negative_count())?,
        average_precision: ap.value(),
        f1: best.f1,
        f1_threshold_key: best.key,
        // union of `score > t` and the positives = positives + false positives above t
        iou_at_f1_threshold: intersection_over_union(
            intersection,
            positives + false_positives_above,
        ),
    })
}
