//! Loading DictAS weights (the reference's `{"Mymodel": state_dict}` `.pth` or our
//! safetensors) strictly, and saving them as safetensors.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use anyhow::{bail, Context, Result};
use tch::{nn, Device, Tensor};

use super::DictAs;
use crate::checkpoint::load_tensors;

const WIDTH_KEY: &str = "Query_Generator.q_proj.weight";
const EMBED_KEY: &str = "Fuse_Feature.post_process.weight";

impl DictAs {
    /// Loads a checkpoint into a fresh `VarStore` on `device`. The width and embedding size are
    /// read from the checkpoint; every variable must be present with its exact shape and no
    /// extra tensor may appear, as with PyTorch's strict `load_state_dict`.
    pub fn load(path: &Path, device: Device) -> Result<(nn::VarStore, DictAs)> {
        let tensors: HashMap<String, Tensor> = load_tensors(path)?.into_iter().collect();
        let dim = |key: &str| -> Result<i64> {
            let t = tensors.get(key).with_context(|| format!("{} has no tensor `{key}`", path.display()))?;
            Ok(t.size()[0])
        };
        let (width, embed_dim) = (dim(WIDTH_KEY)?, dim(EMBED_KEY)?);
        let vs = nn::VarStore::new(device);
        let module = DictAs::new(&vs.root(), width, embed_dim);
        copy_into(&vs, tensors).with_context(|| format!("loading DictAS weights from {}", path.display()))?;
        Ok((vs, module))
    }

    /// Writes the variables of `vs` (the store this module was built in) as safetensors,
    /// under the reference's key names, all or nothing (temporary name, then rename).
    pub fn save_safetensors(vs: &nn::VarStore, path: &Path) -> Result<()> {
        let sorted: BTreeMap<String, Tensor> = vs.variables().into_iter().collect();
        let named: Vec<(String, Tensor)> = sorted.into_iter().map(|(k, v)| (k, v.to_device(Device::Cpu))).collect();
        dictas_atomic::write_with(path, |temp| Ok(Tensor::write_safetensors(&named, temp)?))
    }
}

/// Copies checkpoint tensors into the store's variables, strictly.
fn copy_into(vs: &nn::VarStore, mut tensors: HashMap<String, Tensor>) -> Result<()> {
    let variables = vs.variables();
    let mut names: Vec<&String> = variables.keys().collect();
    names.sort();
    tch::no_grad(|| -> Result<()> {
        for name in names {
            let mut var = variables[name].shallow_clone();
            let value = tensors.remove(name.as_str()).with_context(|| format!("missing key `{name}`"))?;
            if value.size() != var.size() {
                bail!("key `{name}` has shape {:?} in the checkpoint, the model expects {:?}", value.size(), var.size());
            }
            var.copy_(&value.to_kind(var.kind()).to_device(var.device()));
        }
        Ok(())
    })?;
    if !tensors.is_empty() {
        let mut extra: Vec<_> = tensors.keys().cloned().collect();
        extra.sort();
        bail!("unexpected key(s): {}", extra.join(", "));
    }
    Ok(())
}
