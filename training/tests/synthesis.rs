//! Sample synthesis on small images: binary masks covering exactly the pasted region, the
//! probability knobs over many seeded draws, and reproducibility.

use dictas_train::rng::SampleRng;
use dictas_train::synth::anomaly::{paste, round_trip};
use dictas_train::synth::support::grid_dropout;
use dictas_train::synth::{synthesize_pair, SynthesisSettings};
use image::{GrayImage, Rgb, RgbImage};

fn base_image() -> RgbImage {
    RgbImage::from_fn(48, 40, |x, y| Rgb([(x * 5) as u8, (y * 6) as u8, ((x + y) * 3) as u8]))
}

/// The recipe's pipeline at a reduced scale (base 128, canvas 64) to keep tests fast.
fn small_settings() -> SynthesisSettings {
    SynthesisSettings { base_size: 128, canvas: 64, ..SynthesisSettings::default() }
}

fn texture(_: usize) -> anyhow::Result<RgbImage> {
    Ok(RgbImage::from_fn(20, 20, |x, y| Rgb([250 - (x * 3) as u8, 10 + (y * 7) as u8, 128])))
}

#[test]
fn paste_changes_only_the_region_with_the_reference_blend() {
    let image = RgbImage::from_fn(8, 8, |x, y| Rgb([(x * 30) as u8, (y * 30) as u8, 77]));
    let tex = RgbImage::from_pixel(8, 8, Rgb([200, 10, 250]));
    let region: Vec<bool> = (0..64).map(|i| i % 3 == 0).collect();
    let beta = 0.25;
    let out = paste(&image, &tex, &region, beta);
    for (i, (p, q)) in image.pixels().zip(out.pixels()).enumerate() {
        for c in 0..3 {
            let want = if region[i] {
                // (1 - beta) * texture + beta * image, in [0, 1], truncated back to 8 bits.
                (((1.0 - beta) * f64::from(tex.get_pixel(0, 0)[c]) / 255.0 + beta * f64::from(p[c]) / 255.0) * 255.0) as i32
            } else {
                i32::from(round_trip(p[c]))
            };
            assert!((i32::from(q[c]) - want).abs() <= 1, "pixel {i} channel {c}: {} vs {want}", q[c]);
        }
    }
}

#[test]
fn synthetic_masks_are_binary_and_cover_every_changed_pixel() {
    let settings = SynthesisSettings { anomaly_p: 1.0, ..small_settings() };
    let mask = GrayImage::new(48, 40);
    let mut with_region = 0;
    for seed in 0..6 {
        let mut rng = SampleRng::for_sample(seed, 0, 0);
        let pair = synthesize_pair(&base_image(), &mask, false, 1, &texture, &settings, &mut rng).unwrap();
        assert!(pair.synthesized);
        assert!(pair.query_mask.pixels().all(|p| p[0] == 0 || p[0] == 255));
        let foreground = pair.query_mask.pixels().filter(|p| p[0] == 255).count();
        assert_eq!(pair.anomaly, foreground > 0);
        with_region += usize::from(foreground > 0);
        // Redo the untouched pipeline: outside the mask the query equals the plain resize.
        let plain = {
            let big = dictas_imageops::pil_resize_rgb(&base_image(), 128, 128, dictas_imageops::Filter::Bicubic);
            dictas_train::synth::cv2_resize::cv2_resize_rgb(&big, 64, 64, dictas_train::synth::cv2_resize::Cv2Interpolation::Cubic)
        };
        for ((q, p), m) in pair.query.pixels().zip(plain.pixels()).zip(pair.query_mask.pixels()) {
            if m[0] == 0 {
                assert_eq!(q.0, p.0.map(round_trip), "a pixel outside the mask changed");
            }
        }
    }
    assert!(with_region > 0, "no seed produced an anomalous region");
}

#[test]
fn probabilities_hold_over_many_draws() {
    let settings = SynthesisSettings { base_size: 8, canvas: 8, ..SynthesisSettings::default() };
    let small = RgbImage::from_pixel(4, 4, Rgb([90, 90, 90]));
    let mask = GrayImage::new(4, 4);
    // Decide the two coin flips exactly as `synthesize_pair` does, without the image work, by
    // running it on a tiny image: 2000 draws each.
    let (mut augmented, mut synthesized) = (0, 0);
    let draws = 2000;
    for i in 0..draws {
        let mut rng = SampleRng::for_sample(42, 1, i);
        let pair = synthesize_pair(&small, &mask, false, 1, &texture, &settings, &mut rng).unwrap();
        augmented += usize::from(pair.support_augmented);
        synthesized += usize::from(pair.synthesized);
    }
    let (pa, ps) = (augmented as f64 / draws as f64, synthesized as f64 / draws as f64);
    assert!((pa - 0.9).abs() < 0.03, "support augmented in {pa} of draws");
    assert!((ps - 0.3).abs() < 0.05, "anomaly synthesized in {ps} of draws");
}

#[test]
fn identical_seeds_give_identical_samples() {
    let settings = SynthesisSettings { anomaly_p: 0.5, ..small_settings() };
    let mask = GrayImage::new(48, 40);
    let draw = |index| {
        let mut rng = SampleRng::for_sample(7, 3, index);
        synthesize_pair(&base_image(), &mask, false, 1, &texture, &settings, &mut rng).unwrap()
    };
    let (a, b, c) = (draw(5), draw(5), draw(6));
    assert_eq!(a.query, b.query);
    assert_eq!(a.query_mask, b.query_mask);
    assert_eq!(a.support, b.support);
    assert!(a.support != c.support || a.query != c.query, "different indices drew the same sample");
}

#[test]
fn grid_dropout_blacks_out_the_albumentations_grid() {
    // 100 x 100: unit 10, hole int(10 * 0.3) = 3: pixels with x % 10 < 3 and y % 10 < 3 are black.
    let mut img = RgbImage::from_pixel(100, 100, Rgb([9, 9, 9]));
    grid_dropout(&mut img);
    for (x, y, p) in img.enumerate_pixels() {
        let hole = x % 10 < 3 && y % 10 < 3;
        assert_eq!(p.0 == [0, 0, 0], hole, "({x}, {y})");
    }
}
