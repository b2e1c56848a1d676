//! Window embeddings: the CLIP image embedding of each sliding window of each image.
//!
//! As WinCLIP computes them: the vision transformer runs on the class token and the window's
//! patch tokens only (each with its own positional embedding), and the class token is
//! projected (`ClipModel::f_encode_image_windows`). Cost per window: about `(1 + s^2) / (1 + g^2)`
//! of a full forward for an `s x s` window on a `g x g` grid.

use anyhow::Result;
use tch::{Kind, Tensor};

use dictas_model::ClipModel;

use super::windows::WindowLayout;

/// Embeddings `[B, W, embed_dim]` of the windows of `layout` in each of `images [B, 3, S, S]`
/// (normalized), on the model's device.
pub(crate) fn window_embeddings(
    clip: &ClipModel,
    images: &Tensor,
    layout: &WindowLayout,
    windows_per_forward: i64,
) -> Result<Tensor> {
    let images = images.to_device(clip.device()).to_kind(Kind::Float);
    clip.f_encode_image_windows(&images, &layout.patches, windows_per_forward)
}
