//! The residual attention blocks shared by CLIP's vision and text encoders, computed as the
//! reference's own `MultiheadAttention` does (sequence-first layout, packed in-projection,
//! `q / sqrt(head_dim)`, additive mask, softmax, out-projection).

use anyhow::Result;
use tch::{Kind, Tensor};

use super::weights::Weights;

/// The MLP nonlinearity of every block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Activation {
    /// Exact (erf) GELU: what the DictAS reference runs, and what its trained weights expect.
    #[default]
    Gelu,
    /// OpenAI CLIP's original `x * sigmoid(1.702 x)`.
    QuickGelu,
}

impl Activation {
    fn apply(self, x: &Tensor) -> Tensor {
        match self {
            Activation::Gelu => x.gelu("none"),
            Activation::QuickGelu => x * (x * 1.702).sigmoid(),
        }
    }
}

/// LayerNorm over the last axis with eps 1e-5.
pub(crate) struct LayerNorm {
    weight: Tensor,
    bias: Tensor,
}

impl LayerNorm {
    pub fn load(w: &mut Weights, prefix: &str, width: i64) -> Result<Self> {
        Ok(LayerNorm {
            weight: w.take(&format!("{prefix}.weight"), &[width])?,
            bias: w.take(&format!("{prefix}.bias"), &[width])?,
        })
    }

    pub fn forward(&self, x: &Tensor) -> Tensor {
        let width = self.weight.size()[0];
        x.layer_norm([width], Some(&self.weight), Some(&self.bias), 1e-5, true)
    }
}

/// `x = x + attn(ln_1(x)); x = x + mlp(ln_2(x))`.
pub(crate) struct ResidualBlock {
    ln_1: LayerNorm,
    in_proj_weight: Tensor,
    in_proj_bias: Tensor,
    out_proj_weight: Tensor,
    out_proj_bias: Tensor,
    ln_2: LayerNorm,
    c_fc_weight: Tensor,
    c_fc_bias: Tensor,
    c_proj_weight: Tensor,
    c_proj_bias: Tensor,
    heads: i64,
}

impl ResidualBlock {
    /// Loads `<prefix>.resblocks.0` .. `<prefix>.resblocks.<layers - 1>`.
    pub fn load_stack(w: &mut Weights, prefix: &str, layers: i64, width: i64, heads: i64) -> Result<Vec<Self>> {
        (0..layers).map(|i| Self::load(w, &format!("{prefix}.resblocks.{i}"), width, heads)).collect()
    }

    fn load(w: &mut Weights, prefix: &str, width: i64, heads: i64) -> Result<Self> {
        let name = |s: &str| format!("{prefix}.{s}");
        Ok(ResidualBlock {
            ln_1: LayerNorm::load(w, &name("ln_1"), width)?,
            in_proj_weight: w.take(&name("attn.in_proj_weight"), &[3 * width, width])?,
            in_proj_bias: w.take(&name("attn.in_proj_bias"), &[3 * width])?,
            out_proj_weight: w.take(&name("attn.out_proj.weight"), &[width, width])?,
            out_proj_bias: w.take(&name("attn.out_proj.bias"), &[width])?,
            ln_2: LayerNorm::load(w, &name("ln_2"), width)?,
            c_fc_weight: w.take(&name("mlp.c_fc.weight"), &[4 * width, width])?,
            c_fc_bias: w.take(&name("mlp.c_fc.bias"), &[4 * width])?,
            c_proj_weight: w.take(&name("mlp.c_proj.weight"), &[width, 4 * width])?,
            c_proj_bias: w.take(&name("mlp.c_proj.bias"), &[width])?,
            heads,
        })
    }

    /// `x`: `[L, N, D]` (sequence first). `mask`: additive `[L, L]` or none.
    pub fn forward(&self, x: &Tensor, mask: Option<&Tensor>, activation: Activation) -> Tensor {
        let x = x + self.attention(&self.ln_1.forward(x), mask);
        let h = self.ln_2.forward(&x).linear(&self.c_fc_weight, Some(&self.c_fc_bias));
        let h = activation.apply(&h).linear(&self.c_proj_weight, Some(&self.c_proj_bias));
        x + h
    }

    fn attention(&self, x: &Tensor, mask: Option<&Tensor>) -> Tensor {
        let (len, batch, width) = x.size3().expect("block input is [L, N, D]");
        let head_dim = width / self.heads;
        let qkv = x.linear(&self.in_proj_weight, Some(&self.in_proj_bias)).chunk(3, -1);
        // [L, N, D] -> [N*heads, L, head_dim]
        let split = |t: &Tensor| t.contiguous().view([len, batch * self.heads, head_dim]).transpose(0, 1);
        let q = split(&qkv[0]) / (head_dim as f64).sqrt();
        let k = split(&qkv[1]);
        let v = split(&qkv[2]);
        let mut scores = q.bmm(&k.transpose(-2, -1));
        if let Some(mask) = mask {
            scores += mask;
        }
        let out = scores.softmax(-1, Kind::Float).bmm(&v);
        out.transpose(0, 1)
            .contiguous()
            .view([len, batch, width])
            .linear(&self.out_proj_weight, Some(&self.out_proj_bias))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn activations_match_their_formulas() {
        // Values from Python: torch.nn.functional.gelu(torch.tensor([-1.0, 0.5, 2.0])) and
        // x * torch.sigmoid(1.702 * x).
        let x = Tensor::from_slice(&[-1.0f32, 0.5, 2.0]);
        let gelu = Vec::<f32>::try_from(Activation::Gelu.apply(&x)).unwrap();
        let quick = Vec::<f32>::try_from(Activation::QuickGelu.apply(&x)).unwrap();
        let expect_gelu = [-0.15865526f32, 0.34573123, 1.9544997];
        let expect_quick = [-0.15420423f32, 0.35038844, 1.9356586];
        for i in 0..3 {
            assert!((gelu[i] - expect_gelu[i]).abs() < 1e-6, "gelu {gelu:?}");
            assert!((quick[i] - expect_quick[i]).abs() < 1e-6, "quick {quick:?}");
        }
    }
}
