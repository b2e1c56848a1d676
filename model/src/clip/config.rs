//! CLIP ViT architecture, read from a checkpoint's tensor shapes the way the reference's
//! `build_model` does (OpenAI naming).

use std::collections::{BTreeSet, HashMap};

use anyhow::{bail, ensure, Context, Result};

/// Architecture of a CLIP ViT checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClipConfig {
    /// Joint embedding size (columns of `text_projection`).
    pub embed_dim: i64,
    /// Vision width: output channels of `visual.conv1`.
    pub vision_width: i64,
    /// Number of vision residual blocks.
    pub vision_layers: i64,
    /// `vision_width / 64`, as OpenAI and the reference derive it.
    pub vision_heads: i64,
    /// Kernel size (= stride) of `visual.conv1`.
    pub patch_size: i64,
    /// Side of the patch grid the checkpoint was trained at (`visual.positional_embedding` rows - 1
    /// is its square).
    pub checkpoint_grid: i64,
    /// Text width (`ln_final.weight` length).
    pub text_width: i64,
    /// Number of text residual blocks.
    pub text_layers: i64,
    /// `text_width / 64`, as OpenAI and the reference derive it.
    pub text_heads: i64,
    /// Rows of the text positional embedding (77 for OpenAI models).
    pub context_length: i64,
    /// Rows of `token_embedding.weight`.
    pub vocab_size: i64,
}

impl ClipConfig {
    /// Derives the architecture from `name -> shape`.
    pub fn from_shapes(shapes: &HashMap<String, Vec<i64>>) -> Result<Self> {
        let shape = |name: &str| -> Result<&Vec<i64>> {
            shapes.get(name).with_context(|| format!("CLIP checkpoint has no tensor `{name}`"))
        };
        let dim = |name: &str, axis: usize| -> Result<i64> {
            let s = shape(name)?;
            s.get(axis).copied().with_context(|| format!("tensor `{name}` of shape {s:?} has no axis {axis}"))
        };

        let conv1 = shape("visual.conv1.weight")?;
        ensure!(conv1.len() == 4, "`visual.conv1.weight` has shape {conv1:?}, expected 4 dimensions");
        let vision_width = conv1[0];
        let patch_size = conv1[3];

        let vision_layers = shapes
            .keys()
            .filter(|k| k.starts_with("visual.") && k.ends_with(".attn.in_proj_weight"))
            .count() as i64;
        ensure!(vision_layers > 0, "CLIP checkpoint has no `visual...attn.in_proj_weight` tensors (not a ViT?)");

        let positions = dim("visual.positional_embedding", 0)? - 1;
        let checkpoint_grid = (positions as f64).sqrt().round() as i64;
        ensure!(
            checkpoint_grid * checkpoint_grid == positions,
            "`visual.positional_embedding` has {} rows; rows - 1 must be a square",
            positions + 1
        );

        // The reference counts distinct block indices among `transformer.resblocks.<i>.*`.
        let text_layers = shapes
            .keys()
            .filter_map(|k| k.strip_prefix("transformer.resblocks."))
            .filter_map(|rest| rest.split('.').next())
            .collect::<BTreeSet<_>>()
            .len() as i64;
        ensure!(text_layers > 0, "CLIP checkpoint has no `transformer.resblocks.*` tensors");

        let text_width = dim("ln_final.weight", 0)?;
        let config = ClipConfig {
            embed_dim: dim("text_projection", 1)?,
            vision_width,
            vision_layers,
            vision_heads: vision_width / 64,
            patch_size,
            checkpoint_grid,
            text_width,
            text_layers,
            text_heads: text_width / 64,
            context_length: dim("positional_embedding", 0)?,
            vocab_size: dim("token_embedding.weight", 0)?,
        };
        if config.vision_heads == 0 || config.text_heads == 0 {
            bail!(
                "widths must be at least 64 (one attention head per 64 channels): vision {}, text {}",
                config.vision_width,
                config.text_width
            );
        }
        Ok(config)
    }

    /// Image side the checkpoint was trained at.
    pub fn checkpoint_image_size(&self) -> i64 {
        self.checkpoint_grid * self.patch_size
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vit_b16_shapes() -> HashMap<String, Vec<i64>> {
        let mut m = HashMap::new();
        m.insert("visual.conv1.weight".to_string(), vec![768, 3, 16, 16]);
        m.insert("visual.positional_embedding".to_string(), vec![197, 768]);
        for i in 0..12 {
            m.insert(format!("visual.transformer.resblocks.{i}.attn.in_proj_weight"), vec![2304, 768]);
            m.insert(format!("transformer.resblocks.{i}.attn.in_proj_weight"), vec![1536, 512]);
            m.insert(format!("transformer.resblocks.{i}.ln_1.weight"), vec![512]);
        }
        m.insert("text_projection".to_string(), vec![512, 512]);
        m.insert("ln_final.weight".to_string(), vec![512]);
        m.insert("positional_embedding".to_string(), vec![77, 512]);
        m.insert("token_embedding.weight".to_string(), vec![49408, 512]);
        m
    }

    #[test]
    fn reads_vit_b16_architecture() {
        let c = ClipConfig::from_shapes(&vit_b16_shapes()).unwrap();
        assert_eq!(
            c,
            ClipConfig {
                embed_dim: 512,
                vision_width: 768,
                vision_layers: 12,
                vision_heads: 12,
                patch_size: 16,
                checkpoint_grid: 14,
                text_width: 512,
                text_layers: 12,
                text_heads: 8,
                context_length: 77,
                vocab_size: 49408,
            }
        );
        assert_eq!(c.checkpoint_image_size(), 224);
    }

    #[test]
    fn missing_tensor_is_named() {
        let mut shapes = vit_b16_shapes();
        shapes.remove("ln_final.weight");
        let err = ClipConfig::from_shapes(&shapes).unwrap_err().to_string();
        assert!(err.contains("ln_final.weight"), "{err}");
    }
}
