//! The three training losses of DictAS (SPEC section 5), computed for one batch exactly as the
//! reference's training step: the query loss Lq, the contrastive query constraint Lcqc and the
//! text alignment constraint Ltac.

use anyhow::{ensure, Result};
use dictas_model::dictas::{grid_to_tokens, tokens_to_grid, window_average, FUSED_LAYERS};
use dictas_model::{DictAs, Lookup};
use tch::{Kind, Reduction, Tensor};

/// Added to the mask sums and the count of contributing samples, as the reference does.
const DENOMINATOR_EPS: f64 = 1e-6;
/// `torch.nn.functional.cosine_similarity`'s default eps.
const COSINE_EPS: f64 = 1e-8;
/// CLIP's logit scale used by the reference for the text alignment logits.
const TEXT_LOGIT_SCALE: f64 = 100.0;

/// Weights and scales of the loss.
#[derive(Debug, Clone, PartialEq)]
pub struct LossSettings {
    /// Window sizes of the multi-scale lookup (the reference's `scale_list`).
    pub scales: Vec<i64>,
    /// Weight of Lcqc.
    pub lambda1: f64,
    /// Weight of Ltac.
    pub lambda2: f64,
}

/// One batch of CLIP features and labels.
pub struct LossInputs<'a> {
    /// Query patch tokens per layer `[B, H*W, C]`, class token removed, not yet passed through gV.
    pub query_layers: &'a [Tensor],
    /// Paired support patch tokens per layer `[B, H*W, C]` (query i's dictionary is support i).
    pub support_layers: &'a [Tensor],
    /// Query ground truth `[B, S, S]` of 0/1 floats.
    pub query_masks: &'a Tensor,
    /// Anomaly flag per query, int64 `[B]`.
    pub labels: &'a Tensor,
    /// Text matrix of each query's class `[B, embed_dim, 2]` (normal, abnormal).
    pub text: &'a Tensor,
    /// Late phase: query tokens pass through the (frozen) value generator first.
    pub route_query_through_value_generator: bool,
}

/// Scalar loss tensors of one batch; `total` carries the graph for `backward`.
pub struct StepLosses {
    pub total: Tensor,
    /// Lq summed over layers x scales.
    pub query: Tensor,
    /// Lcqc summed over layers x scales.
    pub cqc: Tensor,
    /// Cross-entropy of the fused query feature against the anomaly label.
    pub tac_query: Tensor,
    /// Cross-entropy of the fused retrieved feature against the label "normal".
    pub tac_retrieved: Tensor,
}

/// Plain numbers of [`StepLosses`], for logs.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct LossValues {
    pub total: f64,
    pub query: f64,
    pub cqc: f64,
    pub tac_query: f64,
    pub tac_retrieved: f64,
}

impl StepLosses {
    pub fn values(&self) -> LossValues {
        LossValues {
            total: self.total.double_value(&[]),
            query: self.query.double_value(&[]),
            cqc: self.cqc.double_value(&[]),
            tac_query: self.tac_query.double_value(&[]),
            tac_retrieved: self.tac_retrieved.double_value(&[]),
        }
    }
}

/// The reference's training loss for one batch (its `MyDictionary.forward` in `train_self`
/// mode plus the text alignment terms of its training loop).
pub fn training_losses(model: &DictAs, inputs: &LossInputs, settings: &LossSettings) -> Result<StepLosses> {
    check_shapes(model, inputs)?;
    let (batch, tokens, _) = inputs.query_layers[0].size3()?;
    let grid = (tokens as f64).sqrt().round() as i64;
    ensure!(grid * grid == tokens, "{tokens} patch tokens do not form a square grid");

    let query_layers: Vec<Tensor> = if inputs.route_query_through_value_generator {
        inputs.query_layers.iter().map(|q| model.value_generator(q)).collect()
    } else {
        inputs.query_layers.iter().map(Tensor::shallow_clone).collect()
    };
    let (normal, abnormal) = grid_masks(inputs.query_masks, grid);

    let mut query_loss = Tensor::zeros([], (Kind::Float, inputs.query_masks.device()));
    let mut cqc_loss = query_loss.zeros_like();
    let mut retrieved_scale1 = Vec::with_capacity(query_layers.len());
    for (query, support) in query_layers.iter().zip(inputs.support_layers) {
        let query_grid = tokens_to_grid(query, grid);
        let support_grid = tokens_to_grid(support, grid);
        for &scale in &settings.scales {
            let query_avg = window_average(&query_grid, scale);
            let support_avg = window_average(&support_grid, scale);
            let retrieved = model.lookup(&grid_to_tokens(&query_avg), &grid_to_tokens(&support_avg), Lookup::Sparsemax);
            if scale == 1 {
                retrieved_scale1.push(retrieved.shallow_clone());
            }
            let cos = Tensor::cosine_similarity(&query_avg, &tokens_to_grid(&retrieved, grid), 1, COSINE_EPS);
            let distance = (cos.neg() + 1.0).unsqueeze(1).reshape([batch, -1]);
            let (normal_mean, cqc) = distance_terms(&distance, &normal, &abnormal);
            query_loss = query_loss + normal_mean.mean(Kind::Float);
            cqc_loss = cqc_loss + cqc;
        }
    }
    ensure!(
        retrieved_scale1.len() == query_layers.len(),
        "the scales {:?} must include 1: the text alignment uses the scale-1 lookups",
        settings.scales
    );

    let unit = |t: &Tensor| t / t.norm_scalaropt_dim(2, [-1i64].as_slice(), true);
    let query_unit: Vec<Tensor> = query_layers.iter().map(unit).collect();
    let retrieved_unit: Vec<Tensor> = retrieved_scale1.iter().map(unit).collect();
    let fused_retrieved = unit(&model.fuse_feature(&retrieved_unit));
    let fused_query = unit(&model.fuse_feature(&query_unit));
    let tac_query = text_cross_entropy(&fused_query, inputs.text, inputs.labels);
    let tac_retrieved = text_cross_entropy(&fused_retrieved, inputs.text, &inputs.labels.zeros_like());

    let tac = &tac_retrieved + &tac_query;
    let total = &query_loss + &cqc_loss * settings.lambda1 + tac * settings.lambda2;
    Ok(StepLosses { total, query: query_loss, cqc: cqc_loss, tac_query, tac_retrieved })
}

/// Masks on the patch grid: bilinear downsampling (corners aligned) of `[B, S, S]`, then
/// values above 0.5 become 1 and below 0.5 become 0 (exactly 0.5 stays, as in the reference).
/// Returns (normal = positions equal to 0, abnormal), each `[B, H*W]`.
fn grid_masks(masks: &Tensor, grid: i64) -> (Tensor, Tensor) {
    let down = masks.to_kind(Kind::Float).unsqueeze(1).upsample_bilinear2d([grid, grid], true, None, None);
    let ones = down.ones_like();
    let zeros = down.zeros_like();
    // tch's `a.where_self(cond, b)` is `torch.where(cond, a, b)`.
    let abnormal = ones.where_self(&down.gt(0.5), &zeros.where_self(&down.lt(0.5), &down));
    let normal = abnormal.eq(0.0).to_kind(Kind::Float);
    let batch = masks.size()[0];
    (normal.reshape([batch, -1]), abnormal.reshape([batch, -1]))
}

/// Per sample: mean distance on normal and on abnormal positions. Returns (normal means
/// `[B]`, Lcqc): the hinge `max(normal - abnormal, 0)`, zero for a sample whose abnormal mean
/// is 0, averaged over the samples where it is non-zero.
fn distance_terms(distance: &Tensor, normal: &Tensor, abnormal: &Tensor) -> (Tensor, Tensor) {
    let masked_mean = |mask: &Tensor| {
        (distance * mask).sum_dim_intlist([1i64].as_slice(), false, Kind::Float)
            / (mask.sum_dim_intlist([1i64].as_slice(), false, Kind::Float) + DENOMINATOR_EPS)
    };
    let normal_mean = masked_mean(normal);
    let abnormal_mean = masked_mean(abnormal);
    let gap = &normal_mean - &abnormal_mean;
    let dropped = abnormal_mean.eq(0.0).logical_or(&gap.lt(0.0));
    let hinge = gap.zeros_like().where_self(&dropped, &gap);
    let contributing = hinge.ne(0.0).sum(Kind::Float);
    let cqc = hinge.sum(Kind::Float) / (contributing + DENOMINATOR_EPS);
    (normal_mean, cqc)
}

/// Mean cross-entropy of `100 * feature @ text` `[B, 2]` against `labels`.
fn text_cross_entropy(feature: &Tensor, text: &Tensor, labels: &Tensor) -> Tensor {
    let logits = (feature.unsqueeze(1) * TEXT_LOGIT_SCALE).matmul(text).squeeze_dim(1);
    logits.cross_entropy_loss::<Tensor>(labels, None, Reduction::Mean, -100, 0.0)
}

fn check_shapes(model: &DictAs, inputs: &LossInputs) -> Result<()> {
    let layers = inputs.query_layers.len();
    ensure!(
        layers as i64 == FUSED_LAYERS,
        "training needs exactly {FUSED_LAYERS} feature layers (the fused head concatenates them), got {layers}"
    );
    ensure!(
        inputs.support_layers.len() == layers,
        "{} support layers for {layers} query layers",
        inputs.support_layers.len()
    );
    let shape = inputs.query_layers[0].size();
    ensure!(
        shape.len() == 3 && shape[2] == model.width(),
        "query tokens have shape {shape:?}, expected [B, N, {}]",
        model.width()
    );
    for (q, s) in inputs.query_layers.iter().zip(inputs.support_layers) {
        ensure!(q.size() == shape && s.size() == shape, "query and support tokens must all have shape {shape:?}");
    }
    let batch = shape[0];
    let mask = inputs.query_masks.size();
    ensure!(mask.len() == 3 && mask[0] == batch, "query masks have shape {mask:?}, expected [{batch}, S, S]");
    ensure!(inputs.labels.size() == [batch], "labels have shape {:?}, expected [{batch}]", inputs.labels.size());
    let text = inputs.text.size();
    ensure!(
        text.len() == 3 && text[0] == batch && text[2] == 2,
        "text matrices have shape {text:?}, expected [{batch}, embed_dim, 2]"
    );
    Ok(())
}
