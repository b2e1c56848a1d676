//! Planted defects. Each one changes exactly the pixels its mask marks, and changes them
//! clearly, so the mask is the exact ground truth.

use super::rng::Rng;
use image::{GrayImage, Luma, Rgb, RgbImage};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Defect {
    /// A straight line segment, dark on bright texture and bright on dark.
    Scratch,
    /// A filled rotated ellipse, strongly darkened on bright texture and lightened on dark.
    Blob,
    /// A few small discs of a vivid colour.
    ColorSpot,
}

pub const ALL: [Defect; 3] = [Defect::Blob, Defect::ColorSpot, Defect::Scratch];

impl Defect {
    /// The defect folder name in the raw MVTec layout.
    pub fn folder(self) -> &'static str {
        match self {
            Defect::Scratch => "scratch",
            Defect::Blob => "blob",
            Defect::ColorSpot => "color_spot",
        }
    }
}

/// Plants `defect` into `image` and returns its mask (255 where pixels were changed).
pub fn plant(image: &mut RgbImage, defect: Defect, rng: &mut Rng) -> GrayImage {
    let s = image.width() as f32;
    let inside: Box<dyn Fn(f32, f32) -> bool> = match defect {
        Defect::Scratch => {
            let (x0, y0) = (rng.range(0.15, 0.85) * s, rng.range(0.15, 0.85) * s);
            let (angle, length) = (rng.range(0.0, std::f32::consts::TAU), rng.range(0.2, 0.45) * s);
            let (x1, y1) = (
                (x0 + angle.cos() * length).clamp(0.0, s - 1.0),
                (y0 + angle.sin() * length).clamp(0.0, s - 1.0),
            );
            let half_width = (s / 128.0).max(1.0);
            Box::new(move |x, y| distance_to_segment(x, y, x0, y0, x1, y1) <= half_width)
        }
        Defect::Blob => {
            let (cx, cy) = (rng.range(0.25, 0.75) * s, rng.range(0.25, 0.75) * s);
            let (a, b) = (rng.range(0.05, 0.12) * s + 1.0, rng.range(0.04, 0.09) * s + 1.0);
            let (cos, sin) = {
                let angle = rng.range(0.0, std::f32::consts::PI);
                (angle.cos(), angle.sin())
            };
            Box::new(move |x, y| {
                let (dx, dy) = (x - cx, y - cy);
                let (u, v) = (dx * cos + dy * sin, -dx * sin + dy * cos);
                (u / a).powi(2) + (v / b).powi(2) <= 1.0
            })
        }
        Defect::ColorSpot => {
            let count = rng.int(3, 6);
            let spots: Vec<(f32, f32, f32)> = (0..count)
                .map(|_| {
                    (
                        rng.range(0.1, 0.9) * s,
                        rng.range(0.1, 0.9) * s,
                        rng.range(0.015, 0.04) * s + 1.0,
                    )
                })
                .collect();
            Box::new(move |x, y| {
                spots
                    .iter()
                    .any(|(cx, cy, r)| (x - cx).powi(2) + (y - cy).powi(2) <= r * r)
            })
        }
    };
    let vivid = [Rgb([220u8, 30, 40]), Rgb([30, 200, 60]), Rgb([40, 60, 230])][rng.int(0, 2) as usize];
    let mut mask = GrayImage::new(image.width(), image.height());
    for (x, y, pixel) in image.enumerate_pixels_mut() {
        if !inside(x as f32, y as f32) {
            continue;
        }
        *pixel = match defect {
            Defect::Scratch => {
                if brightness(pixel) > 128 {
                    Rgb([15, 15, 15])
                } else {
                    Rgb([240, 240, 240])
                }
            }
            Defect::Blob => {
                let darken = brightness(pixel) > 128;
                Rgb(pixel.0.map(|c| if darken { c / 5 * 2 } else { 150 + c / 5 * 2 }))
            }
            Defect::ColorSpot => vivid,
        };
        mask.put_pixel(x, y, Luma([255]));
    }
    mask
}

fn brightness(pixel: &Rgb<u8>) -> u32 {
    pixel.0.iter().map(|&c| u32::from(c)).sum::<u32>() / 3
}

fn distance_to_segment(x: f32, y: f32, x0: f32, y0: f32, x1: f32, y1: f32) -> f32 {
    let (dx, dy) = (x1 - x0, y1 - y0);
    let length2 = dx * dx + dy * dy;
    let t = if length2 == 0.0 {
        0.0
    } else {
        (((x - x0) * dx + (y - y0) * dy) / length2).clamp(0.0, 1.0)
    };
    ((x - x0 - t * dx).powi(2) + (y - y0 - t * dy).powi(2)).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::textures::{self, render};

    /// The mask marks exactly the changed pixels, for every texture and defect kind.
    #[test]
    fn masks_mark_exactly_the_changed_pixels() {
        for texture in textures::ALL {
            for defect in ALL {
                for seed in 0..4 {
                    let mut class_rng = Rng::derive(seed, &[0]);
                    let mut image_rng = Rng::derive(seed, &[1]);
                    let clean = render(texture, 64, &mut class_rng, &mut image_rng);
                    let mut damaged = clean.clone();
                    let mask = plant(&mut damaged, defect, &mut image_rng);
                    let mut marked = 0;
                    for ((before, after), m) in clean.pixels().zip(damaged.pixels()).zip(mask.pixels()) {
                        assert_eq!(before != after, m[0] == 255, "{texture:?} {defect:?} seed {seed}");
                        marked += usize::from(m[0] == 255);
                    }
                    assert!(marked > 0, "{texture:?} {defect:?} seed {seed}: empty defect");
                }
            }
        }
    }
}
