//! Parameter groups of DictAS by module, as the reference's state-dict key prefixes name them.

use std::collections::BTreeMap;

use tch::{nn::VarStore, Kind, Tensor};

/// The four trainable modules, in the reference's order.
pub const MODULES: [&str; 4] = ["Query_Generator", "Key_Generator", "Value_Generator", "Fuse_Feature"];

/// Key prefix of the value generator gV.
pub const VALUE_GENERATOR: &str = "Value_Generator";

fn in_module(name: &str, module: &str) -> bool {
    name.strip_prefix(module).is_some_and(|rest| rest.starts_with('.'))
}

/// Stops gradients into gV (the reference sets `requires_grad = False` on its parameters).
pub fn freeze_value_generator(vs: &VarStore) {
    for (name, var) in vs.variables() {
        if in_module(&name, VALUE_GENERATOR) {
            let _ = var.set_requires_grad(false);
        }
    }
}

/// Whether gV's parameters are frozen.
pub fn value_generator_frozen(vs: &VarStore) -> bool {
    vs.variables().iter().any(|(name, var)| in_module(name, VALUE_GENERATOR) && !var.requires_grad())
}

/// L2 norm of the gradient over all parameters of each module; `None` where no parameter of
/// the module has a gradient (frozen).
pub fn gradient_norms(vs: &VarStore) -> BTreeMap<&'static str, Option<f64>> {
    let variables = vs.variables();
    MODULES
        .iter()
        .map(|&module| {
            let squares: Vec<f64> = variables
                .iter()
                .filter(|(name, var)| in_module(name, module) && var.requires_grad())
                .filter_map(|(_, var)| {
                    let g = var.grad();
                    g.defined().then(|| g.to_kind(Kind::Double).square().sum(Kind::Double).double_value(&[]))
                })
                .collect();
            (module, (!squares.is_empty()).then(|| squares.iter().sum::<f64>().sqrt()))
        })
        .collect()
}

/// Copies every variable's value (for keeping the best weights in memory).
pub fn snapshot(vs: &VarStore) -> BTreeMap<String, Tensor> {
    vs.variables().into_iter().map(|(name, var)| (name, var.detach().copy())).collect()
}
