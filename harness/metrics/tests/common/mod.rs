//! Deterministic inputs shared by the tests. Each generator has a line-for-line Python twin
//! (numpy float32 arithmetic) that produced the expected values written in the tests:
//!
//! ```python
//! class Lcg:
//!     def __init__(self, seed): self.s = seed % 2**64
//!     def next(self):
//!         self.s = (self.s * 6364136223846793005 + 1442695040888963407) % 2**64
//!         return self.s
//!     def unit(self): return np.float32((self.next() >> 40) / 16777216.0)
//!
//! def rect_masks(n, h, w, rects):          # rects: (image, row0, row1, col0, col1), half-open
//!     m = np.zeros((n, h, w), np.float32)
//!     for (i, r0, r1, c0, c1) in rects: m[i, r0:r1, c0:c1] = 1
//!     return m
//!
//! def bumped_maps(lcg, masks):             # row-major over (image, row, col)
//!     out = np.zeros(masks.shape, np.float32)
//!     for idx in np.ndindex(masks.shape):
//!         u = lcg.unit(); v = lcg.unit()
//!         w = v if masks[idx] > 0 else np.float32(0)
//!         out[idx] = np.float32(0.6) * u + np.float32(0.4) * w
//!     return out
//! ```
#![allow(dead_code)]

pub struct Lcg(u64);

impl Lcg {
    pub fn new(seed: u64) -> Self {
        Lcg(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0
    }

    /// A float32 in [0, 1) with 24 random bits (exact, so both languages agree).
    pub fn unit(&mut self) -> f32 {
        (self.next() >> 40) as f32 / 16777216.0
    }
}

/// Half-open rectangles `(image, row0, row1, col0, col1)` set to `true`, images stored one
/// after another, row-major.
pub fn rect_masks(
    images: usize,
    height: usize,
    width: usize,
    rects: &[(usize, usize, usize, usize, usize)],
) -> Vec<bool> {
    let mut masks = vec![false; images * height * width];
    for &(image, r0, r1, c0, c1) in rects {
        for row in r0..r1 {
            for col in c0..c1 {
                masks[(image * height + row) * width + col] = true;
            }
        }
    }
    masks
}

/// `0.6 * u + 0.4 * (v on mask pixels, else 0)` with two draws per pixel.
pub fn bumped_maps(lcg: &mut Lcg, masks: &[bool]) -> Vec<f32> {
    masks
        .iter()
        .map(|&anomalous| {
            let u = lcg.unit();
            let v = lcg.unit();
            let w = if anomalous { v } else { 0.0 };
            0.6f32 * u + 0.4f32 * w
        })
        .collect()
}

/// Relative-and-absolute closeness for values computed in a different summation order.
pub fn assert_close(actual: f64, expected: f64, tolerance: f64, what: &str) {
    assert!(
        (actual - expected).abs() <= tolerance,
        "{what}: got {actual}, expected {expected} (tolerance {tolerance})"
    );
}
