//! Training data: the normal training images of every class, the DTD textures, and a loader
//! that synthesizes batches on rayon workers ahead of the model through a bounded channel.
//! Each sample is seeded by (run seed, epoch, dataset index), so batches are identical
//! whatever the thread timing, and an epoch can start at any batch (for `--resume`).

use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::Arc;

use anyhow::{Context, Result};
use dictas_imageops::{pil_resize_gray, to_chw_normalized, Filter, CLIP_MEAN, CLIP_STD};
use dictas_model::preprocess::image_to_tensor;
use image::GrayImage;
use rayon::prelude::*;
use tch::{Kind, Tensor};

use crate::meta::read_phase;
use crate::rng::{SampleRng, SHUFFLE_STREAM};
use crate::synth::{synthesize_pair, SynthesisSettings};

/// One training image.
#[derive(Debug, Clone)]
pub struct TrainItem {
    pub image: PathBuf,
    pub mask: Option<PathBuf>,
    pub class_index: usize,
    pub anomaly: bool,
}

/// The training set: classes in meta order, items class by class.
#[derive(Debug, Clone)]
pub struct TrainSet {
    pub classes: Vec<String>,
    pub items: Vec<TrainItem>,
}

impl TrainSet {
    /// The `train` phase of `root/meta_<dataset>.json`.
    pub fn from_meta(root: &Path, dataset: &str) -> Result<Self> {
        let phase = read_phase(root, dataset, "train")?;
        let mut classes = Vec::new();
        let mut items = Vec::new();
        for (class_index, (class, entries)) in phase.into_iter().enumerate() {
            classes.push(class);
            items.extend(entries.iter().map(|e| TrainItem {
                image: e.image(root),
                mask: e.mask(root),
                class_index,
                anomaly: e.anomaly == 1,
            }));
        }
        anyhow::ensure!(!items.is_empty(), "meta_{dataset}.json under {} lists no training image", root.display());
        Ok(TrainSet { classes, items })
    }
}

/// DTD textures as the reference finds them: `DIR/*/*.jpg`, sorted.
pub fn list_textures(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let entries = std::fs::read_dir(dir).with_context(|| format!("reading texture folder {}", dir.display()))?;
    for sub in entries {
        let sub = sub?.path();
        if !sub.is_dir() {
            continue;
        }
        for file in std::fs::read_dir(&sub).with_context(|| format!("reading {}", sub.display()))? {
            let file = file?.path();
            if file.extension().is_some_and(|e| e == "jpg") {
                out.push(file);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// A sample ready for the model, as plain data (built on worker threads).
pub struct PreparedSample {
    /// CLIP-normalized `[3, S, S]`.
    pub query: Vec<f32>,
    /// 0/1 `[S, S]`.
    pub query_mask: Vec<f32>,
    pub support: Vec<f32>,
    pub anomaly: bool,
    pub class_index: usize,
    pub synthesized: bool,
}

/// A batch on the CPU.
pub struct Batch {
    /// Index of the batch within its epoch.
    pub index: usize,
    pub queries: Tensor,
    pub masks: Tensor,
    pub supports: Tensor,
    pub labels: Tensor,
    pub class_indices: Vec<usize>,
    pub synthesized: usize,
}

/// Everything a worker needs to build samples.
pub struct SampleSource {
    pub set: TrainSet,
    pub textures: Vec<PathBuf>,
    pub settings: SynthesisSettings,
    pub image_size: u32,
    pub seed: u64,
}

fn open_rgb(path: &Path) -> Result<image::RgbImage> {
    Ok(image::open(path).with_context(|| format!("reading image {}", path.display()))?.to_rgb8())
}

/// Ground truth as the reference's target transform: PIL bilinear resize of the 0/255 mask,
/// `/ 255`, then `> 0.5` (done in its training loop).
fn mask_to_unit(mask: &GrayImage, size: u32) -> Vec<f32> {
    let resized = if mask.dimensions() == (size, size) { mask.clone() } else { pil_resize_gray(mask, size, size, Filter::Bilinear) };
    resized.pixels().map(|p| if f32::from(p[0]) / 255.0 > 0.5 { 1.0 } else { 0.0 }).collect()
}

impl SampleSource {
    /// Builds sample `index` of `epoch`.
    pub fn prepare(&self, epoch: u64, index: usize) -> Result<PreparedSample> {
        let item = &self.set.items[index];
        let mut rng = SampleRng::for_sample(self.seed, epoch, index as u64);
        let image = open_rgb(&item.image)?;
        let mask = match &item.mask {
            Some(path) => {
                let gray = image::open(path).with_context(|| format!("reading mask {}", path.display()))?.to_luma8();
                GrayImage::from_fn(gray.width(), gray.height(), |x, y| image::Luma([if gray.get_pixel(x, y)[0] > 0 { 255 } else { 0 }]))
            }
            None => GrayImage::new(image.width(), image.height()),
        };
        let texture = |i: usize| open_rgb(&self.textures[i]);
        let pair = synthesize_pair(&image, &mask, item.anomaly, self.textures.len(), &texture, &self.settings, &mut rng)
            .with_context(|| format!("synthesizing a sample from {}", item.image.display()))?;
        let to_input = |img: &image::RgbImage| -> Vec<f32> {
            if img.dimensions() == (self.image_size, self.image_size) {
                to_chw_normalized(img, CLIP_MEAN, CLIP_STD)
            } else {
                Vec::<f32>::try_from(image_to_tensor(img, self.image_size).flatten(0, -1)).expect("float tensor")
            }
        };
        Ok(PreparedSample {
            query: to_input(&pair.query),
            query_mask: mask_to_unit(&pair.query_mask, self.image_size),
            support: to_input(&pair.support),
            anomaly: pair.anomaly,
            class_index: item.class_index,
            synthesized: pair.synthesized,
        })
    }

    /// Dataset order of `epoch` (the reference shuffles every epoch).
    pub fn epoch_order(&self, epoch: u64) -> Vec<usize> {
        SampleRng::for_sample(self.seed, epoch, SHUFFLE_STREAM).permutation(self.set.items.len())
    }

    /// Number of batches per epoch (the last one may be smaller).
    pub fn batches_per_epoch(&self, batch_size: usize) -> usize {
        self.set.items.len().div_ceil(batch_size)
    }

    fn collate(&self, index: usize, samples: Vec<PreparedSample>) -> Batch {
        let s = i64::from(self.image_size);
        let n = samples.len() as i64;
        let cat = |f: &dyn Fn(&PreparedSample) -> &[f32]| -> Vec<f32> { samples.iter().flat_map(|p| f(p).iter().copied()).collect() };
        Batch {
            index,
            queries: Tensor::from_slice(&cat(&|p| &p.query)).view([n, 3, s, s]),
            masks: Tensor::from_slice(&cat(&|p| &p.query_mask)).view([n, s, s]),
            supports: Tensor::from_slice(&cat(&|p| &p.support)).view([n, 3, s, s]),
            labels: Tensor::from_slice(&samples.iter().map(|p| i64::from(p.anomaly)).collect::<Vec<_>>()).to_kind(Kind::Int64),
            class_indices: samples.iter().map(|p| p.class_index).collect(),
            synthesized: samples.iter().filter(|p| p.synthesized).count(),
        }
    }
}

/// Starts producing the batches of `epoch` from batch `first_batch` on a background thread
/// (samples of a batch built in parallel on rayon), at most `prefetch` batches ahead.
pub fn spawn_loader(
    source: Arc<SampleSource>,
    epoch: u64,
    batch_size: usize,
    first_batch: usize,
    prefetch: usize,
) -> Receiver<Result<Batch>> {
    let (sender, receiver) = sync_channel(prefetch.max(1));
    std::thread::spawn(move || {
        let order = source.epoch_order(epoch);
        for (index, chunk) in order.chunks(batch_size).enumerate().skip(first_batch) {
            let samples: Result<Vec<PreparedSample>> = chunk.par_iter().map(|&i| source.prepare(epoch, i)).collect();
            let batch = samples.map(|s| source.collate(index, s));
            let failed = batch.is_err();
            if sender.send(batch).is_err() || failed {
                return;
            }
        }
    });
    receiver
}
