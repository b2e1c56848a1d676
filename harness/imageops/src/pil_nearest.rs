//! Pillow's nearest-neighbour resize (`ImagingScaleAffine`): the source position of each
//! output pixel is accumulated in `f64` step by step, exactly as Pillow walks it, and truncated.

use crate::raster::Raster;

/// Resizes `src` to `new_width x new_height` picking, per axis, the source pixel under each
/// output pixel's centre.
pub(crate) fn resize_nearest(src: &Raster, new_width: usize, new_height: usize) -> Raster {
    let columns = source_indices(src.width, new_width);
    let rows = source_indices(src.height, new_height);
    let channels = src.channels;
    let mut out = Raster::zeroed(new_width, new_height, channels);
    for (out_y, source_y) in rows.iter().enumerate() {
        // Pillow fills positions that map outside the source with zeros.
        let Some(source_y) = *source_y else { continue };
        for (out_x, source_x) in columns.iter().enumerate() {
            let Some(source_x) = *source_x else { continue };
            out.pixel_mut(out_x, out_y)
                .copy_from_slice(src.pixel(source_x, source_y));
        }
    }
    out
}

/// Source index of every output coordinate along one axis, `None` where it falls outside.
fn source_indices(in_size: usize, out_size: usize) -> Vec<Option<usize>> {
    // Pillow builds the affine step from its f32 crop box, then starts half a step in and
    // adds the step once per pixel (accumulating its rounding like Pillow does).
    let step = f64::from(in_size as f32) / out_size as f64;
    let mut position = step * 0.5;
    let mut indices = Vec::with_capacity(out_size);
    for _ in 0..out_size {
        let index = if position < 0.0 {
            None
        } else {
            Some(position as usize)
        };
        indices.push(index.filter(|&i| i < in_size));
        position += step;
    }
    indices
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn halving_picks_every_other_pixel_starting_from_the_second() {
        // Step 2, first centre at 1.0.
        assert_eq!(source_indices(6, 3), vec![Some(1), Some(3), Some(5)]);
    }

    #[test]
    fn doubling_repeats_each_pixel() {
        assert_eq!(
            source_indices(2, 4),
            vec![Some(0), Some(0), Some(1), Some(1)]
        );
    }
}
