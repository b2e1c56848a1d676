//! Window embeddings: the CLIP image embedding of each sliding window of each image.
//!
//! WinCLIP computes a window's embedding by running the vision transformer on the class token
//! and the window's patch tokens only (each with its own positional embedding) and projecting
//! the class token. `dictas_model::ClipModel` exposes no forward over a token subset, so this
//! module approximates it with the public full-image forward: every patch outside the window
//! is blanked to 0 in normalized pixel space (the CLIP mean colour) and the global embedding of
//! the blanked image is taken. The window's own patches and positions are as in WinCLIP; the
//! difference is that the class token also attends to the blank patches instead of not seeing
//! them. Results must therefore be reported as [`super::WINCLIP_NAME`].
//!
//! Cost: one full forward per window and image, i.e. `sum_s ((g - s) / stride + 1)^2` forwards
//! per image on a `g x g` grid (313 at g = 14 with scales 2 and 3, 1013 at g = 24), batched
//! `windows_per_forward` images at a time. A token-subset forward would cost about
//! `(1 + s^2) / (1 + g^2)` of a full one per window.

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
    let device = clip.device();
    let images = images.to_device(device).to_kind(Kind::Float);
    let batch = images.size()[0];
    let windows = layout.windows();
    let pixel_masks = pixel_masks(layout, clip.grid(), clip.config().patch_size);

    // Pairs (image, window) in image-major order, encoded a batch of blanked images at a time.
    let pairs = batch * windows;
    let mut embeddings = Vec::new();
    let mut start = 0;
    while start < pairs {
        let length = windows_per_forward.min(pairs - start);
        let pair = Tensor::arange_start(start, start + length, (Kind::Int64, device));
        let blanked = images.index_select(0, &pair.divide_scalar_mode(windows, "floor"))
            * pixel_masks.index_select(0, &pair.remainder(windows));
        let (global, _) = clip.f_encode_image(&blanked, &[])?;
        embeddings.push(global);
        start += length;
    }
    let embeddings = Tensor::cat(&embeddings, 0);
    let width = embeddings.size()[1];
    Ok(embeddings.view([batch, windows, width]))
}

/// Per window, 1 on the pixels of its patches and 0 elsewhere: `[W, 1, S, S]`.
fn pixel_masks(layout: &WindowLayout, grid: i64, patch_size: i64) -> Tensor {
    layout
        .coverage
        .view([-1, 1, grid, grid])
        .repeat_interleave_self_int(patch_size, 2, None)
        .repeat_interleave_self_int(patch_size, 3, None)
}
