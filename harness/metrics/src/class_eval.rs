//! Evaluation of one class as the reference's `calcuate_metric_pixel` does it: smooth every
//! map, fuse the image scores, then the pixel metrics over all pixels of the class and the
//! image metrics over its images.

use rayon::prelude::*;

use crate::curve::rank_scores;
use crate::error::{check_same_length, MetricsError};
use crate::gaussian::gaussian_filter_2d;
use crate::image_score::fuse_image_scores;
use crate::pixel_table::{MapShape, PixelTable};
use crate::pro_mvtec::aupro_mvtec_of;
use crate::pro_reference::aupro_reference_of;
use crate::ranking_summary::summarize;
use crate::score_key::Score;
use crate::summation::pairwise_sum;

/// Epsilon in the pixel F1 denominator `P + R + eps`.
pub const PIXEL_F1_EPS: f64 = 1e-8;
/// Epsilon in the image F1 denominator `P + R + eps`.
pub const IMAGE_F1_EPS: f64 = 1e-6;

/// Everything the evaluation of one class needs, one entry per test image in every vector.
#[derive(Debug, Clone, PartialEq)]
pub struct ClassInput {
    pub class: String,
    pub height: usize,
    pub width: usize,
    /// Raw (unsmoothed) anomaly maps, row-major `height * width` each.
    pub maps: Vec<Vec<f32>>,
    /// Binary ground truth, row-major `height * width` each (all `false` for normal images).
    pub masks: Vec<Vec<bool>>,
    /// `true` for anomalous images.
    pub labels: Vec<bool>,
    /// Text-based anomaly probability of each image.
    pub text_scores: Vec<f64>,
    /// Gaussian sigma for the maps (scipy semantics; not above 1e-15 means no smoothing).
    pub sigma: f64,
    /// Weight of the text score in the image score (see `alpha_for`).
    pub alpha: f64,
}

/// The reference's metrics of a class, as fractions in [0, 1] (the reference prints percent).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct MetricValues {
    pub auroc_px: f64,
    /// The reference's AUPRO variant (200 thresholds, rescaled FPR); the paper's PRO column.
    pub aupro_px: f64,
    /// The official MVTec AD AU-PRO (exact curve, integrated to FPR 0.3, divided by 0.3).
    pub aupro_px_mvtec: f64,
    pub ap_px: f64,
    pub f1_px: f64,
    /// Smoothed-map score at which `f1_px` is reached (a float32 value, widened).
    pub f1_px_threshold: f64,
    /// IoU of `smoothed map > f1_px_threshold` against the ground truth.
    pub iou_px: f64,
    /// Image AUROC; 0 when the class has no normal image (as the reference reports it).
    pub auroc_sp: f64,
    /// Image AP; 0 when the class has no normal image.
    pub ap_sp: f64,
    /// Image F1-max; 0 when the class has no normal image.
    pub f1_sp: f64,
}

impl MetricValues {
    /// Field-wise mean as numpy's `np.mean` over the per-class list (the reference's "mean"
    /// row); `None` for no input.
    pub fn mean(values: &[MetricValues]) -> Option<MetricValues> {
        if values.is_empty() {
            return None;
        }
        let average = |field: fn(&MetricValues) -> f64| {
            let column: Vec<f64> = values.iter().map(field).collect();
            pairwise_sum(&column) / column.len() as f64
        };
        Some(MetricValues {
            auroc_px: average(|v| v.auroc_px),
            aupro_px: average(|v| v.aupro_px),
            aupro_px_mvtec: average(|v| v.aupro_px_mvtec),
            ap_px: average(|v| v.ap_px),
            f1_px: average(|v| v.f1_px),
            f1_px_threshold: average(|v| v.f1_px_threshold),
            iou_px: average(|v| v.iou_px),
            auroc_sp: average(|v| v.auroc_sp),
            ap_sp: average(|v| v.ap_sp),
            f1_sp: average(|v| v.f1_sp),
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ClassMetrics {
    pub class: String,
    pub values: MetricValues,
    /// Fused image score of each image, in input order.
    pub image_scores: Vec<f64>,
    /// False when the class has no normal image, so the image metrics are reported as 0.
    pub image_metrics_defined: bool,
}

/// Mean of the metric values over classes (see [`MetricValues::mean`]).
pub fn mean(classes: &[ClassMetrics]) -> Option<MetricValues> {
    let values: Vec<MetricValues> = classes.iter().map(|c| c.values).collect();
    MetricValues::mean(&values)
}

fn validate(input: &ClassInput) -> Result<MapShape, MetricsError> {
    let images = input.maps.len();
    if images == 0 {
        return Err(MetricsError::Empty {
            what: "anomaly maps".to_string(),
        });
    }
    check_same_length(
        "ground-truth masks (one per map)",
        images,
        input.masks.len(),
    )?;
    check_same_length("image labels (one per map)", images, input.labels.len())?;
    check_same_length("text scores (one per map)", images, input.text_scores.len())?;
    let pixels = input.height * input.width;
    for (index, (map, mask)) in input.maps.iter().zip(&input.masks).enumerate() {
        check_same_length(
            &format!("anomaly map {index} (height * width)"),
            pixels,
            map.len(),
        )?;
        check_same_length(
            &format!("ground-truth mask {index} (height * width)"),
            pixels,
            mask.len(),
        )?;
    }
    Ok(MapShape {
        images,
        height: input.height,
        width: input.width,
    })
}

/// All maps smoothed, stored one after another.
fn smooth_all(input: &ClassInput, shape: MapShape) -> Result<Vec<f32>, MetricsError> {
    let mut smoothed = vec![0.0f32; shape.total_pixels()];
    smoothed
        .par_chunks_mut(shape.pixels_per_image())
        .zip(input.maps.par_iter())
        .try_for_each(|(out, map)| {
            out.copy_from_slice(&gaussian_filter_2d(
                map,
                shape.height,
                shape.width,
                input.sigma,
            )?);
            Ok(())
        })?;
    Ok(smoothed)
}

fn evaluate_unnamed(input: &ClassInput) -> Result<ClassMetrics, MetricsError> {
    let shape = validate(input)?;
    let smoothed = smooth_all(input, shape)?;
    let map_maxima: Vec<f32> = smoothed
        .chunks(shape.pixels_per_image())
        .map(|map| map.iter().copied().fold(f32::NEG_INFINITY, f32::max))
        .collect();
    let masks: Vec<bool> = input.masks.concat();
    let table = PixelTable::build(&smoothed, &masks, shape)?;
    drop((smoothed, masks));

    let pixel = summarize(table.ranked(), PIXEL_F1_EPS)?;
    let (aupro_px, aupro_px_mvtec) =
        rayon::join(|| aupro_reference_of(&table), || aupro_mvtec_of(&table));

    let image_scores = fuse_image_scores(&input.text_scores, &map_maxima, input.alpha)?;
    let image_metrics_defined = input.labels.iter().any(|&anomalous| !anomalous);
    let (auroc_sp, ap_sp, f1_sp) = if image_metrics_defined {
        let image = summarize(
            rank_scores(&image_scores, &input.labels)?.view(),
            IMAGE_F1_EPS,
        )?;
        (image.auroc, image.average_precision, image.f1)
    } else {
        (0.0, 0.0, 0.0)
    };

    Ok(ClassMetrics {
        class: input.class.clone(),
        values: MetricValues {
            auroc_px: pixel.auroc,
            aupro_px,
            aupro_px_mvtec,
            ap_px: pixel.average_precision,
            f1_px: pixel.f1,
            f1_px_threshold: f64::from(f32::from_order_key(pixel.f1_threshold_key)),
            iou_px: pixel.iou_at_f1_threshold,
            auroc_sp,
            ap_sp,
            f1_sp,
        },
        image_scores,
        image_metrics_defined,
    })
}

/// Evaluates one class. Errors (naming the class) on inconsistent lengths, non-finite values,
/// or a class without anomalous pixels or images, where the reference raises.
pub fn evaluate_class(input: &ClassInput) -> Result<ClassMetrics, MetricsError> {
    evaluate_unnamed(input).map_err(|e| e.in_class(&input.class))
}

/// Evaluates classes in parallel; the result keeps the input order. The first failing class
/// fails the whole call.
pub fn evaluate_classes(inputs: &[ClassInput]) -> Result<Vec<ClassMetrics>, MetricsError> {
    inputs.par_iter().map(evaluate_class).collect()
}
