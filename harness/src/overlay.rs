//! Heat-map overlays: a map min-max normalized, coloured with the jet colour map and blended
//! 50/50 with the image (as the reference's visualization does).

use image::RgbImage;

/// OpenCV's COLORMAP_JET for an 8-bit value.
pub fn jet(value: u8) -> [u8; 3] {
    let x = value as f32 / 255.0;
    let channel = |centre: f32| (1.5 - (4.0 * x - centre).abs()).clamp(0.0, 1.0);
    [(channel(3.0) * 255.0).round() as u8, (channel(2.0) * 255.0).round() as u8, (channel(1.0) * 255.0).round() as u8]
}

/// Blends the jet-coloured, min-max normalized `map` (row-major, image-sized) over `image`.
pub fn heatmap_overlay(image: &RgbImage, map: &[f32]) -> RgbImage {
    let (lo, hi) = map.iter().fold((f32::MAX, f32::MIN), |(lo, hi), &v| (lo.min(v), hi.max(v)));
    let range = hi - lo;
    let mut out = image.clone();
    for (i, pixel) in out.pixels_mut().enumerate() {
        let normalized = if range > 0.0 { (map[i] - lo) / range } else { 0.0 };
        let colour = jet((normalized * 255.0) as u8);
        for c in 0..3 {
            pixel.0[c] = (0.5 * pixel.0[c] as f32 + 0.5 * colour[c] as f32) as u8;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jet_ends_and_middle() {
        assert_eq!(jet(0), [0, 0, 128]);
        assert_eq!(jet(255), [128, 0, 0]);
        let mid = jet(128);
        assert!(mid[1] > 250 && mid[0] > 120 && mid[2] > 120, "{mid:?}");
    }

    #[test]
    fn overlay_blends_half_and_half() {
        let image = RgbImage::from_pixel(2, 1, image::Rgb([200, 200, 200]));
        let out = heatmap_overlay(&image, &[0.0, 1.0]);
        assert_eq!(out.get_pixel(0, 0).0, [100, 100, 164]);
        assert_eq!(out.get_pixel(1, 0).0, [164, 100, 100]);
    }
}
