//! `cv2_rotate_rgb` against albumentations 1.3.1 / OpenCV 4.6.0.
//!
//! Expected bytes: `tests/data/rotate_rgb_13x9_*.bin`, written by `tests/data/make_expected.py`
//! with opencv-python-headless 4.6.0.66 and albumentations 1.3.1, the way the reference rotates
//! screw supports:
//! `A.Rotate(limit=(angle, angle), always_apply=True)(image=bgr)["image"][:, :, ::-1]` on
//! `bgr = test_rgb(13, 9)[:, :, ::-1]` (the script asserts this equals `cv2.warpAffine(...,
//! cv2.getRotationMatrix2D((13/2 - 0.5, 9/2 - 0.5), angle, 1.0), (13, 9), INTER_LINEAR,
//! BORDER_REFLECT_101)` on the RGB array). Every case is bit-exact.

mod common;

use common::{assert_same_bytes, test_rgb};
use dictas_imageops::cv2_rotate_rgb;

fn check(angle: f64, expected: &[u8]) {
    let out = cv2_rotate_rgb(&test_rgb(13, 9), angle);
    assert_eq!(out.dimensions(), (13, 9));
    assert_same_bytes(
        out.as_raw(),
        expected,
        &format!("rotation by {angle} degrees"),
    );
}

#[test]
fn diagonal_rotations_match_opencv() {
    check(-135.0, include_bytes!("data/rotate_rgb_13x9_minus135.bin"));
    check(-45.0, include_bytes!("data/rotate_rgb_13x9_minus45.bin"));
}

#[test]
fn right_angle_rotations_of_a_non_square_image_match_opencv() {
    // At 90 degrees the rotated 9x13 content leaves parts of the 13x9 frame uncovered; those
    // come from the reflect-101 border. At 180 the centre (6, 4) is a pixel, so it is a flip.
    check(90.0, include_bytes!("data/rotate_rgb_13x9_90.bin"));
    check(180.0, include_bytes!("data/rotate_rgb_13x9_180.bin"));
}

#[test]
fn zero_rotation_is_the_identity() {
    let img = test_rgb(13, 9);
    assert_eq!(cv2_rotate_rgb(&img, 0.0), img);
}

#[test]
fn empty_image_stays_empty() {
    let out = cv2_rotate_rgb(&image::RgbImage::new(0, 0), 45.0);
    assert_eq!(out.dimensions(), (0, 0));
}
