//! All pixels of a class, ranked once and shared by the pixel metrics: normal pixels as sorted
//! score keys, anomalous pixels as sorted (score key, region) pairs, plus the area of every
//! 8-connected ground-truth region (regions are per image, numbered across the class).

use rayon::prelude::*;

use crate::curve::RankedView;
use crate::error::{check_same_length, MetricsError};
use crate::labeling::label_regions;
use crate::radix_sort::radix_sort;
use crate::score_key::{check_finite, Score};

/// Layout of a stack of same-sized maps stored image after image, each row-major.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MapShape {
    pub images: usize,
    pub height: usize,
    pub width: usize,
}

impl MapShape {
    pub fn pixels_per_image(&self) -> usize {
        self.height * self.width
    }

    pub fn total_pixels(&self) -> usize {
        self.images * self.pixels_per_image()
    }
}

#[derive(Debug, Clone)]
pub(crate) struct PixelTable {
    /// Score keys of ground-truth-normal pixels, ascending.
    pub normal_keys: Vec<u32>,
    /// `(score key << 32) | region index` of anomalous pixels, ascending.
    pub anomalous: Vec<u64>,
    /// Score keys of the anomalous pixels alone, ascending (the ranking metrics' positives).
    pub anomalous_keys: Vec<u32>,
    /// Pixel count of each region, indexed by region index.
    pub region_areas: Vec<u32>,
    pub min_score: f32,
    pub max_score: f32,
}

/// One image's share of the table before the images are merged.
struct ImagePixels {
    normal_keys: Vec<u32>,
    anomalous: Vec<(u32, u32)>,
    region_areas: Vec<u32>,
}

impl PixelTable {
    pub fn build(maps: &[f32], masks: &[bool], shape: MapShape) -> Result<Self, MetricsError> {
        check_same_length(
            "anomaly maps (images * height * width)",
            shape.total_pixels(),
            maps.len(),
        )?;
        check_same_length(
            "ground-truth masks (images * height * width)",
            shape.total_pixels(),
            masks.len(),
        )?;
        if maps.is_empty() {
            return Err(MetricsError::Empty {
                what: "anomaly maps".to_string(),
            });
        }
        check_finite("anomaly maps", maps)?;
        let per_image = shape.pixels_per_image();
        let images = maps
            .par_chunks(per_image)
            .zip(masks.par_chunks(per_image))
            .map(|(map, mask)| split_image(map, mask, shape))
            .collect::<Result<Vec<ImagePixels>, MetricsError>>()?;
        let region_total: usize = images.iter().map(|i| i.region_areas.len()).sum();
        if region_total > u32::MAX as usize {
            return Err(MetricsError::InvalidParameter {
                what: "ground-truth masks".to_string(),
                reason: format!("{region_total} regions exceed the supported 2^32"),
            });
        }
        let mut table = PixelTable {
            normal_keys: Vec::with_capacity(images.iter().map(|i| i.normal_keys.len()).sum()),
            anomalous: Vec::with_capacity(images.iter().map(|i| i.anomalous.len()).sum()),
            anomalous_keys: Vec::new(),
            region_areas: Vec::with_capacity(region_total),
            min_score: maps.par_iter().copied().reduce(|| f32::INFINITY, f32::min),
            max_score: maps
                .par_iter()
                .copied()
                .reduce(|| f32::NEG_INFINITY, f32::max),
        };
        for image in images {
            let offset = table.region_areas.len() as u64;
            table.normal_keys.extend_from_slice(&image.normal_keys);
            table.anomalous.extend(
                image
                    .anomalous
                    .iter()
                    .map(|&(key, region)| (u64::from(key) << 32) | (offset + u64::from(region))),
            );
            table.region_areas.extend_from_slice(&image.region_areas);
        }
        rayon::join(
            || radix_sort(&mut table.normal_keys),
            || radix_sort(&mut table.anomalous),
        );
        table.anomalous_keys = table.anomalous.iter().map(|&e| Self::key_of(e)).collect();
        Ok(table)
    }

    pub fn region_count(&self) -> usize {
        self.region_areas.len()
    }

    /// Score key of an entry of `anomalous`.
    pub fn key_of(entry: u64) -> u32 {
        (entry >> 32) as u32
    }

    /// Region index of an entry of `anomalous`.
    pub fn region_of(entry: u64) -> usize {
        (entry & u64::from(u32::MAX)) as usize
    }

    /// The pixels as positives (anomalous) and negatives (normal) for the ranking metrics.
    pub fn ranked(&self) -> RankedView<'_, u32> {
        RankedView {
            positives: &self.anomalous_keys,
            negatives: &self.normal_keys,
        }
    }
}

fn split_image(map: &[f32], mask: &[bool], shape: MapShape) -> Result<ImagePixels, MetricsError> {
    let regions = label_regions(mask, shape.height, shape.width)?;
    let mut normal_keys = Vec::with_capacity(map.len());
    let mut anomalous = Vec::new();
    for (&score, &label) in map.iter().zip(&regions.labels) {
        if label == 0 {
            normal_keys.push(score.order_key());
        } else {
            anomalous.push((score.order_key(), label - 1));
        }
    }
    Ok(ImagePixels {
        normal_keys,
        anomalous,
        region_areas: regions.areas,
    })
}
