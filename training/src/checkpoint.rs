//! The resumable training state in `OUT/state/`: `weights.safetensors` (DictAS variables),
//! `optimizer.safetensors` (Adam moments), `best.safetensors` (the best weights so far, the
//! ones restored when gV is frozen) and `state.json` (epoch, position, learning rate,
//! scheduler, phase, losses of the running epoch, history). Built in a hidden staging folder
//! and then renamed (`dictas_atomic::StagedDir`), so a run killed while saving keeps the
//! previous complete state.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use dictas_atomic::StagedDir;
use serde::{Deserialize, Serialize};
use tch::{nn::VarStore, Device, Tensor};

use crate::adam::Adam;
use crate::logs::EpochRecord;
use crate::losses::LossValues;
use crate::scheduler::ReduceLrOnPlateau;

/// Progress of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainState {
    /// Epoch in progress (0-based).
    pub epoch: usize,
    /// Next batch of that epoch.
    pub next_batch: usize,
    pub global_step: u64,
    pub lr: f64,
    pub scheduler: ReduceLrOnPlateau,
    /// Best validation AP so far (the reference starts at 0).
    pub best_ap: f64,
    /// Whether gV is frozen and query tokens pass through it.
    pub value_generator_frozen: bool,
    /// Losses of the finished steps of the running epoch.
    pub epoch_losses: Vec<LossValues>,
    pub history: Vec<EpochRecord>,
    pub adam_steps: BTreeMap<String, u64>,
}

pub fn state_dir(out: &Path) -> PathBuf {
    out.join("state")
}

fn write_tensors(named: Vec<(String, Tensor)>, path: &Path) -> Result<()> {
    let mut named = named;
    named.sort_by(|a, b| a.0.cmp(&b.0));
    Tensor::write_safetensors(&named, path).with_context(|| format!("writing {}", path.display()))
}

fn read_tensors(path: &Path) -> Result<BTreeMap<String, Tensor>> {
    Ok(Tensor::read_safetensors(path).with_context(|| format!("reading {}", path.display()))?.into_iter().collect())
}

fn cpu_copy(named: impl IntoIterator<Item = (String, Tensor)>) -> Vec<(String, Tensor)> {
    named.into_iter().map(|(k, v)| (k, v.detach().to_device(Device::Cpu))).collect()
}

/// Saves the complete state atomically.
pub fn save(out: &Path, vs: &VarStore, adam: &Adam, best: &BTreeMap<String, Tensor>, state: &TrainState) -> Result<()> {
    // A run killed while saving left its staging folder behind.
    dictas_atomic::remove_abandoned(out);
    let staged = StagedDir::new(&state_dir(out))?;
    let tmp = staged.path();
    write_tensors(cpu_copy(vs.variables()), &tmp.join("weights.safetensors"))?;
    let (moments, steps) = adam.export_state();
    write_tensors(moments, &tmp.join("optimizer.safetensors"))?;
    write_tensors(cpu_copy(best.iter().map(|(k, v)| (k.clone(), v.shallow_clone()))), &tmp.join("best.safetensors"))?;
    let mut state = state.clone();
    state.adam_steps = steps;
    dictas_atomic::write_json(&tmp.join("state.json"), &state)?;
    staged.commit()?;
    Ok(())
}

/// What [`load`] restores besides the variables.
pub struct Restored {
    pub state: TrainState,
    pub best: BTreeMap<String, Tensor>,
}

/// Loads a state saved by [`save`] into `vs` and `adam`.
pub fn load(out: &Path, vs: &VarStore, adam: &mut Adam) -> Result<Restored> {
    let dir = state_dir(out);
    let text = std::fs::read_to_string(dir.join("state.json"))
        .with_context(|| format!("{} holds no training state (state/state.json)", out.display()))?;
    let state: TrainState = serde_json::from_str(&text).with_context(|| format!("parsing {}", dir.join("state.json").display()))?;
    let weights = read_tensors(&dir.join("weights.safetensors"))?;
    copy_into(vs, &weights)?;
    let moments = read_tensors(&dir.join("optimizer.safetensors"))?;
    adam.import_state(vs, &moments, &state.adam_steps)?;
    adam.config.lr = state.lr;
    let device = vs.device();
    let best = read_tensors(&dir.join("best.safetensors"))?.into_iter().map(|(k, v)| (k, v.to_device(device))).collect();
    Ok(Restored { state, best })
}

/// Copies saved tensors into the store's variables; every variable must be present.
pub fn copy_into(vs: &VarStore, saved: &BTreeMap<String, Tensor>) -> Result<()> {
    let variables: HashMap<String, Tensor> = vs.variables();
    tch::no_grad(|| {
        for (name, mut var) in variables {
            let value = saved.get(&name).with_context(|| format!("saved weights lack `{name}`"))?;
            anyhow::ensure!(value.size() == var.size(), "saved `{name}` has shape {:?}, expected {:?}", value.size(), var.size());
            var.copy_(&value.to_device(var.device()));
        }
        Ok(())
    })
}
