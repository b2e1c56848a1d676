//! The model-side steps shared by `eval`, `sweep` and `infer`: a loaded backbone, support
//! dictionaries, query features and maps.

use crate::eval::args::{ActivationArg, LookupArg};
use crate::rules::ClassRule;
use anyhow::{Context, Result};
use dictas_model::clip::{Activation, ClipModel};
use dictas_model::dictas::{DictAs, Lookup, SupportDictionary};
use dictas_model::preprocess;
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use tch::{Device, Kind, Tensor};

/// Support images are encoded in chunks of this many (memory only; numerically irrelevant).
const SUPPORT_CHUNK: i64 = 4;

/// A loaded CLIP model at one input size, with the class text matrices it has computed.
pub struct Backbone {
    pub clip: ClipModel,
    pub image_size: u32,
    text: HashMap<String, Tensor>,
}

impl Backbone {
    pub fn load(path: &Path, image_size: u32, activation: ActivationArg, device: Device) -> Result<Self> {
        let activation = match activation {
            ActivationArg::Gelu => Activation::Gelu,
            ActivationArg::QuickGelu => Activation::QuickGelu,
        };
        let clip = ClipModel::load(path, image_size as i64, activation, device)
            .with_context(|| format!("loading CLIP weights {}", path.display()))?;
        Ok(Self { clip, image_size, text: HashMap::new() })
    }

    pub fn device(&self) -> Device {
        self.clip.device()
    }

    /// Side of the patch-token grid.
    pub fn grid(&self) -> i64 {
        self.clip.grid()
    }

    /// The class's [embed, 2] (normal, abnormal) text matrix, computed once per class.
    pub fn text_features(&mut self, class: &str) -> Result<Tensor> {
        if let Some(t) = self.text.get(class) {
            return Ok(t.shallow_clone());
        }
        let t = tch::no_grad(|| dictas_model::prompts::class_text_features(&self.clip, class))
            .with_context(|| format!("text prompts of class '{class}'"))?;
        self.text.insert(class.to_string(), t.shallow_clone());
        Ok(t)
    }

    /// Global features [B, E] and per-layer patch tokens [B, N, C] of preprocessed images.
    pub fn encode(&self, images: &Tensor, layers: &[i64]) -> Result<QueryFeatures> {
        let (global, layers) =
            tch::no_grad(|| self.clip.f_encode_image(&images.to_device(self.device()), layers))?;
        Ok(QueryFeatures { global, layers })
    }
}

/// Features of a batch of images.
pub struct QueryFeatures {
    /// [B, embed]
    pub global: Tensor,
    /// Per requested layer: [B, N, C].
    pub layers: Vec<Tensor>,
}

impl QueryFeatures {
    /// The tokens of `wanted` layers, picked from features computed for `available` layers.
    pub fn select(&self, available: &[i64], wanted: &[i64]) -> Result<Vec<Tensor>> {
        wanted
            .iter()
            .map(|l| {
                available
                    .iter()
                    .position(|a| a == l)
                    .map(|i| self.layers[i].shallow_clone())
                    .with_context(|| format!("layer {l} was not encoded (have {available:?})"))
            })
            .collect()
    }
}

/// Loaded DictAS weights and the lookup to use.
pub struct DictAsScorer {
    _vars: tch::nn::VarStore,
    pub module: DictAs,
    pub lookup: Lookup,
}

impl DictAsScorer {
    pub fn load(checkpoint: &Path, lookup: LookupArg, device: Device) -> Result<Self> {
        let (vars, module) = DictAs::load(checkpoint, device)
            .with_context(|| format!("loading DictAS checkpoint {}", checkpoint.display()))?;
        let lookup = match lookup {
            LookupArg::Sparsemax => Lookup::Sparsemax,
            LookupArg::Softmax => Lookup::Softmax,
            LookupArg::Max => Lookup::Max,
        };
        Ok(Self { _vars: vars, module, lookup })
    }

    /// The class's dictionary (keys and values of every layer and scale), built once from the
    /// support tokens and reused for every query batch.
    pub fn prepare(&self, backbone: &Backbone, support: &[Tensor], rule: &ClassRule) -> Result<SupportDictionary> {
        let clip_width = backbone.clip.config().vision_width;
        if self.module.width() != clip_width {
            anyhow::bail!(
                "DictAS checkpoint width {} does not match the CLIP vision width {clip_width}",
                self.module.width()
            );
        }
        self.module.build_dictionary(support, backbone.grid(), &rule.scales)
    }

    /// Raw maps [B, S, S] (f32, CPU) of query tokens against a prepared dictionary.
    pub fn maps(&self, backbone: &Backbone, query: &[Tensor], dictionary: &SupportDictionary) -> Result<Tensor> {
        let maps = self.module.anomaly_map_with(dictionary, query, backbone.image_size as i64, self.lookup)?;
        Ok(maps.to_device(Device::Cpu).to_kind(Kind::Float))
    }
}

/// Loads and preprocesses images in parallel into one [B, 3, S, S] batch.
pub fn load_batch(paths: &[PathBuf], size: u32) -> Result<Tensor> {
    let images: Vec<Tensor> = paths
        .par_iter()
        .map(|p| preprocess::load_image(p, size).with_context(|| format!("loading image {}", p.display())))
        .collect::<Result<_>>()?;
    Ok(Tensor::stack(&images, 0))
}

/// Preprocessed support images [K, 3, S, S]; with `rule.rotate_supports` each image is
/// joined by its 9 rotated copies (rotated at the original resolution, before resizing).
pub fn support_images(paths: &[PathBuf], rule: &ClassRule, size: u32) -> Result<Tensor> {
    Ok(if rule.rotate_supports {
        let rotated: Vec<Vec<Tensor>> = paths
            .par_iter()
            .map(|path| -> Result<Vec<Tensor>> {
                let img = image::open(path)
                    .with_context(|| format!("reading support image {}", path.display()))?
                    .to_rgb8();
                Ok(preprocess::rotated_supports(&img)
                    .iter()
                    .map(|r| preprocess::image_to_tensor(r, size))
                    .collect())
            })
            .collect::<Result<_>>()?;
        Tensor::stack(&rotated.into_iter().flatten().collect::<Vec<_>>(), 0)
    } else {
        load_batch(paths, size)?
    })
}

/// Support tokens of one class: per layer [1, M, C] with M = (number of images) * N.
pub fn support_tokens(backbone: &Backbone, images: &Tensor, rule: &ClassRule) -> Result<Vec<Tensor>> {
    let count = images.size()[0];
    let mut per_layer: Vec<Vec<Tensor>> = (0..rule.layers.len()).map(|_| Vec::new()).collect();
    for chunk in images.split(SUPPORT_CHUNK, 0) {
        let features = backbone.encode(&chunk, &rule.layers)?;
        for (slot, t) in per_layer.iter_mut().zip(features.layers) {
            slot.push(t);
        }
    }
    Ok(per_layer
        .into_iter()
        .map(|chunks| {
            let t = Tensor::cat(&chunks, 0);
            let size = t.size();
            t.reshape([1, count * size[1], size[2]])
        })
        .collect())
}

/// softmax(100 * normalize(global) @ text)[abnormal] for each image.
pub fn text_scores(global: &Tensor, text: &Tensor) -> Result<Vec<f64>> {
    let scores = tch::no_grad(|| dictas_model::prompts::text_anomaly_scores(global, text));
    let v = Vec::<f32>::try_from(scores.to_device(Device::Cpu).to_kind(Kind::Float)).context("reading text scores")?;
    Ok(v.into_iter().map(f64::from).collect())
}
