//! Mask ground truth and the rotated screw supports.

mod common;

use dictas_model::preprocess::{load_mask, rotated_supports};
use image::{GrayImage, RgbImage};

#[test]
fn mask_is_binarized_resized_and_thresholded_like_the_reference() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mask.png");
    let mut mask = GrayImage::new(4, 4);
    for (x, y, v) in [(1, 1, 255u8), (2, 1, 7), (1, 2, 255), (3, 3, 1)] {
        mask.put_pixel(x, y, image::Luma([v]));
    }
    mask.save(&path).unwrap();
    // Expected from Python (Pillow): Image.fromarray((m > 0) * 255, 'L').resize((8, 8),
    // Image.BILINEAR), then / 255 > 0.5.
    #[rustfmt::skip]
    let expected: [u8; 64] = [
        0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 1, 1, 1, 1, 0, 0,
        0, 0, 1, 1, 1, 1, 0, 0,
        0, 0, 1, 1, 0, 0, 0, 0,
        0, 0, 1, 1, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 1, 1,
        0, 0, 0, 0, 0, 0, 1, 1,
    ];
    assert_eq!(load_mask(Some(&path), 8).unwrap(), expected);
    assert_eq!(load_mask(None, 3).unwrap(), vec![0; 9]);
}

#[test]
fn fixture_mask_at_its_own_size_keeps_every_nonzero_pixel() {
    let path = common::parity_fixture().join("data/mvtec/bottle/ground_truth/anomaly/mvtec_anomaly_000006.png");
    let raw = image::open(&path).unwrap().to_luma8().into_raw();
    let mask = load_mask(Some(&path), 224).unwrap();
    let expected: Vec<u8> = raw.iter().map(|&v| u8::from(v > 0)).collect();
    assert!(expected.contains(&1), "the fixture mask has foreground");
    assert_eq!(mask, expected);
}

#[test]
fn missing_mask_file_is_named() {
    let err = format!("{:#}", load_mask(Some(std::path::Path::new("/nonexistent/m.png")), 8).unwrap_err());
    assert!(err.contains("/nonexistent/m.png"), "{err}");
}

#[test]
fn rotated_supports_start_with_the_original_then_the_angles_in_order() {
    let (w, h) = (7u32, 5u32);
    let img = RgbImage::from_fn(w, h, |x, y| image::Rgb([(x * 30) as u8, (y * 40) as u8, ((x + y) * 9) as u8]));
    let set = rotated_supports(&img);
    assert_eq!(set.len(), 10);
    assert_eq!(set[0], img);
    // Angle 0 (position 5) is the identity; -180 and 180 (positions 1 and 9) mirror the image
    // through the centre (w/2 - 0.5, h/2 - 0.5), i.e. (x, y) -> (w-1-x, h-1-y).
    assert_eq!(set[5], img);
    let mirrored = RgbImage::from_fn(w, h, |x, y| *img.get_pixel(w - 1 - x, h - 1 - y));
    assert_eq!(set[1], mirrored);
    assert_eq!(set[9], mirrored);
    assert!(set.iter().all(|r| r.dimensions() == (w, h)));
}
