//! A job is one evaluation cell: dataset x method x backbone x k-shot x support set. `dictas
//! eval` runs one; `dictas sweep` runs a grid of them. This module decides and checks what a
//! job will do before any model work: classes, rules, supports, queries.

use crate::eval::args::{ActivationArg, LookupArg};
use crate::rules::{self, ClassRule, RuleOverrides};
use crate::supports;
use anyhow::{bail, Context, Result};
use dictas_prep::meta::{Meta, MetaEntry};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Where a job's supports come from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SupportSource {
    /// A list in the published format.
    List(PathBuf),
    /// The documented deterministic random draw with this seed.
    Random(u64),
}

/// The scoring method of a job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MethodConfig {
    pub name: String,
    pub label: String,
    pub checkpoint: Option<PathBuf>,
    pub lookup: LookupArg,
    pub overrides: RuleOverrides,
    pub settings: crate::methods::MethodSettings,
}

/// The CLIP backbone of a job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BackboneConfig {
    pub name: String,
    pub weights: PathBuf,
    pub image_size: u32,
    pub activation: ActivationArg,
}

#[derive(Debug, Clone)]
pub struct Job {
    /// Folder name of the cell.
    pub id: String,
    /// Destination folder (created whole at the end).
    pub out: PathBuf,
    pub data_root: PathBuf,
    pub dataset: String,
    pub classes: Option<Vec<String>>,
    pub k_shot: usize,
    pub supports: SupportSource,
    pub method: MethodConfig,
    pub backbone: BackboneConfig,
    pub save_maps: bool,
}

impl Job {
    /// The axes written to cell.json and used by `dictas report`.
    pub fn cell_record(&self, config_hash: &str) -> serde_json::Value {
        serde_json::json!({
            "cell_id": self.id,
            "dataset": self.dataset,
            "method": self.method.label,
            "method_settings": self.method_settings(),
            "backbone": self.backbone.name,
            "image_size": self.backbone.image_size,
            "k_shot": self.k_shot,
            "seed": match self.supports { SupportSource::Random(s) => Some(s), SupportSource::List(_) => None },
            "support_mode": match self.supports { SupportSource::Random(_) => "random", SupportSource::List(_) => "published" },
            "config_hash": config_hash,
        })
    }

    /// The method's settings that differ from its defaults (shown in tables and plot names).
    pub fn method_settings(&self) -> serde_json::Value {
        let mut settings = serde_json::Map::new();
        if self.method.lookup != LookupArg::Sparsemax {
            settings.insert("lookup".into(), serde_json::json!(self.method.lookup));
        }
        if self.backbone.activation != ActivationArg::Gelu {
            settings.insert("activation".into(), serde_json::json!(self.backbone.activation));
        }
        for part in [serde_json::json!(self.method.overrides), serde_json::json!(self.method.settings)] {
            if let serde_json::Value::Object(map) = part {
                settings.extend(map.into_iter().filter(|(_, v)| !v.is_null()));
            }
        }
        serde_json::Value::Object(settings)
    }

    /// Everything that decides this job's numbers, for the config hash (weights by content).
    pub fn config_record(&self, weights_sha: &[(String, String)]) -> serde_json::Value {
        let mut record = serde_json::json!({
            "dataset": self.dataset,
            "classes": self.classes,
            "k_shot": self.k_shot,
            "supports": self.supports,
            "method": self.method,
            "backbone": self.backbone,
            "weights_sha256": weights_sha,
            "save_maps": self.save_maps,
            "data_root": self.data_root,
        });
        // Only revised methods carry their revision, so cells of the others keep their hash.
        let revision = crate::methods::implementation_revision(&self.method.name);
        if revision > 1 {
            record["method_revision"] = serde_json::json!(revision);
        }
        record
    }
}

/// One class of a job.
#[derive(Debug, Clone)]
pub struct ClassPlan {
    pub class: String,
    pub rule: ClassRule,
    /// Support images, relative to the data root.
    pub supports: Vec<String>,
    pub queries: Vec<MetaEntry>,
}

/// A job's classes, ready to run.
#[derive(Debug, Clone)]
pub struct JobPlan {
    pub classes: Vec<ClassPlan>,
}

impl JobPlan {
    /// Decides classes, rules and supports from the meta file and checks every input file.
    pub fn build(job: &Job, meta: &Meta) -> Result<Self> {
        rules::check_dataset(&job.dataset)?;
        if job.k_shot == 0 {
            bail!("k-shot must be at least 1");
        }
        let listed = match &job.supports {
            SupportSource::List(path) => Some(supports::read_support_file(path)?),
            SupportSource::Random(_) => None,
        };
        if let Some(wanted) = &job.classes {
            for c in wanted {
                if !meta.test.contains_key(c) {
                    bail!("class '{c}' is not in {}'s meta file", job.dataset);
                }
            }
        }
        let mut classes = Vec::new();
        for (class, queries) in &meta.test {
            if job.classes.as_ref().is_some_and(|w| !w.contains(class)) || queries.is_empty() {
                continue;
            }
            let chosen = match (&job.supports, &listed) {
                (SupportSource::List(path), Some(sets)) => {
                    let list = sets.get(class).cloned().unwrap_or_default();
                    if list.len() != job.k_shot {
                        bail!(
                            "support list {} has {} images for class '{class}', expected k = {}",
                            path.display(),
                            list.len(),
                            job.k_shot
                        );
                    }
                    list
                }
                (SupportSource::Random(seed), _) => {
                    let candidates: Vec<String> = meta
                        .train
                        .get(class)
                        .map(|v| v.iter().filter(|e| e.anomaly == 0).map(|e| e.img_path.clone()).collect())
                        .unwrap_or_default();
                    supports::random_supports(&job.dataset, class, job.k_shot, *seed, &candidates)?
                }
                (SupportSource::List(_), None) => unreachable!("list read above"),
            };
            let rule = rules::class_rule(&job.dataset, class, job.k_shot, &job.method.overrides)?;
            classes.push(ClassPlan { class: class.clone(), rule, supports: chosen, queries: queries.clone() });
        }
        if classes.is_empty() {
            bail!("no test images to evaluate in {}'s meta file", job.dataset);
        }
        let plan = Self { classes };
        plan.check_files(&job.data_root)?;
        Ok(plan)
    }

    /// Every support and query image (and mask) must exist; all missing ones are listed.
    fn check_files(&self, root: &Path) -> Result<()> {
        let mut missing = Vec::new();
        for class in &self.classes {
            for s in &class.supports {
                if !root.join(s).is_file() {
                    missing.push(format!("support image {}", root.join(s).display()));
                }
            }
            for q in &class.queries {
                for rel in [&q.img_path, &q.mask_path].into_iter().filter(|p| !p.is_empty()) {
                    if !root.join(rel).is_file() {
                        missing.push(format!("test file {}", root.join(rel).display()));
                    }
                }
            }
        }
        if missing.is_empty() {
            return Ok(());
        }
        let shown = missing.iter().take(20).cloned().collect::<Vec<_>>().join("\n  ");
        let more = if missing.len() > 20 { format!("\n  ... and {} more", missing.len() - 20) } else { String::new() };
        Err(anyhow::anyhow!("{} input files are missing:\n  {shown}{more}", missing.len()))
            .context(format!("checking inputs under {}", root.display()))
    }

    /// Support lists per class, for the manifest and the re-runnable list file.
    pub fn support_sets(&self) -> supports::SupportSets {
        self.classes.iter().map(|c| (c.class.clone(), c.supports.clone())).collect()
    }
}
