//! Stability study: one metric against k-shot, one line per dataset, error bars over seeds.

use anyhow::Result;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::figure::Figure;
use super::style::{draw_legend_box, label_font, series_color, tick_font, title_font};
use super::ticks::FixedTicks;
use crate::names::{dataset_display, metric_display};
use crate::setup::MethodSetup;
use crate::stats::SeedStats;

#[derive(Debug, Clone, PartialEq)]
pub struct KShotPoint {
    pub k_shot: u32,
    /// Percent.
    pub mean: f64,
    /// Percent; `None` for a single seed (no error bar).
    pub std: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct KShotSeries {
    pub label: String,
    pub points: Vec<KShotPoint>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct KShotFigure {
    pub title: String,
    pub metric: String,
    /// Every k on the x axis, ascending; the axis spaces them evenly (k is usually 1,2,4,8,16).
    pub k_shots: Vec<u32>,
    pub series: Vec<KShotSeries>,
}

impl KShotFigure {
    /// The figure for one setup and metric: a series per dataset (paper order, as `stats` is).
    pub fn from_stats(
        stats: &[SeedStats],
        setup: &MethodSetup,
        metric: &str,
    ) -> Option<KShotFigure> {
        let relevant: Vec<&SeedStats> = stats
            .iter()
            .filter(|s| &s.key.setup == setup && s.metric == metric && s.summary.is_some())
            .collect();
        if relevant.is_empty() {
            return None;
        }
        let mut k_shots: Vec<u32> = relevant.iter().map(|s| s.key.k_shot).collect();
        k_shots.sort_unstable();
        k_shots.dedup();
        let mut series: Vec<KShotSeries> = Vec::new();
        for stat in relevant {
            let summary = stat.summary.expect("filtered to present summaries");
            let point = KShotPoint {
                k_shot: stat.key.k_shot,
                mean: summary.mean * 100.0,
                std: summary.std.map(|s| s * 100.0),
            };
            let label = dataset_display(&stat.key.dataset);
            match series.iter_mut().find(|s| s.label == label) {
                Some(existing) => existing.points.push(point),
                None => series.push(KShotSeries {
                    label,
                    points: vec![point],
                }),
            }
        }
        for s in &mut series {
            s.points.sort_by_key(|p| p.k_shot);
        }
        Some(KShotFigure {
            title: format!("{} vs k-shot ({})", metric_display(metric), setup.title()),
            metric: metric.to_string(),
            k_shots,
            series,
        })
    }

    /// Evenly spaced k positions, each series shifted a little so error bars do not overlap.
    fn x_position(&self, k: u32, series: usize) -> f64 {
        let index = self.k_shots.iter().position(|&x| x == k).unwrap_or(0) as f64;
        let centre = (self.series.len() as f64 - 1.0) / 2.0;
        index + (series as f64 - centre) * 0.04
    }

    /// Y range covering every mean ± std, padded, within [0, 100].
    fn y_range(&self) -> (f64, f64) {
        let (mut low, mut high) = (f64::INFINITY, f64::NEG_INFINITY);
        for p in self.series.iter().flat_map(|s| &s.points) {
            let spread = p.std.unwrap_or(0.0);
            low = low.min(p.mean - spread);
            high = high.max(p.mean + spread);
        }
        let pad = ((high - low) * 0.15).max(1.0);
        ((low - pad).max(0.0), (high + pad).min(100.0))
    }
}

impl Figure for KShotFigure {
    fn size(&self) -> (u32, u32) {
        (900, 600)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let (y_low, y_high) = self.y_range();
        let mut chart = ChartBuilder::on(root)
            .caption(&self.title, title_font())
            .margin(20)
            .x_label_area_size(55)
            .y_label_area_size(70)
            .build_cartesian_2d(FixedTicks::categories(self.k_shots.len()), y_low..y_high)?;
        let k_label = |x: &f64| {
            self.k_shots
                .get(x.round() as usize)
                .map_or(String::new(), |k| k.to_string())
        };
        chart
            .configure_mesh()
            .x_desc("k (normal support images per class)")
            .y_desc(format!("{} (%)", metric_display(&self.metric)))
            .x_label_formatter(&k_label)
            .y_label_formatter(&|y| format!("{y:.1}"))
            .axis_desc_style(label_font())
            .label_style(tick_font())
            .max_light_lines(1)
            .bold_line_style(RGBColor(225, 225, 225))
            .draw()?;

        for (index, series) in self.series.iter().enumerate() {
            let color = series_color(index);
            let points: Vec<(f64, f64)> = series
                .points
                .iter()
                .map(|p| (self.x_position(p.k_shot, index), p.mean))
                .collect();
            chart
                .draw_series(LineSeries::new(points.clone(), color.stroke_width(2)))?
                .label(&series.label)
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(3))
                });
            chart.draw_series(points.iter().map(|&p| Circle::new(p, 4, color.filled())))?;
            chart.draw_series(series.points.iter().filter_map(|p| {
                let std = p.std?;
                let x = self.x_position(p.k_shot, index);
                Some(ErrorBar::new_vertical(
                    x,
                    p.mean - std,
                    p.mean,
                    p.mean + std,
                    color.stroke_width(2),
                    10,
                ))
            }))?;
        }
        draw_legend_box(&mut chart, SeriesLabelPosition::LowerRight)
    }
}
