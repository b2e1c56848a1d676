//! Rotations, flips and dropouts on 8-bit images and float planes, as the synthesis needs them.

use image::{GrayImage, RgbImage};

/// Inverse rotation map about the pixel-grid centre `(w/2 - 0.5, h/2 - 0.5)`: for an output
/// pixel, the source coordinate (image coordinates, y down). Positive angles turn the content
/// counter-clockwise on screen.
fn source_of(x: f64, y: f64, cx: f64, cy: f64, cos: f64, sin: f64) -> (f64, f64) {
    let (dx, dy) = (x - cx, y - cy);
    (cx + cos * dx - sin * dy, cy + sin * dx + cos * dy)
}

/// Rotates a `w x h` float plane with bilinear sampling; outside the source reads `fill`
/// (imgaug's `Affine(rotate=...)` with order 1 and constant mode).
pub fn rotate_plane_bilinear(plane: &[f32], w: usize, h: usize, angle_deg: f64, fill: f32) -> Vec<f32> {
    let (sin, cos) = angle_deg.to_radians().sin_cos();
    let (cx, cy) = (w as f64 / 2.0 - 0.5, h as f64 / 2.0 - 0.5);
    let at = |x: i64, y: i64| -> f32 {
        if x < 0 || y < 0 || x >= w as i64 || y >= h as i64 {
            fill
        } else {
            plane[y as usize * w + x as usize]
        }
    };
    let mut out = vec![fill; w * h];
    for y in 0..h {
        for x in 0..w {
            let (sx, sy) = source_of(x as f64, y as f64, cx, cy, cos, sin);
            let (x0, y0) = (sx.floor(), sy.floor());
            let (fx, fy) = ((sx - x0) as f32, (sy - y0) as f32);
            let (x0, y0) = (x0 as i64, y0 as i64);
            let top = at(x0, y0) * (1.0 - fx) + at(x0 + 1, y0) * fx;
            let bottom = at(x0, y0 + 1) * (1.0 - fx) + at(x0 + 1, y0 + 1) * fx;
            out[y * w + x] = top * (1.0 - fy) + bottom * fy;
        }
    }
    out
}

/// Rotates each channel of an RGB image (bilinear, black outside), rounding back to 8 bits.
pub fn rotate_rgb_constant(img: &RgbImage, angle_deg: f64) -> RgbImage {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let mut out = img.clone();
    for c in 0..3 {
        let plane: Vec<f32> = img.pixels().map(|p| f32::from(p[c])).collect();
        let rotated = rotate_plane_bilinear(&plane, w, h, angle_deg, 0.0);
        for (p, v) in out.pixels_mut().zip(rotated) {
            p[c] = v.round().clamp(0.0, 255.0) as u8;
        }
    }
    out
}

/// OpenCV `BORDER_REFLECT_101` index.
fn reflect101(i: i64, n: i64) -> usize {
    if n == 1 {
        return 0;
    }
    let period = 2 * (n - 1);
    let m = i.rem_euclid(period);
    (if m < n { m } else { period - m }) as usize
}

/// Nearest-neighbour rotation of a mask with reflected borders (albumentations rotates masks
/// with `INTER_NEAREST` and the image's border mode, `BORDER_REFLECT_101`).
pub fn rotate_gray_nearest_reflect(mask: &GrayImage, angle_deg: f64) -> GrayImage {
    let (w, h) = (mask.width() as i64, mask.height() as i64);
    let (sin, cos) = angle_deg.to_radians().sin_cos();
    let (cx, cy) = (w as f64 / 2.0 - 0.5, h as f64 / 2.0 - 0.5);
    GrayImage::from_fn(w as u32, h as u32, |x, y| {
        let (sx, sy) = source_of(f64::from(x), f64::from(y), cx, cy, cos, sin);
        let (sx, sy) = ((sx + 0.5).floor() as i64, (sy + 0.5).floor() as i64);
        *mask.get_pixel(reflect101(sx, w) as u32, reflect101(sy, h) as u32)
    })
}

/// `np.rot90(img, k)`: k quarter turns counter-clockwise.
pub fn rot90<P: image::Pixel + 'static>(img: &image::ImageBuffer<P, Vec<P::Subpixel>>, k: u32) -> image::ImageBuffer<P, Vec<P::Subpixel>> {
    match k % 4 {
        0 => img.clone(),
        1 => image::imageops::rotate270(img),
        2 => image::imageops::rotate180(img),
        _ => image::imageops::rotate90(img),
    }
}

/// Sets the rectangle `[x1, x2) x [y1, y2)` of an RGB image to black.
pub fn fill_black(img: &mut RgbImage, x1: u32, y1: u32, x2: u32, y2: u32) {
    for y in y1..y2.min(img.height()) {
        for x in x1..x2.min(img.width()) {
            img.put_pixel(x, y, image::Rgb([0, 0, 0]));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarter_turns_follow_numpy() {
        // np.rot90([[1, 2], [3, 4]]) == [[2, 4], [1, 3]].
        let img = GrayImage::from_raw(2, 2, vec![1, 2, 3, 4]).unwrap();
        assert_eq!(rot90(&img, 1).into_raw(), vec![2, 4, 1, 3]);
        assert_eq!(rot90(&img, 4).into_raw(), vec![1, 2, 3, 4]);
    }

    #[test]
    fn plane_rotation_by_90_degrees_moves_pixels_counter_clockwise() {
        // A 3x3 plane with a single 1 at the right-middle goes to the top-middle.
        let mut plane = vec![0.0f32; 9];
        plane[5] = 1.0;
        let out = rotate_plane_bilinear(&plane, 3, 3, 90.0, 0.0);
        assert!((out[1] - 1.0).abs() < 1e-5, "{out:?}");
        assert!((out.iter().sum::<f32>() - 1.0).abs() < 1e-5);
    }
}
