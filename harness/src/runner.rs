//! Runs jobs, sharing work between them.
//!
//! Jobs with the same backbone and dataset form a group: the backbone is loaded once, each
//! distinct DictAS checkpoint once, and every query batch is encoded once (or read from the
//! on-disk feature cache) and then scored for every job of the group, so sweeping seeds and
//! k-shots costs one encoding of the test set. Each job's outputs are built in a staging folder
//! and renamed into place only when complete.

use dictas_atomic::{self as atomic, StagedDir};
use crate::eval::outputs::{self, ImageRow};
use crate::feature_cache::FeatureCache;
use crate::job::{ClassPlan, Job, JobPlan};
use crate::manifest::{sha256_file, Environment, WeightsRecord};
use crate::job::MethodConfig;
use crate::methods::{Method, Prepared};
use crate::pipeline::{self, Backbone};
use crate::progress;
use anyhow::{anyhow, Context, Result};
use dictas_metrics::{ClassInput, ClassMetrics};
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::mpsc;
use tch::{Device, Tensor};

/// Settings shared by all jobs of a run.
pub struct RunOptions {
    pub device: Device,
    pub batch_size: usize,
    pub feature_cache: Option<PathBuf>,
}

/// A finished job.
pub struct JobOutcome {
    pub id: String,
    pub out: PathBuf,
    /// Per-class rows and the final `mean` row, fractions.
    pub table: Vec<(String, [f64; 9])>,
}

/// Hashes of weights files, computed once per file per run.
#[derive(Default)]
pub struct WeightsHashes(HashMap<PathBuf, String>);

impl WeightsHashes {
    pub fn of(&mut self, path: &std::path::Path) -> Result<String> {
        if let Some(h) = self.0.get(path) {
            return Ok(h.clone());
        }
        let h = sha256_file(path)?;
        self.0.insert(path.to_path_buf(), h.clone());
        Ok(h)
    }

    /// The weights of a job with their hashes, in a fixed order.
    pub fn for_job(&mut self, job: &Job) -> Result<Vec<(String, String)>> {
        let mut out = vec![(job.backbone.weights.display().to_string(), self.of(&job.backbone.weights)?)];
        if let Some(ck) = &job.method.checkpoint {
            out.push((ck.display().to_string(), self.of(ck)?));
        }
        Ok(out)
    }
}

/// sha256 of a job's full configuration (including its weights' content).
pub fn config_hash(job: &Job, hashes: &mut WeightsHashes) -> Result<String> {
    use sha2::{Digest, Sha256};
    let record = job.config_record(&hashes.for_job(job)?);
    Ok(hex::encode(Sha256::digest(serde_json::to_vec(&record)?)))
}

/// Runs `jobs` (all inputs are checked before the first model is loaded).
pub fn run_jobs(jobs: &[Job], options: &RunOptions, hashes: &mut WeightsHashes) -> Result<Vec<JobOutcome>> {
    let mut metas = HashMap::new();
    let mut plans = Vec::with_capacity(jobs.len());
    for job in jobs {
        let key = (job.data_root.clone(), job.dataset.clone());
        if !metas.contains_key(&key) {
            metas.insert(key.clone(), dictas_prep::meta::read_meta(&job.data_root, &job.dataset)?);
        }
        plans.push(JobPlan::build(job, &metas[&key]).with_context(|| format!("planning {}", job.id))?);
    }
    let total: u64 = plans.iter().map(|p| p.classes.iter().map(|c| c.queries.len() as u64).sum::<u64>()).sum();
    let bar = progress::bar(total, &format!("cells 0/{}", jobs.len()), "img");
    let mut outcomes = Vec::new();
    for group in groups(jobs) {
        let group_jobs: Vec<(&Job, &JobPlan)> = group.iter().map(|&i| (&jobs[i], &plans[i])).collect();
        outcomes.extend(run_group(&group_jobs, options, hashes, &bar)?);
        bar.set_prefix(format!("cells {}/{}", outcomes.len(), jobs.len()));
    }
    bar.finish_and_clear();
    Ok(outcomes)
}

/// Indices of jobs sharing backbone, data root and dataset, in first-appearance order.
fn groups(jobs: &[Job]) -> Vec<Vec<usize>> {
    let mut order: Vec<String> = Vec::new();
    let mut members: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, job) in jobs.iter().enumerate() {
        let key = format!("{:?}|{}|{}", job.backbone, job.data_root.display(), job.dataset);
        if !members.contains_key(&key) {
            order.push(key.clone());
        }
        members.entry(key).or_default().push(i);
    }
    order.into_iter().map(|k| members.remove(&k).unwrap_or_default()).collect()
}

/// Per-job state while a group runs.
struct JobState<'a> {
    job: &'a Job,
    plan: &'a JobPlan,
    staged: StagedDir,
    scorer: usize,
}

fn run_group(
    jobs: &[(&Job, &JobPlan)],
    options: &RunOptions,
    hashes: &mut WeightsHashes,
    bar: &indicatif::ProgressBar,
) -> Result<Vec<JobOutcome>> {
    let first = jobs[0].0;
    let mut backbone =
        Backbone::load(&first.backbone.weights, first.backbone.image_size, first.backbone.activation, options.device)?;
    let backbone_sha = hashes.of(&first.backbone.weights)?;
    let cache = options
        .feature_cache
        .as_ref()
        .map(|dir| FeatureCache::new(dir, &backbone_sha, first.backbone.image_size, first.backbone.activation));
    // One loaded method per distinct method configuration.
    let mut scorers: Vec<Method> = Vec::new();
    let mut scorer_keys: Vec<&MethodConfig> = Vec::new();
    let mut states = Vec::new();
    for (job, plan) in jobs {
        let scorer = match scorer_keys.iter().position(|k| **k == job.method) {
            Some(i) => i,
            None => {
                scorers.push(Method::load(&job.method, options.device).with_context(|| format!("loading {}", job.id))?);
                scorer_keys.push(&job.method);
                scorers.len() - 1
            }
        };
        states.push(JobState { job, plan, staged: StagedDir::new(&job.out)?, scorer });
    }
    let side = first.backbone.image_size as usize;
    let (sender, receiver) = mpsc::channel::<(usize, ClassInput)>();
    let results: Vec<Vec<(ClassPlan, Vec<f64>)>>;
    let metrics: Vec<(usize, Result<ClassMetrics, dictas_metrics::MetricsError>)>;
    {
        let class_order = class_order(jobs);
        let (r, m) = std::thread::scope(|scope| -> Result<_> {
            // Metrics of a finished class run on their own thread while the model moves on.
            let worker = scope.spawn(move || -> Vec<(usize, Result<ClassMetrics, _>)> {
                receiver.into_iter().map(|(job, input)| (job, dictas_metrics::evaluate_class(&input))).collect()
            });
            // Only what images.csv needs stays here; the maps go to the metrics thread.
            let mut kept: Vec<Vec<(ClassPlan, Vec<f64>)>> = states.iter().map(|_| Vec::new()).collect();
            for class in &class_order {
                let inputs = score_class(&mut backbone, &scorers, &states, class, side, options, cache.as_ref(), bar)?;
                for (job_index, plan, input) in inputs {
                    kept[job_index].push((plan, input.text_scores.clone()));
                    sender.send((job_index, input)).map_err(|_| anyhow!("metrics thread stopped"))?;
                }
            }
            drop(sender);
            let metrics = worker.join().map_err(|_| anyhow!("metrics thread panicked"))?;
            Ok((kept, metrics))
        })?;
        results = r;
        metrics = m;
    }
    let mut per_job: Vec<Vec<ClassMetrics>> = states.iter().map(|_| Vec::new()).collect();
    for (job_index, m) in metrics {
        per_job[job_index].push(m.with_context(|| format!("metrics of {}", states[job_index].job.id))?);
    }
    let mut outcomes = Vec::new();
    for ((state, classes), metrics) in states.into_iter().zip(results).zip(per_job) {
        outcomes.push(finish_job(state, classes, metrics, hashes, options.device)?);
    }
    Ok(outcomes)
}

/// Classes in the order the jobs' meta lists them (the union over jobs).
fn class_order(jobs: &[(&Job, &JobPlan)]) -> Vec<String> {
    let mut order: Vec<String> = Vec::new();
    for (_, plan) in jobs {
        for c in &plan.classes {
            if !order.contains(&c.class) {
                order.push(c.class.clone());
            }
        }
    }
    order
}

/// Scores one class for every job that has it; returns (job index, class plan, input).
#[allow(clippy::too_many_arguments)]
fn score_class(
    backbone: &mut Backbone,
    scorers: &[Method],
    states: &[JobState],
    class: &str,
    side: usize,
    options: &RunOptions,
    cache: Option<&FeatureCache>,
    bar: &indicatif::ProgressBar,
) -> Result<Vec<(usize, ClassPlan, ClassInput)>> {
    let active: Vec<(usize, &ClassPlan)> = states
        .iter()
        .enumerate()
        .filter_map(|(i, s)| s.plan.classes.iter().find(|c| c.class == class).map(|c| (i, c)))
        .collect();
    if active.is_empty() {
        return Ok(Vec::new());
    }
    let data_root = &states[active[0].0].job.data_root;
    bar.set_message(format!("{}/{class}", states[active[0].0].job.dataset));
    let text = backbone.text_features(class)?;
    // Support images and tokens, shared by jobs with the same supports and rule.
    let mut dictionaries: HashMap<String, (Tensor, Vec<Tensor>)> = HashMap::new();
    for (_, plan) in &active {
        let key = support_key(plan);
        if !dictionaries.contains_key(&key) {
            let paths: Vec<PathBuf> = plan.supports.iter().map(|p| data_root.join(p)).collect();
            let images = pipeline::support_images(&paths, &plan.rule, backbone.image_size)?;
            let tokens = pipeline::support_tokens(backbone, &images, &plan.rule)?;
            dictionaries.insert(key.clone(), (images, tokens));
        }
    }
    // The queries are the same for every job of a group (same meta, same class).
    let queries = &active[0].1.queries;
    let mut layers: Vec<i64> = Vec::new();
    for (_, plan) in &active {
        for l in &plan.rule.layers {
            if !layers.contains(l) {
                layers.push(*l);
            }
        }
    }
    let mut inputs: Vec<ClassInput> = active
        .iter()
        .map(|(_, plan)| ClassInput {
            class: class.to_string(),
            height: side,
            width: side,
            maps: Vec::with_capacity(queries.len()),
            masks: Vec::new(),
            labels: queries.iter().map(|e| e.anomaly != 0).collect(),
            text_scores: Vec::with_capacity(queries.len()),
            sigma: plan.rule.sigma,
            alpha: plan.rule.alpha,
        })
        .collect();
    // Each job's per-class state (e.g. the dictionary through its own DictAS weights), once.
    let prepared: Vec<Prepared> = active
        .iter()
        .map(|(job_index, plan)| {
            let (images, tokens) = &dictionaries[&support_key(plan)];
            scorers[states[*job_index].scorer].prepare(backbone, class, tokens, Some(images), &plan.rule)
        })
        .collect::<Result<_>>()?;
    let needs_images = active.iter().any(|(i, _)| scorers[states[*i].scorer].needs_images());
    let mut masks = Vec::with_capacity(queries.len());
    for batch in queries.chunks(options.batch_size.max(1)) {
        let paths: Vec<PathBuf> = batch.iter().map(|e| data_root.join(&e.img_path)).collect();
        let images = if cache.is_none() || needs_images {
            Some(pipeline::load_batch(&paths, backbone.image_size)?)
        } else {
            None
        };
        let features = match (cache, &images) {
            (Some(cache), _) => cache.encode(backbone, &paths, &layers)?,
            (None, Some(images)) => backbone.encode(images, &layers)?,
            (None, None) => unreachable!("images are loaded when there is no cache"),
        };
        let text_scores = pipeline::text_scores(&features.global, &text)?;
        for (((job_index, plan), input), state_of_class) in active.iter().zip(inputs.iter_mut()).zip(&prepared) {
            let query = features.select(&layers, &plan.rule.layers)?;
            let state = &states[*job_index];
            let maps = scorers[state.scorer].maps(backbone, state_of_class, &query, images.as_ref())?;
            let flat = Vec::<f32>::try_from(maps.reshape([-1])).context("reading maps")?;
            for (i, entry) in batch.iter().enumerate() {
                let map = flat[i * side * side..(i + 1) * side * side].to_vec();
                if state.job.save_maps {
                    outputs::write_map(state.staged.path(), &entry.img_path, side, &map)?;
                }
                input.maps.push(map);
            }
            input.text_scores.extend_from_slice(&text_scores);
            bar.inc(batch.len() as u64);
        }
        for entry in batch {
            let mask_path = (!entry.mask_path.is_empty()).then(|| data_root.join(&entry.mask_path));
            let mask = dictas_model::preprocess::load_mask(mask_path.as_deref(), side as u32)?;
            masks.push(mask.into_iter().map(|v| v != 0).collect::<Vec<bool>>());
        }
    }
    Ok(active
        .iter()
        .zip(inputs)
        .map(|((job_index, plan), mut input)| {
            input.masks = masks.clone();
            (*job_index, (*plan).clone(), input)
        })
        .collect())
}

/// Writes a job's files into its staging folder and moves it into place.
fn finish_job(
    state: JobState,
    classes: Vec<(ClassPlan, Vec<f64>)>,
    metrics: Vec<ClassMetrics>,
    hashes: &mut WeightsHashes,
    device: Device,
) -> Result<JobOutcome> {
    let JobState { job, plan, staged, .. } = state;
    let by_class: BTreeMap<String, ClassMetrics> = metrics.into_iter().map(|m| (m.class.clone(), m)).collect();
    let mut rows = Vec::new();
    let mut images = Vec::new();
    for (class_plan, text_scores) in &classes {
        let m = by_class
            .get(&class_plan.class)
            .ok_or_else(|| anyhow!("no metrics for class {} of {}", class_plan.class, job.id))?;
        rows.push((class_plan.class.clone(), outputs::metric_values(&m.values)));
        for ((entry, text), score) in class_plan.queries.iter().zip(text_scores).zip(&m.image_scores) {
            images.push(ImageRow {
                img_path: entry.img_path.clone(),
                cls_name: entry.cls_name.clone(),
                anomaly: entry.anomaly,
                text_score: *text,
                image_score: *score,
            });
        }
    }
    let table = outputs::metrics_table(&rows);
    let dir = staged.path().to_path_buf();
    outputs::write_metrics_csv(&dir.join("metrics.csv"), &table)?;
    outputs::write_images_csv(&dir.join("images.csv"), &images)?;
    let hash = config_hash(job, hashes)?;
    atomic::write_json(&dir.join("cell.json"), &job.cell_record(&hash))?;
    let rules: serde_json::Map<String, serde_json::Value> =
        plan.classes.iter().map(|c| (c.class.clone(), serde_json::json!(c.rule))).collect();
    let mut weights = vec![WeightsRecord { path: job.backbone.weights.display().to_string(), sha256: hashes.of(&job.backbone.weights)? }];
    if let Some(ck) = &job.method.checkpoint {
        weights.push(WeightsRecord { path: ck.display().to_string(), sha256: hashes.of(ck)? });
    }
    let manifest = serde_json::json!({
        "command": std::env::args().collect::<Vec<_>>(),
        "data_root": job.data_root,
        "config": job.config_record(&hashes.for_job(job)?),
        "config_hash": hash,
        "rules": rules,
        "supports": plan.support_sets(),
        "weights": weights,
        "environment": Environment::capture(&format!("{device:?}")),
    });
    atomic::write_json(&dir.join("manifest.json"), &manifest)?;
    // The exact supports in the published format: `--supports` on this file repeats the run.
    let classes_in_order: Vec<String> = plan.classes.iter().map(|c| c.class.clone()).collect();
    atomic::write_file(
        &dir.join(format!("supports_{}-shot.txt", job.k_shot)),
        crate::supports::format_support_file(&classes_in_order, &plan.support_sets()).as_bytes(),
    )?;
    let out = staged.commit()?;
    Ok(JobOutcome { id: job.id.clone(), out, table })
}

/// Jobs with the same supports and encoding settings share the raw support tokens.
fn support_key(plan: &ClassPlan) -> String {
    format!("{:?}|{:?}|{}", plan.supports, plan.rule.layers, plan.rule.rotate_supports)
}
