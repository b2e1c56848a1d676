//! The memory-bank nearest-neighbour baseline.

use anyhow::{Context, Result};
use tch::Tensor;

use crate::layers::{check_token_inputs, l2_normalize};
use crate::similarity::nearest_cosine_distance;
use crate::upsample::mean_of_upsampled;

/// Token-based baselines: query tokens per layer `[B, N, C]` and the support dictionary per
/// layer `[1, M, C]` (all k support images' tokens concatenated, image-major), `grid = sqrt(N)`.
/// Returns raw maps `[B, image_size, image_size]` (mean over layers of bilinearly upsampled
/// (align_corners = true) per-layer maps), on the input device, f32.
///
/// Per layer, the anomaly of a query patch is `min_m (1 - cos(q, s_m)) / 2` over all M support
/// tokens (cosine over channels), as in APRIL-GAN's few-shot memory bank and PatchCore without
/// coreset subsampling. Computed as matmuls of L2-normalized tokens, in blocks over M.
pub fn knn_maps(query: &[Tensor], support: &[Tensor], grid: i64, image_size: i64) -> Result<Tensor> {
    let inputs = check_token_inputs(query, support, grid, image_size).context("knn_maps")?;
    let grid_maps: Vec<Tensor> = tch::no_grad(|| {
        inputs
            .layers
            .iter()
            .map(|layer| {
                nearest_cosine_distance(&l2_normalize(&layer.query), &l2_normalize(&layer.support)).view([
                    inputs.batch,
                    grid,
                    grid,
                ])
            })
            .collect()
    });
    Ok(tch::no_grad(|| mean_of_upsampled(&grid_maps, image_size)))
}
