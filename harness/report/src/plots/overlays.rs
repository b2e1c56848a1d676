//! Anomaly-map overlays for one class of one cell: rows of image | map over image | ground truth.
//!
//! Which images: the `count` anomalous test images with the highest image score (the most
//! confident detections, the best cases) followed by the `count` normal test images with the
//! highest image score (the strongest false alarms, the worst cases). Only images whose raw map
//! was saved (`maps/<img_path>.npy`) are candidates.
//!
//! All maps of one grid share one min-max scale, so a normal image with a weak response stays
//! cool instead of being stretched to full red.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{ensure, Context, Result};
use base64::Engine as _;
use image::imageops::{self, FilterType};
use image::{GrayImage, ImageBuffer, Luma, Rgb, RgbImage};
use ndarray::Array2;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::colormap::jet;
use super::figure::{encode_png, ensure_font, FONT};
use super::text::CrispText;
use dictas_atomic::write_file;
use crate::cells::ImageRecord;

/// Side of one square tile, in pixels.
pub const TILE_PX: u32 = 224;
const PAD_PX: u32 = 16;
const TITLE_PX: u32 = 46;
const HEADER_PX: u32 = 30;
const ROW_LABEL_PX: u32 = 24;
const ROW_GAP_PX: u32 = 12;

/// The images of one class chosen for the grid: best cases, then worst cases.
#[derive(Debug, Clone, PartialEq)]
pub struct OverlaySelection<'a> {
    /// Anomalous images, highest image score first.
    pub anomalies: Vec<&'a ImageRecord>,
    /// Normal images, highest image score first.
    pub normals: Vec<&'a ImageRecord>,
}

/// Picks up to `count` anomalous and `count` normal images of `class` by image score, among
/// those for which `has_map` holds.
pub fn select_for_overlay<'a>(
    images: &'a [ImageRecord],
    class: &str,
    count: usize,
    has_map: impl Fn(&ImageRecord) -> bool,
) -> OverlaySelection<'a> {
    let top = |anomalous: bool| {
        let mut chosen: Vec<&ImageRecord> = images
            .iter()
            .filter(|r| r.cls_name == class && r.is_anomalous() == anomalous && has_map(r))
            .collect();
        chosen.sort_by(|a, b| b.image_score.total_cmp(&a.image_score));
        chosen.truncate(count);
        chosen
    };
    OverlaySelection {
        anomalies: top(true),
        normals: top(false),
    }
}

/// Where a cell stores the raw map of a test image.
pub fn map_path(cell_dir: &Path, img_path: &str) -> PathBuf {
    cell_dir.join("maps").join(img_path).with_extension("npy")
}

/// The ground-truth mask of an anomalous test image, relative to the data root:
/// `<dataset>/<class>/test/<specie>/<file>` becomes `<dataset>/<class>/ground_truth/<specie>/<stem>.png`.
pub fn mask_relative_path(img_path: &str) -> Option<PathBuf> {
    let mut parts: Vec<&str> = img_path.split('/').collect();
    let test = parts.iter().rposition(|p| *p == "test")?;
    if parts.len() < test + 3 {
        return None; // no specie folder and file name after `test`
    }
    parts[test] = "ground_truth";
    Some(PathBuf::from(parts.join("/")).with_extension("png"))
}

/// The data root recorded in `manifest.json`, looked up in the cell folder then in the run
/// folder above `cells/`.
pub fn data_root(cell_dir: &Path) -> Option<PathBuf> {
    let candidates = [
        Some(cell_dir.to_path_buf()),
        cell_dir
            .parent()
            .and_then(Path::parent)
            .map(Path::to_path_buf),
    ];
    candidates.into_iter().flatten().find_map(|dir| {
        let text = std::fs::read_to_string(dir.join("manifest.json")).ok()?;
        let value: serde_json::Value = serde_json::from_str(&text).ok()?;
        value.get("data_root")?.as_str().map(PathBuf::from)
    })
}

/// Reads a saved raw map (float32 npy, [S, S]).
pub fn read_map(path: &Path) -> Result<Array2<f32>> {
    ndarray_npy::read_npy(path)
        .with_context(|| format!("cannot read {} as a float32 [S, S] npy map", path.display()))
}

/// One row of the grid.
#[derive(Debug, Clone)]
pub struct OverlayRow {
    pub label: String,
    pub image: RgbImage,
    pub overlay: RgbImage,
    pub truth: RgbImage,
}

#[derive(Debug, Clone)]
pub struct OverlayFigure {
    pub title: String,
    pub rows: Vec<OverlayRow>,
}

/// What goes into a row before tiles are made.
pub struct OverlayInput {
    pub label: String,
    pub map: Array2<f32>,
    /// `None` when the test image could not be read (a grey tile is shown).
    pub image: Option<RgbImage>,
    /// `None` for a normal image (all background) or an unreadable mask (grey tile).
    pub mask: Option<GrayImage>,
    pub anomalous: bool,
}

impl OverlayFigure {
    /// Builds the tiles, with one colour scale for all maps.
    pub fn new(title: String, inputs: Vec<OverlayInput>) -> Result<OverlayFigure> {
        ensure!(
            !inputs.is_empty(),
            "an overlay grid needs at least one image"
        );
        let (low, high) = inputs
            .iter()
            .flat_map(|i| i.map.iter().copied())
            .filter(|v| v.is_finite())
            .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), v| {
                (lo.min(v), hi.max(v))
            });
        let rows = inputs
            .into_iter()
            .map(|input| {
                let image = match input.image {
                    Some(image) => imageops::resize(&image, TILE_PX, TILE_PX, FilterType::Triangle),
                    None => RgbImage::from_pixel(TILE_PX, TILE_PX, Rgb([128, 128, 128])),
                };
                let heat = heat_tile(&input.map, low, high)?;
                let truth = match (input.mask, input.anomalous) {
                    (Some(mask), _) => mask_tile(&mask),
                    (None, false) => RgbImage::from_pixel(TILE_PX, TILE_PX, Rgb([0, 0, 0])),
                    (None, true) => RgbImage::from_pixel(TILE_PX, TILE_PX, Rgb([128, 128, 128])),
                };
                Ok(OverlayRow {
                    label: input.label,
                    overlay: blend_half(&image, &heat),
                    image,
                    truth,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(OverlayFigure { title, rows })
    }

    pub fn size(&self) -> (u32, u32) {
        let width = 4 * PAD_PX + 3 * TILE_PX;
        let height =
            TITLE_PX + HEADER_PX + self.rows.len() as u32 * (ROW_LABEL_PX + TILE_PX + ROW_GAP_PX);
        (width, height)
    }

    fn tile_x(column: u32) -> u32 {
        PAD_PX + column * (TILE_PX + PAD_PX)
    }

    fn row_y(row: usize) -> u32 {
        TITLE_PX + HEADER_PX + row as u32 * (ROW_LABEL_PX + TILE_PX + ROW_GAP_PX)
    }

    /// The tiles on white, without text.
    fn raster(&self) -> RgbImage {
        let (width, height) = self.size();
        let mut canvas = RgbImage::from_pixel(width, height, Rgb([255, 255, 255]));
        for (index, row) in self.rows.iter().enumerate() {
            let y = Self::row_y(index) + ROW_LABEL_PX;
            for (column, tile) in [&row.image, &row.overlay, &row.truth]
                .into_iter()
                .enumerate()
            {
                imageops::replace(
                    &mut canvas,
                    tile,
                    Self::tile_x(column as u32) as i64,
                    y as i64,
                );
            }
        }
        canvas
    }

    /// Every text: (x, y, size, centred, text); y is the vertical centre.
    fn texts(&self) -> Vec<(u32, u32, u32, bool, String)> {
        let (width, _) = self.size();
        let mut texts = vec![(width / 2, TITLE_PX / 2, 18, true, self.title.clone())];
        for (column, header) in ["image", "map over image (jet, 50%)", "ground truth"]
            .into_iter()
            .enumerate()
        {
            let x = Self::tile_x(column as u32) + TILE_PX / 2;
            texts.push((x, TITLE_PX + HEADER_PX / 2, 15, true, header.to_string()));
        }
        for (index, row) in self.rows.iter().enumerate() {
            texts.push((
                PAD_PX,
                Self::row_y(index) + ROW_LABEL_PX / 2,
                13,
                false,
                row.label.clone(),
            ));
        }
        texts
    }

    /// Writes `<dir>/<stem>.png` (text drawn into the pixels) and `<dir>/<stem>.svg` (the tiles
    /// as an embedded PNG, text as SVG text).
    pub fn save(&self, dir: &Path, stem: &str) -> Result<Vec<PathBuf>> {
        ensure_font()?;
        let (width, height) = self.size();
        let tiles = self.raster();
        let png_path = dir.join(format!("{stem}.png"));
        let svg_path = dir.join(format!("{stem}.svg"));

        let mut pixels = tiles.clone().into_raw();
        {
            let root = CrispText::new(BitMapBackend::with_buffer(&mut pixels, (width, height)))
                .into_drawing_area();
            for (x, y, size, centred, text) in self.texts() {
                let h = if centred { HPos::Center } else { HPos::Left };
                let style =
                    TextStyle::from((FONT, size).into_font()).pos(Pos::new(h, VPos::Center));
                root.draw(&Text::new(text, (x as i32, y as i32), style))?;
            }
            root.present()?;
        }
        write_file(&png_path, &encode_png(&pixels, width, height)?)?;

        let embedded = base64::engine::general_purpose::STANDARD.encode(encode_png(
            tiles.as_raw(),
            width,
            height,
        )?);
        let mut svg = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" \
             width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\">\n\
             <image x=\"0\" y=\"0\" width=\"{width}\" height=\"{height}\" xlink:href=\"data:image/png;base64,{embedded}\"/>\n"
        );
        for (x, y, size, centred, text) in self.texts() {
            let anchor = if centred { "middle" } else { "start" };
            let _ = writeln!(
                svg,
                "<text x=\"{x}\" y=\"{y}\" font-family=\"DejaVu Sans, sans-serif\" font-size=\"{size}\" \
                 text-anchor=\"{anchor}\" dominant-baseline=\"central\">{}</text>",
                xml_escape(&text)
            );
        }
        svg.push_str("</svg>\n");
        write_file(&svg_path, svg.as_bytes())?;
        Ok(vec![png_path, svg_path])
    }
}

/// The map scaled to [0, 1] by the grid's range, resized to a tile, coloured with jet.
fn heat_tile(map: &Array2<f32>, low: f32, high: f32) -> Result<RgbImage> {
    let (rows, cols) = map.dim();
    ensure!(rows > 0 && cols > 0, "an anomaly map is empty");
    let span = if high > low { high - low } else { 1.0 };
    let scaled: Vec<f32> = map
        .iter()
        .map(|v| if v.is_finite() { (v - low) / span } else { 0.0 })
        .collect();
    let buffer: ImageBuffer<Luma<f32>, Vec<f32>> =
        ImageBuffer::from_raw(cols as u32, rows as u32, scaled)
            .context("map buffer size mismatch")?;
    let resized = imageops::resize(&buffer, TILE_PX, TILE_PX, FilterType::Triangle);
    Ok(RgbImage::from_fn(TILE_PX, TILE_PX, |x, y| {
        Rgb(jet(resized.get_pixel(x, y).0[0]))
    }))
}

/// Mask pixels above half intensity in white, others black (nearest-neighbour resize keeps edges).
fn mask_tile(mask: &GrayImage) -> RgbImage {
    let resized = imageops::resize(mask, TILE_PX, TILE_PX, FilterType::Nearest);
    RgbImage::from_fn(TILE_PX, TILE_PX, |x, y| {
        if resized.get_pixel(x, y).0[0] > 127 {
            Rgb([255, 255, 255])
        } else {
            Rgb([0, 0, 0])
        }
    })
}

/// Per-channel average of two images of the same size.
pub fn blend_half(a: &RgbImage, b: &RgbImage) -> RgbImage {
    RgbImage::from_fn(a.width(), a.height(), |x, y| {
        let (p, q) = (a.get_pixel(x, y).0, b.get_pixel(x, y).0);
        Rgb([0, 1, 2].map(|c| (p[c] as u16 + q[c] as u16).div_ceil(2) as u8))
    })
}

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(cls: &str, anomaly: f64, score: f64, path: &str) -> ImageRecord {
        ImageRecord {
            img_path: path.into(),
            cls_name: cls.into(),
            anomaly,
            text_score: 0.0,
            image_score: score,
        }
    }

    #[test]
    fn selection_takes_top_scored_anomalies_and_normals_with_maps() {
        let images = vec![
            record("a", 1.0, 0.2, "x1"),
            record("a", 1.0, 0.9, "x2"),
            record("a", 1.0, 0.95, "nomap"),
            record("a", 0.0, 0.7, "x3"),
            record("a", 0.0, 0.1, "x4"),
            record("b", 1.0, 0.99, "x5"),
        ];
        let chosen = select_for_overlay(&images, "a", 1, |r| r.img_path != "nomap");
        assert_eq!(
            chosen
                .anomalies
                .iter()
                .map(|r| r.img_path.as_str())
                .collect::<Vec<_>>(),
            ["x2"]
        );
        assert_eq!(
            chosen
                .normals
                .iter()
                .map(|r| r.img_path.as_str())
                .collect::<Vec<_>>(),
            ["x3"]
        );
    }

    #[test]
    fn mask_and_map_paths_follow_the_layout() {
        assert_eq!(
            mask_relative_path("mvtec/bottle/test/anomaly/mvtec_broken_000012.bmp"),
            Some(PathBuf::from(
                "mvtec/bottle/ground_truth/anomaly/mvtec_broken_000012.png"
            ))
        );
        assert_eq!(mask_relative_path("mvtec/bottle/train/good/x.bmp"), None);
        assert_eq!(
            map_path(Path::new("/r/cells/c1"), "mvtec/bottle/test/good/a.bmp"),
            PathBuf::from("/r/cells/c1/maps/mvtec/bottle/test/good/a.npy")
        );
    }

    #[test]
    fn blend_is_the_rounded_average() {
        let a = RgbImage::from_pixel(1, 1, Rgb([0, 100, 255]));
        let b = RgbImage::from_pixel(1, 1, Rgb([255, 101, 255]));
        assert_eq!(blend_half(&a, &b).get_pixel(0, 0).0, [128, 101, 255]);
    }
}
