//! A plain interleaved 8-bit raster, so each operation is written once for RGB and gray.

use image::{GrayImage, ImageBuffer, Pixel, RgbImage};

/// `height` rows of `width` pixels of `channels` bytes, row-major, no padding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Raster {
    pub width: usize,
    pub height: usize,
    pub channels: usize,
    pub data: Vec<u8>,
}

impl Raster {
    pub fn zeroed(width: usize, height: usize, channels: usize) -> Self {
        Raster {
            width,
            height,
            channels,
            data: vec![0; width * height * channels],
        }
    }

    pub fn from_image<P: Pixel<Subpixel = u8>>(img: &ImageBuffer<P, Vec<u8>>) -> Self {
        Raster {
            width: img.width() as usize,
            height: img.height() as usize,
            channels: usize::from(P::CHANNEL_COUNT),
            data: img.as_raw().clone(),
        }
    }

    pub fn into_rgb(self) -> RgbImage {
        debug_assert_eq!(self.channels, 3);
        into_image(self)
    }

    pub fn into_gray(self) -> GrayImage {
        debug_assert_eq!(self.channels, 1);
        into_image(self)
    }

    fn offset(&self, x: usize, y: usize) -> usize {
        (y * self.width + x) * self.channels
    }

    pub fn pixel(&self, x: usize, y: usize) -> &[u8] {
        let start = self.offset(x, y);
        &self.data[start..start + self.channels]
    }

    pub fn pixel_mut(&mut self, x: usize, y: usize) -> &mut [u8] {
        let start = self.offset(x, y);
        let channels = self.channels;
        &mut self.data[start..start + channels]
    }
}

fn into_image<P: Pixel<Subpixel = u8>>(raster: Raster) -> ImageBuffer<P, Vec<u8>> {
    let (width, height) = (raster.width as u32, raster.height as u32);
    ImageBuffer::from_raw(width, height, raster.data)
        .expect("a raster's buffer always holds width * height * channels bytes")
}
