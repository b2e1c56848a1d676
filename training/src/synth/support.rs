//! The paired support of a query: the reference's albumentations pipeline `RandomRotate90`,
//! `Rotate(limit=[30, 270])`, `HorizontalFlip(0.5)`, `VerticalFlip(0.5)`,
//! `GridDropout(ratio=0.3, p=0.5)`, `CoarseDropout(max_holes=8, 32x32, p=0.5)`, with the mask
//! carried through the geometric steps (dropouts leave masks unchanged, as albumentations does
//! without a mask fill value).

use dictas_imageops::cv2_rotate_rgb;
use image::{imageops, GrayImage, RgbImage};

use super::geometry::{fill_black, rot90, rotate_gray_nearest_reflect};
use crate::rng::SampleRng;

/// Rotation range of `Rotate(limit=[30, 270])`, degrees.
pub const ROTATION_RANGE: (f64, f64) = (30.0, 270.0);
/// Hole size relative to the grid unit in `GridDropout`.
pub const GRID_DROPOUT_RATIO: f64 = 0.3;
/// `CoarseDropout(max_holes=8, max_height=32, max_width=32)`: the minimum defaults to the
/// maximum, so always 8 holes of 32 x 32.
pub const COARSE_HOLES: usize = 8;
pub const COARSE_HOLE_SIZE: u32 = 32;

/// Probabilities of the random steps.
#[derive(Debug, Clone, Copy)]
pub struct SupportAugmentation {
    pub flip_p: f64,
    pub grid_dropout_p: f64,
    pub coarse_dropout_p: f64,
}

impl Default for SupportAugmentation {
    fn default() -> Self {
        SupportAugmentation { flip_p: 0.5, grid_dropout_p: 0.5, coarse_dropout_p: 0.5 }
    }
}

/// Runs the pipeline on an image and its mask.
pub fn augment_support(img: &RgbImage, mask: &GrayImage, aug: &SupportAugmentation, rng: &mut SampleRng) -> (RgbImage, GrayImage) {
    let quarter_turns = rng.below(4) as u32;
    let (mut img, mut mask) = (rot90(img, quarter_turns), rot90(mask, quarter_turns));
    let angle = rng.range(ROTATION_RANGE.0, ROTATION_RANGE.1);
    img = cv2_rotate_rgb(&img, angle);
    mask = rotate_gray_nearest_reflect(&mask, angle);
    if rng.chance(aug.flip_p) {
        img = imageops::flip_horizontal(&img);
        mask = imageops::flip_horizontal(&mask);
    }
    if rng.chance(aug.flip_p) {
        img = imageops::flip_vertical(&img);
        mask = imageops::flip_vertical(&mask);
    }
    if rng.chance(aug.grid_dropout_p) {
        grid_dropout(&mut img);
    }
    if rng.chance(aug.coarse_dropout_p) {
        coarse_dropout(&mut img, rng);
    }
    (img, mask)
}

/// albumentations `GridDropout(ratio=0.3)` with its defaults: unit = max(2, side / 10), hole =
/// int(unit * ratio) clamped to [1, unit - 1], no shift, holes at every unit of the grid.
pub fn grid_dropout(img: &mut RgbImage) {
    let (w, h) = img.dimensions();
    let unit_w = (w / 10).max(2);
    let unit_h = (h / 10).max(2);
    let hole_w = ((f64::from(unit_w) * GRID_DROPOUT_RATIO) as u32).clamp(1, unit_w - 1);
    let hole_h = ((f64::from(unit_h) * GRID_DROPOUT_RATIO) as u32).clamp(1, unit_h - 1);
    for i in 0..=w / unit_w {
        for j in 0..=h / unit_h {
            let (x1, y1) = ((unit_w * i).min(w), (unit_h * j).min(h));
            fill_black(img, x1, y1, (x1 + hole_w).min(w), (y1 + hole_h).min(h));
        }
    }
}

/// albumentations `CoarseDropout`: 8 black 32 x 32 holes at uniform positions inside the image.
pub fn coarse_dropout(img: &mut RgbImage, rng: &mut SampleRng) {
    let (w, h) = img.dimensions();
    let (hole_w, hole_h) = (COARSE_HOLE_SIZE.min(w), COARSE_HOLE_SIZE.min(h));
    for _ in 0..COARSE_HOLES {
        let y1 = rng.int_inclusive(0, i64::from(h - hole_h)) as u32;
        let x1 = rng.int_inclusive(0, i64::from(w - hole_w)) as u32;
        fill_black(img, x1, y1, x1 + hole_w, y1 + hole_h);
    }
}
