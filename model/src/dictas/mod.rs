//! The DictAS module: query/key/value generators, dictionary lookup and the test-time
//! anomaly map.

mod blocks;
mod io;
mod map;
mod sparsemax;
mod window;

use tch::{nn, Tensor};

use blocks::{AttnBlock, FuseFeature, ValueGenerator};
pub use map::SupportDictionary;
pub use sparsemax::sparsemax;
pub use window::{grid_to_tokens, tokens_to_grid, window_average};

/// Number of layers `Fuse_Feature` concatenates (fixed by the reference architecture).
pub const FUSED_LAYERS: i64 = 4;

/// How lookup scores become weights over the dictionary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lookup {
    /// Sparse weights (the method's choice).
    #[default]
    Sparsemax,
    /// Dense softmax weights.
    Softmax,
    /// All weight on the best-scoring key.
    Max,
}

/// DictAS with its variables in a `VarStore`, named as the reference checkpoint keys.
pub struct DictAs {
    query_generator: AttnBlock,
    key_generator: AttnBlock,
    value_generator: ValueGenerator,
    fuse_feature: FuseFeature,
    width: i64,
    /// Enables the 0.1 dropout inside the generators (training only).
    pub train: bool,
}

impl DictAs {
    /// Creates the variables under `vs` with the reference's initialization, for CLIP vision
    /// width `width` and embedding size `embed_dim`. Starts in inference mode.
    pub fn new(vs: &nn::Path, width: i64, embed_dim: i64) -> Self {
        DictAs {
            query_generator: AttnBlock::new(&(vs / "Query_Generator"), width),
            key_generator: AttnBlock::new(&(vs / "Key_Generator"), width),
            value_generator: ValueGenerator::new(&(vs / "Value_Generator"), width),
            fuse_feature: FuseFeature::new(&(vs / "Fuse_Feature"), width, FUSED_LAYERS, embed_dim),
            width,
            train: false,
        }
    }

    /// Channel width C the module was built for.
    pub fn width(&self) -> i64 {
        self.width
    }

    /// The value generator gV: `x + AttnBlock(x)` on `[B, N, C]`.
    pub fn value_generator(&self, tokens: &Tensor) -> Tensor {
        self.value_generator.forward(tokens, self.train)
    }

    /// `Fuse_Feature` over exactly [`FUSED_LAYERS`] token tensors `[B, N, C]`; returns
    /// `[B, embed_dim]` (not normalized).
    pub fn fuse_feature(&self, layers: &[Tensor]) -> Tensor {
        self.fuse_feature.forward(layers)
    }

    /// Looks up each query token `[B, N, C]` in the dictionary built from `support`
    /// (`[1, M, C]`, shared by the batch, or `[B, M, C]`, one dictionary per query):
    /// keys gK(support), values gV(support), scores gQ(query) keys^T / sqrt(C), weights by
    /// `lookup`, result weights @ values `[B, N, C]`. Differentiable.
    pub fn lookup(&self, query: &Tensor, support: &Tensor, lookup: Lookup) -> Tensor {
        let (keys, values) = self.keys_and_values(support);
        self.retrieve(query, &keys, &values, lookup)
    }

    /// Dictionary keys gK(support) and values gV(support).
    pub(crate) fn keys_and_values(&self, support: &Tensor) -> (Tensor, Tensor) {
        let keys = self.key_generator.forward(support, self.train);
        let values = self.value_generator.forward(support, self.train);
        (keys, values)
    }

    /// Weights of `query` `[B, N, C]` over precomputed dictionary `keys` and `values`
    /// (`[1 or B, M, C]`), applied to the values.
    pub(crate) fn retrieve(&self, query: &Tensor, keys: &Tensor, values: &Tensor, lookup: Lookup) -> Tensor {
        let channels = *query.size().last().expect("query is [B, N, C]");
        let queries = self.query_generator.forward(query, self.train);
        let scores = queries.matmul(&keys.transpose(-2, -1)) * (channels as f64).powf(-0.5);
        lookup_weights(&scores, lookup).matmul(values)
    }
}

fn lookup_weights(scores: &Tensor, lookup: Lookup) -> Tensor {
    match lookup {
        Lookup::Sparsemax => sparsemax(scores),
        Lookup::Softmax => scores.softmax(-1, scores.kind()),
        Lookup::Max => {
            let best = scores.argmax(-1, true);
            scores.zeros_like().scatter_value(-1, &best, 1.0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tch::{Device, Kind};

    pub(super) fn random_module(width: i64) -> (nn::VarStore, DictAs) {
        tch::manual_seed(11);
        let vs = nn::VarStore::new(Device::Cpu);
        let module = DictAs::new(&vs.root(), width, 16);
        (vs, module)
    }

    #[test]
    fn variables_carry_the_reference_checkpoint_names() {
        let (vs, _) = random_module(32);
        let vars = vs.variables();
        for name in [
            "Query_Generator.q_proj.weight",
            "Key_Generator.TwoLayerMLP.linear3.weight",
            "Value_Generator.AttnBlock.norm1.bias",
            "Fuse_Feature.fuse_modules.weight",
            "Fuse_Feature.post_process.bias",
        ] {
            assert!(vars.contains_key(name), "{name} missing");
        }
        assert_eq!(vars.len(), 12 * 3 + 6);
        assert!(!vars.contains_key("Query_Generator.TwoLayerMLP.linear3.bias"));
        assert_eq!(vars["Fuse_Feature.fuse_modules.weight"].size(), vec![16, 128]);
    }

    #[test]
    fn max_lookup_returns_the_value_of_the_best_key() {
        let (_vs, module) = random_module(32);
        let query = Tensor::randn([2, 5, 32], (Kind::Float, Device::Cpu));
        let support = Tensor::randn([1, 7, 32], (Kind::Float, Device::Cpu));
        let got = tch::no_grad(|| module.lookup(&query, &support, Lookup::Max));

        // Independently: score every (query, key) pair and copy the best key's value.
        let q = module.query_generator.forward(&query, false);
        let k = module.key_generator.forward(&support, false).get(0);
        let v = module.value_generator(&support).get(0);
        for b in 0..2 {
            for n in 0..5 {
                let scores = k.matmul(&q.get(b).get(n));
                let best = scores.argmax(0, false).int64_value(&[]);
                let diff = (got.get(b).get(n) - v.get(best)).abs().max().double_value(&[]);
                assert!(diff < 1e-6, "query ({b}, {n}): diff {diff}");
            }
        }
    }

    #[test]
    fn lookups_are_convex_combinations_of_values() {
        let (_vs, module) = random_module(32);
        let query = Tensor::randn([1, 4, 32], (Kind::Float, Device::Cpu));
        let support = Tensor::randn([1, 6, 32], (Kind::Float, Device::Cpu));
        let values = tch::no_grad(|| module.value_generator(&support));
        let (lo, hi) = (values.amin([1i64].as_slice(), false), values.amax([1i64].as_slice(), false));
        for lookup in [Lookup::Sparsemax, Lookup::Softmax] {
            let out = tch::no_grad(|| module.lookup(&query, &support, lookup));
            assert!((&lo - 1e-5).le_tensor(&out).all().int64_value(&[]) == 1, "{lookup:?} below the values");
            assert!(out.le_tensor(&(&hi + 1e-5)).all().int64_value(&[]) == 1, "{lookup:?} above the values");
        }
    }
}
