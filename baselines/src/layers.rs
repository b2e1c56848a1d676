//! Checking the per-layer token inputs shared by the token-based baselines.

use anyhow::{bail, ensure, Result};
use tch::{Device, Kind, Tensor};

/// One layer's tokens after validation: f32, on the device of the first query layer.
pub(crate) struct LayerTokens {
    /// `[B, N, C]` with `N = grid * grid`.
    pub query: Tensor,
    /// `[M, C]`: the support dictionary without its leading batch axis of 1.
    pub support: Tensor,
}

/// The validated inputs of a token-based baseline.
pub(crate) struct TokenInputs {
    pub layers: Vec<LayerTokens>,
    pub batch: i64,
}

/// Validates query tokens `[B, N, C]` and support dictionaries `[1, M, C]` per layer, with
/// `N = grid * grid`, the same `B` in every layer and `C` equal between query and support of a
/// layer (widths may differ between layers).
pub(crate) fn check_token_inputs(
    query: &[Tensor],
    support: &[Tensor],
    grid: i64,
    image_size: i64,
) -> Result<TokenInputs> {
    ensure!(!query.is_empty(), "no layers given: expected at least one layer of query and support tokens");
    ensure!(
        query.len() == support.len(),
        "query tokens have {} layers but support tokens have {}; expected one support dictionary per query layer",
        query.len(),
        support.len()
    );
    ensure!(grid > 0, "grid is {grid}, expected a positive patch-grid side");
    ensure!(image_size > 0, "image size is {image_size}, expected a positive map side");

    let device = query[0].device();
    let batch = match query[0].size().as_slice() {
        [b, _, _] => *b,
        other => bail!("layer 0: query tokens have shape {other:?}, expected [B, grid*grid, C]"),
    };
    let mut layers = Vec::with_capacity(query.len());
    for (index, (q, s)) in query.iter().zip(support).enumerate() {
        layers.push(check_layer(index, q, s, batch, grid, device)?);
    }
    Ok(TokenInputs { layers, batch })
}

fn check_layer(
    index: usize,
    query: &Tensor,
    support: &Tensor,
    batch: i64,
    grid: i64,
    device: Device,
) -> Result<LayerTokens> {
    let patches = grid * grid;
    let q_size = query.size();
    let width = match q_size.as_slice() {
        [b, n, c] if *b == batch && *n == patches && *c > 0 => *c,
        _ => bail!(
            "layer {index}: query tokens have shape {q_size:?}, expected [{batch}, {patches}, C] \
             (batch of layer 0, grid {grid} x {grid} patches)"
        ),
    };
    let s_size = support.size();
    match s_size.as_slice() {
        [1, m, c] if *m > 0 && *c == width => {}
        [1, m, c] if *m > 0 => bail!(
            "layer {index}: support tokens have width {c} but query tokens have width {width}; \
             both must come from the same layer"
        ),
        _ => bail!("layer {index}: support tokens have shape {s_size:?}, expected [1, M, {width}] with M > 0"),
    }
    ensure!(
        query.is_floating_point() && support.is_floating_point(),
        "layer {index}: tokens have kinds {:?} (query) and {:?} (support), expected floating point",
        query.kind(),
        support.kind()
    );
    Ok(LayerTokens {
        query: query.to_device(device).to_kind(Kind::Float),
        support: support.to_device(device).to_kind(Kind::Float).squeeze_dim(0),
    })
}

/// Scales each vector along the last axis to unit L2 norm (vectors of norm below 1e-12 are
/// divided by 1e-12, as `torch.nn.functional.normalize` does).
pub(crate) fn l2_normalize(x: &Tensor) -> Tensor {
    x / x.norm_scalaropt_dim(2, [-1], true).clamp_min(1e-12)
}
