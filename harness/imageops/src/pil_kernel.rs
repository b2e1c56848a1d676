//! Pillow's separable resampling kernels (`Resample.c`): for every output coordinate, the
//! window of source pixels it reads and their weights, computed in `f64` exactly as Pillow
//! orders the arithmetic and then converted to Pillow's 22-bit fixed point.

/// Fractional bits of the fixed-point weights: 32 bits minus 8 for the pixel value and 2 for
/// the overshoot of filters with negative lobes (Pillow's `PRECISION_BITS`).
pub(crate) const PRECISION_BITS: u32 = 32 - 8 - 2;

/// The convolution filters Pillow resamples with (nearest is a separate code path there).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ConvolutionFilter {
    /// Pillow's `BILINEAR`: the triangle filter, support 1.
    Triangle,
    /// Pillow's `BICUBIC`: Keys' cubic convolution with `a = -0.5`, support 2.
    Bicubic,
}

impl ConvolutionFilter {
    /// Half-width of the filter at scale 1, in source pixels.
    fn support(self) -> f64 {
        match self {
            ConvolutionFilter::Triangle => 1.0,
            ConvolutionFilter::Bicubic => 2.0,
        }
    }

    /// The filter's value at distance `x` (same operation order as Pillow, so the same
    /// rounding).
    fn weight(self, x: f64) -> f64 {
        let x = x.abs();
        match self {
            ConvolutionFilter::Triangle => {
                if x < 1.0 {
                    1.0 - x
                } else {
                    0.0
                }
            }
            ConvolutionFilter::Bicubic => {
                const A: f64 = -0.5;
                if x < 1.0 {
                    ((A + 2.0) * x - (A + 3.0)) * x * x + 1.0
                } else if x < 2.0 {
                    (((x - 5.0) * x + 8.0) * x - 4.0) * A
                } else {
                    0.0
                }
            }
        }
    }
}

/// The source pixels one output coordinate reads: `weights[i]` applies to source index
/// `first + i`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Taps {
    pub first: usize,
    pub weights: Vec<i32>,
}

impl Taps {
    /// One past the last source index this output reads.
    pub fn end(&self) -> usize {
        self.first + self.weights.len()
    }
}

/// Pillow's `precompute_coeffs` + `normalize_coeffs_8bpc` for resizing the whole axis
/// `[0, in_size)` to `out_size` samples. When downscaling, the filter is stretched by the scale
/// (antialiasing), so every source pixel contributes.
pub(crate) fn resample_taps(
    in_size: usize,
    out_size: usize,
    filter: ConvolutionFilter,
) -> Vec<Taps> {
    // Pillow passes the crop box as f32 and divides in f64.
    let scale = f64::from(in_size as f32) / out_size as f64;
    let filter_scale = scale.max(1.0);
    let support = filter.support() * filter_scale;
    let inverse_filter_scale = 1.0 / filter_scale;
    let in_size = in_size as i64;

    (0..out_size)
        .map(|out_index| {
            let center = (out_index as f64 + 0.5) * scale;
            // `as i64` truncates toward zero like C's `(int)` cast.
            let first = ((center - support + 0.5) as i64).max(0);
            let end = ((center + support + 0.5) as i64).min(in_size);
            let raw: Vec<f64> = (first..end)
                .map(|source| filter.weight((source as f64 - center + 0.5) * inverse_filter_scale))
                .collect();
            let total = raw.iter().fold(0.0, |sum, w| sum + w);
            let weights = raw
                .into_iter()
                .map(|w| if total != 0.0 { w / total } else { w })
                .map(to_fixed_point)
                .collect();
            Taps {
                first: first as usize,
                weights,
            }
        })
        .collect()
}

/// A normalized weight in fixed point, rounded half away from zero as Pillow does.
fn to_fixed_point(weight: f64) -> i32 {
    let scaled = weight * f64::from(1u32 << PRECISION_BITS);
    if weight < 0.0 {
        (scaled - 0.5) as i32
    } else {
        (scaled + 0.5) as i32
    }
}

/// Applies `taps` to the samples `value(first)`, `value(first + 1)`, ... with Pillow's rounding
/// (start at one half) and clipping of the fixed-point sum to `0..=255`.
#[inline]
pub(crate) fn convolve(taps: &Taps, mut value: impl FnMut(usize) -> u8) -> u8 {
    let mut sum: i64 = 1 << (PRECISION_BITS - 1);
    for (offset, &weight) in taps.weights.iter().enumerate() {
        sum += i64::from(value(taps.first + offset)) * i64::from(weight);
    }
    (sum >> PRECISION_BITS).clamp(0, 255) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_of_each_output_sum_to_one_in_fixed_point_up_to_rounding() {
        for (in_size, out_size) in [(13, 5), (13, 20), (1024, 336), (9, 7)] {
            for filter in [ConvolutionFilter::Triangle, ConvolutionFilter::Bicubic] {
                for taps in resample_taps(in_size, out_size, filter) {
                    let total: i64 = taps.weights.iter().map(|&w| i64::from(w)).sum();
                    let one = 1i64 << PRECISION_BITS;
                    assert!(
                        (total - one).abs() <= taps.weights.len() as i64,
                        "{in_size}->{out_size} {filter:?}: {total}"
                    );
                    assert!(taps.end() <= in_size);
                }
            }
        }
    }

    #[test]
    fn downscaling_stretches_the_window_by_the_scale() {
        // 13 -> 5 bicubic: scale 2.6, support 5.2, so the middle output (center 6.5) reads
        // source pixels trunc(1.8) = 1 up to trunc(12.2) = 12 (exclusive).
        let taps = resample_taps(13, 5, ConvolutionFilter::Bicubic);
        assert_eq!((taps[2].first, taps[2].end()), (1, 12));
        // Upscaling keeps the unit support: 13 -> 20 triangle, output 0 (center 0.325) reads 0..1.
        let taps = resample_taps(13, 20, ConvolutionFilter::Triangle);
        assert_eq!((taps[0].first, taps[0].end()), (0, 1));
    }

    #[test]
    fn fixed_point_rounds_half_away_from_zero() {
        let half_step = 0.5 / f64::from(1u32 << PRECISION_BITS);
        assert_eq!(to_fixed_point(half_step), 1);
        assert_eq!(to_fixed_point(-half_step), -1);
        assert_eq!(to_fixed_point(1.0), 1 << PRECISION_BITS);
    }
}
