//! Experiment specs: the YAML file that `dictas sweep` runs.
//!
//! Every list is a grid axis; the cells are their Cartesian product. Relative paths are
//! resolved against the folder that holds the spec file, so a spec can travel with its data.

use crate::rules::RuleOverrides;
use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SupportMode {
    /// The published fixed lists `fix_<k>-shot.txt` (the seeds axis is ignored).
    Published,
    /// A deterministic random draw per (dataset, class, k, seed).
    Random,
}

/// A dataset, optionally restricted to some classes. Unknown keys in the mapping form are
/// errors: a misspelt `classes` would otherwise silently sweep every class.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(
    untagged,
    deny_unknown_fields,
    expecting = "expected a dataset name, or a mapping with `name` and optional `classes` and `checkpoint` (no other keys)"
)]
pub enum DatasetEntry {
    Name(String),
    Detailed {
        name: String,
        #[serde(default)]
        classes: Option<Vec<String>>,
        /// DictAS weights for this dataset, replacing the method's (the paper evaluates VisA
        /// with weights trained on MVTec and everything else with weights trained on VisA).
        #[serde(default)]
        checkpoint: Option<PathBuf>,
    },
}

impl DatasetEntry {
    pub fn name(&self) -> &str {
        match self {
            DatasetEntry::Name(n) | DatasetEntry::Detailed { name: n, .. } => n,
        }
    }
    pub fn checkpoint(&self) -> Option<&Path> {
        match self {
            DatasetEntry::Name(_) => None,
            DatasetEntry::Detailed { checkpoint, .. } => checkpoint.as_deref(),
        }
    }
    pub fn classes(&self) -> Option<&[String]> {
        match self {
            DatasetEntry::Name(_) => None,
            DatasetEntry::Detailed { classes, .. } => classes.as_deref(),
        }
    }
}

/// A scoring method and its settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MethodSpec {
    /// Method name: dictas, knn, fastrecon or winclip.
    pub name: String,
    /// Label used in cell ids and tables (defaults to the name, plus the lookup if not sparsemax).
    #[serde(default)]
    pub label: Option<String>,
    /// DictAS weights.
    #[serde(default)]
    pub checkpoint: Option<PathBuf>,
    /// Dictionary lookup: sparsemax (default), softmax or max.
    #[serde(default)]
    pub lookup: Option<crate::eval::args::LookupArg>,
    /// Replacements for the dataset rules.
    #[serde(default)]
    pub overrides: RuleOverrides,
    /// Method-specific settings (fastrecon: lambda, distribution_weight; winclip:
    /// window_scales, window_stride, prompts, temperature).
    #[serde(default)]
    pub settings: crate::methods::MethodSettings,
}

/// A CLIP backbone: weights and input size.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackboneSpec {
    /// Display name, e.g. ViT-L-14-336.
    pub name: String,
    pub weights: PathBuf,
    pub image_size: u32,
    #[serde(default = "default_activation")]
    pub activation: crate::eval::args::ActivationArg,
}

fn default_activation() -> crate::eval::args::ActivationArg {
    crate::eval::args::ActivationArg::Gelu
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExperimentSpec {
    pub name: String,
    /// Standardized data root (the `--out` of `dictas prep`).
    pub data_root: PathBuf,
    pub output: PathBuf,
    pub datasets: Vec<DatasetEntry>,
    pub methods: Vec<MethodSpec>,
    pub backbones: Vec<BackboneSpec>,
    pub k_shots: Vec<usize>,
    #[serde(default)]
    pub seeds: Vec<u64>,
    pub supports: SupportMode,
    /// Folder with `<dataset>/fix_<k>-shot.txt` lists (published mode).
    #[serde(default)]
    pub supports_dir: Option<PathBuf>,
    #[serde(default = "default_device")]
    pub device: String,
    #[serde(default)]
    pub save_maps: bool,
    #[serde(default = "default_batch")]
    pub batch_size: usize,
    /// Optional on-disk cache of query features.
    #[serde(default)]
    pub feature_cache: Option<PathBuf>,
}

fn default_device() -> String {
    "auto".into()
}
fn default_batch() -> usize {
    8
}

impl ExperimentSpec {
    /// Parses a spec file; errors name the file, line and column. Relative paths are made
    /// absolute against the spec's folder.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading experiment spec {}", path.display()))?;
        let mut spec: ExperimentSpec =
            serde_yaml::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        spec.resolve_paths(&base);
        spec.validate().with_context(|| format!("invalid experiment spec {}", path.display()))?;
        Ok(spec)
    }

    fn resolve_paths(&mut self, base: &Path) {
        let fix = |p: &mut PathBuf| {
            if p.is_relative() {
                *p = lexically_normal(&base.join(&*p));
            }
        };
        fix(&mut self.data_root);
        fix(&mut self.output);
        if let Some(p) = self.supports_dir.as_mut() {
            fix(p);
        }
        if let Some(p) = self.feature_cache.as_mut() {
            fix(p);
        }
        for d in &mut self.datasets {
            if let DatasetEntry::Detailed { checkpoint: Some(p), .. } = d {
                fix(p);
            }
        }
        for m in &mut self.methods {
            if let Some(p) = m.checkpoint.as_mut() {
                fix(p);
            }
        }
        for b in &mut self.backbones {
            fix(&mut b.weights);
        }
    }

    /// Structural checks and every file the sweep will need, reported together.
    pub fn validate(&self) -> Result<()> {
        let mut problems = Vec::new();
        for (axis, empty) in [
            ("datasets", self.datasets.is_empty()),
            ("methods", self.methods.is_empty()),
            ("backbones", self.backbones.is_empty()),
            ("k_shots", self.k_shots.is_empty()),
        ] {
            if empty {
                problems.push(format!("`{axis}` must list at least one entry"));
            }
        }
        if self.supports == SupportMode::Random && self.seeds.is_empty() {
            problems.push("`supports: random` needs at least one entry in `seeds`".into());
        }
        if self.k_shots.contains(&0) {
            problems.push("`k_shots` must be >= 1".into());
        }
        for d in &self.datasets {
            if let Err(e) = crate::rules::check_dataset(d.name()) {
                problems.push(e.to_string());
            }
            if let Some(p) = d.checkpoint().filter(|p| !p.is_file()) {
                problems.push(format!("dataset {}: checkpoint not found: {}", d.name(), p.display()));
            }
        }
        for m in &self.methods {
            if !crate::methods::KNOWN_METHODS.contains(&m.name.as_str()) {
                problems.push(format!(
                    "unknown method '{}': expected one of {}",
                    m.name,
                    crate::methods::KNOWN_METHODS.join(", ")
                ));
            }
            problems.extend(m.settings.problems(&m.name));
            match &m.checkpoint {
                Some(p) if !p.is_file() => problems.push(format!("method {}: checkpoint not found: {}", m.name, p.display())),
                None if m.name == "dictas" && self.datasets.iter().any(|d| d.checkpoint().is_none()) => {
                    problems.push("method dictas needs `checkpoint` (or one per dataset)".into())
                }
                _ => {}
            }
        }
        for b in &self.backbones {
            if !b.weights.is_file() {
                problems.push(format!("backbone {}: weights not found: {}", b.name, b.weights.display()));
            }
        }
        if !self.data_root.is_dir() {
            problems.push(format!("data_root not found: {}", self.data_root.display()));
        } else {
            for d in &self.datasets {
                let meta = self.data_root.join(format!("meta_{}.json", d.name()));
                if !meta.is_file() {
                    problems.push(format!("meta file not found: {}", meta.display()));
                }
            }
        }
        if self.supports == SupportMode::Published {
            match &self.supports_dir {
                None => problems.push("`supports: published` needs `supports_dir`".into()),
                Some(dir) => {
                    for d in &self.datasets {
                        for k in &self.k_shots {
                            let list = published_list(dir, d.name(), *k);
                            if !list.is_file() {
                                problems.push(format!("support list not found: {}", list.display()));
                            }
                        }
                    }
                }
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            bail!("{}", problems.join("\n"))
        }
    }
}

/// `<dir>/<dataset>/fix_<k>-shot.txt`.
pub fn published_list(dir: &Path, dataset: &str, k: usize) -> PathBuf {
    dir.join(dataset).join(format!("fix_{k}-shot.txt"))
}

/// `a/b/../c` -> `a/c` without touching the file system (paths need not exist yet).
pub fn lexically_normal(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.components().next_back(), Some(Component::Normal(_))) => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}
