//! Connected components of a binary mask with 8-connectivity (what `skimage.measure.label`
//! does by default in 2-D, and `scipy.ndimage.label` with a 3x3 structure of ones).
//!
//! Regions are numbered 1.. in raster order of their first pixel, as skimage numbers them;
//! 0 is the background.

use crate::error::{check_same_length, MetricsError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionLabels {
    /// One label per pixel, row-major; 0 for background pixels.
    pub labels: Vec<u32>,
    /// `areas[r]` is the pixel count of region `r + 1`.
    pub areas: Vec<u32>,
}

impl RegionLabels {
    pub fn region_count(&self) -> usize {
        self.areas.len()
    }
}

/// Labels the `true` pixels of a `height x width` row-major mask.
pub fn label_regions(
    mask: &[bool],
    height: usize,
    width: usize,
) -> Result<RegionLabels, MetricsError> {
    check_same_length("mask to label (height * width)", height * width, mask.len())?;
    let mut labels = vec![0u32; mask.len()];
    let mut areas = Vec::new();
    let mut stack = Vec::new();
    for start in 0..mask.len() {
        if !mask[start] || labels[start] != 0 {
            continue;
        }
        let label = areas.len() as u32 + 1;
        let mut area = 0u32;
        labels[start] = label;
        stack.push(start);
        while let Some(pixel) = stack.pop() {
            area += 1;
            let (row, col) = (pixel / width, pixel % width);
            for neighbour_row in row.saturating_sub(1)..=(row + 1).min(height - 1) {
                for neighbour_col in col.saturating_sub(1)..=(col + 1).min(width - 1) {
                    let neighbour = neighbour_row * width + neighbour_col;
                    if mask[neighbour] && labels[neighbour] == 0 {
                        labels[neighbour] = label;
                        stack.push(neighbour);
                    }
                }
            }
        }
        areas.push(area);
    }
    Ok(RegionLabels { labels, areas })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mask_from(rows: &[&str]) -> (Vec<bool>, usize, usize) {
        let width = rows[0].len();
        let mask = rows
            .iter()
            .flat_map(|r| r.chars().map(|c| c == '#'))
            .collect();
        (mask, rows.len(), width)
    }

    #[test]
    fn diagonal_neighbours_join_and_numbering_follows_raster_order() {
        // python: l = skimage.measure.label(m) for this mask (connectivity defaults to the
        // 8-neighbourhood in 2-D); np.bincount(l.ravel())[1:] -> [4 2 3 1 2], and the first
        // pixels of labels 1..5 are at flat indices 0, 6, 29, 40, 46
        let (mask, h, w) = mask_from(&[
            "#.....#.", ".#...#..", "..#.....", ".#...###", "........", "#.....##",
        ]);
        let regions = label_regions(&mask, h, w).unwrap();
        assert_eq!(regions.areas, vec![4, 2, 3, 1, 2]);
        for (label, first_pixel) in [(1, 0), (2, 6), (3, 29), (4, 40), (5, 46)] {
            assert_eq!(regions.labels[first_pixel], label);
        }
    }

    #[test]
    fn single_region_and_empty_mask() {
        let (mask, h, w) = mask_from(&["###", "#.#", "###"]);
        assert_eq!(label_regions(&mask, h, w).unwrap().areas, vec![8]);
        let empty = label_regions(&[false; 6], 2, 3).unwrap();
        assert!(label_regions(&[false; 5], 2, 3).is_err());
        assert_eq!(empty.region_count(), 0);
        assert!(empty.labels.iter().all(|&l| l == 0));
    }
}
