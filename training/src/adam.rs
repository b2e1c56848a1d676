//! Adam on the variables of a `VarStore`, written out so that its state (step counts and
//! moment buffers) can be saved and restored exactly for `--resume`.
//!
//! Arithmetic of PyTorch's single-tensor Adam (no weight decay, no amsgrad), which is what
//! `torch.optim.Adam` runs for CPU tensors and what the reference configures:
//! `m = lerp(m, g, 1 - beta1)`, `v = beta2 v + (1 - beta2) g^2`,
//! `p -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)`, with a step count t
//! per parameter. A parameter without a gradient, or with `requires_grad` off, is skipped, as
//! PyTorch skips parameters whose `.grad` is `None`.

use std::collections::BTreeMap;

use anyhow::{Context, Result};
use tch::{nn::VarStore, Kind, Tensor};

/// Hyper-parameters of Adam.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AdamConfig {
    pub lr: f64,
    pub beta1: f64,
    pub beta2: f64,
    pub eps: f64,
}

impl AdamConfig {
    /// The published setting: lr 1e-4, betas (0.5, 0.999), eps 1e-8.
    pub fn published() -> Self {
        AdamConfig { lr: 1e-4, beta1: 0.5, beta2: 0.999, eps: 1e-8 }
    }
}

/// Per-parameter state.
struct Moments {
    step: u64,
    exp_avg: Tensor,
    exp_avg_sq: Tensor,
}

/// Adam with per-variable state keyed by the variable's name in the store.
pub struct Adam {
    pub config: AdamConfig,
    state: BTreeMap<String, Moments>,
}

impl Adam {
    pub fn new(config: AdamConfig) -> Self {
        Adam { config, state: BTreeMap::new() }
    }

    /// Drops all moments and step counts (the reference's `optimizer.state = defaultdict(dict)`).
    pub fn reset_state(&mut self) {
        self.state.clear();
    }

    /// Clears the gradients of every variable of `vs`.
    pub fn zero_grad(vs: &VarStore) {
        for (_, mut var) in vs.variables() {
            var.zero_grad();
        }
    }

    /// One update of every trainable variable of `vs` that has a gradient.
    pub fn step(&mut self, vs: &VarStore) {
        let AdamConfig { lr, beta1, beta2, eps } = self.config;
        let variables: BTreeMap<String, Tensor> = vs.variables().into_iter().collect();
        tch::no_grad(|| {
            for (name, mut param) in variables {
                let grad = param.grad();
                if !param.requires_grad() || !grad.defined() {
                    continue;
                }
                let moments = self.state.entry(name).or_insert_with(|| Moments {
                    step: 0,
                    exp_avg: param.zeros_like(),
                    exp_avg_sq: param.zeros_like(),
                });
                moments.step += 1;
                let _ = moments.exp_avg.lerp_(&grad, 1.0 - beta1);
                let _ = moments.exp_avg_sq.g_mul_scalar_(beta2);
                let _ = moments.exp_avg_sq.g_add_(&(&grad * &grad * (1.0 - beta2)));
                let bias_correction1 = 1.0 - beta1.powi(moments.step as i32);
                let bias_correction2 = 1.0 - beta2.powi(moments.step as i32);
                let step_size = lr / bias_correction1;
                let denom = moments.exp_avg_sq.sqrt() / bias_correction2.sqrt() + eps;
                let _ = param.g_add_(&(&moments.exp_avg / denom * (-step_size)));
            }
        });
    }

    /// The state as named tensors (`<var>/exp_avg`, `<var>/exp_avg_sq`) plus step counts.
    pub fn export_state(&self) -> (Vec<(String, Tensor)>, BTreeMap<String, u64>) {
        let mut tensors = Vec::with_capacity(2 * self.state.len());
        let mut steps = BTreeMap::new();
        for (name, m) in &self.state {
            tensors.push((format!("{name}/exp_avg"), m.exp_avg.to_device(tch::Device::Cpu)));
            tensors.push((format!("{name}/exp_avg_sq"), m.exp_avg_sq.to_device(tch::Device::Cpu)));
            steps.insert(name.clone(), m.step);
        }
        (tensors, steps)
    }

    /// Restores a state written by [`Adam::export_state`], moving buffers next to the variables.
    pub fn import_state(
        &mut self,
        vs: &VarStore,
        tensors: &BTreeMap<String, Tensor>,
        steps: &BTreeMap<String, u64>,
    ) -> Result<()> {
        let variables = vs.variables();
        self.state.clear();
        for (name, &step) in steps {
            let var = variables.get(name).with_context(|| format!("optimizer state names unknown variable `{name}`"))?;
            let fetch = |suffix: &str| -> Result<Tensor> {
                let key = format!("{name}/{suffix}");
                let t = tensors.get(&key).with_context(|| format!("optimizer state lacks `{key}`"))?;
                anyhow::ensure!(t.size() == var.size(), "optimizer state `{key}` has shape {:?}, variable {:?}", t.size(), var.size());
                Ok(t.to_kind(Kind::Float).to_device(var.device()))
            };
            let moments = Moments { step, exp_avg: fetch("exp_avg")?, exp_avg_sq: fetch("exp_avg_sq")? };
            self.state.insert(name.clone(), moments);
        }
        Ok(())
    }
}
