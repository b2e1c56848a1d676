//! Sliding windows over the patch grid and the harmonic aggregation of window scores.

use anyhow::{ensure, Result};
use tch::{Device, Kind, Tensor};

/// Smallest window score used in the harmonic mean, so a zero score (an exact match in the
/// few-shot branch, an underflowed softmax in the zero-shot one) gives a pixel score of about
/// zero instead of `0 * inf = NaN` in the aggregation matmul.
const MIN_WINDOW_SCORE: f64 = 1e-12;

/// The windows of one side on a `grid x grid` patch grid.
pub(crate) struct WindowLayout {
    /// Row-major patch indices of each window, `[W, side * side]` int64.
    pub patches: Tensor,
    /// `coverage[w, p] = 1` when window w contains patch p, `[W, grid * grid]` f32.
    pub coverage: Tensor,
    /// Number of windows containing each patch, `[grid * grid]` f32 (at least 1).
    covering: Tensor,
}

impl WindowLayout {
    /// Windows of `side x side` patches whose top-left corners step by `stride` along each
    /// axis, plus one window flush with the bottom/right edge when the steps miss it, so every
    /// patch is covered.
    pub fn new(grid: i64, side: i64, stride: i64, device: Device) -> Result<Self> {
        check_window(grid, side, stride)?;
        let starts = window_starts(grid, side, stride);
        let mut patches = Vec::with_capacity(starts.len() * starts.len() * (side * side) as usize);
        for &top in &starts {
            for &left in &starts {
                for row in top..top + side {
                    patches.extend((left..left + side).map(|col| row * grid + col));
                }
            }
        }
        let windows = (starts.len() * starts.len()) as i64;
        let patches = Tensor::from_slice(&patches).view([windows, side * side]).to_device(device);
        let coverage = Tensor::zeros([windows, grid * grid], (Kind::Float, device)).scatter_value(1, &patches, 1.0);
        let covering = coverage.sum_dim_intlist([0i64].as_slice(), false, Kind::Float);
        Ok(WindowLayout { patches, coverage, covering })
    }

    /// Per patch, the harmonic mean of the scores of the windows containing it:
    /// `[B, W]` -> `[B, grid * grid]`.
    pub fn harmonic_aggregation(&self, window_scores: &Tensor) -> Tensor {
        let inverse_sum = window_scores.clamp_min(MIN_WINDOW_SCORE).reciprocal().matmul(&self.coverage);
        &self.covering / inverse_sum
    }
}

/// Accepts windows of `side` patches stepping by `stride` on a `grid x grid` patch grid.
pub(crate) fn check_window(grid: i64, side: i64, stride: i64) -> Result<()> {
    ensure!(side <= grid, "window side {side} is outside 1..={grid} (the patch grid side)");
    check_window_shape(side, stride)
}

/// The checks that do not depend on the patch grid.
pub(crate) fn check_window_shape(side: i64, stride: i64) -> Result<()> {
    ensure!(side >= 1, "window side {side} is below 1");
    ensure!(stride >= 1, "window stride is {stride}, expected at least 1");
    // A stride wider than the window would leave patches that no window covers.
    ensure!(stride <= side, "window stride {stride} exceeds the window side {side}: some patches would be covered by no window");
    Ok(())
}

/// Top-left corners along one axis.
fn window_starts(grid: i64, side: i64, stride: i64) -> Vec<i64> {
    let last = grid - side;
    let mut starts: Vec<i64> = (0..=last).step_by(stride as usize).collect();
    if starts.last() != Some(&last) {
        starts.push(last);
    }
    starts
}

/// Harmonic mean over the first axis of stacked score maps, with the same floor as windows.
pub(crate) fn harmonic_mean(maps: &[Tensor]) -> Tensor {
    let inverse_sum = Tensor::stack(maps, 0).clamp_min(MIN_WINDOW_SCORE).reciprocal().sum_dim_intlist(
        [0i64].as_slice(),
        false,
        Kind::Float,
    );
    inverse_sum.reciprocal() * maps.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(t: &Tensor) -> Vec<f64> {
        Vec::<f64>::try_from(t.flatten(0, -1).to_kind(Kind::Double)).unwrap()
    }

    #[test]
    fn windows_of_side_two_on_a_three_grid() {
        let layout = WindowLayout::new(3, 2, 1, Device::Cpu).unwrap();
        let expect = [0.0, 1.0, 3.0, 4.0, 1.0, 2.0, 4.0, 5.0, 3.0, 4.0, 6.0, 7.0, 4.0, 5.0, 7.0, 8.0];
        assert_eq!(values(&layout.patches), expect);
        assert_eq!(values(&layout.covering), [1.0, 2.0, 1.0, 2.0, 4.0, 2.0, 1.0, 2.0, 1.0]);
    }

    #[test]
    fn strided_windows_end_flush_with_the_edge() {
        assert_eq!(window_starts(5, 2, 2), [0, 2, 3]);
        assert_eq!(window_starts(6, 2, 2), [0, 2, 4]);
        assert_eq!(window_starts(4, 4, 3), [0]);
        let layout = WindowLayout::new(5, 2, 2, Device::Cpu).unwrap();
        assert_eq!(layout.patches.size()[0], 9);
        assert!(values(&layout.covering).iter().all(|&c| c >= 1.0));
    }

    #[test]
    fn invalid_windows_are_errors() {
        assert!(WindowLayout::new(3, 4, 1, Device::Cpu).is_err());
        assert!(WindowLayout::new(3, 0, 1, Device::Cpu).is_err());
        assert!(WindowLayout::new(3, 2, 0, Device::Cpu).is_err());
    }

    #[test]
    fn harmonic_aggregation_by_hand() {
        // 2x2 windows on a 3x3 grid with scores 1, 3/4, 1/2, 1/4 (row-major window order).
        // Patch p gets n_p / sum(1 / s_w) over the n_p windows containing it, e.g. the centre
        // 4 / (1 + 4/3 + 2 + 4) = 0.48 and the top middle 2 / (1 + 4/3) = 6/7.
        let layout = WindowLayout::new(3, 2, 1, Device::Cpu).unwrap();
        let scores = Tensor::from_slice(&[1.0f32, 0.75, 0.5, 0.25]).view([1, 4]);
        let got = values(&layout.harmonic_aggregation(&scores));
        let expect = [1.0, 6.0 / 7.0, 0.75, 2.0 / 3.0, 0.48, 0.375, 0.5, 1.0 / 3.0, 0.25];
        for (g, e) in got.iter().zip(expect) {
            assert!((g - e).abs() < 1e-6, "{got:?}");
        }
    }

    #[test]
    fn a_zero_score_gives_about_zero_not_nan() {
        let layout = WindowLayout::new(3, 2, 1, Device::Cpu).unwrap();
        let scores = Tensor::from_slice(&[0.0f32, 0.5, 0.5, 0.5]).view([1, 4]);
        let got = values(&layout.harmonic_aggregation(&scores));
        assert!(got.iter().all(|v| v.is_finite()), "{got:?}");
        assert!(got[0] < 1e-9 && got[4] < 1e-9, "{got:?}");
        assert!((got[8] - 0.5).abs() < 1e-6, "{got:?}");
    }

    #[test]
    fn harmonic_mean_of_maps() {
        // 2 / (1/1 + 1/3) = 1.5 and 2 / (1/2 + 1/2) = 2.
        let a = Tensor::from_slice(&[1.0f32, 2.0]);
        let b = Tensor::from_slice(&[3.0f32, 2.0]);
        let got = values(&harmonic_mean(&[a, b]));
        assert!((got[0] - 1.5).abs() < 1e-6 && (got[1] - 2.0).abs() < 1e-6, "{got:?}");
    }
}
