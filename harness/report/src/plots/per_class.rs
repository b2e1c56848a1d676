//! Per-class results of one cell: horizontal bars (class names stay horizontal and readable),
//! one bar per chosen metric, the dataset mean last.

use anyhow::Result;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::figure::{Figure, FONT};
use super::style::{draw_legend_box, label_font, series_color, tick_font, title_font};
use super::ticks::FixedTicks;
use crate::cells::{Cell, MEAN_CLASS};
use crate::names::{dataset_display, metric_display};

#[derive(Debug, Clone, PartialEq)]
pub struct PerClassFigure {
    pub title: String,
    pub metrics: Vec<String>,
    /// Class name and one value per metric, in percent (`None` where the cell lacks it).
    pub classes: Vec<(String, Vec<Option<f64>>)>,
}

/// Pixels per bar; a class takes one bar per metric plus a gap.
const BAR_PX: u32 = 18;
const GROUP_GAP_PX: u32 = 14;

impl PerClassFigure {
    pub fn from_cell(cell: &Cell, metrics: &[String]) -> PerClassFigure {
        let values = |class: &str| -> Vec<Option<f64>> {
            metrics
                .iter()
                .map(|m| {
                    cell.metrics
                        .value(class, m)
                        .filter(|v| v.is_finite())
                        .map(|v| v * 100.0)
                })
                .collect()
        };
        let mut classes: Vec<(String, Vec<Option<f64>>)> = cell
            .metrics
            .class_rows()
            .map(|r| (r.class.clone(), values(&r.class)))
            .collect();
        classes.push((MEAN_CLASS.to_string(), values(MEAN_CLASS)));
        let info = &cell.info;
        let seed = info.seed.map_or(String::new(), |s| format!(", seed {s}"));
        PerClassFigure {
            title: format!(
                "Per-class results — {} on {}, {}-shot{seed} ({})",
                crate::names::method_display(&info.method),
                dataset_display(&info.dataset),
                info.k_shot,
                info.cell_id
            ),
            metrics: metrics.to_vec(),
            classes,
        }
    }

    /// Y coordinate of a class's centre: the first class at the top.
    fn y_center(&self, index: usize) -> f64 {
        (self.classes.len() - 1 - index) as f64
    }
}

impl Figure for PerClassFigure {
    fn size(&self) -> (u32, u32) {
        let group = BAR_PX * self.metrics.len().max(1) as u32 + GROUP_GAP_PX;
        (1000, 170 + group * self.classes.len() as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let n = self.classes.len();
        let mut chart = ChartBuilder::on(root)
            .caption(&self.title, title_font())
            .margin(20)
            .x_label_area_size(50)
            .y_label_area_size(150)
            .build_cartesian_2d(
                // Up to 135 so value labels and the legend fit right of a 100% bar.
                FixedTicks {
                    range: 0.0..135.0,
                    ticks: vec![0.0, 20.0, 40.0, 60.0, 80.0, 100.0],
                },
                FixedTicks::categories(n),
            )?;
        let class_label = |y: &f64| {
            let index = n as i64 - 1 - y.round() as i64;
            usize::try_from(index)
                .ok()
                .and_then(|i| self.classes.get(i))
                .map_or(String::new(), |c| c.0.clone())
        };
        chart
            .configure_mesh()
            .x_desc("value (%)")
            .y_label_formatter(&class_label)
            .x_label_formatter(&|x| format!("{x:.0}"))
            .axis_desc_style(label_font())
            .label_style(tick_font())
            .disable_y_mesh()
            .max_light_lines(1)
            .bold_line_style(RGBColor(225, 225, 225))
            .draw()?;

        let bar_height = 0.8 / self.metrics.len().max(1) as f64;
        for (m, metric) in self.metrics.iter().enumerate() {
            let color = series_color(m);
            let bars: Vec<(f64, f64, f64)> = self
                .classes
                .iter()
                .enumerate()
                .filter_map(|(i, (_, values))| {
                    let top = self.y_center(i) + 0.4 - m as f64 * bar_height;
                    values[m].map(|v| (v, top, top - bar_height))
                })
                .collect();
            chart
                .draw_series(bars.iter().map(|&(v, top, bottom)| {
                    Rectangle::new([(0.0, top), (v, bottom)], color.filled())
                }))?
                .label(metric_display(metric))
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 6), (x + 16, y + 6)], color.filled())
                });
            chart.draw_series(bars.iter().map(|&(v, top, bottom)| {
                Text::new(
                    format!("{v:.1}"),
                    (v + 0.8, (top + bottom) / 2.0),
                    TextStyle::from((FONT, 12).into_font()).pos(Pos::new(HPos::Left, VPos::Center)),
                )
            }))?;
        }
        draw_legend_box(&mut chart, SeriesLabelPosition::UpperRight)
    }
}
