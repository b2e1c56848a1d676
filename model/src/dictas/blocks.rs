//! The trainable building blocks of DictAS, with variables named exactly as the reference's
//! checkpoint keys (`q_proj`, `norm1`, `TwoLayerMLP.linear1`, ...).

use tch::nn::{self, Init};
use tch::Tensor;

/// Heads of the generators' self-attention.
const ATTENTION_HEADS: i64 = 4;
/// Dropout after `linear1`, active only in training.
const DROPOUT: f64 = 0.1;

fn linear_weight(p: &nn::Path, name: &str, out_dim: i64, in_dim: i64) -> Tensor {
    // The reference initializes every Linear weight from N(0, 0.02) and biases with zeros.
    p.var(name, &[out_dim, in_dim], Init::Randn { mean: 0.0, stdev: 0.02 })
}

fn zeros(p: &nn::Path, name: &str, dim: i64) -> Tensor {
    p.var(name, &[dim], Init::Const(0.0))
}

/// `nn.LayerNorm(dim)` (eps 1e-5).
pub(crate) struct LayerNorm {
    weight: Tensor,
    bias: Tensor,
}

impl LayerNorm {
    fn new(p: &nn::Path, dim: i64) -> Self {
        LayerNorm { weight: p.var("weight", &[dim], Init::Const(1.0)), bias: zeros(p, "bias", dim) }
    }

    fn forward(&self, x: &Tensor) -> Tensor {
        let dim = self.weight.size()[0];
        x.layer_norm([dim], Some(&self.weight), Some(&self.bias), 1e-5, true)
    }
}

/// `nn.Linear(in, out)`, applied with `aten::linear` as PyTorch does.
pub(crate) struct Linear {
    weight: Tensor,
    bias: Option<Tensor>,
}

impl Linear {
    pub fn new(p: &nn::Path, in_dim: i64, out_dim: i64, bias: bool) -> Self {
        Linear {
            weight: linear_weight(p, "weight", out_dim, in_dim),
            bias: bias.then(|| zeros(p, "bias", out_dim)),
        }
    }

    pub fn forward(&self, x: &Tensor) -> Tensor {
        x.linear(&self.weight, self.bias.as_ref())
    }
}

/// `linear3(norm(linear2(dropout(linear1(x)) + residual)))`: no nonlinearity, `linear3`
/// without bias.
struct TwoLayerMlp {
    linear1: Linear,
    linear2: Linear,
    norm: LayerNorm,
    linear3: Linear,
}

impl TwoLayerMlp {
    fn new(p: &nn::Path, dim: i64) -> Self {
        TwoLayerMlp {
            linear1: Linear::new(&(p / "linear1"), dim, dim, true),
            linear2: Linear::new(&(p / "linear2"), dim, dim, true),
            norm: LayerNorm::new(&(p / "norm"), dim),
            linear3: Linear::new(&(p / "linear3"), dim, dim, false),
        }
    }

    fn forward(&self, x: &Tensor, residual: &Tensor, train: bool) -> Tensor {
        let x = self.linear1.forward(x).dropout(DROPOUT, train) + residual;
        self.linear3.forward(&self.norm.forward(&self.linear2.forward(&x)))
    }
}

/// The reference's `Attn_Block`: LayerNorm, 4-head self-attention with bias-free q/k/v
/// projections and scale `1/sqrt(C/4)`, then [`TwoLayerMlp`] with the normalized input as
/// residual. Used as the query generator gQ and key generator gK.
pub(crate) struct AttnBlock {
    q_proj: Linear,
    k_proj: Linear,
    v_proj: Linear,
    norm1: LayerNorm,
    mlp: TwoLayerMlp,
}

impl AttnBlock {
    pub fn new(p: &nn::Path, dim: i64) -> Self {
        AttnBlock {
            q_proj: Linear::new(&(p / "q_proj"), dim, dim, false),
            k_proj: Linear::new(&(p / "k_proj"), dim, dim, false),
            v_proj: Linear::new(&(p / "v_proj"), dim, dim, false),
            norm1: LayerNorm::new(&(p / "norm1"), dim),
            mlp: TwoLayerMlp::new(&(p / "TwoLayerMLP"), dim),
        }
    }

    /// `x`: `[B, N, C]`.
    pub fn forward(&self, x: &Tensor, train: bool) -> Tensor {
        let (batch, len, dim) = x.size3().expect("attention block input is [B, N, C]");
        let h = self.norm1.forward(x);
        let heads = |t: Tensor| t.reshape([batch, len, ATTENTION_HEADS, dim / ATTENTION_HEADS]).transpose(1, 2);
        let q = heads(self.q_proj.forward(&h));
        let k = heads(self.k_proj.forward(&h));
        let v = heads(self.v_proj.forward(&h));
        // Same fused kernel as the reference's `scaled_dot_product_attention` (default scale).
        let attended = Tensor::scaled_dot_product_attention(&q, &k, &v, None::<Tensor>, 0.0, false, None, false);
        let attended = attended.transpose(1, 2).reshape([batch, len, dim]);
        self.mlp.forward(&attended, &h, train)
    }
}

/// The value generator gV: `x + AttnBlock(x)`.
pub(crate) struct ValueGenerator {
    block: AttnBlock,
}

impl ValueGenerator {
    pub fn new(p: &nn::Path, dim: i64) -> Self {
        ValueGenerator { block: AttnBlock::new(&(p / "AttnBlock"), dim) }
    }

    pub fn forward(&self, x: &Tensor, train: bool) -> Tensor {
        x + self.block.forward(x, train)
    }
}

/// The reference's `Global_Feature` (`Fuse_Feature`): concatenate the layers' tokens along
/// channels, project to C/2, attention-pool over tokens (`compress` + softmax), project to the
/// embedding size. Normalizing inputs and output is the caller's business, as in the reference.
pub(crate) struct FuseFeature {
    fuse_modules: Linear,
    compress: Linear,
    post_process: Linear,
}

impl FuseFeature {
    pub fn new(p: &nn::Path, dim: i64, layers: i64, embed_dim: i64) -> Self {
        let hidden = dim / 2;
        FuseFeature {
            fuse_modules: Linear::new(&(p / "fuse_modules"), dim * layers, hidden, true),
            compress: Linear::new(&(p / "compress"), hidden, 1, true),
            post_process: Linear::new(&(p / "post_process"), hidden, embed_dim, true),
        }
    }

    /// `layers`: per layer `[B, N, C]`; returns `[B, embed_dim]`.
    pub fn forward(&self, layers: &[Tensor]) -> Tensor {
        let x = self.fuse_modules.forward(&Tensor::cat(layers, 2));
        let kind = x.kind();
        let attention = self.compress.forward(&x).softmax(1, kind);
        let pooled = (attention * x).sum_dim_intlist([1i64].as_slice(), false, kind);
        self.post_process.forward(&pooled)
    }
}
