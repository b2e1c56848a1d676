//! OpenCV-style `cv2.resize` (no antialiasing, half-pixel centres, replicated borders), which
//! the reference uses for the anomaly synthesis (cubic for the image, linear for the texture,
//! nearest for the mask). Computed in floating point and rounded to nearest; OpenCV's 8-bit
//! path uses 11-bit fixed-point weights, so single values may differ by one level.

use image::{GrayImage, RgbImage};

/// Interpolation kernels of `cv2.resize`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cv2Interpolation {
    Nearest,
    Linear,
    /// Keys cubic with a = -0.75 (OpenCV's INTER_CUBIC).
    Cubic,
}

/// Source taps and weights of one output coordinate.
fn taps(dst: usize, scale: f64, len: usize, interp: Cv2Interpolation) -> Vec<(usize, f64)> {
    let clamp = |i: i64| i.clamp(0, len as i64 - 1) as usize;
    match interp {
        Cv2Interpolation::Nearest => vec![(clamp((dst as f64 * scale).floor() as i64), 1.0)],
        Cv2Interpolation::Linear => {
            let src = (dst as f64 + 0.5) * scale - 0.5;
            let i = src.floor();
            let f = src - i;
            let i = i as i64;
            if i < 0 {
                vec![(0, 1.0)]
            } else {
                vec![(clamp(i), 1.0 - f), (clamp(i + 1), f)]
            }
        }
        Cv2Interpolation::Cubic => {
            let src = (dst as f64 + 0.5) * scale - 0.5;
            let i = src.floor();
            let f = src - i;
            let a = -0.75;
            let w0 = ((a * (f + 1.0) - 5.0 * a) * (f + 1.0) + 8.0 * a) * (f + 1.0) - 4.0 * a;
            let w1 = ((a + 2.0) * f - (a + 3.0)) * f * f + 1.0;
            let w2 = ((a + 2.0) * (1.0 - f) - (a + 3.0)) * (1.0 - f) * (1.0 - f) + 1.0;
            let w3 = 1.0 - w0 - w1 - w2;
            let i = i as i64;
            vec![(clamp(i - 1), w0), (clamp(i), w1), (clamp(i + 1), w2), (clamp(i + 2), w3)]
        }
    }
}

fn resize_planar(src: &[u8], w: usize, h: usize, c: usize, nw: usize, nh: usize, interp: Cv2Interpolation) -> Vec<u8> {
    let xs: Vec<_> = (0..nw).map(|x| taps(x, w as f64 / nw as f64, w, interp)).collect();
    let ys: Vec<_> = (0..nh).map(|y| taps(y, h as f64 / nh as f64, h, interp)).collect();
    // Horizontal pass in f64, then vertical, then round once.
    let mut rows = vec![0.0f64; h * nw * c];
    for y in 0..h {
        for (x, tx) in xs.iter().enumerate() {
            for ch in 0..c {
                rows[(y * nw + x) * c + ch] = tx.iter().map(|&(i, wt)| wt * f64::from(src[(y * w + i) * c + ch])).sum();
            }
        }
    }
    let mut out = vec![0u8; nh * nw * c];
    for (y, ty) in ys.iter().enumerate() {
        for x in 0..nw {
            for ch in 0..c {
                let v: f64 = ty.iter().map(|&(j, wt)| wt * rows[(j * nw + x) * c + ch]).sum();
                out[(y * nw + x) * c + ch] = v.round().clamp(0.0, 255.0) as u8;
            }
        }
    }
    out
}

pub fn cv2_resize_rgb(img: &RgbImage, nw: u32, nh: u32, interp: Cv2Interpolation) -> RgbImage {
    let (w, h) = img.dimensions();
    let data = resize_planar(img.as_raw(), w as usize, h as usize, 3, nw as usize, nh as usize, interp);
    RgbImage::from_raw(nw, nh, data).expect("buffer size matches")
}

pub fn cv2_resize_gray(img: &GrayImage, nw: u32, nh: u32, interp: Cv2Interpolation) -> GrayImage {
    let (w, h) = img.dimensions();
    let data = resize_planar(img.as_raw(), w as usize, h as usize, 1, nw as usize, nh as usize, interp);
    GrayImage::from_raw(nw, nh, data).expect("buffer size matches")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn halving_matches_opencv_on_a_ramp() {
        // cv2.resize(np.arange(8, dtype=np.uint8).reshape(1, 8) * 30, (4, 1), INTER_LINEAR)
        // samples at 0.5, 2.5, 4.5, 6.5: (15, 75, 135, 195).
        let img = GrayImage::from_raw(8, 1, (0..8).map(|v| v * 30).collect()).unwrap();
        let out = cv2_resize_gray(&img, 4, 1, Cv2Interpolation::Linear);
        assert_eq!(out.into_raw(), vec![15, 75, 135, 195]);
        let out = cv2_resize_gray(&img, 4, 1, Cv2Interpolation::Nearest);
        assert_eq!(out.into_raw(), vec![0, 60, 120, 180]);
    }

    #[test]
    fn cubic_keeps_constant_images() {
        let img = RgbImage::from_pixel(10, 7, image::Rgb([9, 200, 77]));
        let out = cv2_resize_rgb(&img, 5, 4, Cv2Interpolation::Cubic);
        assert!(out.pixels().all(|p| p.0 == [9, 200, 77]));
    }
}
