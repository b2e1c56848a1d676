//! A linear f64 axis with ticks exactly where asked: at category indices (datasets, classes,
//! k-shots) or at round values. plotters' own `WithKeyPoints` cannot take label formatters.

use std::ops::Range;

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};

#[derive(Debug, Clone, PartialEq)]
pub struct FixedTicks {
    pub range: Range<f64>,
    pub ticks: Vec<f64>,
}

impl FixedTicks {
    /// Categories `0..count` centred on integer positions, each given one unit of width.
    pub fn categories(count: usize) -> FixedTicks {
        FixedTicks {
            range: -0.5..count as f64 - 0.5,
            ticks: (0..count).map(|i| i as f64).collect(),
        }
    }
}

impl Ranged for FixedTicks {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let span = self.range.end - self.range.start;
        if span == 0.0 {
            return (limit.0 + limit.1) / 2;
        }
        let fraction = (value - self.range.start) / span;
        limit.0 + (fraction * (limit.1 - limit.0) as f64).round() as i32
    }

    /// The requested ticks for bold lines and labels; no light lines in between.
    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() || hint.max_num_points() == 0 {
            return Vec::new();
        }
        // Too many categories for the axis length: keep every n-th tick.
        let stride = self.ticks.len().div_ceil(hint.max_num_points()).max(1);
        self.ticks.iter().copied().step_by(stride).collect()
    }

    fn range(&self) -> Range<f64> {
        self.range.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use plotters::coord::ranged1d::{BoldPoints, LightPoints};

    #[test]
    fn categories_map_to_evenly_spaced_centres() {
        let axis = FixedTicks::categories(4);
        // 4 units over 400 px: category i is centred at 50 + 100 i.
        assert_eq!(axis.map(&0.0, (0, 400)), 50);
        assert_eq!(axis.map(&3.0, (0, 400)), 350);
        assert_eq!(
            axis.map(&-0.5, (400, 0)),
            400,
            "reversed limits for a y axis"
        );
        assert_eq!(axis.key_points(BoldPoints(10)), vec![0.0, 1.0, 2.0, 3.0]);
        assert_eq!(axis.key_points(BoldPoints(2)), vec![0.0, 2.0]);
        assert!(axis.key_points(LightPoints::new(4, 10)).is_empty());
    }
}
