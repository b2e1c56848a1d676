//! Anomaly-segmentation metrics computed exactly as the DictAS reference evaluation does
//! (scikit-learn, scipy and scikit-image semantics), without a pass per threshold over the
//! pixels: scores are ranked once with a radix sort and every curve is walked in one pass.
//!
//! - ranking metrics: [`roc_auc`], [`average_precision`], [`f1_max`], [`iou_at_threshold`]
//! - region overlap: [`aupro_reference`] (the reference's variant) and [`aupro_mvtec`]
//!   (the official MVTec AD AU-PRO), over 8-connected regions from [`label_regions`]
//! - smoothing: [`gaussian_filter_2d`] (`scipy.ndimage.gaussian_filter`)
//! - image score: [`fuse_image_scores`], [`alpha_for`]
//! - a whole class: [`evaluate_class`], [`evaluate_classes`], [`mean`]
//!
//! All metrics are fractions in [0, 1]. Rounding follows the reference's numpy 1.x behaviour
//! where it can change a result (float32 thresholds, float32 image-score normalisation);
//! sums are exact (integer counts) or compensated, so values agree with the reference to about
//! 1e-12. Where the reference raises on a degenerate class (a single label class) an error is
//! returned; where it would produce NaN in AUPRO, 0.0 is returned (see each function).

mod class_eval;
mod curve;
mod error;
mod gaussian;
mod image_score;
mod labeling;
mod pixel_table;
mod precision_recall;
mod pro_mvtec;
mod pro_reference;
mod radix_sort;
mod ranking_summary;
mod roc;
mod score_key;
mod summation;

pub use class_eval::{
    evaluate_class, evaluate_classes, mean, ClassInput, ClassMetrics, MetricValues, IMAGE_F1_EPS,
    PIXEL_F1_EPS,
};
pub use error::MetricsError;
pub use gaussian::{gaussian_filter_2d, gaussian_kernel_1d, SCIPY_TRUNCATE};
pub use image_score::{alpha_for, alpha_with_fallback, fuse_image_scores, DEFAULT_TEXT_WEIGHT};
pub use labeling::{label_regions, RegionLabels};
pub use pixel_table::MapShape;
pub use precision_recall::{average_precision, f1_max, iou_at_threshold, F1Max};
pub use pro_mvtec::{aupro_mvtec, MVTEC_PRO_INTEGRATION_LIMIT};
pub use pro_reference::{aupro_reference, PRO_FPR_LIMIT, REFERENCE_PRO_STEPS};
pub use roc::roc_auc;
pub use score_key::Score;
pub use summation::pairwise_sum;
