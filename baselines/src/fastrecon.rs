//! FastRecon (Fang et al., ICCV 2023, "FastRecon: Few-shot Industrial Anomaly Detection via
//! Fast Feature Reconstruction") on CLIP patch tokens.

use anyhow::{ensure, Context, Result};
use tch::{Kind, Tensor};

use crate::layers::{check_token_inputs, l2_normalize, LayerTokens};
use crate::upsample::mean_of_upsampled;

/// Settings of [`fastrecon_maps`].
#[derive(Debug, Clone, PartialEq)]
pub struct FastReconSettings {
    /// Ridge regularization `lambda` on the reconstruction weights, for unit-norm tokens; must
    /// be positive. Default 0.1. The paper has no ridge term (it keeps the support set smaller
    /// than the width instead, see [`fastrecon_maps`]).
    pub lambda: f64,
    /// Weight `delta` of FastRecon's distribution regularization, which pulls each
    /// reconstruction towards the mean support token at the same position; 0 turns it off.
    /// Default 2, the value of the public FastRecon implementation.
    pub distribution_weight: f64,
}

impl Default for FastReconSettings {
    fn default() -> Self {
        FastReconSettings { lambda: 0.1, distribution_weight: 2.0 }
    }
}

/// FastRecon maps; inputs and output as in [`crate::knn_maps`].
///
/// Per layer and query image, with `Q [N, C]` the L2-normalized query tokens, `S [M, C]` the
/// L2-normalized support tokens and `mu [N, C]` the mean of `S` over the `k = M / N` support
/// images at each patch position, the reconstruction weights solve
///
/// ```text
/// W = argmin_W ||Q - W S||^2 + delta ||W S - mu||^2 + lambda ||W||^2
///   = (Q + delta mu) S^T ((1 + delta) S S^T + lambda I_M)^-1
/// ```
///
/// so the reconstruction is `Q_hat = W S = T S^T (S S^T + lambda' I_M)^-1 S` with
/// `T = (Q + delta mu) / (1 + delta)` and `lambda' = lambda / (1 + delta)`, i.e. ridge
/// regression of `T` on the support tokens. The anomaly of patch n is `1 - cos(q_n, q_hat_n)`.
/// The operator `P = S^T (S S^T + lambda' I_M)^-1 S = (S^T S + lambda' I_C)^-1 S^T S` is built
/// once per layer in f64 by a Cholesky solve of the smaller system (`M x M` when `M < C`, else
/// `C x C`), and applied as `T P`.
///
/// Departures from the paper, which reconstructs WideResNet features: (1) the paper takes no
/// ridge term and instead reconstructs from a k-center-greedy coreset small enough for `S S^T`
/// to be invertible; here all M tokens are kept and `lambda > 0` does that job (with `M >= C`
/// and no regularization any query would be reconstructed exactly); (2) the anomaly is
/// `1 - cos` of unit-norm tokens instead of the L2 residual `||q - q_hat||`, so every layer
/// contributes on the same scale. `mu` needs `M` to be a multiple of `N` when `delta > 0`.
pub fn fastrecon_maps(
    query: &[Tensor],
    support: &[Tensor],
    grid: i64,
    image_size: i64,
    settings: &FastReconSettings,
) -> Result<Tensor> {
    settings.check().context("fastrecon_maps")?;
    let inputs = check_token_inputs(query, support, grid, image_size).context("fastrecon_maps")?;
    let grid_maps = tch::no_grad(|| {
        inputs
            .layers
            .iter()
            .enumerate()
            .map(|(index, layer)| {
                let map = layer_map(layer, settings).with_context(|| format!("fastrecon_maps: layer {index}"))?;
                Ok(map.view([inputs.batch, grid, grid]))
            })
            .collect::<Result<Vec<Tensor>>>()
    })?;
    Ok(tch::no_grad(|| mean_of_upsampled(&grid_maps, image_size)))
}

impl FastReconSettings {
    /// Errors naming the first setting out of range.
    pub fn check(&self) -> Result<()> {
        let FastReconSettings { lambda, distribution_weight } = *self;
        ensure!(
            lambda.is_finite() && lambda > 0.0,
            "FastRecon lambda is {lambda}, expected a finite positive ridge weight"
        );
        ensure!(
            distribution_weight.is_finite() && distribution_weight >= 0.0,
            "FastRecon distribution_weight is {distribution_weight}, expected a finite weight >= 0"
        );
        Ok(())
    }
}

/// `1 - cos(q, q_hat)` for every query token of one layer, `[B, N]`.
fn layer_map(layer: &LayerTokens, settings: &FastReconSettings) -> Result<Tensor> {
    let query = l2_normalize(&layer.query);
    let support = l2_normalize(&layer.support);
    let delta = settings.distribution_weight;
    let target = if delta > 0.0 {
        let mean = position_mean(&support, query.size()[1])?;
        (&query + mean * delta) / (1.0 + delta)
    } else {
        query.shallow_clone()
    };
    let operator = reconstruction_operator(&support, settings.lambda / (1.0 + delta))?;
    let reconstruction = target.matmul(&operator);
    let cosine = (&query * &reconstruction).sum_dim_intlist([-1i64].as_slice(), false, Kind::Float)
        / reconstruction.norm_scalaropt_dim(2, [-1], false).clamp_min(1e-12);
    Ok(1.0 - cosine)
}

/// Mean support token at each of the N patch positions, `[N, C]`, for an image-major `[M, C]`.
fn position_mean(support: &Tensor, patches: i64) -> Result<Tensor> {
    let (tokens, width) = support.size2()?;
    ensure!(
        tokens % patches == 0,
        "the support dictionary has {tokens} tokens, not a whole number of {patches}-patch images, \
         so the distribution regularization has no per-position mean (set distribution_weight to 0)"
    );
    Ok(support.view([tokens / patches, patches, width]).mean_dim([0i64].as_slice(), false, Kind::Float))
}

/// `P = S^T (S S^T + ridge I_M)^-1 S`, `[C, C]` f32, for support tokens `S [M, C]`.
fn reconstruction_operator(support: &Tensor, ridge: f64) -> Result<Tensor> {
    let s = support.to_kind(Kind::Double);
    let (tokens, width) = s.size2()?;
    let options = (Kind::Double, s.device());
    let operator = if width <= tokens {
        // Primal: (S^T S + ridge I_C)^-1 S^T S, the same matrix by the push-through identity.
        let gram = s.tr().matmul(&s);
        let factor = cholesky(&(&gram + Tensor::eye(width, options) * ridge))?;
        gram.cholesky_solve(&factor, false)
    } else {
        let kernel = s.matmul(&s.tr());
        let factor = cholesky(&(kernel + Tensor::eye(tokens, options) * ridge))?;
        s.tr().matmul(&s.cholesky_solve(&factor, false))
    };
    Ok(operator.to_kind(Kind::Float))
}

/// Lower Cholesky factor of a matrix that is positive definite for finite tokens and a
/// positive ridge.
fn cholesky(system: &Tensor) -> Result<Tensor> {
    let (factor, info) = system.linalg_cholesky_ex(false, false);
    ensure!(
        info.int64_value(&[]) == 0,
        "the regularized support Gram matrix is not positive definite (non-finite support tokens?)"
    );
    Ok(factor)
}
