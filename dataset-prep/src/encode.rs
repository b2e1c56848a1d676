//! Deterministic encoders for the standardized files: 24-bit BMP images and 8-bit
//! single-channel PNG masks. Neither carries timestamps, so equal pixels give equal bytes.

use anyhow::{Context, Result};
use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use image::{ExtendedColorType, GrayImage, ImageEncoder, RgbImage};

const FILE_HEADER_LEN: u32 = 14;
const INFO_HEADER_LEN: u32 = 40;

/// Uncompressed 24-bit BMP, bottom-up rows of BGR padded to 4 bytes, with the header
/// fields OpenCV writes (no resolution, no palette), so the files match `cv2.imwrite`'s.
pub fn bmp24(image: &RgbImage) -> Vec<u8> {
    let (width, height) = image.dimensions();
    let row_len = (width as usize * 3 + 3) & !3;
    let header_len = FILE_HEADER_LEN + INFO_HEADER_LEN;
    let file_len = header_len as usize + row_len * height as usize;
    let mut out = Vec::with_capacity(file_len);
    out.extend_from_slice(b"BM");
    for value in [file_len as u32, 0, header_len, INFO_HEADER_LEN, width, height] {
        out.extend_from_slice(&value.to_le_bytes());
    }
    out.extend_from_slice(&1u16.to_le_bytes()); // planes
    out.extend_from_slice(&24u16.to_le_bytes()); // bits per pixel
    for value in [0u32; 6] {
        // compression (BI_RGB), image size, x/y resolution, colours used, colours important
        out.extend_from_slice(&value.to_le_bytes());
    }
    let raw = image.as_raw();
    let stride = width as usize * 3;
    for y in (0..height as usize).rev() {
        let row = &raw[y * stride..(y + 1) * stride];
        for pixel in row.chunks_exact(3) {
            out.extend_from_slice(&[pixel[2], pixel[1], pixel[0]]);
        }
        out.resize(out.len() + row_len - stride, 0);
    }
    out
}

/// 8-bit grayscale PNG.
pub fn png_gray(mask: &GrayImage) -> Result<Vec<u8>> {
    png(mask.as_raw(), mask.dimensions(), ExtendedColorType::L8)
}

/// 8-bit RGB PNG (used for synthetic source trees).
pub fn png_rgb(image: &RgbImage) -> Result<Vec<u8>> {
    png(image.as_raw(), image.dimensions(), ExtendedColorType::Rgb8)
}

fn png(pixels: &[u8], (width, height): (u32, u32), color: ExtendedColorType) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    PngEncoder::new_with_quality(&mut out, CompressionType::Default, FilterType::Adaptive)
        .write_image(pixels, width, height, color)
        .context("encoding PNG")?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bmp_layout_is_bottom_up_bgr_with_padding() {
        // 1 x 2 image: top pixel (1,2,3), bottom pixel (4,5,6); rows padded from 3 to 4 bytes.
        let image = RgbImage::from_raw(1, 2, vec![1, 2, 3, 4, 5, 6]).unwrap();
        let bytes = bmp24(&image);
        assert_eq!(bytes.len(), 54 + 8);
        assert_eq!(&bytes[0..2], b"BM");
        assert_eq!(u32::from_le_bytes(bytes[2..6].try_into().unwrap()), 62);
        assert_eq!(u32::from_le_bytes(bytes[10..14].try_into().unwrap()), 54);
        assert_eq!(u16::from_le_bytes(bytes[28..30].try_into().unwrap()), 24);
        assert_eq!(&bytes[54..], [6, 5, 4, 0, 3, 2, 1, 0]);
        // An independent decoder reads the same pixels back.
        let decoded = image::load_from_memory(&bytes).unwrap().to_rgb8();
        assert_eq!(decoded, image);
    }
}
