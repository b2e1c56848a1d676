//! WinCLIP+ (Jeong et al., CVPR 2023, "WinCLIP: Zero-/Few-Shot Anomaly Classification and
//! Segmentation"), with approximated window embeddings.
//!
//! Per query image on the `g x g` patch grid:
//! - zero-shot: the text anomaly score (tempered softmax over the class text matrix of
//!   WinCLIP's compositional prompt ensemble, see `prompts.rs`) of the image embedding and of
//!   every window embedding; window scores of each scale are harmonically aggregated to
//!   patches; the image score (broadcast) and the per-scale maps are combined by their
//!   harmonic mean;
//! - few-shot: `(1 - max cos) / 2` of each penultimate-layer patch token against all support
//!   patch tokens, and of each window embedding against all support windows of the same scale
//!   (harmonically aggregated to patches); the mean of these maps;
//! - the map is the mean of both branches, upsampled bilinearly (align_corners on) to S x S.
//!
//! Window embeddings are computed as WinCLIP does, from the class token and the window's patch
//! tokens only (see `embed.rs`). Details the paper leaves open follow anomalib's
//! implementation (temperature 0.07, sentence embeddings averaged without normalization).
//! One addition: with a stride above 1, the last window of a row is moved flush with the grid
//! edge so every patch is covered.

mod embed;
pub mod prompts;
mod windows;

use anyhow::{bail, ensure, Context, Result};
use tch::Tensor;

use dictas_model::ClipModel;

use crate::layers::l2_normalize;
use crate::similarity::nearest_cosine_distance;
use crate::upsample::mean_of_upsampled;
use embed::window_embeddings;
use prompts::{class_text_matrix, text_scores, PromptEnsemble};
use windows::{check_window, check_window_shape, harmonic_mean, WindowLayout};

/// The name under which results of this implementation are reported.
pub const WINCLIP_NAME: &str = "WinCLIP+";

/// Settings of [`winclip_memory`] and [`winclip_maps`]; both calls must get the same values.
#[derive(Debug, Clone, PartialEq)]
pub struct WinClipSettings {
    /// Window sides in patches. Default `[2, 3]` (WinCLIP's small and mid scales).
    pub scales: Vec<i64>,
    /// Step between window corners in patches. Default 1.
    pub stride: i64,
    /// Images per CLIP forward when encoding windows (memory only, no effect on the result).
    /// Default 32.
    pub windows_per_forward: i64,
    /// Prompt ensemble of the zero-shot branch. Default WinCLIP's own.
    pub prompts: PromptEnsemble,
    /// Softmax temperature of the text score. Default 0.07.
    pub temperature: f64,
}

impl WinClipSettings {
    /// Errors naming the first setting out of range (the checks that need no model; the
    /// window sides are checked against the patch grid when the model is known).
    pub fn check(&self) -> Result<()> {
        ensure!(
            self.temperature.is_finite() && self.temperature > 0.0,
            "WinCLIP temperature is {}, expected a positive number",
            self.temperature
        );
        ensure!(
            self.windows_per_forward >= 1,
            "WinCLIP windows_per_forward is {}, expected at least 1",
            self.windows_per_forward
        );
        ensure!(!self.scales.is_empty(), "WinCLIP needs at least one window scale");
        for &side in &self.scales {
            check_window_shape(side, self.stride)
                .with_context(|| format!("WinCLIP scale {side} with stride {}", self.stride))?;
        }
        Ok(())
    }
}

impl Default for WinClipSettings {
    fn default() -> Self {
        WinClipSettings {
            scales: vec![2, 3],
            stride: 1,
            windows_per_forward: 32,
            prompts: PromptEnsemble::WinClip,
            temperature: 0.07,
        }
    }
}

/// What WinCLIP+ keeps of a class: its text matrix and the k support images' features (all
/// unit-normalized, on the model's device).
pub struct WinClipMemory {
    settings: WinClipSettings,
    image_size: i64,
    support_images: i64,
    /// The class text matrix `[embed_dim, 2]` (normal, anomalous).
    text: Tensor,
    /// Penultimate-layer patch tokens of all support images, `[k * g * g, C]`.
    patch_tokens: Tensor,
    /// Per scale, the window embeddings of all support images, `[k * W_s, embed_dim]`.
    window_embeddings: Vec<Tensor>,
}

impl WinClipMemory {
    /// Number of support images.
    pub fn support_images(&self) -> i64 {
        self.support_images
    }
}

/// The two branches of WinCLIP+ on the patch grid, `[B, g, g]` each, on the model's device.
pub struct WinClipBranches {
    pub zero_shot: Tensor,
    pub few_shot: Tensor,
}

/// Builds the memory of class `class_name` (as written in prompts) from its support images
/// `[k, 3, S, S]` (normalized, S = the model's image size).
pub fn winclip_memory(
    clip: &ClipModel,
    support_images: &Tensor,
    class_name: &str,
    settings: &WinClipSettings,
) -> Result<WinClipMemory> {
    check_settings(clip, settings).context("winclip_memory")?;
    ensure!(
        support_images.dim() == 4 && support_images.size()[0] > 0,
        "winclip_memory: support images have shape {:?}, expected [k, 3, S, S] with k > 0",
        support_images.size()
    );
    tch::no_grad(|| {
        let text = class_text_matrix(clip, class_name, settings.prompts)
            .with_context(|| format!("winclip_memory: text prompts of class '{class_name}'"))?;
        let encoded = encode(clip, support_images, settings).context("winclip_memory")?;
        let width = encoded.patch_tokens.size()[2];
        Ok(WinClipMemory {
            settings: settings.clone(),
            image_size: clip.image_size(),
            support_images: support_images.size()[0],
            text,
            patch_tokens: encoded.patch_tokens.reshape([-1, width]),
            window_embeddings: encoded.window_embeddings.iter().map(|w| w.reshape([-1, w.size()[2]])).collect(),
        })
    })
}

/// WinCLIP+ maps `[B, S, S]` (f32, on the device of `query_images`) for normalized query images
/// `[B, 3, S, S]` and the class memory.
pub fn winclip_maps(
    clip: &ClipModel,
    query_images: &Tensor,
    memory: &WinClipMemory,
    settings: &WinClipSettings,
) -> Result<Tensor> {
    let branches = winclip_branches(clip, query_images, memory, settings)?;
    let combined = (&branches.zero_shot + &branches.few_shot) / 2.0;
    Ok(tch::no_grad(|| mean_of_upsampled(&[combined], clip.image_size())).to_device(query_images.device()))
}

/// The zero-shot and few-shot maps of [`winclip_maps`] before they are combined and upsampled.
pub fn winclip_branches(
    clip: &ClipModel,
    query_images: &Tensor,
    memory: &WinClipMemory,
    settings: &WinClipSettings,
) -> Result<WinClipBranches> {
    check_settings(clip, settings).context("winclip_maps")?;
    ensure!(
        *settings == memory.settings && memory.image_size == clip.image_size(),
        "winclip_maps: the memory was built with {:?} at image size {}, but the query uses {:?} at {}",
        memory.settings,
        memory.image_size,
        settings,
        clip.image_size()
    );
    tch::no_grad(|| {
        let (text, temperature) = (&memory.text, settings.temperature);
        let encoded = encode(clip, query_images, settings).context("winclip_maps")?;
        let (batch, grid) = (encoded.global.size()[0], clip.grid());
        let mut zero_shot =
            vec![text_scores(&encoded.global, text, temperature).view([batch, 1]).expand([batch, grid * grid], false)];
        let mut few_shot = vec![nearest_cosine_distance(&encoded.patch_tokens, &memory.patch_tokens)];
        for ((layout, windows), support_windows) in
            encoded.layouts.iter().zip(&encoded.window_embeddings).zip(&memory.window_embeddings)
        {
            zero_shot.push(layout.harmonic_aggregation(&text_scores(windows, text, temperature)));
            few_shot.push(layout.harmonic_aggregation(&nearest_cosine_distance(windows, support_windows)));
        }
        let few_shot = Tensor::stack(&few_shot, 0).mean_dim([0i64].as_slice(), false, tch::Kind::Float);
        Ok(WinClipBranches {
            zero_shot: harmonic_mean(&zero_shot).view([batch, grid, grid]),
            few_shot: few_shot.view([batch, grid, grid]),
        })
    })
}

/// Everything WinCLIP+ reads from a batch of images, unit-normalized except `global`.
struct Encoded {
    /// Image embedding `[B, embed_dim]`.
    global: Tensor,
    /// Penultimate-layer patch tokens `[B, g * g, C]`.
    patch_tokens: Tensor,
    layouts: Vec<WindowLayout>,
    /// Per scale, `[B, W_s, embed_dim]`.
    window_embeddings: Vec<Tensor>,
}

fn encode(clip: &ClipModel, images: &Tensor, settings: &WinClipSettings) -> Result<Encoded> {
    let penultimate = clip.config().vision_layers - 1;
    let (global, mut taps) = clip.f_encode_image(images, &[penultimate])?;
    let patch_tokens = l2_normalize(&taps.remove(0));
    let mut layouts = Vec::with_capacity(settings.scales.len());
    let mut windows = Vec::with_capacity(settings.scales.len());
    for &side in &settings.scales {
        let layout = WindowLayout::new(clip.grid(), side, settings.stride, clip.device())?;
        windows.push(l2_normalize(&window_embeddings(clip, images, &layout, settings.windows_per_forward)?));
        layouts.push(layout);
    }
    Ok(Encoded { global, patch_tokens, layouts, window_embeddings: windows })
}

fn check_settings(clip: &ClipModel, settings: &WinClipSettings) -> Result<()> {
    if clip.config().vision_layers < 2 {
        bail!("WinCLIP needs the penultimate vision layer, but the model has {} layer", clip.config().vision_layers);
    }
    settings.check()?;
    for &side in &settings.scales {
        check_window(clip.grid(), side, settings.stride)
            .with_context(|| format!("WinCLIP scale {side} with stride {}", settings.stride))?;
    }
    Ok(())
}
