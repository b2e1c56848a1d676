//! Moving between token sequences and patch grids, and the windowed averaging of the
//! multi-scale lookup.

use tch::Tensor;

/// `[B, H*W, C]` tokens to a `[B, C, H, W]` grid (row-major tokens, as CLIP emits them).
pub fn tokens_to_grid(tokens: &Tensor, grid: i64) -> Tensor {
    let (batch, _, channels) = tokens.size3().expect("tokens are [B, N, C]");
    tokens.permute([0, 2, 1]).reshape([batch, channels, grid, grid])
}

/// `[B, C, H, W]` grid back to `[B, H*W, C]` tokens.
pub fn grid_to_tokens(grid: &Tensor) -> Tensor {
    let (batch, channels, _, _) = grid.size4().expect("grid is [B, C, H, W]");
    grid.reshape([batch, channels, -1]).permute([0, 2, 1])
}

/// Mean over the `s x s` window of every grid position, with zero padding of `(s-1)/2` on the
/// left/top and `s/2` on the right/bottom and a divisor of `s*s` everywhere (so border windows
/// are pulled towards zero), exactly as the reference's `Padding_same`. `s = 1` is the
/// identity. Each image of the batch is averaged on its own grid.
pub fn window_average(grid: &Tensor, s: i64) -> Tensor {
    if s == 1 {
        return grid.shallow_clone();
    }
    let before = (s - 1) / 2;
    let after = s / 2;
    grid.constant_pad_nd([before, after, before, after])
        .avg_pool2d([s, s], [1, 1], [0, 0], false, true, None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tch::{Device, Kind};

    /// The definition written out as loops over a `[C, H, W]` grid in f64.
    fn direct(values: &[f64], c: usize, h: usize, w: usize, s: usize) -> Vec<f64> {
        let (before, mut out) = ((s - 1) / 2, vec![0.0; c * h * w]);
        for ch in 0..c {
            for y in 0..h {
                for x in 0..w {
                    let mut sum = 0.0;
                    for dy in 0..s {
                        for dx in 0..s {
                            let (yy, xx) = (y + dy, x + dx);
                            if yy >= before && xx >= before && yy - before < h && xx - before < w {
                                sum += values[ch * h * w + (yy - before) * w + (xx - before)];
                            }
                        }
                    }
                    out[ch * h * w + y * w + x] = sum / (s * s) as f64;
                }
            }
        }
        out
    }

    #[test]
    fn matches_a_direct_loop_for_odd_and_even_windows() {
        tch::manual_seed(3);
        let (c, h, w) = (3usize, 5usize, 6usize);
        let t = Tensor::randn([1, c as i64, h as i64, w as i64], (Kind::Double, Device::Cpu));
        let values = Vec::<f64>::try_from(t.flatten(0, -1)).unwrap();
        for s in [1usize, 2, 3, 4, 5] {
            let got = Vec::<f64>::try_from(window_average(&t, s as i64).flatten(0, -1)).unwrap();
            let want = direct(&values, c, h, w, s);
            let err = got.iter().zip(&want).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
            assert!(err < 1e-12, "s = {s}: max error {err}");
        }
    }

    #[test]
    fn tokens_and_grid_round_trip() {
        let tokens = Tensor::arange(2 * 6 * 4, (Kind::Float, Device::Cpu)).view([2, 6, 4]);
        // 6 tokens do not form a square; use a 2x3 view through the general reshape instead.
        let grid = tokens.permute([0, 2, 1]).reshape([2, 4, 2, 3]);
        assert_eq!(grid_to_tokens(&grid), tokens);
        let square = Tensor::arange(2 * 9 * 4, (Kind::Float, Device::Cpu)).view([2, 9, 4]);
        let g = tokens_to_grid(&square, 3);
        // Token (row 1, col 2) = index 5 sits at grid [.., 1, 2].
        assert_eq!(g.get(1).get(3).get(1).get(2).double_value(&[]), square.get(1).get(5).get(3).double_value(&[]));
        assert_eq!(grid_to_tokens(&g), square);
    }
}
