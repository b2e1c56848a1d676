//! Training-free few-shot anomaly segmentation baselines on the CLIP backbone.
//!
//! Each baseline is a pure function from CLIP features (or, for WinCLIP, the CLIP model and
//! images) to raw anomaly maps `[B, S, S]` in f32; smoothing and metrics are the evaluation
//! runner's job.
//!
//! - [`knn_maps`]: memory-bank nearest neighbour over the support patch tokens (the few-shot
//!   protocol of APRIL-GAN, PatchCore without coreset).
//! - [`fastrecon_maps`]: FastRecon, query tokens reconstructed from the support tokens by
//!   closed-form regularized least squares.
//! - [`winclip_maps`]: WinCLIP+, multi-scale window text scores plus few-shot association with
//!   the support windows and patch tokens; window embeddings from token-subset forwards, as
//!   the paper computes them, and WinCLIP's compositional prompt ensemble
//!   ([`winclip_prompts`]).

mod fastrecon;
mod knn;
mod layers;
mod similarity;
mod upsample;
mod winclip;

pub use fastrecon::{fastrecon_maps, FastReconSettings};
pub use knn::knn_maps;
pub use winclip::prompts as winclip_prompts;
pub use winclip::{
    winclip_branches, winclip_maps, winclip_memory, WinClipBranches, WinClipMemory, WinClipSettings, WINCLIP_NAME,
};
