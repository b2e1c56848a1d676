//! `cv2.warpAffine` with `INTER_LINEAR` and `BORDER_REFLECT_101` on 8-bit images, in OpenCV's
//! fixed-point arithmetic: source coordinates in 1/1024 pixel (`AB_BITS`), rounded to a
//! 1/32 pixel grid (`INTER_BITS`), bilinear weights scaled to 2^15 (`INTER_REMAP_COEF_BITS`).

use crate::cv2_rotate::Affine;
use crate::raster::Raster;

/// Fractional bits of the per-row and per-column coordinate terms.
const AB_BITS: u32 = 10;
/// Fractional bits of the sub-pixel position used for interpolation.
const INTER_BITS: u32 = 5;
const INTER_TAB_SIZE: i32 = 1 << INTER_BITS;
/// Fractional bits of the bilinear weights.
const INTER_REMAP_COEF_BITS: u32 = 15;

/// Warps `src` into an image of the same size; `dst_to_src` maps destination pixel centres to
/// source coordinates (the already-inverted matrix).
pub(crate) fn warp_affine_bilinear_reflect101(src: &Raster, dst_to_src: &Affine) -> Raster {
    let (width, height) = (src.width, src.height);
    let mut out = Raster::zeroed(width, height, src.channels);
    if width == 0 || height == 0 {
        return out;
    }
    let ab_scale = f64::from(1u32 << AB_BITS);
    // Half a sub-pixel step, so the shift below rounds to the nearest 1/32 pixel.
    let round_delta = (1i32 << AB_BITS) / INTER_TAB_SIZE / 2;
    let column_terms: Vec<(i32, i32)> = (0..width)
        .map(|x| {
            let x = x as f64;
            (
                cv_round(dst_to_src[0] * x * ab_scale),
                cv_round(dst_to_src[3] * x * ab_scale),
            )
        })
        .collect();

    for y in 0..height {
        let row = y as f64;
        let x_row = cv_round((dst_to_src[1] * row + dst_to_src[2]) * ab_scale) + round_delta;
        let y_row = cv_round((dst_to_src[4] * row + dst_to_src[5]) * ab_scale) + round_delta;
        for (x, &(x_column, y_column)) in column_terms.iter().enumerate() {
            let source_x = (x_row + x_column) >> (AB_BITS - INTER_BITS);
            let source_y = (y_row + y_column) >> (AB_BITS - INTER_BITS);
            let sample = SubPixel::new(source_x, source_y);
            sample.interpolate(src, out.pixel_mut(x, y));
        }
    }
    out
}

/// A source position on OpenCV's 1/32 pixel grid: integer top-left pixel and fractions.
struct SubPixel {
    x: i32,
    y: i32,
    fraction_x: i32,
    fraction_y: i32,
}

impl SubPixel {
    fn new(fixed_x: i32, fixed_y: i32) -> Self {
        // OpenCV stores the integer part in a 16-bit map.
        let integer = |v: i32| (v >> INTER_BITS).clamp(i32::from(i16::MIN), i32::from(i16::MAX));
        SubPixel {
            x: integer(fixed_x),
            y: integer(fixed_y),
            fraction_x: fixed_x & (INTER_TAB_SIZE - 1),
            fraction_y: fixed_y & (INTER_TAB_SIZE - 1),
        }
    }

    /// Bilinear blend of the 2x2 neighbourhood (mirrored at the borders), rounded from 2^15
    /// fixed point. OpenCV's weight table stores the weight 2^15 of an exact pixel hit as
    /// 32767 (plus 1 on the opposite corner); for 8-bit data that yields the same value, so the
    /// exact products are used here.
    fn interpolate(&self, src: &Raster, out: &mut [u8]) {
        let scale = INTER_REMAP_COEF_BITS - 2 * INTER_BITS;
        let (fx, fy) = (self.fraction_x, self.fraction_y);
        let weights = [
            ((INTER_TAB_SIZE - fy) * (INTER_TAB_SIZE - fx)) << scale,
            ((INTER_TAB_SIZE - fy) * fx) << scale,
            (fy * (INTER_TAB_SIZE - fx)) << scale,
            (fy * fx) << scale,
        ];
        let x0 = reflect101(self.x, src.width);
        let x1 = reflect101(self.x + 1, src.width);
        let y0 = reflect101(self.y, src.height);
        let y1 = reflect101(self.y + 1, src.height);
        let corners = [
            src.pixel(x0, y0),
            src.pixel(x1, y0),
            src.pixel(x0, y1),
            src.pixel(x1, y1),
        ];
        for (channel, value) in out.iter_mut().enumerate() {
            let sum: i32 = corners
                .iter()
                .zip(weights)
                .map(|(pixel, w)| i32::from(pixel[channel]) * w)
                .sum();
            let rounded = (sum + (1 << (INTER_REMAP_COEF_BITS - 1))) >> INTER_REMAP_COEF_BITS;
            *value = rounded.clamp(0, 255) as u8;
        }
    }
}

/// OpenCV's `cvRound` on doubles: nearest integer, ties to even.
fn cv_round(value: f64) -> i32 {
    value.round_ties_even() as i32
}

/// `cv::borderInterpolate` with `BORDER_REFLECT_101` (`gfedcb|abcdefgh|gfedcba`) for `len > 0`.
fn reflect101(index: i32, len: usize) -> usize {
    if len == 1 {
        return 0;
    }
    let period = 2 * (len as i64 - 1);
    let folded = i64::from(index).rem_euclid(period);
    let reflected = if folded >= len as i64 {
        period - folded
    } else {
        folded
    };
    reflected as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reflect101_mirrors_without_repeating_the_edge() {
        let mapped: Vec<usize> = (-5..10).map(|i| reflect101(i, 4)).collect();
        assert_eq!(mapped, vec![1, 2, 3, 2, 1, 0, 1, 2, 3, 2, 1, 0, 1, 2, 3]);
        assert_eq!(reflect101(-7, 1), 0);
    }

    #[test]
    fn cv_round_sends_ties_to_even() {
        assert_eq!(
            [
                cv_round(0.5),
                cv_round(1.5),
                cv_round(-0.5),
                cv_round(-1.5),
                cv_round(2.4)
            ],
            [0, 2, 0, -2, 2]
        );
    }

    #[test]
    fn identity_matrix_copies_the_image() {
        let src = Raster {
            width: 3,
            height: 2,
            channels: 1,
            data: vec![1, 2, 3, 4, 5, 6],
        };
        let identity = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0];
        assert_eq!(warp_affine_bilinear_reflect101(&src, &identity), src);
    }
}
