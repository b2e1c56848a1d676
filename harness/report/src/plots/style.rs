//! Colours and text styles shared by the plots.

use anyhow::Result;
use plotters::prelude::*;

use super::figure::FONT;

/// Colour-blind-friendly qualitative palette (Okabe–Ito), cycled for more series.
const PALETTE: [RGBColor; 8] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
    RGBColor(120, 120, 120),
    RGBColor(240, 228, 66),
];

pub fn series_color(index: usize) -> RGBColor {
    PALETTE[index % PALETTE.len()]
}

/// The colour blended with white by `amount` in [0, 1] (for published, lighter bars).
pub fn lighter(color: RGBColor, amount: f64) -> RGBColor {
    let mix = |c: u8| (c as f64 + (255.0 - c as f64) * amount).round() as u8;
    RGBColor(mix(color.0), mix(color.1), mix(color.2))
}

/// The chart's series legend in a framed, mostly opaque box at `position`.
pub fn draw_legend_box<'a, DB: DrawingBackend + 'a, CT: CoordTranslate>(
    chart: &mut ChartContext<'a, DB, CT>,
    position: SeriesLabelPosition,
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    chart
        .configure_series_labels()
        .position(position)
        .background_style(WHITE.mix(0.9))
        .border_style(RGBColor(180, 180, 180))
        .label_font(label_font())
        .draw()?;
    Ok(())
}

pub fn title_font() -> TextStyle<'static> {
    (FONT, 22).into_font().into()
}

pub fn label_font() -> TextStyle<'static> {
    (FONT, 16).into_font().into()
}

pub fn tick_font() -> TextStyle<'static> {
    (FONT, 14).into_font().into()
}
