//! Expanding an experiment spec into its cells (the Cartesian product of its axes), and
//! choosing a shard of them.

use crate::methods::default_label;
use super::spec::{published_list, ExperimentSpec, SupportMode};
use crate::eval::args::LookupArg;
use crate::job::{BackboneConfig, Job, MethodConfig, SupportSource};
use anyhow::{bail, Result};

/// Every cell of the spec, in axis order: dataset, method, backbone, k-shot, seed.
pub fn expand(spec: &ExperimentSpec) -> Vec<Job> {
    let seeds: Vec<Option<u64>> = match spec.supports {
        SupportMode::Published => vec![None],
        SupportMode::Random => spec.seeds.iter().copied().map(Some).collect(),
    };
    let mut jobs = Vec::new();
    for dataset in &spec.datasets {
        for method in &spec.methods {
            let lookup = method.lookup.unwrap_or(LookupArg::Sparsemax);
            let label = method.label.clone().unwrap_or_else(|| default_label(&method.name, lookup));
            for backbone in &spec.backbones {
                for &k in &spec.k_shots {
                    for seed in &seeds {
                        let supports = match seed {
                            Some(s) => SupportSource::Random(*s),
                            None => SupportSource::List(published_list(
                                spec.supports_dir.as_deref().unwrap_or(std::path::Path::new(".")),
                                dataset.name(),
                                k,
                            )),
                        };
                        let id = sanitize(&format!(
                            "{}__{}__{}-{}__k{}__{}",
                            dataset.name(),
                            label,
                            backbone.name,
                            backbone.image_size,
                            k,
                            seed.map(|s| format!("seed{s}")).unwrap_or_else(|| "published".into())
                        ));
                        jobs.push(Job {
                            out: spec.output.join("cells").join(&id),
                            id,
                            data_root: spec.data_root.clone(),
                            dataset: dataset.name().to_string(),
                            classes: dataset.classes().map(|c| c.to_vec()),
                            k_shot: k,
                            supports,
                            method: MethodConfig {
                                name: method.name.clone(),
                                label: label.clone(),
                                checkpoint: if method.name == "dictas" {
                                    dataset.checkpoint().map(|p| p.to_path_buf()).or_else(|| method.checkpoint.clone())
                                } else {
                                    None
                                },
                                lookup,
                                overrides: method.overrides.clone(),
                                settings: method.settings.clone(),
                            },
                            backbone: BackboneConfig {
                                name: backbone.name.clone(),
                                weights: backbone.weights.clone(),
                                image_size: backbone.image_size,
                                activation: backbone.activation,
                            },
                            save_maps: spec.save_maps,
                        });
                    }
                }
            }
        }
    }
    jobs
}

/// Cell ids that more than one cell of the grid would get, each once, sorted. Such cells
/// would overwrite each other's folder (e.g. one dataset listed twice with different
/// classes, or two methods with the same label).
pub fn shared_ids(jobs: &[Job]) -> Vec<String> {
    let mut ids: Vec<&str> = jobs.iter().map(|j| j.id.as_str()).collect();
    ids.sort_unstable();
    let mut shared: Vec<String> = ids.windows(2).filter(|w| w[0] == w[1]).map(|w| w[0].to_string()).collect();
    shared.dedup();
    shared
}

/// Characters safe in a folder name on any system.
fn sanitize(id: &str) -> String {
    id.chars().map(|c| if c.is_ascii_alphanumeric() || "-_.".contains(c) { c } else { '_' }).collect()
}

/// A shard `I/N` (1-based): the cells whose position in id order is I-1 modulo N.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl std::str::FromStr for Shard {
    type Err = anyhow::Error;
    fn from_str(s: &str) -> Result<Self> {
        let Some((i, n)) = s.split_once('/') else { bail!("shard must look like I/N (e.g. 2/4), got '{s}'") };
        let (index, count): (usize, usize) = match (i.trim().parse(), n.trim().parse()) {
            (Ok(i), Ok(n)) => (i, n),
            _ => bail!("shard must look like I/N with whole numbers, got '{s}'"),
        };
        if count == 0 || index == 0 || index > count {
            bail!("shard I/N needs 1 <= I <= N, got '{s}'");
        }
        Ok(Shard { index, count })
    }
}

/// The jobs of `shard`, chosen by sorted id so every machine agrees on the split.
pub fn select_shard(mut jobs: Vec<Job>, shard: Shard) -> Vec<Job> {
    let mut ids: Vec<String> = jobs.iter().map(|j| j.id.clone()).collect();
    ids.sort();
    jobs.retain(|j| {
        let position = ids.binary_search(&j.id).expect("id listed");
        position % shard.count == shard.index - 1
    });
    jobs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_parsing() {
        assert_eq!("2/3".parse::<Shard>().unwrap(), Shard { index: 2, count: 3 });
        assert!("0/3".parse::<Shard>().is_err());
        assert!("4/3".parse::<Shard>().is_err());
        assert!("x".parse::<Shard>().unwrap_err().to_string().contains("I/N"));
    }

    #[test]
    fn sanitize_keeps_ids_portable() {
        assert_eq!(sanitize("mvtec__ViT L/14__k1"), "mvtec__ViT_L_14__k1");
    }
}
