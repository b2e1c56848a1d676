//! Procedural textures, one family per synthetic class, with per-image jitter.

use super::rng::Rng;
use image::{Rgb, RgbImage};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Texture {
    /// Warped stripes in wood tones.
    Wood,
    /// Regular grid lines on a metal-gray background.
    Grid,
    /// Smooth multi-scale noise, like a woven carpet seen from afar.
    Carpet,
    /// Scattered round tiles of slightly different shades.
    Tile,
    /// Fine grain over soft large-scale shading.
    Leather,
}

pub const ALL: [Texture; 5] = [
    Texture::Wood,
    Texture::Grid,
    Texture::Carpet,
    Texture::Tile,
    Texture::Leather,
];

impl Texture {
    /// The class name used for this texture (official MVTec texture class names).
    pub fn class_name(self) -> &'static str {
        match self {
            Texture::Wood => "wood",
            Texture::Grid => "grid",
            Texture::Carpet => "carpet",
            Texture::Tile => "tile",
            Texture::Leather => "leather",
        }
    }

    /// The texture for a class name; unknown names cycle through the families by position.
    pub fn for_class(name: &str, position: usize) -> Texture {
        ALL.into_iter()
            .find(|t| t.class_name() == name)
            .unwrap_or(ALL[position % ALL.len()])
    }
}

/// Renders one image. `class_rng` fixes the class look (colours, scales); `image_rng`
/// jitters it per image (phase, offsets, small scale changes).
pub fn render(texture: Texture, size: u32, class_rng: &mut Rng, image_rng: &mut Rng) -> RgbImage {
    let base = base_colour(texture, class_rng);
    let s = size as f32;
    let shade: Box<dyn Fn(f32, f32) -> f32> = match texture {
        Texture::Wood => {
            let frequency = class_rng.range(6.0, 12.0) * image_rng.range(0.95, 1.05) / s;
            let angle = class_rng.range(0.0, std::f32::consts::PI) + image_rng.range(-0.1, 0.1);
            let (phase, warp) = (image_rng.range(0.0, 6.3), image_rng.range(0.5, 1.5));
            let (c, si) = (angle.cos(), angle.sin());
            Box::new(move |x, y| {
                let t = x * c + y * si;
                let u = -x * si + y * c;
                0.5 + 0.5 * (std::f32::consts::TAU * frequency * t + warp * (u * 4.0 / s).sin() + phase).sin()
            })
        }
        Texture::Grid => {
            let cell = (s / class_rng.range(6.0, 10.0)) * image_rng.range(0.97, 1.03);
            let thickness = (cell * 0.12).max(1.0);
            let (ox, oy) = (image_rng.range(0.0, cell), image_rng.range(0.0, cell));
            Box::new(move |x, y| {
                let on_line = (x + ox) % cell < thickness || (y + oy) % cell < thickness;
                if on_line {
                    0.2
                } else {
                    0.8
                }
            })
        }
        Texture::Carpet => {
            let coarse = ValueNoise::new(image_rng, (s / 12.0).max(2.0), size);
            let fine = ValueNoise::new(image_rng, (s / 48.0).max(1.5), size);
            Box::new(move |x, y| 0.6 * coarse.at(x, y) + 0.4 * fine.at(x, y))
        }
        Texture::Tile => {
            let count = image_rng.int(12, 24);
            let discs: Vec<(f32, f32, f32, f32)> = (0..count)
                .map(|_| {
                    (
                        image_rng.range(0.0, s),
                        image_rng.range(0.0, s),
                        image_rng.range(0.04, 0.1) * s,
                        image_rng.range(0.2, 1.0),
                    )
                })
                .collect();
            Box::new(move |x, y| {
                discs
                    .iter()
                    .rev()
                    .find(|(cx, cy, r, _)| (x - cx).powi(2) + (y - cy).powi(2) <= r * r)
                    .map_or(0.5, |d| d.3)
            })
        }
        Texture::Leather => {
            let soft = ValueNoise::new(image_rng, (s / 4.0).max(2.0), size);
            let grain = ValueNoise::new(image_rng, (s / 128.0).max(1.0), size);
            Box::new(move |x, y| 0.5 * soft.at(x, y) + 0.5 * grain.at(x, y))
        }
    };
    RgbImage::from_fn(size, size, |x, y| {
        let v = shade(x as f32, y as f32);
        Rgb(base.map(|b| ((b * (0.55 + 0.6 * v)).clamp(0.0, 1.0) * 255.0) as u8))
    })
}

/// The class's colour (RGB in [0, 1]), in a range that suits the material.
fn base_colour(texture: Texture, rng: &mut Rng) -> [f32; 3] {
    match texture {
        Texture::Wood => [rng.range(0.7, 0.85), rng.range(0.45, 0.55), rng.range(0.2, 0.3)],
        Texture::Leather => [rng.range(0.5, 0.65), rng.range(0.35, 0.45), rng.range(0.25, 0.3)],
        Texture::Grid => {
            let gray = rng.range(0.55, 0.75);
            [gray, gray, gray * rng.range(1.0, 1.1)]
        }
        Texture::Carpet | Texture::Tile => [rng.range(0.3, 0.8), rng.range(0.3, 0.8), rng.range(0.3, 0.8)],
    }
}

/// Smooth random values on a lattice of spacing `spacing` pixels (smoothstep interpolation).
struct ValueNoise {
    spacing: f32,
    columns: usize,
    values: Vec<f32>,
}

impl ValueNoise {
    fn new(rng: &mut Rng, spacing: f32, size: u32) -> ValueNoise {
        let columns = (size as f32 / spacing) as usize + 2;
        let values = (0..columns * columns).map(|_| rng.unit()).collect();
        ValueNoise {
            spacing,
            columns,
            values,
        }
    }

    fn at(&self, x: f32, y: f32) -> f32 {
        let (gx, gy) = (x / self.spacing, y / self.spacing);
        let (ix, iy) = (gx as usize, gy as usize);
        let smooth = |t: f32| t * t * (3.0 - 2.0 * t);
        let (tx, ty) = (smooth(gx - ix as f32), smooth(gy - iy as f32));
        let v = |i: usize, j: usize| self.values[j.min(self.columns - 1) * self.columns + i.min(self.columns - 1)];
        let top = v(ix, iy) * (1.0 - tx) + v(ix + 1, iy) * tx;
        let bottom = v(ix, iy + 1) * (1.0 - tx) + v(ix + 1, iy + 1) * tx;
        top * (1.0 - ty) + bottom * ty
    }
}
