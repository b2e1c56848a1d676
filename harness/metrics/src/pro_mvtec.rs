//! The official MVTec AD AU-PRO: the exact PRO curve over every distinct score (each pixel of a
//! ground-truth region adds 1 / (region area * region count) to the PRO when the threshold
//! passes below its score), from (0, 0) to (1, 1), integrated with the trapezoid rule up to
//! FPR 0.3 (interpolating the point at 0.3) and divided by 0.3.
//!
//! FPRs are kept in float64 (the official script rounds them to float32). A class with no
//! normal pixel or no ground-truth region gives 0.0 (the official script divides by zero).

use crate::error::MetricsError;
use crate::pixel_table::{MapShape, PixelTable};

/// FPR up to which the PRO curve is integrated.
pub const MVTEC_PRO_INTEGRATION_LIMIT: f64 = 0.3;

/// Streams the trapezoid area of a non-decreasing-x curve up to `limit`, as the official
/// `trapezoid(x, y, x_max)` computes it.
struct LimitedTrapezoid {
    limit: f64,
    previous: (f64, f64),
    area: f64,
    finished: bool,
}

impl LimitedTrapezoid {
    fn new(limit: f64) -> Self {
        LimitedTrapezoid {
            limit,
            previous: (0.0, 0.0),
            area: 0.0,
            finished: false,
        }
    }

    fn add(&mut self, x: f64, y: f64) {
        if self.finished {
            return;
        }
        let (x0, y0) = self.previous;
        if x <= self.limit {
            self.area += 0.5 * (y + y0) * (x - x0);
            self.previous = (x, y);
        } else {
            if x0 != self.limit {
                let y_at_limit = y0 + ((y - y0) * (self.limit - x0) / (x - x0));
                self.area += 0.5 * (y_at_limit + y0) * (self.limit - x0);
            }
            self.finished = true;
        }
    }
}

pub(crate) fn aupro_mvtec_of(table: &PixelTable) -> f64 {
    let normal_count = table.normal_keys.len();
    let region_count = table.region_count();
    if normal_count == 0 || region_count == 0 {
        return 0.0;
    }
    let mut area = LimitedTrapezoid::new(MVTEC_PRO_INTEGRATION_LIMIT);
    let (mut normal, mut anomalous) = (normal_count, table.anomalous.len());
    let mut overlap_sum = 0.0f64;
    while normal > 0 || anomalous > 0 {
        let next_normal = normal.checked_sub(1).map(|i| table.normal_keys[i]);
        let next_anomalous = anomalous
            .checked_sub(1)
            .map(|i| PixelTable::key_of(table.anomalous[i]));
        let key = next_normal.max(next_anomalous).unwrap_or_default();
        while normal > 0 && table.normal_keys[normal - 1] == key {
            normal -= 1;
        }
        while anomalous > 0 && PixelTable::key_of(table.anomalous[anomalous - 1]) == key {
            anomalous -= 1;
            let region = PixelTable::region_of(table.anomalous[anomalous]);
            overlap_sum += 1.0 / f64::from(table.region_areas[region]);
        }
        let fpr = ((normal_count - normal) as f64 / normal_count as f64).min(1.0);
        let pro = (overlap_sum / region_count as f64).min(1.0);
        area.add(fpr, pro);
    }
    area.add(1.0, 1.0);
    area.area / MVTEC_PRO_INTEGRATION_LIMIT
}

/// The official MVTec AD AU-PRO (integration limit 0.3) over a class: `maps` and `masks` hold
/// `shape.images` row-major maps of `shape.height x shape.width`, one after another.
pub fn aupro_mvtec(maps: &[f32], masks: &[bool], shape: MapShape) -> Result<f64, MetricsError> {
    Ok(aupro_mvtec_of(&PixelTable::build(maps, masks, shape)?))
}
