//! The reference's texture augmenters (imgaug), reimplemented on 8-bit RGB: three distinct
//! ones out of ten, applied in draw order, alter the DTD texture before it is pasted.
//! Parameter ranges are imgaug's (the reference's arguments or imgaug's defaults).

use image::RgbImage;

use super::geometry::rotate_rgb_constant;
use crate::rng::SampleRng;

/// Number of augmenters applied to each texture.
pub const AUGMENTERS_PER_TEXTURE: usize = 3;

/// The ten augmenters, in the reference's list order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextureAugmenter {
    /// `GammaContrast((0.5, 2.0), per_channel=True)`.
    GammaContrast,
    /// `MultiplyAndAddToBrightness(mul=(0.8, 1.2), add=(-30, 30))` on the luma of YCrCb.
    Brightness,
    /// `pillike.EnhanceSharpness()`, factor in (0, 2).
    Sharpness,
    /// `AddToHueAndSaturation((-50, 50), per_channel=True)`.
    HueSaturation,
    /// `Solarize(0.5, threshold=(32, 128))`.
    Solarize,
    /// `Posterize()`, 1 to 8 bits kept.
    Posterize,
    /// `Invert()`.
    Invert,
    /// `pillike.Autocontrast()`, cutoff 0 to 20 percent.
    Autocontrast,
    /// `pillike.Equalize()`.
    Equalize,
    /// `Affine(rotate=(-45, 45))`, bilinear, black outside.
    Rotate,
}

pub const ALL: [TextureAugmenter; 10] = [
    TextureAugmenter::GammaContrast,
    TextureAugmenter::Brightness,
    TextureAugmenter::Sharpness,
    TextureAugmenter::HueSaturation,
    TextureAugmenter::Solarize,
    TextureAugmenter::Posterize,
    TextureAugmenter::Invert,
    TextureAugmenter::Autocontrast,
    TextureAugmenter::Equalize,
    TextureAugmenter::Rotate,
];

/// Draws three distinct augmenters and applies them in order.
pub fn augment_texture(texture: &RgbImage, rng: &mut SampleRng) -> RgbImage {
    let mut out = texture.clone();
    for index in rng.distinct(AUGMENTERS_PER_TEXTURE, ALL.len()) {
        out = apply(ALL[index], &out, rng);
    }
    out
}

fn to_u8(v: f64) -> u8 {
    v.round().clamp(0.0, 255.0) as u8
}

fn map_channels(img: &RgbImage, f: impl Fn(usize, u8) -> u8) -> RgbImage {
    let mut out = img.clone();
    for p in out.pixels_mut() {
        for c in 0..3 {
            p[c] = f(c, p[c]);
        }
    }
    out
}

/// Applies one augmenter with parameters drawn from `rng`.
pub fn apply(aug: TextureAugmenter, img: &RgbImage, rng: &mut SampleRng) -> RgbImage {
    match aug {
        TextureAugmenter::GammaContrast => {
            let gammas = [rng.range(0.5, 2.0), rng.range(0.5, 2.0), rng.range(0.5, 2.0)];
            map_channels(img, |c, v| to_u8((f64::from(v) / 255.0).powf(gammas[c]) * 255.0))
        }
        TextureAugmenter::Brightness => {
            let (mul, add) = (rng.range(0.8, 1.2), rng.range(-30.0, 30.0).round());
            brightness(img, mul, add)
        }
        TextureAugmenter::Sharpness => sharpness(img, rng.range(0.0, 2.0)),
        TextureAugmenter::HueSaturation => {
            let (hue, sat) = (rng.int_inclusive(-50, 50), rng.int_inclusive(-50, 50));
            hue_saturation(img, hue, sat)
        }
        TextureAugmenter::Solarize => {
            if rng.chance(0.5) {
                let threshold = rng.range(32.0, 128.0);
                map_channels(img, |_, v| if f64::from(v) >= threshold { 255 - v } else { v })
            } else {
                img.clone()
            }
        }
        TextureAugmenter::Posterize => {
            let bits = rng.int_inclusive(1, 8) as u32;
            let keep = (0xFFu32 << (8 - bits)) as u8;
            map_channels(img, |_, v| v & keep)
        }
        TextureAugmenter::Invert => map_channels(img, |_, v| 255 - v),
        TextureAugmenter::Autocontrast => autocontrast(img, rng.int_inclusive(0, 20) as f64),
        TextureAugmenter::Equalize => equalize(img),
        TextureAugmenter::Rotate => rotate_rgb_constant(img, rng.range(-45.0, 45.0)),
    }
}

/// Y of YCrCb scaled by `mul` plus `add`, chroma kept (ITU-R BT.601, as OpenCV converts).
fn brightness(img: &RgbImage, mul: f64, add: f64) -> RgbImage {
    let mut out = img.clone();
    for p in out.pixels_mut() {
        let [r, g, b] = p.0.map(f64::from);
        let y = 0.299 * r + 0.587 * g + 0.114 * b;
        let (cr, cb) = ((r - y) * 0.713 + 128.0, (b - y) * 0.564 + 128.0);
        let y = f64::from(to_u8(y)) * mul + add;
        let y = f64::from(to_u8(y));
        let r = y + 1.403 * (cr - 128.0);
        let g = y - 0.714 * (cr - 128.0) - 0.344 * (cb - 128.0);
        let b = y + 1.773 * (cb - 128.0);
        p.0 = [to_u8(r), to_u8(g), to_u8(b)];
    }
    out
}

/// PIL `ImageEnhance.Sharpness`: blend with the SMOOTH-filtered image (3x3 kernel, centre 5,
/// others 1, divided by 13; border pixels unfiltered) by `factor`.
fn sharpness(img: &RgbImage, factor: f64) -> RgbImage {
    let (w, h) = img.dimensions();
    let mut out = img.clone();
    if w < 3 || h < 3 {
        return out;
    }
    for y in 1..h - 1 {
        for x in 1..w - 1 {
            for c in 0..3 {
                let mut sum = 0.0;
                for dy in 0..3 {
                    for dx in 0..3 {
                        let weight = if dx == 1 && dy == 1 { 5.0 } else { 1.0 };
                        sum += weight * f64::from(img.get_pixel(x + dx - 1, y + dy - 1)[c]);
                    }
                }
                let smooth = f64::from(to_u8(sum / 13.0));
                let original = f64::from(img.get_pixel(x, y)[c]);
                out.get_pixel_mut(x, y)[c] = to_u8(smooth + factor * (original - smooth));
            }
        }
    }
    out
}

/// Adds to hue (imgaug's -255..255 scale mapped onto OpenCV's 180 hue steps) and saturation.
fn hue_saturation(img: &RgbImage, hue: i64, sat: i64) -> RgbImage {
    let hue_shift = (hue as f64 * 180.0 / 255.0).round() as i64;
    let mut out = img.clone();
    for p in out.pixels_mut() {
        let (h, s, v) = rgb_to_hsv(p.0);
        let h = (h + hue_shift).rem_euclid(180);
        let s = (s + sat).clamp(0, 255);
        p.0 = hsv_to_rgb(h, s, v);
    }
    out
}

/// OpenCV's 8-bit HSV: H in [0, 180), S and V in [0, 255].
fn rgb_to_hsv([r, g, b]: [u8; 3]) -> (i64, i64, i64) {
    let (r, g, b) = (f64::from(r), f64::from(g), f64::from(b));
    let v = r.max(g).max(b);
    let min = r.min(g).min(b);
    let delta = v - min;
    let s = if v > 0.0 { delta / v * 255.0 } else { 0.0 };
    let h = if delta == 0.0 {
        0.0
    } else if v == r {
        60.0 * (g - b) / delta
    } else if v == g {
        120.0 + 60.0 * (b - r) / delta
    } else {
        240.0 + 60.0 * (r - g) / delta
    };
    let h = if h < 0.0 { h + 360.0 } else { h };
    ((h / 2.0).round() as i64 % 180, s.round() as i64, v as i64)
}

fn hsv_to_rgb(h: i64, s: i64, v: i64) -> [u8; 3] {
    let (h, s, v) = (h as f64 * 2.0, s as f64 / 255.0, v as f64);
    let c = v * s;
    let x = c * (1.0 - ((h / 60.0) % 2.0 - 1.0).abs());
    let m = v - c;
    let (r, g, b) = match (h / 60.0) as i64 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    [to_u8(r + m), to_u8(g + m), to_u8(b + m)]
}

fn histograms(img: &RgbImage) -> [[u64; 256]; 3] {
    let mut hist = [[0u64; 256]; 3];
    for p in img.pixels() {
        for c in 0..3 {
            hist[c][p[c] as usize] += 1;
        }
    }
    hist
}

/// PIL `ImageOps.autocontrast(cutoff)`: per channel drop `cutoff` percent of the pixels at
/// each end of the histogram, stretch the rest to 0..255.
fn autocontrast(img: &RgbImage, cutoff: f64) -> RgbImage {
    let hist = histograms(img);
    let total = u64::from(img.width()) * u64::from(img.height());
    let cut = (total as f64 * cutoff / 100.0) as u64;
    let luts: Vec<Vec<u8>> = hist
        .iter()
        .map(|h| {
            let bound = |order: Vec<usize>| {
                let mut seen = 0;
                order.into_iter().find(|&i| {
                    seen += h[i];
                    seen > cut
                })
            };
            let (lo, hi) = (bound((0..256).collect()), bound((0..256).rev().collect()));
            match (lo, hi) {
                (Some(lo), Some(hi)) if hi > lo => {
                    let scale = 255.0 / (hi - lo) as f64;
                    (0..256).map(|i| to_u8((i as f64 - lo as f64) * scale)).collect()
                }
                _ => (0..256).map(|i| i as u8).collect(),
            }
        })
        .collect();
    map_channels(img, |c, v| luts[c][v as usize])
}

/// PIL `ImageOps.equalize`: per channel, map through the cumulative histogram.
fn equalize(img: &RgbImage) -> RgbImage {
    let hist = histograms(img);
    let luts: Vec<Vec<u8>> = hist
        .iter()
        .map(|h| {
            let used: Vec<u64> = h.iter().copied().filter(|&n| n > 0).collect();
            let step = (used.iter().sum::<u64>() - used.last().copied().unwrap_or(0)) / 255;
            if step == 0 {
                return (0..256).map(|i| i as u8).collect();
            }
            let mut n = step / 2;
            (0..256)
                .map(|i| {
                    let v = (n / step).min(255) as u8;
                    n += h[i];
                    v
                })
                .collect()
        })
        .collect();
    map_channels(img, |c, v| luts[c][v as usize])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ramp() -> RgbImage {
        RgbImage::from_fn(16, 16, |x, y| image::Rgb([(x * 16) as u8, (y * 16) as u8, 100]))
    }

    #[test]
    fn invert_and_posterize_are_exact() {
        let mut rng = SampleRng::from_seed(0);
        let img = ramp();
        let inv = apply(TextureAugmenter::Invert, &img, &mut rng);
        assert!(img.pixels().zip(inv.pixels()).all(|(a, b)| (0..3).all(|c| a[c] + b[c] == 255)));
        let post = apply(TextureAugmenter::Posterize, &img, &mut rng);
        // Posterizing only clears low bits: never brighter, and the top bit is always kept.
        assert!(img.pixels().zip(post.pixels()).all(|(a, b)| (0..3).all(|c| b[c] <= a[c] && a[c] - b[c] < 128)));
    }

    #[test]
    fn hsv_round_trip_keeps_colours_close() {
        for rgb in [[200u8, 30, 40], [10, 250, 90], [0, 0, 0], [255, 255, 255], [90, 90, 200]] {
            let (h, s, v) = rgb_to_hsv(rgb);
            let back = hsv_to_rgb(h, s, v);
            for c in 0..3 {
                assert!((i32::from(back[c]) - i32::from(rgb[c])).abs() <= 4, "{rgb:?} -> {back:?}");
            }
        }
    }

    #[test]
    fn equalize_spreads_a_narrow_histogram() {
        // 16 levels of 256 pixels each (PIL leaves images with fewer than 256 pixels unchanged).
        let img = RgbImage::from_fn(64, 64, |x, _| image::Rgb([100 + (x / 4) as u8; 3]));
        let eq = equalize(&img);
        let values: Vec<u8> = eq.pixels().map(|p| p[0]).collect();
        assert_eq!(*values.iter().min().unwrap(), 0);
        assert!(*values.iter().max().unwrap() >= 230);
    }

    #[test]
    fn three_distinct_augmenters_keep_the_size() {
        let mut rng = SampleRng::from_seed(9);
        let out = augment_texture(&ramp(), &mut rng);
        assert_eq!(out.dimensions(), (16, 16));
    }
}
