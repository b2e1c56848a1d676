//! The CLIP ViT image and text encoders, inference only, in fp32.

use std::path::Path;

use anyhow::{ensure, Result};
use tch::{Device, Kind, Tensor};

use super::config::ClipConfig;
use super::transformer::{Activation, LayerNorm, ResidualBlock};
use super::weights::{resize_positional_embedding, Weights};
use crate::checkpoint::load_tensors;

/// A loaded CLIP ViT with both encoders.
pub struct ClipModel {
    config: ClipConfig,
    image_size: i64,
    activation: Activation,
    device: Device,
    visual: VisionTower,
    text: TextTower,
}

struct VisionTower {
    conv1: Tensor,
    class_embedding: Tensor,
    positional_embedding: Tensor,
    ln_pre: LayerNorm,
    blocks: Vec<ResidualBlock>,
    ln_post: LayerNorm,
    proj: Tensor,
}

struct TextTower {
    token_embedding: Tensor,
    positional_embedding: Tensor,
    blocks: Vec<ResidualBlock>,
    ln_final: LayerNorm,
    text_projection: Tensor,
    causal_mask: Tensor,
}

impl ClipModel {
    /// Loads a CLIP checkpoint (TorchScript archive, `torch.save` file or safetensors) for images
    /// of side `image_size`; the positional embedding is resized once here when that differs
    /// from the checkpoint's resolution.
    pub fn load(path: &Path, image_size: i64, activation: Activation, device: Device) -> Result<Self> {
        let source = path.display().to_string();
        let mut w = Weights::new(load_tensors(path)?, source.clone());
        let config = ClipConfig::from_shapes(&w.shapes())?;
        ensure!(
            image_size > 0 && image_size % config.patch_size == 0,
            "image size {image_size} is not a positive multiple of the patch size {} of {source}",
            config.patch_size
        );
        let grid = image_size / config.patch_size;

        // Resize on the CPU in fp32, as the reference does before moving the model.
        let pos = w.take("visual.positional_embedding", &[config.checkpoint_grid.pow(2) + 1, config.vision_width])?;
        let pos = if grid == config.checkpoint_grid { pos } else { resize_positional_embedding(&pos, grid)? };

        let mut w = w.on_device(device);
        let visual = VisionTower::load(&mut w, &config, pos.to_device(device))?;
        let text = TextTower::load(&mut w, &config, device)?;
        Ok(ClipModel { config, image_size, activation, device, visual, text })
    }

    pub fn config(&self) -> &ClipConfig {
        &self.config
    }

    /// Image side this model was loaded for.
    pub fn image_size(&self) -> i64 {
        self.image_size
    }

    /// Side of the patch grid at [`ClipModel::image_size`].
    pub fn grid(&self) -> i64 {
        self.image_size / self.config.patch_size
    }

    pub fn device(&self) -> Device {
        self.device
    }

    pub fn activation(&self) -> Activation {
        self.activation
    }

    /// Encodes normalized images `[B, 3, S, S]` in one forward pass. Returns the global feature
    /// `[B, embed_dim]` (`ln_post(class token) @ proj`) and, for each entry of `layers` (1-based,
    /// in the order given), the output of that block without the class token and before any
    /// norm: `[B, grid*grid, width]`.
    ///
    /// Panics on an invalid image shape or layer index; [`ClipModel::f_encode_image`] reports
    /// those as errors instead.
    pub fn encode_image(&self, images: &Tensor, layers: &[i64]) -> (Tensor, Vec<Tensor>) {
        self.f_encode_image(images, layers).unwrap_or_else(|e| panic!("encode_image: {e:#}"))
    }

    /// Fallible form of [`ClipModel::encode_image`].
    pub fn f_encode_image(&self, images: &Tensor, layers: &[i64]) -> Result<(Tensor, Vec<Tensor>)> {
        let size = images.size();
        ensure!(
            size.len() == 4 && size[1] == 3 && size[2] == self.image_size && size[3] == self.image_size,
            "images have shape {size:?}, expected [B, 3, {s}, {s}]",
            s = self.image_size
        );
        let depth = self.config.vision_layers;
        if let Some(bad) = layers.iter().find(|&&l| l < 1 || l > depth) {
            anyhow::bail!("layer {bad} requested, the vision encoder has layers 1..={depth}");
        }
        Ok(tch::no_grad(|| self.visual.forward(&images.to_device(self.device), layers, self.activation)))
    }

    /// WinCLIP's window embeddings: for each image of `images [B, 3, S, S]` and each window
    /// (a row of `windows [W, n]`: 0-based row-major patch indices), the vision encoder runs on
    /// the class token and only that window's n patch tokens, each with its own positional
    /// embedding, and returns `ln_post(class token) @ proj`: `[B, W, embed_dim]`. Windows are
    /// encoded `chunk` sequences per forward (memory only).
    pub fn f_encode_image_windows(&self, images: &Tensor, windows: &Tensor, chunk: i64) -> Result<Tensor> {
        let size = images.size();
        ensure!(
            size.len() == 4 && size[1] == 3 && size[2] == self.image_size && size[3] == self.image_size,
            "images have shape {size:?}, expected [B, 3, {s}, {s}]",
            s = self.image_size
        );
        let patches = self.grid() * self.grid();
        let w = windows.size();
        ensure!(w.len() == 2 && w[0] > 0 && w[1] > 0, "windows have shape {w:?}, expected [W, n]");
        let (lowest, highest) = (windows.min().int64_value(&[]), windows.max().int64_value(&[]));
        ensure!(
            lowest >= 0 && highest < patches,
            "window patch indices span {lowest}..={highest}, the grid has patches 0..{patches}"
        );
        ensure!(chunk >= 1, "chunk must be at least 1, got {chunk}");
        let windows = windows.to_kind(Kind::Int64).to_device(self.device);
        Ok(tch::no_grad(|| self.visual.forward_windows(&images.to_device(self.device), &windows, chunk, self.activation)))
    }

    /// Encodes token rows `[n, context_length]` (int64) to `[n, embed_dim]`, reading each row at
    /// its end-of-text token (the largest id in the row).
    pub fn encode_text(&self, tokens: &Tensor) -> Tensor {
        self.f_encode_text(tokens).unwrap_or_else(|e| panic!("encode_text: {e:#}"))
    }

    /// Fallible form of [`ClipModel::encode_text`].
    pub fn f_encode_text(&self, tokens: &Tensor) -> Result<Tensor> {
        let size = tokens.size();
        ensure!(
            size.len() == 2 && size[1] == self.config.context_length,
            "tokens have shape {size:?}, expected [n, {}]",
            self.config.context_length
        );
        let tokens = tokens.to_kind(Kind::Int64).to_device(self.device);
        Ok(tch::no_grad(|| self.text.forward(&tokens, self.activation)))
    }
}

impl VisionTower {
    fn load(w: &mut Weights, c: &ClipConfig, positional_embedding: Tensor) -> Result<Self> {
        let width = c.vision_width;
        let blocks = ResidualBlock::load_stack(w, "visual.transformer", c.vision_layers, width, c.vision_heads)?;
        Ok(VisionTower {
            conv1: w.take("visual.conv1.weight", &[width, 3, c.patch_size, c.patch_size])?,
            class_embedding: w.take("visual.class_embedding", &[width])?,
            positional_embedding,
            ln_pre: LayerNorm::load(w, "visual.ln_pre", width)?,
            blocks,
            ln_post: LayerNorm::load(w, "visual.ln_post", width)?,
            proj: w.take("visual.proj", &[width, c.embed_dim])?,
        })
    }

    /// Class token and patch tokens with positional embeddings, before `ln_pre`: [B, 1 + N, C].
    fn embed(&self, images: &Tensor) -> Tensor {
        let patch = self.conv1.size()[3];
        let x = images.conv2d(&self.conv1, None::<Tensor>, [patch, patch], [0, 0], [1, 1], 1);
        let (batch, width, _, _) = x.size4().expect("conv output is 4-d");
        let x = x.reshape([batch, width, -1]).permute([0, 2, 1]);
        let class = &self.class_embedding + Tensor::zeros([batch, 1, width], (x.kind(), x.device()));
        Tensor::cat(&[class, x], 1) + &self.positional_embedding
    }

    /// See [`ClipModel::f_encode_image_windows`].
    fn forward_windows(&self, images: &Tensor, windows: &Tensor, chunk: i64, activation: Activation) -> Tensor {
        let embedded = self.embed(images);
        let (batch, count) = (embedded.size()[0], windows.size()[0]);
        let width = embedded.size()[2];
        // Sequence positions of each window: the class token (0) then its patches (1 + index).
        let positions = Tensor::cat(&[windows.zeros_like().narrow(1, 0, 1), windows + 1], 1);
        let mut out = Vec::new();
        for b in 0..batch {
            let sequences = embedded.get(b).index_select(0, &positions.reshape([-1])).view([count, -1, width]);
            for part in sequences.split(chunk, 0) {
                let mut x = self.ln_pre.forward(&part).permute([1, 0, 2]);
                for block in &self.blocks {
                    x = block.forward(&x, None, activation);
                }
                out.push(self.ln_post.forward(&x.select(0, 0)).matmul(&self.proj));
            }
        }
        Tensor::cat(&out, 0).view([batch, count, -1])
    }

    fn forward(&self, images: &Tensor, layers: &[i64], activation: Activation) -> (Tensor, Vec<Tensor>) {
        let x = self.embed(images);
        let mut x = self.ln_pre.forward(&x).permute([1, 0, 2]); // sequence first, as the reference

        let mut taps: Vec<(i64, Tensor)> = Vec::new();
        for (index, block) in self.blocks.iter().enumerate() {
            x = block.forward(&x, None, activation);
            let layer = index as i64 + 1;
            if layers.contains(&layer) {
                let tokens = x.permute([1, 0, 2]);
                let len = tokens.size()[1];
                taps.push((layer, tokens.narrow(1, 1, len - 1).contiguous()));
            }
        }
        let patch_tokens = layers
            .iter()
            .map(|l| taps.iter().find(|(t, _)| t == l).expect("every requested layer was tapped").1.shallow_clone())
            .collect();

        let class_token = x.permute([1, 0, 2]).select(1, 0);
        let global = self.ln_post.forward(&class_token).matmul(&self.proj);
        (global, patch_tokens)
    }
}

impl TextTower {
    fn load(w: &mut Weights, c: &ClipConfig, device: Device) -> Result<Self> {
        let width = c.text_width;
        let blocks = ResidualBlock::load_stack(w, "transformer", c.text_layers, width, c.text_heads)?;
        let ctx = c.context_length;
        let causal_mask = Tensor::full([ctx, ctx], f64::NEG_INFINITY, (Kind::Float, device)).triu(1);
        Ok(TextTower {
            token_embedding: w.take("token_embedding.weight", &[c.vocab_size, width])?,
            positional_embedding: w.take("positional_embedding", &[ctx, width])?,
            blocks,
            ln_final: LayerNorm::load(w, "ln_final", width)?,
            text_projection: w.take("text_projection", &[width, c.embed_dim])?,
            causal_mask,
        })
    }

    fn forward(&self, tokens: &Tensor, activation: Activation) -> Tensor {
        let x = Tensor::embedding(&self.token_embedding, tokens, -1, false, false) + &self.positional_embedding;
        let mut x = x.permute([1, 0, 2]);
        for block in &self.blocks {
            x = block.forward(&x, Some(&self.causal_mask), activation);
        }
        let x = self.ln_final.forward(&x.permute([1, 0, 2]));
        let rows = Tensor::arange(tokens.size()[0], (Kind::Int64, tokens.device()));
        let end_of_text = tokens.argmax(-1, false);
        x.index(&[Some(rows), Some(end_of_text)]).matmul(&self.text_projection)
    }
}
