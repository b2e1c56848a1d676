//! `curves.png`: the epochs' mean losses (left) and validation AP (right), redrawn after every
//! epoch.

use std::path::Path;
use std::sync::OnceLock;

use anyhow::{anyhow, Context, Result};
use plotters::prelude::*;
use plotters::style::{register_font, FontStyle};

use crate::logs::EpochRecord;

/// Font family registered from the embedded DejaVu Sans (Bitstream Vera license, shipped with
/// the report crate), so text renders without system fonts.
const FONT: &str = "dictas-train-sans";
static FONT_BYTES: &[u8] = include_bytes!("../../harness/report/assets/DejaVuSans.ttf");

fn font() -> Result<()> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    if *REGISTERED.get_or_init(|| register_font(FONT, FontStyle::Normal, FONT_BYTES).is_ok()) {
        Ok(())
    } else {
        Err(anyhow!("the embedded plot font could not be registered"))
    }
}

fn range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    let pad = ((hi - lo) * 0.1).max(1e-3);
    (lo - pad, hi + pad)
}

/// Draws the curves of `epochs` into `path` (PNG), replacing the previous plot whole.
pub fn plot_curves(epochs: &[EpochRecord], path: &Path) -> Result<()> {
    font()?;
    let (width, height) = (1200u32, 450u32);
    let mut pixels = vec![0u8; (width * height * 3) as usize];
    draw_curves(epochs, BitMapBackend::with_buffer(&mut pixels, (width, height)).into_drawing_area())?;
    let image = image::RgbImage::from_raw(width, height, pixels).context("plot buffer has the wrong size")?;
    let mut png = Vec::new();
    image.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png).context("encoding the plot as PNG")?;
    dictas_atomic::write_file(path, &png)
}

fn draw_curves(epochs: &[EpochRecord], root: DrawingArea<BitMapBackend<'_>, plotters::coord::Shift>) -> Result<()> {
    root.fill(&WHITE)?;
    let (left, right) = root.split_horizontally(600);
    let x_max = epochs.iter().map(|e| e.epoch + 1).max().unwrap_or(1) as f64 + 0.5;

    let series: [(&str, RGBColor, fn(&EpochRecord) -> f64); 4] = [
        ("Lq", BLUE, |e| e.loss_query),
        ("Lcqc", RED, |e| e.loss_cqc),
        ("Ltac query", GREEN, |e| e.loss_tac_query),
        ("Ltac retrieved", MAGENTA, |e| e.loss_tac_retrieved),
    ];
    let (lo, hi) = range(epochs.iter().flat_map(|e| series.iter().map(move |(_, _, f)| f(e))));
    let mut chart = ChartBuilder::on(&left)
        .caption("mean training losses per epoch", (FONT, 18))
        .margin(10)
        .x_label_area_size(35)
        .y_label_area_size(55)
        .build_cartesian_2d(0.5..x_max, lo..hi)?;
    chart.configure_mesh().x_desc("epoch").label_style((FONT, 13)).draw()?;
    for (name, color, f) in series {
        chart
            .draw_series(LineSeries::new(epochs.iter().map(|e| ((e.epoch + 1) as f64, f(e))), color.stroke_width(2)))?
            .label(name)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2)));
    }
    chart.configure_series_labels().label_font((FONT, 13)).background_style(WHITE.mix(0.8)).border_style(BLACK).draw()?;

    let (lo, hi) = range(epochs.iter().map(|e| e.val_ap));
    let mut chart = ChartBuilder::on(&right)
        .caption("validation pixel AP", (FONT, 18))
        .margin(10)
        .x_label_area_size(35)
        .y_label_area_size(55)
        .build_cartesian_2d(0.5..x_max, lo..hi)?;
    chart.configure_mesh().x_desc("epoch").label_style((FONT, 13)).draw()?;
    chart.draw_series(LineSeries::new(epochs.iter().map(|e| ((e.epoch + 1) as f64, e.val_ap)), BLUE.stroke_width(2)))?;
    chart.draw_series(
        epochs.iter().filter(|e| e.improved).map(|e| Circle::new(((e.epoch + 1) as f64, e.val_ap), 4, GREEN.filled())),
    )?;
    root.present()?;
    Ok(())
}
