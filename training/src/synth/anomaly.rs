//! The synthetic anomaly of the reference's `augment_image`: at 512 x 512, a Perlin-noise
//! region (threshold 0.5) is filled with an augmented DTD texture, blended with the image by a
//! factor beta ~ U(0, 0.8); the mask is that region joined with the image's own mask.

use image::{GrayImage, RgbImage};

use super::cv2_resize::{cv2_resize_gray, cv2_resize_rgb, Cv2Interpolation};
use super::geometry::rotate_plane_bilinear;
use super::perlin::perlin_noise;
use super::texture::augment_texture;
use crate::rng::SampleRng;

/// Side of the synthesis canvas (the reference's `resize_shape`).
pub const CANVAS: u32 = 512;
/// Perlin values above this are anomalous.
pub const PERLIN_THRESHOLD: f32 = 0.5;
/// beta = U(0, 1) * this.
pub const MAX_BETA: f64 = 0.8;
/// Rotation range of the noise (`iaa.Affine(rotate=(-90, 90))`).
pub const NOISE_ROTATION: f64 = 90.0;

/// Result of one synthesis: image and mask (0/255) at canvas size.
pub struct Anomalous {
    pub image: RgbImage,
    pub mask: GrayImage,
    /// Whether the final mask has any foreground pixel.
    pub anomaly: bool,
}

/// The reference's anomaly region: Perlin noise with 2 or 4 lattice cells per axis, rotated,
/// thresholded. Returns a `canvas x canvas` row-major boolean map (`canvas` a multiple of 4).
pub fn perlin_region(canvas: u32, rng: &mut SampleRng) -> Vec<bool> {
    let side = canvas as usize;
    // torch.randint(1, 3) -> 1 or 2 -> 2 or 4 cells.
    let cells_x = 1usize << (1 + rng.below(2));
    let cells_y = 1usize << (1 + rng.below(2));
    let noise = perlin_noise(side, side, (cells_x, cells_y), rng);
    let angle = rng.range(-NOISE_ROTATION, NOISE_ROTATION);
    let rotated = rotate_plane_bilinear(&noise, side, side, angle, 0.0);
    rotated.into_iter().map(|v| v > PERLIN_THRESHOLD).collect()
}

/// Blends `texture` into `image` on `region` with factor `beta`, in the reference's order of
/// operations: values in [0, 1], `image (1 - m) + (1 - beta) texture m + beta image m`, then
/// `m * that + (1 - m) * image`, back to 8 bits by truncation (`np.uint8(x * 255)`).
pub fn paste(image: &RgbImage, texture: &RgbImage, region: &[bool], beta: f64) -> RgbImage {
    let mut out = image.clone();
    for ((p, t), &inside) in out.pixels_mut().zip(texture.pixels()).zip(region) {
        let m = if inside { 1.0 } else { 0.0 };
        for c in 0..3 {
            let img = f64::from(p[c]) / 255.0;
            // The texture term is float32 in the reference.
            let tex = f64::from(f32::from(t[c]) * m as f32 / 255.0);
            let blended = (img * (1.0 - m) + (1.0 - beta) * tex + beta * img * m) as f32;
            let v = m * f64::from(blended) + (1.0 - m) * img;
            p[c] = (v * 255.0) as u8;
        }
    }
    out
}

/// The 8-bit value an untouched pixel ends with after the reference's float round trip
/// (`np.uint8(x / 255 * 255)`, which can lose one level).
pub fn round_trip(v: u8) -> u8 {
    ((f64::from(v) / 255.0) * 255.0) as u8
}

/// Synthesizes an anomaly on `image` (any size) with mask `mask` using `texture` (any size),
/// on a `canvas x canvas` canvas ([`CANVAS`] in the recipe).
pub fn synthesize_anomaly(image: &RgbImage, mask: &GrayImage, texture: &RgbImage, canvas: u32, rng: &mut SampleRng) -> Anomalous {
    let image = cv2_resize_rgb(image, canvas, canvas, Cv2Interpolation::Cubic);
    let mask = cv2_resize_gray(mask, canvas, canvas, Cv2Interpolation::Nearest);
    let texture = cv2_resize_rgb(texture, canvas, canvas, Cv2Interpolation::Linear);
    let texture = augment_texture(&texture, rng);
    let region = perlin_region(canvas, rng);
    let beta = rng.uniform() * MAX_BETA;
    let pasted = paste(&image, &texture, &region, beta);
    let mut out_mask = mask;
    for (m, &inside) in out_mask.pixels_mut().zip(&region) {
        m[0] = if inside || m[0] != 0 { 255 } else { 0 };
    }
    let anomaly = out_mask.pixels().any(|m| m[0] != 0);
    Anomalous { image: pasted, mask: out_mask, anomaly }
}
