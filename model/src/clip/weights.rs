//! Turning a CLIP checkpoint's tensors into the fp32 weights the reference computes with.

use std::collections::HashMap;

use anyhow::{ensure, Context, Result};
use tch::{Device, Kind, Tensor};

/// Named tensors that are taken out one by one, with shape checks that name the key.
pub(crate) struct Weights {
    tensors: HashMap<String, Tensor>,
    device: Device,
    source: String,
}

impl Weights {
    /// Converts every tensor to f32 the way the reference does; tensors stay on the CPU until
    /// taken after [`Weights::on_device`].
    pub fn new(tensors: Vec<(String, Tensor)>, source: String) -> Self {
        let tensors = tensors
            .into_iter()
            .map(|(name, t)| {
                let t = reference_precision(&name, &t);
                (name, t)
            })
            .collect();
        Weights { tensors, device: Device::Cpu, source }
    }

    /// Tensors taken from now on are moved to `device`.
    pub fn on_device(mut self, device: Device) -> Self {
        self.device = device;
        self
    }

    pub fn shapes(&self) -> HashMap<String, Vec<i64>> {
        self.tensors.iter().map(|(k, v)| (k.clone(), v.size())).collect()
    }

    /// Takes tensor `name`, checking that its shape is `expected`.
    pub fn take(&mut self, name: &str, expected: &[i64]) -> Result<Tensor> {
        let t = self.take_any(name)?;
        ensure!(
            t.size() == expected,
            "tensor `{name}` in {} has shape {:?}, expected {:?}",
            self.source,
            t.size(),
            expected
        );
        Ok(t)
    }

    /// Takes tensor `name` whatever its shape (for tensors the caller reshapes itself).
    pub fn take_any(&mut self, name: &str) -> Result<Tensor> {
        let t = self
            .tensors
            .remove(name)
            .with_context(|| format!("CLIP checkpoint {} has no tensor `{name}`", self.source))?;
        Ok(t.to_device(self.device))
    }
}

/// The reference builds the model in fp16 for conv/linear/attention/projection tensors
/// (`convert_weights`), loads the checkpoint into it and only then casts everything to fp32.
/// A tensor of that group stored in fp32 therefore passes through fp16 on the way; doing the
/// same keeps the arithmetic identical. Every other tensor is converted to fp32 directly.
fn reference_precision(name: &str, t: &Tensor) -> Tensor {
    if rounded_through_fp16(name) {
        t.to_kind(Kind::Half).to_kind(Kind::Float)
    } else {
        t.to_kind(Kind::Float)
    }
}

fn rounded_through_fp16(name: &str) -> bool {
    const SUFFIXES: [&str; 8] = [
        ".attn.in_proj_weight",
        ".attn.in_proj_bias",
        ".attn.out_proj.weight",
        ".attn.out_proj.bias",
        ".mlp.c_fc.weight",
        ".mlp.c_fc.bias",
        ".mlp.c_proj.weight",
        ".mlp.c_proj.bias",
    ];
    matches!(name, "visual.conv1.weight" | "visual.proj" | "text_projection")
        || SUFFIXES.iter().any(|s| name.ends_with(s))
}

/// Resizes the grid part of a vision positional embedding `[1 + g*g, width]` to `new_grid`,
/// keeping the class row, as the reference's `resize_pos_embed` does: bicubic, antialiased,
/// corners not aligned, computed in fp32.
pub(crate) fn resize_positional_embedding(pos: &Tensor, new_grid: i64) -> Result<Tensor> {
    let (rows, width) = pos.size2()?;
    let old_grid = ((rows - 1) as f64).sqrt() as i64;
    ensure!(old_grid * old_grid == rows - 1, "positional embedding with {rows} rows has no square grid");
    let class_row = pos.narrow(0, 0, 1);
    let grid = pos
        .narrow(0, 1, rows - 1)
        .reshape([1, old_grid, old_grid, width])
        .permute([0, 3, 1, 2]);
    let resized = grid.f_internal_upsample_bicubic2d_aa([new_grid, new_grid], false, None, None)?;
    let resized = resized.permute([0, 2, 3, 1]).reshape([new_grid * new_grid, width]);
    Ok(Tensor::cat(&[class_row, resized], 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fp16_group_matches_the_reference_conversion() {
        assert!(rounded_through_fp16("visual.transformer.resblocks.3.attn.in_proj_bias"));
        assert!(rounded_through_fp16("transformer.resblocks.0.mlp.c_proj.weight"));
        assert!(rounded_through_fp16("visual.proj"));
        assert!(!rounded_through_fp16("visual.positional_embedding"));
        assert!(!rounded_through_fp16("token_embedding.weight"));
        assert!(!rounded_through_fp16("visual.ln_post.weight"));
        // 1 + 2^-12 is not representable in fp16 and rounds to 1.
        let t = Tensor::from_slice(&[1.0f32 + 1.0 / 4096.0]);
        assert_eq!(reference_precision("text_projection", &t).double_value(&[0]), 1.0);
        assert_ne!(reference_precision("ln_final.weight", &t).double_value(&[0]), 1.0);
    }

    #[test]
    fn resize_keeps_class_row_and_constant_grid() {
        // A constant grid stays constant under any normalized interpolation.
        let pos = Tensor::cat(&[Tensor::full([1, 4], 7.0, (Kind::Float, Device::Cpu)), Tensor::ones([9, 4], (Kind::Float, Device::Cpu))], 0);
        let out = resize_positional_embedding(&pos, 5).unwrap();
        assert_eq!(out.size(), vec![26, 4]);
        assert_eq!(out.get(0).mean(Kind::Float).double_value(&[]), 7.0);
        let grid = out.narrow(0, 1, 25);
        assert!((grid - 1.0).abs().max().double_value(&[]) < 1e-6);
    }

    #[test]
    fn resize_downsamples_like_antialiased_bicubic() {
        // Expected values from Python: F.interpolate(torch.arange(9.).reshape(1, 1, 3, 3) ** 2,
        // size=(2, 2), mode='bicubic', antialias=True, align_corners=False).
        let grid: Vec<f32> = (0..9).map(|i| (i * i) as f32).collect();
        let pos = Tensor::cat(&[Tensor::from_slice(&[-3.0f32]), Tensor::from_slice(&grid)], 0).reshape([10, 1]);
        let out = Vec::<f32>::try_from(resize_positional_embedding(&pos, 2).unwrap().flatten(0, -1)).unwrap();
        let expected = [-3.0f32, 2.8711665, 8.197848, 30.284525, 47.044525];
        for (a, b) in out.iter().zip(expected) {
            assert!((a - b).abs() < 1e-5, "{out:?}");
        }
    }
}
