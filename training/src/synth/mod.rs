//! Training sample synthesis (SPEC section 5, the reference's `train_self` dataset): a normal
//! image becomes a query (with a synthetic anomaly with probability 0.3) and its paired
//! support (an augmented copy with probability 0.9).

pub mod anomaly;
pub mod cv2_resize;
pub mod geometry;
pub mod perlin;
pub mod support;
pub mod texture;

use dictas_imageops::{pil_resize_gray, pil_resize_rgb, Filter};
use image::{GrayImage, RgbImage};

use crate::rng::SampleRng;
use support::{augment_support, SupportAugmentation};

/// Side every training image is first resized to (PIL bicubic; masks nearest).
pub const BASE_SIZE: u32 = 1024;

/// Probabilities of the synthesis.
#[derive(Debug, Clone, Copy)]
pub struct SynthesisSettings {
    /// Probability that the support is an augmented copy (else the image itself).
    pub support_augment_p: f64,
    /// Probability that the query gets a synthetic anomaly.
    pub anomaly_p: f64,
    pub support: SupportAugmentation,
    /// Side images are first resized to ([`BASE_SIZE`] in the recipe).
    pub base_size: u32,
    /// Side of the anomaly synthesis canvas ([`anomaly::CANVAS`] in the recipe; a multiple of 4).
    pub canvas: u32,
}

impl Default for SynthesisSettings {
    fn default() -> Self {
        SynthesisSettings {
            support_augment_p: 0.9,
            anomaly_p: 0.3,
            support: SupportAugmentation::default(),
            base_size: BASE_SIZE,
            canvas: anomaly::CANVAS,
        }
    }
}

/// One synthesized training pair, before the model's resize and normalization.
pub struct SynthesizedPair {
    pub query: RgbImage,
    /// 0/255 mask of the query.
    pub query_mask: GrayImage,
    pub support: RgbImage,
    pub support_mask: GrayImage,
    /// Query label: the meta file's flag, or whether the synthetic mask is non-empty.
    pub anomaly: bool,
    /// Whether the support is an augmented copy.
    pub support_augmented: bool,
    /// Whether an anomaly was synthesized onto the query.
    pub synthesized: bool,
}

/// Builds a pair from a training image, its 0/255 mask and label. `texture` is called only
/// when an anomaly is synthesized, with the texture index drawn uniformly from
/// `0..texture_count`, so images are read only when needed.
pub fn synthesize_pair(
    image: &RgbImage,
    mask: &GrayImage,
    anomaly: bool,
    texture_count: usize,
    texture: &dyn Fn(usize) -> anyhow::Result<RgbImage>,
    settings: &SynthesisSettings,
    rng: &mut SampleRng,
) -> anyhow::Result<SynthesizedPair> {
    let side = settings.base_size;
    let base = pil_resize_rgb(image, side, side, Filter::Bicubic);
    let base_mask = pil_resize_gray(mask, side, side, Filter::Nearest);

    let support_augmented = rng.chance(settings.support_augment_p);
    let (support, support_mask) = if support_augmented {
        augment_support(&base, &base_mask, &settings.support, rng)
    } else {
        (base.clone(), base_mask.clone())
    };

    let synthesized = rng.chance(settings.anomaly_p);
    let (query, query_mask, anomaly) = if synthesized {
        anyhow::ensure!(texture_count > 0, "an anomaly is to be synthesized but the texture folder holds no .jpg image");
        let index = rng.below(texture_count as u64) as usize;
        let out = anomaly::synthesize_anomaly(&base, &base_mask, &texture(index)?, settings.canvas, rng);
        (out.image, out.mask, out.anomaly)
    } else {
        (base, base_mask, anomaly)
    };
    Ok(SynthesizedPair { query, query_mask, support, support_mask, anomaly, support_augmented, synthesized })
}
