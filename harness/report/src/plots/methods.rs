//! Method comparison at one k-shot: a panel per metric, datasets on the x axis, one bar per
//! method. Published values are lighter, hatched bars in the colour of the same method.

use anyhow::Result;
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::figure::{Figure, FONT};
use super::hatch::hatch_segments;
use super::style::{label_font, lighter, series_color, tick_font, title_font};
use super::text::text_width;
use super::ticks::FixedTicks;
use crate::names::{
    dataset_display, dataset_order, method_display, method_match_key, metric_display, same_dataset,
};
use crate::published::PublishedValue;
use crate::setup::MethodSetup;
use crate::stats::SeedStats;

#[derive(Debug, Clone, PartialEq)]
pub struct MethodSeries {
    pub label: String,
    pub published: bool,
    /// Palette index: a method's own and published bars share a hue.
    pub color: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MethodBar {
    /// Index into [`MethodComparisonFigure::series`].
    pub series: usize,
    /// Index into [`MethodComparisonFigure::datasets`].
    pub dataset: usize,
    /// Percent.
    pub mean: f64,
    pub std: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MethodPanel {
    pub metric: String,
    pub bars: Vec<MethodBar>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MethodComparisonFigure {
    pub title: String,
    pub k_shot: u32,
    /// Dataset keys in paper order: those we have results for at this k.
    pub datasets: Vec<String>,
    pub series: Vec<MethodSeries>,
    pub panels: Vec<MethodPanel>,
}

const HATCH_SPACING_PX: i32 = 6;
const LEGEND_ROW_PX: u32 = 26;
const LEGEND_FONT_PX: u32 = 15;
const PANEL_HEIGHT_PX: u32 = 560;

impl MethodComparisonFigure {
    /// Our setups at `k_shot` and the published values for the same datasets, k and metrics.
    pub fn build(
        stats: &[SeedStats],
        published: &[PublishedValue],
        metrics: &[String],
        k_shot: u32,
    ) -> Option<MethodComparisonFigure> {
        let ours: Vec<&SeedStats> = stats
            .iter()
            .filter(|s| {
                s.key.k_shot == k_shot && metrics.contains(&s.metric) && s.summary.is_some()
            })
            .collect();
        let mut datasets: Vec<String> = ours.iter().map(|s| s.key.dataset.clone()).collect();
        datasets.sort_by_key(|d| dataset_order(d));
        datasets.dedup();
        if datasets.is_empty() {
            return None;
        }
        let dataset_index = |name: &str| datasets.iter().position(|d| same_dataset(d, name));
        let theirs: Vec<&PublishedValue> = published
            .iter()
            .filter(|p| {
                p.k_shot == k_shot
                    && metrics.contains(&p.metric)
                    && dataset_index(&p.dataset).is_some()
            })
            .collect();

        let mut setups: Vec<MethodSetup> = ours.iter().map(|s| s.key.setup.clone()).collect();
        setups.sort();
        setups.dedup();
        let mut published_methods: Vec<String> = Vec::new();
        for p in &theirs {
            if !published_methods
                .iter()
                .any(|m| method_match_key(m) == method_match_key(&p.method))
            {
                published_methods.push(p.method.clone());
            }
        }
        let mut hues: Vec<String> = Vec::new();
        let mut hue = |method: &str| {
            let key = method_match_key(method);
            hues.iter().position(|h| *h == key).unwrap_or_else(|| {
                hues.push(key);
                hues.len() - 1
            })
        };
        let mut series: Vec<MethodSeries> = setups
            .iter()
            .map(|s| MethodSeries {
                label: format!("{} (ours)", s.label_among(&setups)),
                published: false,
                color: hue(&s.method),
            })
            .collect();
        series.extend(published_methods.iter().map(|m| MethodSeries {
            label: format!("{} (published)", method_display(m)),
            published: true,
            color: hue(m),
        }));

        let panels = metrics
            .iter()
            .map(|metric| {
                let mut bars: Vec<MethodBar> = ours
                    .iter()
                    .filter(|s| &s.metric == metric)
                    .filter_map(|s| {
                        let summary = s.summary?;
                        Some(MethodBar {
                            series: setups.iter().position(|x| *x == s.key.setup)?,
                            dataset: dataset_index(&s.key.dataset)?,
                            mean: summary.mean * 100.0,
                            std: summary.std.map(|v| v * 100.0),
                        })
                    })
                    .collect();
                bars.extend(
                    theirs
                        .iter()
                        .filter(|p| &p.metric == metric)
                        .filter_map(|p| {
                            let method = published_methods
                                .iter()
                                .position(|m| method_match_key(m) == method_match_key(&p.method))?;
                            Some(MethodBar {
                                series: setups.len() + method,
                                dataset: dataset_index(&p.dataset)?,
                                mean: p.value,
                                std: None,
                            })
                        }),
                );
                MethodPanel {
                    metric: metric.clone(),
                    bars,
                }
            })
            .filter(|panel| !panel.bars.is_empty())
            .collect();

        Some(MethodComparisonFigure {
            title: format!("Method comparison, {k_shot}-shot"),
            k_shot,
            datasets,
            series,
            panels,
        })
    }

    /// Series with at least one bar in `panel`, in series order: they share each dataset's slot.
    fn slots(&self, panel: &MethodPanel) -> Vec<usize> {
        (0..self.series.len())
            .filter(|s| panel.bars.iter().any(|b| b.series == *s))
            .collect()
    }

    fn panel_width(&self, panel: &MethodPanel) -> u32 {
        let slots = self.slots(panel).len() as u32;
        (110 + self.datasets.len() as u32 * (slots * 22 + 36)).max(380)
    }

    /// Width of one legend entry: swatch, gap, label, spacing.
    fn legend_entry_width(series: &MethodSeries) -> u32 {
        32 + text_width(&series.label, LEGEND_FONT_PX as f32) + 28
    }

    /// Legend entries packed into rows no wider than the figure.
    fn legend_rows(&self, width: u32) -> Vec<Vec<usize>> {
        let mut rows: Vec<Vec<usize>> = vec![Vec::new()];
        let mut used = 20;
        for (index, series) in self.series.iter().enumerate() {
            let entry = Self::legend_entry_width(series);
            if used + entry > width && !rows.last().is_some_and(|r| r.is_empty()) {
                rows.push(Vec::new());
                used = 20;
            }
            rows.last_mut().expect("at least one row").push(index);
            used += entry;
        }
        rows
    }

    fn draw_panel<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        panel: &MethodPanel,
        show_y_desc: bool,
    ) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let slots = self.slots(panel);
        let n = self.datasets.len();
        let mut chart = ChartBuilder::on(area)
            .caption(metric_display(&panel.metric), label_font())
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(if show_y_desc { 65 } else { 45 })
            .build_cartesian_2d(FixedTicks::categories(n), 0.0..100.0)?;
        let dataset_label = |x: &f64| {
            self.datasets
                .get(x.round() as usize)
                .map_or(String::new(), |d| dataset_display(d))
        };
        let mut mesh = chart.configure_mesh();
        mesh.x_label_formatter(&dataset_label)
            .y_label_formatter(&|y| format!("{y:.0}"))
            .axis_desc_style(label_font())
            .label_style(tick_font())
            .disable_x_mesh()
            .max_light_lines(1)
            .bold_line_style(RGBColor(225, 225, 225));
        if show_y_desc {
            mesh.y_desc("value (%)");
        }
        mesh.draw()?;

        let slot_width = 0.8 / slots.len().max(1) as f64;
        for bar in &panel.bars {
            let Some(slot) = slots.iter().position(|s| *s == bar.series) else {
                continue;
            };
            let series = &self.series[bar.series];
            let color = series_color(series.color);
            let left = bar.dataset as f64 - 0.4 + slot as f64 * slot_width;
            let right = left + slot_width * 0.9;
            let corners = [(left, 0.0), (right, bar.mean)];
            if series.published {
                chart.draw_series([Rectangle::new(corners, lighter(color, 0.6).filled())])?;
                hatch_in_chart(&chart, corners, color)?;
                chart.draw_series([Rectangle::new(corners, color.stroke_width(1))])?;
            } else {
                chart.draw_series([Rectangle::new(corners, color.filled())])?;
            }
            if let Some(std) = bar.std {
                let x = (left + right) / 2.0;
                chart.draw_series([ErrorBar::new_vertical(
                    x,
                    (bar.mean - std).max(0.0),
                    bar.mean,
                    (bar.mean + std).min(100.0),
                    BLACK.stroke_width(1),
                    6,
                )])?;
            }
        }
        Ok(())
    }

    fn draw_legend<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        width: u32,
    ) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let font = TextStyle::from((FONT, LEGEND_FONT_PX).into_font())
            .pos(Pos::new(HPos::Left, VPos::Center));
        for (row_index, row) in self.legend_rows(width).iter().enumerate() {
            let y = 14 + row_index as i32 * LEGEND_ROW_PX as i32;
            let mut x = 20;
            for &index in row {
                let series = &self.series[index];
                let color = series_color(series.color);
                let swatch = [(x, y - 8), (x + 24, y + 8)];
                if series.published {
                    area.draw(&Rectangle::new(swatch, lighter(color, 0.6).filled()))?;
                    for (a, b) in hatch_segments(x, y - 8, x + 24, y + 8, HATCH_SPACING_PX) {
                        area.draw(&PathElement::new(vec![a, b], color.stroke_width(1)))?;
                    }
                    area.draw(&Rectangle::new(swatch, color.stroke_width(1)))?;
                } else {
                    area.draw(&Rectangle::new(swatch, color.filled()))?;
                }
                area.draw(&Text::new(series.label.clone(), (x + 32, y), font.clone()))?;
                x += Self::legend_entry_width(series) as i32;
            }
        }
        Ok(())
    }
}

/// Hatches a rectangle given in chart coordinates: the lines are computed in pixels so they
/// stay at 45° whatever the axis scales.
fn hatch_in_chart<DB: DrawingBackend>(
    chart: &ChartContext<DB, Cartesian2d<FixedTicks, RangedCoordf64>>,
    corners: [(f64, f64); 2],
    color: RGBColor,
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let area = chart.plotting_area();
    let base = area.get_base_pixel();
    let (a, b) = (
        chart.backend_coord(&corners[0]),
        chart.backend_coord(&corners[1]),
    );
    let pixels = area.strip_coord_spec();
    for (p, q) in hatch_segments(
        a.0 - base.0,
        a.1 - base.1,
        b.0 - base.0,
        b.1 - base.1,
        HATCH_SPACING_PX,
    ) {
        pixels.draw(&PathElement::new(vec![p, q], color.stroke_width(1)))?;
    }
    Ok(())
}

impl Figure for MethodComparisonFigure {
    fn size(&self) -> (u32, u32) {
        let width: u32 = self
            .panels
            .iter()
            .map(|p| self.panel_width(p))
            .sum::<u32>()
            .max(600);
        let legend = self.legend_rows(width).len() as u32 * LEGEND_ROW_PX + 20;
        (width, 50 + PANEL_HEIGHT_PX + legend)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let (width, _) = self.size();
        let titled = root.titled(&self.title, title_font())?;
        let (panels_area, legend_area) = titled.split_vertically(PANEL_HEIGHT_PX);
        let mut rest = panels_area;
        for (index, panel) in self.panels.iter().enumerate() {
            let (this, next) = rest.split_horizontally(self.panel_width(panel));
            self.draw_panel(&this, panel, index == 0)?;
            rest = next;
        }
        self.draw_legend(&legend_area, width)
    }
}
