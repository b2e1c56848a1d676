//! Rendering one figure to both PNG and SVG, with the embedded font.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use anyhow::{anyhow, Context, Result};
use image::codecs::png::PngEncoder;
use image::{ExtendedColorType, ImageEncoder};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::{register_font, FontStyle};

use super::text::CrispText;
use dictas_atomic::write_file;

/// Font family name every plot uses; it resolves to the embedded DejaVu Sans.
pub const FONT: &str = "sans-serif";

/// DejaVu Sans (Bitstream Vera license, see assets/LICENSE-DejaVu.txt): embedded so text
/// renders identically on machines without system fonts.
pub(crate) static FONT_BYTES: &[u8] = include_bytes!("../../assets/DejaVuSans.ttf");

/// Registers the embedded font once per process.
pub fn ensure_font() -> Result<()> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| register_font(FONT, FontStyle::Normal, FONT_BYTES).is_ok());
    ok.then_some(())
        .ok_or_else(|| anyhow!("the embedded font assets/DejaVuSans.ttf could not be parsed"))
}

/// A figure that can be drawn on any plotters backend.
pub trait Figure {
    /// Width and height in pixels.
    fn size(&self) -> (u32, u32);
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static;
}

/// Writes `<dir>/<stem>.png` and `<dir>/<stem>.svg`; returns both paths.
pub fn save_figure(figure: &impl Figure, dir: &Path, stem: &str) -> Result<Vec<PathBuf>> {
    ensure_font()?;
    let (width, height) = figure.size();
    let png_path = dir.join(format!("{stem}.png"));
    let svg_path = dir.join(format!("{stem}.svg"));

    let mut pixels = vec![255u8; width as usize * height as usize * 3];
    {
        let root = CrispText::new(BitMapBackend::with_buffer(&mut pixels, (width, height)))
            .into_drawing_area();
        root.fill(&WHITE)?;
        figure
            .draw(&root)
            .with_context(|| format!("cannot draw {}", png_path.display()))?;
        root.present()?;
    }
    write_file(&png_path, &encode_png(&pixels, width, height)?)?;

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        root.fill(&WHITE)?;
        figure
            .draw(&root)
            .with_context(|| format!("cannot draw {}", svg_path.display()))?;
        root.present()?;
    }
    write_file(&svg_path, svg.as_bytes())?;
    Ok(vec![png_path, svg_path])
}

/// PNG bytes of an RGB8 buffer.
pub fn encode_png(rgb: &[u8], width: u32, height: u32) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    PngEncoder::new(&mut bytes)
        .write_image(rgb, width, height, ExtendedColorType::Rgb8)
        .context("cannot encode PNG")?;
    Ok(bytes)
}
