//! On-disk cache of query-image features.
//!
//! A query image's features do not depend on the support set, so a sweep over seeds and
//! k-shots (or a rerun that adds some) needs them once. Entries are keyed by the sha256 of the
//! image file's bytes together with the backbone weights' sha256, the input size, the
//! activation and the layers, so a changed file or model can never be served stale features.

use crate::eval::args::ActivationArg;
use crate::pipeline::{self, Backbone, QueryFeatures};
use anyhow::{Context, Result};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use tch::Tensor;

pub struct FeatureCache {
    dir: PathBuf,
    model_key: String,
}

impl FeatureCache {
    pub fn new(dir: &Path, backbone_sha: &str, image_size: u32, activation: ActivationArg) -> Self {
        Self { dir: dir.to_path_buf(), model_key: format!("{backbone_sha}|{image_size}|{activation:?}") }
    }

    fn entry_path(&self, image: &Path, layers: &[i64]) -> Result<PathBuf> {
        let bytes = std::fs::read(image).with_context(|| format!("reading {}", image.display()))?;
        let mut hasher = Sha256::new();
        hasher.update(&bytes);
        hasher.update(self.model_key.as_bytes());
        hasher.update(format!("{layers:?}").as_bytes());
        let key = hex::encode(hasher.finalize());
        Ok(self.dir.join(&key[..2]).join(format!("{key}.ot")))
    }

    /// Features of `images` for `layers`: cached entries are read, the rest encoded in one
    /// batch and stored.
    pub fn encode(&self, backbone: &Backbone, images: &[PathBuf], layers: &[i64]) -> Result<QueryFeatures> {
        let entries: Vec<PathBuf> = images.iter().map(|p| self.entry_path(p, layers)).collect::<Result<_>>()?;
        let mut per_image: Vec<Option<(Tensor, Vec<Tensor>)>> =
            entries.iter().map(|e| if e.is_file() { read_entry(e, layers.len()).ok() } else { None }).collect();
        let missing: Vec<usize> = (0..images.len()).filter(|&i| per_image[i].is_none()).collect();
        if !missing.is_empty() {
            let paths: Vec<PathBuf> = missing.iter().map(|&i| images[i].clone()).collect();
            let fresh = backbone.encode(&pipeline::load_batch(&paths, backbone.image_size)?, layers)?;
            for (row, &i) in missing.iter().enumerate() {
                let global = fresh.global.get(row as i64).to_device(tch::Device::Cpu);
                let tokens: Vec<Tensor> = fresh.layers.iter().map(|t| t.get(row as i64).to_device(tch::Device::Cpu)).collect();
                write_entry(&entries[i], &global, &tokens)?;
                per_image[i] = Some((global, tokens));
            }
        }
        let device = backbone.device();
        let (globals, tokens): (Vec<Tensor>, Vec<Vec<Tensor>>) = per_image.into_iter().map(|e| e.expect("filled")).unzip();
        let layers_out = (0..layers.len())
            .map(|l| Tensor::stack(&tokens.iter().map(|t| t[l].shallow_clone()).collect::<Vec<_>>(), 0).to_device(device))
            .collect();
        Ok(QueryFeatures { global: Tensor::stack(&globals, 0).to_device(device), layers: layers_out })
    }
}

fn read_entry(path: &Path, layers: usize) -> Result<(Tensor, Vec<Tensor>)> {
    let named = Tensor::load_multi(path).with_context(|| format!("reading cached features {}", path.display()))?;
    let find = |name: &str| {
        named
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, t)| t.shallow_clone())
            .with_context(|| format!("cached features {} lack '{name}'", path.display()))
    };
    let global = find("global")?;
    let tokens = (0..layers).map(|i| find(&format!("layer{i}"))).collect::<Result<_>>()?;
    Ok((global, tokens))
}

fn write_entry(path: &Path, global: &Tensor, tokens: &[Tensor]) -> Result<()> {
    let mut named: Vec<(String, Tensor)> = vec![("global".into(), global.shallow_clone())];
    named.extend(tokens.iter().enumerate().map(|(i, t)| (format!("layer{i}"), t.shallow_clone())));
    dictas_atomic::write_with(path, |temp| Ok(Tensor::save_multi(&named, temp)?))
}
