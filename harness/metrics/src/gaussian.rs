//! `scipy.ndimage.gaussian_filter` on a single float32 map, reproduced operation for operation:
//! radius `int(4 * sigma + 0.5)`, kernel `exp(-0.5 / sigma^2 * x^2)` normalised by its numpy
//! sum, mode 'reflect' (`d c b a | a b c d | d c b a`, repeated as often as the radius needs),
//! a 1-D correlation along the rows axis first and then along the columns axis, each computed
//! in float64 and stored as float32 (scipy writes every pass into the float32 output array).
//! A sigma that is not above 1e-15 leaves the map unchanged, as scipy skips such an axis.
//!
//! numpy evaluates `exp` with its own vectorised routine, which can differ from the platform
//! `exp` used here in the last bit; kernel weights therefore agree to about 1e-16 and smoothed
//! values to within one float32 rounding step.

use crate::error::{check_same_length, MetricsError};
use crate::summation::pairwise_sum;

/// scipy's default `truncate`: the kernel reaches this many standard deviations.
pub const SCIPY_TRUNCATE: f64 = 4.0;

/// scipy skips the axes whose sigma is not above this.
const SMALLEST_SIGMA: f64 = 1e-15;

/// The normalised kernel `_gaussian_kernel1d(sigma, 0, radius)` with scipy's default radius.
/// Only meaningful for `sigma > 1e-15`.
pub fn gaussian_kernel_1d(sigma: f64) -> Vec<f64> {
    let radius = (SCIPY_TRUNCATE * sigma + 0.5) as i64;
    let scale = -0.5 / (sigma * sigma);
    let raw: Vec<f64> = (-radius..=radius)
        .map(|x| (scale * (x * x) as f64).exp())
        .collect();
    let total = pairwise_sum(&raw);
    raw.into_iter().map(|v| v / total).collect()
}

/// Position in `0..len` that mode 'reflect' reads for an index outside the line; the extension
/// is periodic with period `2 * len`.
fn reflect_index(index: isize, len: usize) -> usize {
    let period = 2 * len as isize;
    let folded = index.rem_euclid(period) as usize;
    if folded < len {
        folded
    } else {
        2 * len - 1 - folded
    }
}

/// The taps of a symmetric kernel: `half[d]` is the weight at distance `d` from the centre.
fn half_kernel(kernel: &[f64]) -> &[f64] {
    &kernel[kernel.len() / 2..]
}

/// One output value the way scipy's `NI_Correlate1D` sums for symmetric weights: centre tap
/// first, then `(left + right) * weight` from the outermost pair inwards.
#[inline]
fn symmetric_tap_sum(half: &[f64], centre: f64, pair: impl Fn(usize) -> f64) -> f64 {
    let mut sum = centre * half[0];
    for distance in (1..half.len()).rev() {
        sum += pair(distance) * half[distance];
    }
    sum
}

/// Filters along the rows axis (down every column). Computed row by row over whole rows, with
/// per pixel exactly the order of `symmetric_tap_sum`, so the inner loop runs along memory.
fn filter_columns(map: &[f64], height: usize, width: usize, half: &[f64]) -> Vec<f32> {
    let radius = half.len() - 1;
    let row = |r: isize| {
        let r = reflect_index(r, height);
        &map[r * width..(r + 1) * width]
    };
    let mut out = vec![0.0f32; map.len()];
    let mut sums = vec![0.0f64; width];
    for r in 0..height {
        for (sum, &v) in sums.iter_mut().zip(row(r as isize)) {
            *sum = v * half[0];
        }
        for distance in (1..=radius).rev() {
            let (above, below) = (
                row(r as isize - distance as isize),
                row(r as isize + distance as isize),
            );
            let weight = half[distance];
            for ((sum, &a), &b) in sums.iter_mut().zip(above).zip(below) {
                *sum += (a + b) * weight;
            }
        }
        for (o, &sum) in out[r * width..(r + 1) * width].iter_mut().zip(&sums) {
            *o = sum as f32;
        }
    }
    out
}

/// Filters along the columns axis (along every row), reading each row through its reflected
/// extension.
fn filter_rows(map: &[f32], width: usize, half: &[f64]) -> Vec<f32> {
    let radius = half.len() - 1;
    let mut extended = Vec::with_capacity(width + 2 * radius);
    let mut out = vec![0.0f32; map.len()];
    for (line, out_line) in map.chunks(width).zip(out.chunks_mut(width)) {
        extended.clear();
        extended.extend(
            (-(radius as isize)..(width + radius) as isize)
                .map(|i| f64::from(line[reflect_index(i, width)])),
        );
        for (position, o) in out_line.iter_mut().enumerate() {
            let centre = position + radius;
            let sum = symmetric_tap_sum(half, extended[centre], |d| {
                extended[centre - d] + extended[centre + d]
            });
            *o = sum as f32;
        }
    }
    out
}

/// Smooths a row-major `height x width` map like
/// `scipy.ndimage.gaussian_filter(map, sigma)` (truncate 4.0, mode 'reflect') on float32 input.
pub fn gaussian_filter_2d(
    map: &[f32],
    height: usize,
    width: usize,
    sigma: f64,
) -> Result<Vec<f32>, MetricsError> {
    check_same_length("map to smooth (height * width)", height * width, map.len())?;
    if sigma.is_nan() || sigma <= SMALLEST_SIGMA || map.is_empty() {
        return Ok(map.to_vec());
    }
    let kernel = gaussian_kernel_1d(sigma);
    let half = half_kernel(&kernel);
    let widened: Vec<f64> = map.iter().map(|&v| f64::from(v)).collect();
    let down_columns = filter_columns(&widened, height, width, half);
    Ok(filter_rows(&down_columns, width, half))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reflect_repeats_with_period_twice_the_length() {
        // scipy: 'reflect' extends a b c as ... c b a | a b c | c b a | a b c ...
        let seen: Vec<usize> = (-7..10).map(|i| reflect_index(i, 3)).collect();
        assert_eq!(
            seen,
            vec![0, 0, 1, 2, 2, 1, 0, 0, 1, 2, 2, 1, 0, 0, 1, 2, 2]
        );
        assert!((0..5).all(|i| reflect_index(i - 2, 1) == 0));
    }

    #[test]
    fn kernel_matches_scipy() {
        // python: from scipy.ndimage._filters import _gaussian_kernel1d
        //   k = _gaussian_kernel1d(1.5, 0, 6); len(k), repr(k[6]), repr(k[0])
        //   -> 13, 0.2659642571610709, 8.92210686353923e-05
        let k = gaussian_kernel_1d(1.5);
        assert_eq!(k.len(), 13);
        assert!((k[6] - 0.2659642571610709).abs() <= 1e-16);
        assert!((k[0] - 8.92210686353923e-05).abs() <= 1e-19);
        assert_eq!(gaussian_kernel_1d(6.0).len(), 49);
    }

    #[test]
    fn tiny_sigma_is_a_copy_and_shapes_are_checked() {
        let map = [1.0f32, 2.0, 3.0, 4.0];
        assert_eq!(gaussian_filter_2d(&map, 2, 2, 0.0).unwrap(), map.to_vec());
        assert!(gaussian_filter_2d(&map, 3, 2, 1.0).is_err());
    }
}
