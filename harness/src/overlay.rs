//! Heat-map overlays for `dictas infer`: the map min-max normalized, coloured with the report's
//! jet colour map and blended 50/50 with the image (as the reference's visualization does).

use dictas_report::plots::colormap::jet;
use dictas_report::plots::overlays::blend_half;
use image::RgbImage;

/// Blends the jet-coloured, min-max normalized `map` (row-major, image-sized) over `image`.
pub fn heatmap_overlay(image: &RgbImage, map: &[f32]) -> RgbImage {
    let (lo, hi) = map.iter().fold((f32::MAX, f32::MIN), |(lo, hi), &v| (lo.min(v), hi.max(v)));
    let range = hi - lo;
    let colours = RgbImage::from_fn(image.width(), image.height(), |x, y| {
        let v = map[(y * image.width() + x) as usize];
        image::Rgb(jet(if range > 0.0 { (v - lo) / range } else { 0.0 }))
    });
    blend_half(image, &colours)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlay_blends_half_and_half_with_normalized_jet() {
        let image = RgbImage::from_pixel(2, 1, image::Rgb([200, 200, 200]));
        let out = heatmap_overlay(&image, &[3.0, 5.0]);
        // 3 -> normalized 0 -> jet blue [0, 0, 128]; 5 -> 1 -> jet red [128, 0, 0].
        assert_eq!(out.get_pixel(0, 0).0, [100, 100, 164]);
        assert_eq!(out.get_pixel(1, 0).0, [164, 100, 100]);
    }
}
