//! torchvision's `ToTensor` + `Normalize`: 8-bit HWC RGB to normalized f32 CHW.

use image::RgbImage;

/// CLIP's per-channel normalization mean (RGB).
pub const CLIP_MEAN: [f32; 3] = [0.481_454_66, 0.457_827_5, 0.408_210_73];
/// CLIP's per-channel normalization standard deviation (RGB).
// The published decimals, kept verbatim; they round to the same f32 values torch uses.
#[allow(clippy::excessive_precision)]
pub const CLIP_STD: [f32; 3] = [0.268_629_54, 0.261_302_58, 0.275_777_11];

/// `(pixel / 255 - mean[c]) / std[c]` per channel, channel-major (`[3, h, w]` flattened),
/// each step in f32 like torchvision's tensor operations.
pub fn to_chw_normalized(img: &RgbImage, mean: [f32; 3], std: [f32; 3]) -> Vec<f32> {
    let plane = img.width() as usize * img.height() as usize;
    let mut out = vec![0f32; 3 * plane];
    for (index, pixel) in img.pixels().enumerate() {
        for channel in 0..3 {
            let unit = f32::from(pixel[channel]) / 255.0;
            out[channel * plane + index] = (unit - mean[channel]) / std[channel];
        }
    }
    out
}
