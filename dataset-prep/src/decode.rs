//! Reading source images the way the reference's `cv2.imread` does: colour reads give
//! 8-bit 3-channel pixels (grayscale expanded, alpha dropped, 16-bit reduced to its high
//! byte), grayscale reads give 8-bit single-channel pixels; EXIF orientation is applied.
//! The format is taken from the file content, not its extension; JPEG files are decoded
//! by libjpeg-turbo's algorithms, as in OpenCV.

use crate::jpeg::{self, JpegOutput};
use anyhow::{bail, Context, Result};
use image::{DynamicImage, GrayImage, ImageDecoder, ImageReader, RgbImage};
use std::fs;
use std::io::Cursor;
use std::path::Path;

/// Decodes `path` into 8-bit RGB (as `cv2.IMREAD_COLOR`, in RGB channel order).
pub fn read_color(path: &Path) -> Result<RgbImage> {
    to_rgb8(decode_with(path, JpegOutput::Native)?)
}

/// Decodes `path` into 8-bit gray (as `cv2.IMREAD_GRAYSCALE`).
pub fn read_gray(path: &Path) -> Result<GrayImage> {
    to_gray8(decode_with(path, JpegOutput::Gray)?)
}

/// Decodes `path` as stored (any pixel format), with EXIF orientation applied.
/// Errors do not repeat the path: callers report it next to the message.
pub fn decode(path: &Path) -> Result<DynamicImage> {
    decode_with(path, JpegOutput::Native)
}

/// JPEG files are decoded by libjpeg ([`crate::jpeg`]), everything else by the `image`
/// crate; both apply the EXIF orientation.
fn decode_with(path: &Path, jpeg_output: JpegOutput) -> Result<DynamicImage> {
    let bytes = fs::read(path).context("cannot open")?;
    if jpeg::is_jpeg(&bytes) {
        let mut image = jpeg::decode(&bytes, jpeg_output)?;
        image.apply_orientation(jpeg::exif_orientation(&bytes));
        return Ok(image);
    }
    let reader = ImageReader::new(Cursor::new(&bytes[..]))
        .with_guessed_format()
        .context("cannot read")?;
    let mut decoder = reader.into_decoder().context("not a readable image")?;
    let orientation = decoder.orientation().context("cannot read image metadata")?;
    let mut image = DynamicImage::from_decoder(decoder).context("cannot decode image (truncated or corrupt?)")?;
    image.apply_orientation(orientation);
    Ok(image)
}

/// 8-bit channels of a 16-bit sample, as libpng's strip-16 used by OpenCV.
fn high_byte(value: u16) -> u8 {
    (value >> 8) as u8
}

fn to_rgb8(image: DynamicImage) -> Result<RgbImage> {
    let (width, height) = (image.width(), image.height());
    let pixels: Vec<u8> = match image {
        DynamicImage::ImageRgb8(rgb) => return Ok(rgb),
        DynamicImage::ImageRgba8(rgba) => rgba.pixels().flat_map(|p| [p[0], p[1], p[2]]).collect(),
        DynamicImage::ImageLuma8(gray) => gray.pixels().flat_map(|p| [p[0]; 3]).collect(),
        DynamicImage::ImageLumaA8(gray) => gray.pixels().flat_map(|p| [p[0]; 3]).collect(),
        DynamicImage::ImageRgb16(rgb) => rgb.pixels().flat_map(|p| p.0.map(high_byte)).collect(),
        DynamicImage::ImageRgba16(rgba) => rgba.pixels().flat_map(|p| [p[0], p[1], p[2]].map(high_byte)).collect(),
        DynamicImage::ImageLuma16(gray) => gray.pixels().flat_map(|p| [high_byte(p[0]); 3]).collect(),
        DynamicImage::ImageLumaA16(gray) => gray.pixels().flat_map(|p| [high_byte(p[0]); 3]).collect(),
        other => bail!("unsupported pixel format {:?}", other.color()),
    };
    Ok(RgbImage::from_raw(width, height, pixels).expect("3 bytes per pixel"))
}

fn to_gray8(image: DynamicImage) -> Result<GrayImage> {
    let (width, height) = (image.width(), image.height());
    let pixels: Vec<u8> = match image {
        DynamicImage::ImageLuma8(gray) => return Ok(gray),
        DynamicImage::ImageLumaA8(gray) => gray.pixels().map(|p| p[0]).collect(),
        DynamicImage::ImageLuma16(gray) => gray.pixels().map(|p| high_byte(p[0])).collect(),
        DynamicImage::ImageLumaA16(gray) => gray.pixels().map(|p| high_byte(p[0])).collect(),
        colour => to_rgb8(colour)?.pixels().map(|p| luma(p[0], p[1], p[2])).collect(),
    };
    Ok(GrayImage::from_raw(width, height, pixels).expect("1 byte per pixel"))
}

/// Colour to gray as OpenCV's PNG reader asks libpng to do it (weights 0.299 and 0.587 in
/// 15-bit fixed point, truncated; equal channels pass through unchanged).
fn luma(r: u8, g: u8, b: u8) -> u8 {
    if r == g && g == b {
        return r;
    }
    ((9797 * r as u32 + 19234 * g as u32 + 3737 * b as u32) >> 15) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected: cv2.imread(file, cv2.IMREAD_GRAYSCALE) (OpenCV 5.1) of a PNG holding these
    // RGB colours; the formula also matched OpenCV on 262144 random colours.
    #[test]
    fn luma_matches_opencv_png_reader() {
        let colours = [
            [255, 0, 0],
            [0, 255, 0],
            [0, 0, 255],
            [200, 100, 50],
            [100, 200, 150],
            [1, 2, 3],
            [254, 255, 253],
            [37, 201, 99],
        ];
        let gray: Vec<u8> = colours.iter().map(|&[r, g, b]| luma(r, g, b)).collect();
        assert_eq!(gray, [76, 149, 29, 124, 164, 1, 254, 140]);
    }

    #[test]
    fn sixteen_bit_keeps_the_high_byte() {
        let image = image::ImageBuffer::<image::Luma<u16>, _>::from_raw(2, 1, vec![0x12ff, 0xff00]).unwrap();
        let rgb = to_rgb8(DynamicImage::ImageLuma16(image)).unwrap();
        assert_eq!(rgb.into_raw(), [0x12, 0x12, 0x12, 0xff, 0xff, 0xff]);
    }
}
