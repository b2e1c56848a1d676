//! The training loop of the reference (`train.py`): per batch encode query and support with
//! the frozen CLIP, Lq + lambda1 Lcqc + lambda2 Ltac, one Adam step; per epoch the plateau
//! schedule on the mean Lq, validation, best checkpoint, and the value-generator freeze at
//! the first epoch without improvement.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use dictas_model::prompts::class_text_features;
use dictas_model::{parse_device, Activation, ClipModel, DictAs};
use indicatif::{ProgressBar, ProgressStyle};
use tch::nn::VarStore;
use tch::Tensor;

use crate::adam::{Adam, AdamConfig};
use crate::checkpoint::{self, copy_into, TrainState};
use crate::cli::TrainArgs;
use crate::config::TrainConfig;
use crate::data::{list_textures, spawn_loader, Batch, SampleSource, TrainSet};
use crate::logs::{mean_losses, CsvLog, EpochRecord, StepRecord};
use crate::losses::{training_losses, LossInputs, LossSettings};
use crate::params::{freeze_value_generator, snapshot};
use crate::plot::plot_curves;
use crate::rng::{SampleRng, DROPOUT_STREAM};
use crate::scheduler::ReduceLrOnPlateau;
use crate::synth::SynthesisSettings;
use crate::validate::ValidationSet;

/// Name of the resolved configuration saved in the output folder (read back by `--resume`).
pub const CONFIG_FILE: &str = "config.yaml";
/// The best weights, loadable by `DictAs::load`.
pub const BEST_WEIGHTS: &str = "best.safetensors";

/// Runs `dictas train`.
pub fn run_train(args: &TrainArgs) -> Result<()> {
    match &args.resume {
        Some(dir) => {
            let mut cfg = TrainConfig::from_yaml(&dir.join(CONFIG_FILE))
                .with_context(|| format!("{} is not a training output folder", dir.display()))?;
            cfg.out = Some(dir.clone());
            cfg.max_steps = args.max_steps;
            let cfg = cfg.resolve()?;
            Trainer::new(cfg)?.run(true)
        }
        None => Trainer::new(args.to_config()?)?.run(false),
    }
}

/// Whether a run finished all epochs or stopped at `max_steps`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Finished,
    Stopped,
}

/// Everything loaded for a run.
pub struct Trainer {
    cfg: TrainConfig,
    out: PathBuf,
    clip: ClipModel,
    source: Arc<SampleSource>,
    text: Vec<Tensor>,
    validation: ValidationSet,
    vs: VarStore,
    model: DictAs,
}

fn parse_activation(name: &str) -> Result<Activation> {
    match name {
        "gelu" => Ok(Activation::Gelu),
        "quick-gelu" | "quick_gelu" => Ok(Activation::QuickGelu),
        other => bail!("unknown activation `{other}` (expected gelu or quick-gelu)"),
    }
}

impl Trainer {
    pub fn new(cfg: TrainConfig) -> Result<Self> {
        let out = cfg.out_dir().to_path_buf();
        std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
        let device = parse_device(&cfg.device)?;
        let clip_path = cfg.clip.clone().expect("resolved");
        let clip = ClipModel::load(&clip_path, cfg.image_size, parse_activation(&cfg.activation)?, device)?;

        let data = cfg.data.clone().expect("resolved");
        let dataset = cfg.dataset.clone().expect("resolved");
        let set = TrainSet::from_meta(&data, &dataset)?;
        let textures = list_textures(cfg.dtd.as_deref().expect("resolved"))?;
        if textures.is_empty() && cfg.anomaly_p > 0.0 {
            bail!("no DTD texture (<dir>/<category>/*.jpg) under {}", cfg.dtd.as_ref().expect("resolved").display());
        }
        let text = set.classes.iter().map(|c| class_text_features(&clip, c)).collect::<Result<Vec<_>>>()?;
        let settings = SynthesisSettings {
            support_augment_p: cfg.support_augment_p,
            anomaly_p: cfg.anomaly_p,
            base_size: cfg.base_size,
            canvas: cfg.canvas,
            ..SynthesisSettings::default()
        };
        let source = Arc::new(SampleSource { set, textures, settings, image_size: cfg.image_size as u32, seed: cfg.seed });

        let val_dataset = cfg.val_dataset.clone().expect("resolved");
        let published = PathBuf::from("experiments/supports").join(&val_dataset).join("fix_1-shot.txt");
        let supports = cfg.val_supports.clone().or_else(|| published.exists().then_some(published));
        let validation =
            ValidationSet::load(cfg.val_data.as_deref().expect("resolved"), &val_dataset, &cfg.val_classes, supports.as_deref())?;

        // The module's initialization draws from torch's generator: seed it for reproducibility.
        tch::manual_seed(cfg.seed as i64);
        let (vs, model) = match &cfg.init {
            Some(path) => DictAs::load(path, device)?,
            None => {
                let vs = VarStore::new(device);
                let model = DictAs::new(&vs.root(), clip.config().vision_width, clip.config().embed_dim);
                (vs, model)
            }
        };
        Ok(Trainer { cfg, out, clip, source, text, validation, vs, model })
    }

    pub fn var_store(&self) -> &VarStore {
        &self.vs
    }

    /// Trains from scratch (`resume` false) or from `OUT/state`.
    pub fn run(mut self, resume: bool) -> Result<()> {
        self.run_until_done(resume).map(|_| ())
    }

    /// Like [`Trainer::run`], reporting whether all epochs finished.
    pub fn run_until_done(&mut self, resume: bool) -> Result<Outcome> {
        let cfg = self.cfg.clone();
        let mut adam = Adam::new(AdamConfig { lr: cfg.lr, beta1: cfg.beta1, beta2: cfg.beta2, eps: 1e-8 });
        let (mut state, mut best) = if resume {
            let restored = checkpoint::load(&self.out, &self.vs, &mut adam)?;
            if restored.state.value_generator_frozen {
                freeze_value_generator(&self.vs);
            }
            (restored.state, restored.best)
        } else {
            let config = serde_yaml::to_string(&cfg).context("serializing the training config")?;
            dictas_atomic::write_file(&self.out.join(CONFIG_FILE), config.as_bytes())?;
            for log in ["steps.csv", "epochs.csv"] {
                let _ = std::fs::remove_file(self.out.join(log));
            }
            let state = TrainState {
                epoch: 0,
                next_batch: 0,
                global_step: 0,
                lr: cfg.lr,
                scheduler: ReduceLrOnPlateau::new(cfg.plateau_factor, cfg.plateau_patience),
                best_ap: 0.0,
                value_generator_frozen: false,
                epoch_losses: Vec::new(),
                history: Vec::new(),
                adam_steps: BTreeMap::new(),
            };
            (state, snapshot(&self.vs))
        };
        let mut steps_log = CsvLog::open(&self.out.join("steps.csv"))?;
        let mut epochs_log = CsvLog::open(&self.out.join("epochs.csv"))?;
        let settings = LossSettings { scales: cfg.scales.clone(), lambda1: cfg.lambda1, lambda2: cfg.lambda2 };
        let batches = self.source.batches_per_epoch(cfg.batch_size);
        let mut steps_this_run = 0u64;

        while state.epoch < cfg.epochs {
            let epoch = state.epoch;
            let bar = progress_bar(batches, state.next_batch, epoch, cfg.epochs);
            let started = Instant::now();
            let mut samples_seen = 0usize;
            let loader = spawn_loader(self.source.clone(), epoch as u64, cfg.batch_size, state.next_batch, cfg.prefetch);
            for batch in loader {
                if cfg.max_steps.is_some_and(|m| steps_this_run >= m) {
                    bar.abandon_with_message("stopped at --max-steps");
                    checkpoint::save(&self.out, &self.vs, &adam, &best, &state)?;
                    return Ok(Outcome::Stopped);
                }
                let batch = batch?;
                let values = self.train_step(&batch, epoch, &settings, state.value_generator_frozen, &mut adam)?;
                samples_seen += batch.class_indices.len();
                state.epoch_losses.push(values);
                state.global_step += 1;
                state.next_batch = batch.index + 1;
                steps_this_run += 1;
                let rate = samples_seen as f64 / started.elapsed().as_secs_f64().max(1e-9);
                steps_log.write(&StepRecord {
                    epoch: epoch + 1,
                    step: batch.index + 1,
                    global_step: state.global_step,
                    lr: state.lr,
                    loss: values.total,
                    loss_query: values.query,
                    loss_cqc: values.cqc,
                    loss_tac_query: values.tac_query,
                    loss_tac_retrieved: values.tac_retrieved,
                    synthesized: batch.synthesized,
                    samples_per_sec: rate,
                })?;
                bar.set_message(format!(
                    "loss {:.4} Lq {:.4} Lcqc {:.4} Ltac {:.4}/{:.4} {:.1} samples/s",
                    values.total, values.query, values.cqc, values.tac_query, values.tac_retrieved, rate
                ));
                bar.inc(1);
            }
            bar.finish();
            self.finish_epoch(&mut state, &mut best, &mut adam, &mut epochs_log)?;
            checkpoint::save(&self.out, &self.vs, &adam, &best, &state)?;
        }
        Ok(Outcome::Finished)
    }

    fn train_step(&mut self, batch: &Batch, epoch: usize, settings: &LossSettings, frozen: bool, adam: &mut Adam) -> Result<crate::losses::LossValues> {
        // Dropout draws from torch's generator; seeding it per step keeps resumed runs exact.
        let seed = SampleRng::for_sample(self.cfg.seed, epoch as u64, DROPOUT_STREAM - batch.index as u64).next_u64();
        tch::manual_seed((seed >> 1) as i64);
        self.model.train = true;
        let device = self.clip.device();
        let (_, query_layers) = self.clip.f_encode_image(&batch.queries.to_device(device), &self.cfg.layers)?;
        let (_, support_layers) = self.clip.f_encode_image(&batch.supports.to_device(device), &self.cfg.layers)?;
        let text = Tensor::stack(&batch.class_indices.iter().map(|&i| self.text[i].shallow_clone()).collect::<Vec<_>>(), 0);
        let masks = batch.masks.to_device(device);
        let labels = batch.labels.to_device(device);
        let inputs = LossInputs {
            query_layers: &query_layers,
            support_layers: &support_layers,
            query_masks: &masks,
            labels: &labels,
            text: &text,
            route_query_through_value_generator: frozen,
        };
        let losses = training_losses(&self.model, &inputs, settings)?;
        Adam::zero_grad(&self.vs);
        losses.total.backward();
        adam.step(&self.vs);
        Ok(losses.values())
    }

    fn finish_epoch(
        &mut self,
        state: &mut TrainState,
        best: &mut BTreeMap<String, Tensor>,
        adam: &mut Adam,
        log: &mut CsvLog,
    ) -> Result<()> {
        let epoch = state.epoch;
        let means = mean_losses(&state.epoch_losses);
        let lr_used = state.lr;
        state.lr = state.scheduler.step(means.query, state.lr);
        adam.config.lr = state.lr;

        self.model.train = false;
        let (ap, per_class) = self.validation.score(&self.clip, &self.model, &self.cfg.layers, &self.cfg.scales)?;
        self.model.train = true;
        let improved = ap > state.best_ap;
        if improved {
            state.best_ap = ap;
            *best = snapshot(&self.vs);
            DictAs::save_safetensors(&self.vs, &self.out.join(BEST_WEIGHTS))?;
        } else if !state.value_generator_frozen {
            // Restore the best weights, freeze gV, start the optimizer afresh; from now on
            // query tokens pass through gV as at test time.
            copy_into(&self.vs, best)?;
            freeze_value_generator(&self.vs);
            adam.reset_state();
            state.value_generator_frozen = true;
        }
        if self.cfg.keep_epoch_weights {
            DictAs::save_safetensors(&self.vs, &self.out.join(format!("epoch_{}.safetensors", epoch + 1)))?;
        }
        let record = EpochRecord {
            epoch,
            lr: lr_used,
            next_lr: state.lr,
            loss: means.total,
            loss_query: means.query,
            loss_cqc: means.cqc,
            loss_tac_query: means.tac_query,
            loss_tac_retrieved: means.tac_retrieved,
            val_ap: ap,
            best_ap: state.best_ap,
            improved,
            value_generator_frozen: state.value_generator_frozen,
        };
        log.write(&record)?;
        let classes: Vec<String> = per_class.iter().map(|(c, a)| format!("{c} {a:.4}")).collect();
        eprintln!(
            "epoch {}/{}: Lq {:.4} Lcqc {:.4} Ltac {:.4}/{:.4}, val AP {:.4} ({}){}{}",
            epoch + 1,
            self.cfg.epochs,
            means.query,
            means.cqc,
            means.tac_query,
            means.tac_retrieved,
            ap,
            classes.join(", "),
            if improved { ", best so far" } else { "" },
            if state.value_generator_frozen && !improved { ", value generator frozen" } else { "" }
        );
        state.history.push(record);
        plot_curves(&state.history, &self.out.join("curves.png"))?;
        state.epoch += 1;
        state.next_batch = 0;
        state.epoch_losses.clear();
        Ok(())
    }
}

fn progress_bar(len: usize, position: usize, epoch: usize, epochs: usize) -> ProgressBar {
    let bar = ProgressBar::new(len as u64);
    bar.set_style(
        ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} {elapsed_precise} {msg}")
            .expect("valid template")
            .progress_chars("=> "),
    );
    bar.set_prefix(format!("epoch {}/{epochs}", epoch + 1));
    bar.set_position(position as u64);
    bar
}

/// Output folder layout, for callers that read results.
pub fn best_weights(out: &Path) -> PathBuf {
    out.join(BEST_WEIGHTS)
}
