//! Epoch-end validation as the reference's `evaluate_epoch`: every test image of the chosen
//! classes is scored against the class's 1-shot support (all training layers and scales, gV
//! on the query, no Gaussian smoothing), and the score is the mean over classes of the pixel
//! average precision (sklearn's step-wise AP) over all pixels of the class.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use dictas_metrics::average_precision;
use dictas_model::preprocess::{load_image, load_mask};
use dictas_model::{ClipModel, DictAs, Lookup};
use tch::Tensor;

use crate::meta::{read_phase, select_classes, MetaEntry};

/// One validation class: its support image and test images.
pub struct ValidationClass {
    pub name: String,
    pub support: PathBuf,
    pub images: Vec<MetaEntry>,
}

/// The validation target.
pub struct ValidationSet {
    pub root: PathBuf,
    pub classes: Vec<ValidationClass>,
}

/// Supports of a published-format list (`<dataset>/<class>/...` per line): the first line of
/// each class (k = 1). The reference matches classes by substring, except that `fryum` must
/// not take `pipe_fryum`'s lines; matching the path's class component does both.
fn supports_from_list(path: &Path) -> Result<Vec<(String, String)>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading support list {}", path.display()))?;
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .filter_map(|l| l.split('/').nth(1).map(|c| (c.to_string(), l.to_string())))
        .collect())
}

impl ValidationSet {
    /// Test images of `classes` of `dataset` under `root`; supports from `support_list` when
    /// given, else each class's first training image.
    pub fn load(root: &Path, dataset: &str, classes: &[String], support_list: Option<&Path>) -> Result<Self> {
        let source = format!("meta_{dataset}.json");
        let test = select_classes(read_phase(root, dataset, "test")?, classes, &source)?;
        let listed = match support_list {
            Some(p) => supports_from_list(p)?,
            None => Vec::new(),
        };
        let train = if support_list.is_none() { read_phase(root, dataset, "train")? } else { Vec::new() };
        let mut out = Vec::new();
        for (name, images) in test {
            let support = match support_list {
                Some(list) => listed
                    .iter()
                    .find(|(c, _)| c == &name)
                    .map(|(_, p)| p.clone())
                    .with_context(|| format!("support list {} has no image of class `{name}`", list.display()))?,
                None => train
                    .iter()
                    .find(|(c, _)| c == &name)
                    .and_then(|(_, e)| e.first())
                    .map(|e| e.img_path.clone())
                    .with_context(|| format!("{source} lists no training image of class `{name}`"))?,
            };
            if !images.iter().any(|e| e.anomaly == 1) {
                bail!("validation class `{name}` has no anomalous test image, so its pixel AP is undefined");
            }
            out.push(ValidationClass { name, support: root.join(support), images });
        }
        Ok(ValidationSet { root: root.to_path_buf(), classes: out })
    }

    /// Mean pixel AP over classes, and each class's AP.
    pub fn score(&self, clip: &ClipModel, model: &DictAs, layers: &[i64], scales: &[i64]) -> Result<(f64, Vec<(String, f64)>)> {
        let size = clip.image_size();
        let grid = clip.grid();
        let mut per_class = Vec::with_capacity(self.classes.len());
        for class in &self.classes {
            let support = load_image(&class.support, size as u32)?.unsqueeze(0).to_device(clip.device());
            let (_, support_layers) = clip.f_encode_image(&support, layers)?;
            let dictionary = model.build_dictionary(&support_layers, grid, scales)?;
            let mut scores: Vec<f32> = Vec::new();
            let mut labels: Vec<bool> = Vec::new();
            for entry in &class.images {
                let image = load_image(&entry.image(&self.root), size as u32)?.unsqueeze(0).to_device(clip.device());
                let (_, query_layers) = clip.f_encode_image(&image, layers)?;
                let map: Tensor = model.anomaly_map_with(&dictionary, &query_layers, size, Lookup::Sparsemax)?;
                scores.extend(Vec::<f32>::try_from(map.flatten(0, -1).to_device(tch::Device::Cpu))?);
                let mask = load_mask(entry.mask(&self.root).as_deref(), size as u32)?;
                labels.extend(mask.into_iter().map(|v| v == 1));
            }
            let ap = average_precision(&scores, &labels).with_context(|| format!("pixel AP of class `{}`", class.name))?;
            per_class.push((class.name.clone(), ap));
        }
        let mean = per_class.iter().map(|(_, ap)| ap).sum::<f64>() / per_class.len().max(1) as f64;
        Ok((mean, per_class))
    }
}
