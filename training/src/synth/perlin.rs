//! 2-D Perlin noise as the reference's `rand_perlin_2d_np`: gradients at the corners of a
//! `res.0 x res.1` lattice with uniform random angles, quintic fade, scaled by sqrt(2).

use crate::rng::SampleRng;

/// Noise of `height x width` (row-major) over `res = (rows, cols)` lattice cells. Both sides
/// must be multiples of the lattice counts, as the reference's tiling requires.
pub fn perlin_noise(height: usize, width: usize, res: (usize, usize), rng: &mut SampleRng) -> Vec<f32> {
    let fade = |t: f64| 6.0 * t.powi(5) - 15.0 * t.powi(4) + 10.0 * t.powi(3);
    let (cell_h, cell_w) = (height / res.0, width / res.1);
    // Angles drawn row-major over the (res.0 + 1) x (res.1 + 1) corners, like `np.random.rand`.
    let corners: Vec<(f64, f64)> = (0..(res.0 + 1) * (res.1 + 1))
        .map(|_| {
            let angle = 2.0 * std::f64::consts::PI * rng.uniform();
            (angle.cos(), angle.sin())
        })
        .collect();
    let gradient = |i: usize, j: usize| corners[i * (res.1 + 1) + j];
    let dot = |g: (f64, f64), x: f64, y: f64| g.0 * x + g.1 * y;
    let lerp = |a: f64, b: f64, t: f64| (b - a) * t + a;
    let mut out = vec![0.0f32; height * width];
    for i in 0..height {
        let gy = (i as f64 * res.0 as f64 / height as f64).fract();
        let ci = (i / cell_h).min(res.0 - 1);
        for j in 0..width {
            let gx = (j as f64 * res.1 as f64 / width as f64).fract();
            let cj = (j / cell_w).min(res.1 - 1);
            let n00 = dot(gradient(ci, cj), gy, gx);
            let n10 = dot(gradient(ci + 1, cj), gy - 1.0, gx);
            let n01 = dot(gradient(ci, cj + 1), gy, gx - 1.0);
            let n11 = dot(gradient(ci + 1, cj + 1), gy - 1.0, gx - 1.0);
            let (t0, t1) = (fade(gy), fade(gx));
            let v = std::f64::consts::SQRT_2 * lerp(lerp(n00, n10, t0), lerp(n01, n11, t0), t1);
            out[i * width + j] = v as f32;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_on_the_lattice_and_bounded() {
        let mut rng = SampleRng::from_seed(3);
        let noise = perlin_noise(64, 64, (4, 2), &mut rng);
        // Lattice points have zero offset from their own corner: noise 0.
        for i in (0..64).step_by(16) {
            for j in (0..64).step_by(32) {
                assert!(noise[i * 64 + j].abs() < 1e-6);
            }
        }
        // sqrt(2) * |gradient| * |offset| <= sqrt(2) * sqrt(2)/... stays well inside [-2, 2].
        assert!(noise.iter().all(|v| v.abs() <= 2.0));
        assert!(noise.iter().any(|v| v.abs() > 0.1));
    }
}
