//! JPEG decoding with libjpeg-turbo's algorithms (islow IDCT, fancy chroma upsampling), as
//! OpenCV uses them: the `image` crate's decoder differs by a few levels on ~30 % of the
//! pixels of 4:2:0 files, which would change VisA, VOC and Ade images.

use anyhow::{anyhow, Result};
use image::metadata::Orientation;
use image::{DynamicImage, GrayImage, RgbImage};
use mozjpeg::{ColorSpace, Decompress};
use std::panic::{self, AssertUnwindSafe};

/// Which pixels to ask libjpeg for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JpegOutput {
    /// Gray for grayscale files, RGB otherwise.
    Native,
    /// Always gray (for colour files: libjpeg's luma, as `cv2.IMREAD_GRAYSCALE` gets it).
    Gray,
}

/// JPEG files start with the SOI marker followed by another marker.
pub fn is_jpeg(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0xFF, 0xD8, 0xFF])
}

/// The orientation in the file's first Exif (APP1) segment, if any: OpenCV applies it.
pub fn exif_orientation(bytes: &[u8]) -> Orientation {
    let mut pos = 2;
    while let (Some(&0xFF), Some(&marker)) = (bytes.get(pos), bytes.get(pos + 1)) {
        match marker {
            0xFF => pos += 1,               // fill byte
            0xDA | 0xD9 => break,           // image data starts: no metadata after this
            0x01 | 0xD0..=0xD7 => pos += 2, // markers without a length
            _ => {
                let Some(length) = bytes
                    .get(pos + 2..pos + 4)
                    .map(|b| u16::from_be_bytes([b[0], b[1]]) as usize)
                else {
                    break;
                };
                let Some(data) = bytes.get(pos + 4..pos + 2 + length) else {
                    break;
                };
                if marker == 0xE1 && data.starts_with(b"Exif\0\0") {
                    return Orientation::from_exif_chunk(&data[6..]).unwrap_or(Orientation::NoTransforms);
                }
                pos += 2 + length;
            }
        }
    }
    Orientation::NoTransforms
}

/// Decodes a JPEG file's bytes. A file that ends before its end-of-image marker is an
/// error here, although libjpeg (and so OpenCV) would complete it with gray: it is a
/// damaged download, not data to standardize.
pub fn decode(bytes: &[u8], output: JpegOutput) -> Result<DynamicImage> {
    if ends_early(bytes) {
        return Err(anyhow!(
            "JPEG data ends before its end-of-image marker (truncated file)"
        ));
    }
    // libjpeg reports fatal errors by unwinding out of the C code; catch them here.
    let decoded = panic::catch_unwind(AssertUnwindSafe(|| -> std::io::Result<DynamicImage> {
        let decompress = Decompress::new_mem(bytes)?;
        let gray = output == JpegOutput::Gray || decompress.color_space() == ColorSpace::JCS_GRAYSCALE;
        let mut started = if gray {
            decompress.grayscale()?
        } else {
            decompress.rgb()?
        };
        let (width, height) = (started.width() as u32, started.height() as u32);
        let pixels = started.read_scanlines::<u8>()?;
        started.finish()?;
        let image = if gray {
            GrayImage::from_raw(width, height, pixels).map(DynamicImage::ImageLuma8)
        } else {
            RgbImage::from_raw(width, height, pixels).map(DynamicImage::ImageRgb8)
        };
        image.ok_or_else(|| std::io::Error::other("libjpeg returned fewer pixels than the image size"))
    }));
    match decoded {
        Ok(Ok(image)) => Ok(image),
        Ok(Err(error)) => Err(anyhow!("cannot decode JPEG: {error}")),
        Err(payload) => {
            let message = payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "unknown libjpeg error".to_string());
            Err(anyhow!("cannot decode JPEG: {message}"))
        }
    }
}

/// True when no end-of-image marker (FF D9) follows the first start-of-scan marker (FF DA).
/// Inside entropy-coded data every FF byte is followed by 00 or a restart marker, so an
/// FF D9 there can only be the real end of the image.
fn ends_early(bytes: &[u8]) -> bool {
    let find = |marker: [u8; 2], from: usize| bytes[from..].windows(2).position(|w| w == marker).map(|i| from + i);
    match find([0xFF, 0xDA], 0) {
        Some(scan) => find([0xFF, 0xD9], scan + 2).is_none(),
        None => false, // no image data at all: libjpeg reports that itself
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_is_detected_by_the_missing_end_marker() {
        let complete = [0xFF, 0xD8, 0xFF, 0xDA, 0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD9];
        assert!(!ends_early(&complete));
        assert!(ends_early(&complete[..8]));
        // An end marker before the scan (e.g. in an embedded thumbnail) does not count.
        assert!(ends_early(&[0xFF, 0xD8, 0xFF, 0xD9, 0xFF, 0xDA, 0x12]));
    }
}
