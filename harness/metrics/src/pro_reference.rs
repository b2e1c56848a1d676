//! AUPRO as the DictAS reference computes it (the number behind the paper's PRO column).
//!
//! Thresholds are numpy's `np.arange(min, max, (max - min) / 200)` over all maps of the class,
//! built as numpy 1.x builds them from float32 bounds (the step is float64, so there are 200
//! or, depending on rounding, 201 thresholds; the maximum itself is never one). A pixel is
//! predicted anomalous when `score > threshold`, the threshold rounded to float32 as numpy does
//! when comparing a float32 array with a float64 scalar. At each threshold:
//! PRO = mean over all ground-truth regions (8-connected, per image) of predicted pixels / area,
//! FPR = predicted normal pixels / normal pixels. Thresholds with FPR < 0.3 are kept, their
//! FPRs rescaled to [0, 1] by their own min and max, and the PRO integrated over the rescaled
//! FPR with the trapezoid rule (`sklearn.metrics.auc`).
//!
//! Where the reference raises or yields NaN, this returns 0.0: fewer than two thresholds kept
//! (none, or one: all others have FPR >= 0.3), kept FPRs all equal, maps that are constant
//! (numpy's step would be 0), no normal pixel, or no ground-truth region.
//! The normal-pixel count is exact; the reference sums it in float32, which only differs above
//! 2^24 pixels and then only by a factor that the min-max rescaling cancels.

use crate::error::MetricsError;
use crate::pixel_table::{MapShape, PixelTable};
use crate::score_key::Score;
use crate::summation::pairwise_sum;

/// Number of steps between the smallest and the largest score (the reference's `max_step`).
pub const REFERENCE_PRO_STEPS: u32 = 200;
/// Only thresholds whose FPR is strictly below this are integrated.
pub const PRO_FPR_LIMIT: f64 = 0.3;

/// `np.arange(min, max, (max - min) / 200)` for float32 `min` and `max` under numpy 1.x rules:
/// the length is `ceil(float32(max - min) / step)`, the values `min + i * (t1 - min)` where
/// `t1 = min + step`.
pub(crate) fn reference_thresholds(min: f32, max: f32) -> Vec<f64> {
    let span = f64::from(max - min);
    if span <= 0.0 {
        return Vec::new();
    }
    let step = span / f64::from(REFERENCE_PRO_STEPS);
    let count = (span / step).ceil() as usize;
    let start = f64::from(min);
    let second = start + step;
    let delta = second - start;
    (0..count)
        .map(|i| match i {
            0 => start,
            1 => second,
            _ => start + i as f64 * delta,
        })
        .collect()
}

/// PRO and FPR at each threshold, in threshold order.
struct ReferenceCurve {
    pros: Vec<f64>,
    fprs: Vec<f64>,
}

fn reference_curve(table: &PixelTable, thresholds: &[f64]) -> ReferenceCurve {
    let threshold_keys: Vec<u32> = thresholds.iter().map(|&t| (t as f32).order_key()).collect();
    let levels = thresholds.len() + 1;
    let normal_count = table.normal_keys.len();

    // hits[region * levels + c]: pixels of the region exceeding exactly the first c thresholds
    let mut hits = vec![0u32; table.region_count() * levels];
    let mut exceeded = 0usize;
    for &entry in &table.anomalous {
        let key = PixelTable::key_of(entry);
        while exceeded < threshold_keys.len() && threshold_keys[exceeded] < key {
            exceeded += 1;
        }
        hits[PixelTable::region_of(entry) * levels + exceeded] += 1;
    }
    // turn counts into "pixels above threshold i" per region: suffix sums over c > i
    for region in hits.chunks_mut(levels) {
        let mut above = 0u32;
        for c in (0..levels).rev() {
            let here = region[c];
            region[c] = above;
            above += here;
        }
    }

    let mut overlaps = vec![0.0f64; table.region_count()];
    let mut pros = Vec::with_capacity(thresholds.len());
    let mut fprs = Vec::with_capacity(thresholds.len());
    for (i, &threshold_key) in threshold_keys.iter().enumerate() {
        for (region, overlap) in overlaps.iter_mut().enumerate() {
            *overlap = f64::from(hits[region * levels + i]) / f64::from(table.region_areas[region]);
        }
        pros.push(pairwise_sum(&overlaps) / overlaps.len() as f64);
        let not_above = table.normal_keys.partition_point(|&k| k <= threshold_key);
        fprs.push((normal_count - not_above) as f64 / normal_count as f64);
    }
    ReferenceCurve { pros, fprs }
}

/// `sklearn.metrics.auc` of PRO over min-max rescaled FPR, for the kept thresholds.
fn rescaled_area(fprs: &[f64], pros: &[f64]) -> f64 {
    if fprs.len() < 2 {
        return 0.0;
    }
    let low = fprs.iter().copied().fold(f64::INFINITY, f64::min);
    let high = fprs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if high <= low {
        return 0.0;
    }
    let xs: Vec<f64> = fprs.iter().map(|&f| (f - low) / (high - low)).collect();
    let terms: Vec<f64> = (1..xs.len())
        .map(|k| (xs[k] - xs[k - 1]) * (pros[k] + pros[k - 1]) / 2.0)
        .collect();
    // FPR falls as the threshold rises, so x decreases and auc flips the sign
    -pairwise_sum(&terms)
}

pub(crate) fn aupro_reference_of(table: &PixelTable) -> f64 {
    if table.region_count() == 0 || table.normal_keys.is_empty() {
        return 0.0;
    }
    let thresholds = reference_thresholds(table.min_score, table.max_score);
    let curve = reference_curve(table, &thresholds);
    let (fprs, pros): (Vec<f64>, Vec<f64>) = curve
        .fprs
        .iter()
        .zip(&curve.pros)
        .filter(|(&fpr, _)| fpr < PRO_FPR_LIMIT)
        .map(|(&fpr, &pro)| (fpr, pro))
        .unzip();
    rescaled_area(&fprs, &pros)
}

/// The reference's AUPRO (`cal_pro_score`) over a class: `maps` and `masks` hold
/// `shape.images` row-major maps of `shape.height x shape.width`, one after another.
pub fn aupro_reference(maps: &[f32], masks: &[bool], shape: MapShape) -> Result<f64, MetricsError> {
    Ok(aupro_reference_of(&PixelTable::build(maps, masks, shape)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_follow_numpy_arange() {
        // python (numpy 1.26): lo, hi = np.float32(0.1234567), np.float32(0.9876543)
        //   r = np.arange(lo, hi, (hi - lo) / 200); len(r), repr(r[1]), repr(r[-1])
        //   -> 201, 0.12777768969535827, 0.9876543134450901
        let t = reference_thresholds(0.1234567, 0.9876543);
        assert_eq!(t.len(), 201);
        assert_eq!(t[0], f64::from(0.1234567f32));
        assert_eq!(t[1], 0.12777768969535827);
        assert_eq!(t[200], 0.9876543134450901);
        // python: lo, hi = np.float32(0), np.float32(1); len(np.arange(lo, hi, (hi - lo) / 200)) -> 200
        assert_eq!(reference_thresholds(0.0, 1.0).len(), 200);
        assert!(reference_thresholds(0.5, 0.5).is_empty());
    }
}
