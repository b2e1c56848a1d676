//! Image and mask preprocessing as the reference's test pipeline (PIL resizing, torchvision
//! `ToTensor` + `Normalize` with CLIP statistics), and the rotated supports of the screw rule.

use std::path::Path;

use anyhow::{Context, Result};
use dictas_imageops::{cv2_rotate_rgb, pil_resize_gray, pil_resize_rgb, to_chw_normalized, Filter, CLIP_MEAN, CLIP_STD};
use image::{DynamicImage, GrayImage, RgbImage};
use tch::Tensor;

/// Angles (degrees) of the rotated copies added to each screw support image.
pub const SUPPORT_ROTATIONS: [f64; 9] = [-180.0, -135.0, -90.0, -45.0, 0.0, 45.0, 90.0, 135.0, 180.0];

/// Opens an image as the model input `[3, size, size]`: RGB, PIL bicubic resize (skipped when
/// already `size x size`, where PIL returns a copy), `[0, 1]`, CLIP-normalized.
pub fn load_image(path: &Path, size: u32) -> Result<Tensor> {
    let img = image::open(path).with_context(|| format!("reading image {}", path.display()))?;
    Ok(image_to_tensor(&img.to_rgb8(), size))
}

/// The same as [`load_image`] for an image already in memory (e.g. a rotated support).
pub fn image_to_tensor(img: &RgbImage, size: u32) -> Tensor {
    let resized;
    let img = if img.dimensions() == (size, size) {
        img
    } else {
        resized = pil_resize_rgb(img, size, size, Filter::Bicubic);
        &resized
    };
    let chw = to_chw_normalized(img, CLIP_MEAN, CLIP_STD);
    Tensor::from_slice(&chw).view([3, size as i64, size as i64])
}

/// Ground truth `size * size` of 0/1: any nonzero value is foreground (the reference's `> 0`
/// then `* 255`), PIL bilinear resize (skipped when already the size), `/ 255`, `> 0.5`.
/// `None` (a normal image) gives all zeros.
pub fn load_mask(path: Option<&Path>, size: u32) -> Result<Vec<u8>> {
    let Some(path) = path else {
        return Ok(vec![0; (size * size) as usize]);
    };
    let img = image::open(path).with_context(|| format!("reading mask {}", path.display()))?;
    let mut mask = pil_luma(&img);
    for v in mask.iter_mut() {
        *v = if *v > 0 { 255 } else { 0 };
    }
    if mask.dimensions() != (size, size) {
        mask = pil_resize_gray(&mask, size, size, Filter::Bilinear);
    }
    Ok(mask.into_raw().into_iter().map(|v| u8::from(f32::from(v) / 255.0 > 0.5)).collect())
}

/// PIL's `convert('L')`: colour images use `(19595 R + 38470 G + 7471 B + 2^15) >> 16`
/// (ITU-R 601-2), which decides whether faint colours count as nonzero; alpha is ignored;
/// 16-bit gray is clipped to 255 (not scaled, so small nonzero values stay nonzero).
fn pil_luma(img: &DynamicImage) -> GrayImage {
    match img {
        DynamicImage::ImageLuma8(gray) => gray.clone(),
        DynamicImage::ImageLuma16(gray) => {
            GrayImage::from_fn(gray.width(), gray.height(), |x, y| image::Luma([gray.get_pixel(x, y)[0].min(255) as u8]))
        }
        DynamicImage::ImageLumaA8(gray_alpha) => {
            GrayImage::from_fn(gray_alpha.width(), gray_alpha.height(), |x, y| image::Luma([gray_alpha.get_pixel(x, y)[0]]))
        }
        other => {
            let rgb = other.to_rgb8();
            GrayImage::from_fn(rgb.width(), rgb.height(), |x, y| {
                let [r, g, b] = rgb.get_pixel(x, y).0;
                let l = (19595 * u32::from(r) + 38470 * u32::from(g) + 7471 * u32::from(b) + 0x8000) >> 16;
                image::Luma([l as u8])
            })
        }
    }
}

/// The screw rule's support set for one image: the original first, then its rotations by
/// [`SUPPORT_ROTATIONS`] in that order, each at the original resolution (resizing comes later).
pub fn rotated_supports(img: &RgbImage) -> Vec<RgbImage> {
    std::iter::once(img.clone())
        .chain(SUPPORT_ROTATIONS.iter().map(|&angle| cv2_rotate_rgb(img, angle)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_to_luma_follows_pil() {
        let img = DynamicImage::ImageRgb8(RgbImage::from_raw(3, 1, vec![1, 0, 0, 0, 1, 0, 200, 100, 50]).unwrap());
        // PIL: Image.new('RGB', ...).convert('L') gives 0, 1, 124 for these pixels.
        assert_eq!(pil_luma(&img).into_raw(), vec![0, 1, 124]);
    }
}
