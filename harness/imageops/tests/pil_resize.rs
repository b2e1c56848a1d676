//! `pil_resize_*` against real Pillow output.
//!
//! Expected bytes: `tests/data/*.bin`, written by `tests/data/make_expected.py` with
//! Pillow 12.2.0 (also checked identical under 9.5.0 and 11.3.0), e.g.
//! `np.array(Image.fromarray(test_rgb(13, 9)).resize((5, 7), Image.BICUBIC)).tobytes()`.
//! Every case is bit-exact.

mod common;

use common::{assert_same_bytes, test_mask, test_rgb};
use dictas_imageops::{pil_resize_gray, pil_resize_rgb, Filter};

fn check_rgb(width: u32, height: u32, new_w: u32, new_h: u32, filter: Filter, expected: &[u8]) {
    let out = pil_resize_rgb(&test_rgb(width, height), new_w, new_h, filter);
    assert_eq!(out.dimensions(), (new_w, new_h));
    assert_same_bytes(
        out.as_raw(),
        expected,
        &format!("{filter:?} {width}x{height} -> {new_w}x{new_h}"),
    );
}

fn check_mask(new_w: u32, new_h: u32, filter: Filter, expected: &[u8]) {
    let out = pil_resize_gray(&test_mask(13, 9), new_w, new_h, filter);
    assert_eq!(out.dimensions(), (new_w, new_h));
    assert_same_bytes(
        out.as_raw(),
        expected,
        &format!("mask {filter:?} 13x9 -> {new_w}x{new_h}"),
    );
}

#[test]
fn bicubic_downscale_is_antialiased_like_pillow() {
    // rgb.resize((5, 7), Image.BICUBIC): width shrinks, height grows.
    check_rgb(
        13,
        9,
        5,
        7,
        Filter::Bicubic,
        include_bytes!("data/resize_bicubic_rgb_13x9_to_5x7.bin"),
    );
}

#[test]
fn bicubic_upscale_matches_pillow() {
    // rgb.resize((20, 16), Image.BICUBIC)
    check_rgb(
        13,
        9,
        20,
        16,
        Filter::Bicubic,
        include_bytes!("data/resize_bicubic_rgb_13x9_to_20x16.bin"),
    );
}

#[test]
fn bicubic_resizing_one_axis_runs_only_that_pass() {
    // rgb.resize((13, 4), Image.BICUBIC) and rgb.resize((6, 9), Image.BICUBIC)
    check_rgb(
        13,
        9,
        13,
        4,
        Filter::Bicubic,
        include_bytes!("data/resize_bicubic_rgb_13x9_to_13x4.bin"),
    );
    check_rgb(
        13,
        9,
        6,
        9,
        Filter::Bicubic,
        include_bytes!("data/resize_bicubic_rgb_13x9_to_6x9.bin"),
    );
}

#[test]
fn bicubic_runs_the_horizontal_pass_first_even_when_the_height_shrinks_most() {
    // Image.fromarray(test_rgb(7, 31)).resize((6, 5), Image.BICUBIC) under Pillow <= 12.2.
    // Pillow 13.0 would run the vertical pass first here and differ by 1 in 18 of 90 values.
    check_rgb(
        7,
        31,
        6,
        5,
        Filter::Bicubic,
        include_bytes!("data/resize_bicubic_rgb_7x31_to_6x5.bin"),
    );
}

#[test]
fn bilinear_matches_pillow_on_rgb_and_masks() {
    // rgb.resize((5, 7), Image.BILINEAR); mask.resize((5, 7) and (20, 16), Image.BILINEAR)
    check_rgb(
        13,
        9,
        5,
        7,
        Filter::Bilinear,
        include_bytes!("data/resize_bilinear_rgb_13x9_to_5x7.bin"),
    );
    check_mask(
        5,
        7,
        Filter::Bilinear,
        include_bytes!("data/resize_bilinear_gray_13x9_to_5x7.bin"),
    );
    check_mask(
        20,
        16,
        Filter::Bilinear,
        include_bytes!("data/resize_bilinear_gray_13x9_to_20x16.bin"),
    );
}

#[test]
fn nearest_matches_pillow() {
    // rgb.resize((5, 7) and (20, 16), Image.NEAREST); mask.resize((5, 7), Image.NEAREST)
    check_rgb(
        13,
        9,
        5,
        7,
        Filter::Nearest,
        include_bytes!("data/resize_nearest_rgb_13x9_to_5x7.bin"),
    );
    check_rgb(
        13,
        9,
        20,
        16,
        Filter::Nearest,
        include_bytes!("data/resize_nearest_rgb_13x9_to_20x16.bin"),
    );
    check_mask(
        5,
        7,
        Filter::Nearest,
        include_bytes!("data/resize_nearest_gray_13x9_to_5x7.bin"),
    );
}

#[test]
fn same_size_resize_is_a_copy_for_every_filter() {
    // Pillow returns `self.copy()` when the size is unchanged, whatever the filter.
    let rgb = test_rgb(13, 9);
    let mask = test_mask(13, 9);
    for filter in [Filter::Nearest, Filter::Bilinear, Filter::Bicubic] {
        assert_eq!(pil_resize_rgb(&rgb, 13, 9, filter), rgb, "{filter:?}");
        assert_eq!(pil_resize_gray(&mask, 13, 9, filter), mask, "{filter:?}");
    }
}

#[test]
fn empty_target_size_gives_an_empty_image() {
    let out = pil_resize_rgb(&test_rgb(13, 9), 0, 4, Filter::Bicubic);
    assert_eq!(out.dimensions(), (0, 4));
}
