//! Deterministic inputs shared by the integration tests; `tests/data/make_expected.py` builds
//! the same images in numpy and writes what Pillow / OpenCV return for them.

#![allow(dead_code)] // each test binary uses a subset

use image::{GrayImage, Luma, Rgb, RgbImage};

/// `(x * 73 + y * 151 + c * 199 + x * y * 37) mod 256`: sharp edges and gradients, so clipping
/// and every filter tap matter.
pub fn test_rgb(width: u32, height: u32) -> RgbImage {
    RgbImage::from_fn(width, height, |x, y| {
        Rgb(std::array::from_fn(|c| {
            ((x * 73 + y * 151 + c as u32 * 199 + x * y * 37) % 256) as u8
        }))
    })
}

/// A 0/255 off-centre ellipse: `4 (x - 4)^2 + 9 (y - 3)^2 < 90`.
pub fn test_mask(width: u32, height: u32) -> GrayImage {
    GrayImage::from_fn(width, height, |x, y| {
        let (dx, dy) = (i64::from(x) - 4, i64::from(y) - 3);
        Luma([if dx * dx * 4 + dy * dy * 9 < 90 {
            255
        } else {
            0
        }])
    })
}

/// Fails with the position of the first difference and the largest difference.
pub fn assert_same_bytes(got: &[u8], expected: &[u8], what: &str) {
    assert_eq!(got.len(), expected.len(), "{what}: output size");
    let max_diff = got
        .iter()
        .zip(expected)
        .map(|(&a, &b)| a.abs_diff(b))
        .max()
        .unwrap_or(0);
    let first = got.iter().zip(expected).position(|(a, b)| a != b);
    assert!(
        first.is_none(),
        "{what}: first difference at byte {first:?}, largest difference {max_diff}"
    );
}
