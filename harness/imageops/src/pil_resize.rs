//! `PIL.Image.resize` on 8-bit images with a full-image box: identity copy when the size is
//! unchanged, nearest-neighbour scaling, or Pillow's two-pass fixed-point convolution
//! (horizontal pass first, restricted to the rows the vertical pass reads).

use crate::pil_kernel::{convolve, resample_taps, ConvolutionFilter, Taps};
use crate::pil_nearest::resize_nearest;
use crate::raster::Raster;
use crate::Filter;

/// Resizes `src` to `new_width x new_height` with Pillow's semantics for `filter`.
pub(crate) fn pil_resize(
    src: &Raster,
    new_width: usize,
    new_height: usize,
    filter: Filter,
) -> Raster {
    if (src.width, src.height) == (new_width, new_height) {
        return src.clone();
    }
    if new_width == 0 || new_height == 0 {
        // Pillow refuses empty sizes; the only image of that size is the empty one.
        return Raster::zeroed(new_width, new_height, src.channels);
    }
    match filter {
        Filter::Nearest => resize_nearest(src, new_width, new_height),
        Filter::Bilinear => {
            resize_convolution(src, new_width, new_height, ConvolutionFilter::Triangle)
        }
        Filter::Bicubic => {
            resize_convolution(src, new_width, new_height, ConvolutionFilter::Bicubic)
        }
    }
}

/// Pillow's `ImagingResampleInner` (9.x to 12.x): an axis is resampled only when its size
/// changes; the horizontal pass runs first and only over the source rows the vertical pass will
/// read. (Pillow 13 sometimes runs the vertical pass first, which rounds differently.)
fn resize_convolution(
    src: &Raster,
    new_width: usize,
    new_height: usize,
    filter: ConvolutionFilter,
) -> Raster {
    let mut vertical = resample_taps(src.height, new_height, filter);
    let horizontal_output;
    let mut current = src;
    if new_width != src.width {
        let first_row = vertical.first().map_or(0, |taps| taps.first);
        let end_row = vertical.last().map_or(0, Taps::end);
        let horizontal = resample_taps(src.width, new_width, filter);
        horizontal_output = resample_rows(src, first_row..end_row, &horizontal);
        for taps in &mut vertical {
            taps.first -= first_row;
        }
        current = &horizontal_output;
    }
    if new_height != src.height {
        resample_columns(current, &vertical)
    } else {
        current.clone()
    }
}

/// Horizontal pass over the source rows `rows`: output row `i` is source row `rows.start + i`.
fn resample_rows(src: &Raster, rows: std::ops::Range<usize>, taps: &[Taps]) -> Raster {
    let channels = src.channels;
    let mut out = Raster::zeroed(taps.len(), rows.len(), channels);
    for (out_y, source_y) in rows.enumerate() {
        for (out_x, column_taps) in taps.iter().enumerate() {
            for channel in 0..channels {
                let value = convolve(column_taps, |x| src.pixel(x, source_y)[channel]);
                out.pixel_mut(out_x, out_y)[channel] = value;
            }
        }
    }
    out
}

/// Vertical pass: output row `i` combines the source rows of `taps[i]`.
fn resample_columns(src: &Raster, taps: &[Taps]) -> Raster {
    let channels = src.channels;
    let mut out = Raster::zeroed(src.width, taps.len(), channels);
    for (out_y, row_taps) in taps.iter().enumerate() {
        for x in 0..src.width {
            for channel in 0..channels {
                let value = convolve(row_taps, |y| src.pixel(x, y)[channel]);
                out.pixel_mut(x, out_y)[channel] = value;
            }
        }
    }
    out
}
