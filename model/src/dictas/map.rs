//! The test-time anomaly map: a support dictionary per layer and scale, looked up by every
//! query image.

use anyhow::{bail, ensure, Result};
use tch::{Kind, Tensor};

use super::window::{grid_to_tokens, tokens_to_grid, window_average};
use super::{DictAs, Lookup};

/// Keys and values of a class's support dictionary for every (layer, scale), computed once and
/// reused for all query images (the reference recomputes them per query; the numbers are the
/// same). Inference only: built without gradients.
pub struct SupportDictionary {
    grid: i64,
    scales: Vec<i64>,
    /// `entries[layer][scale]` = (keys, values), each `[1, k*grid*grid, C]`.
    entries: Vec<Vec<(Tensor, Tensor)>>,
}

impl SupportDictionary {
    /// Number of layers the dictionary was built for.
    pub fn layers(&self) -> usize {
        self.entries.len()
    }

    pub fn grid(&self) -> i64 {
        self.grid
    }

    pub fn scales(&self) -> &[i64] {
        &self.scales
    }
}

impl DictAs {
    /// Builds the dictionary of SPEC section 3 from `support_layers[i]`: one layer's tokens of
    /// all k support images, `[1, k*grid*grid, C]` (image-major) or `[k, grid*grid, C]`. For
    /// each scale s every support image is window-averaged on its own grid, then all k images'
    /// tokens form one dictionary: keys gK, values gV.
    pub fn build_dictionary(&self, support_layers: &[Tensor], grid: i64, scales: &[i64]) -> Result<SupportDictionary> {
        check_scales(scales)?;
        ensure!(!support_layers.is_empty(), "no support layers given");
        let tokens = grid * grid;
        let _no_grad = tch::no_grad_guard();
        let mut entries = Vec::with_capacity(support_layers.len());
        for (i, support) in support_layers.iter().enumerate() {
            let s = support.size();
            ensure!(
                s.len() == 3 && s[2] == self.width && s[0] * s[1] > 0 && s[0] * s[1] % tokens == 0,
                "support layer {i} has shape {s:?}, expected [1, k*{tokens}, {w}] or [k, {tokens}, {w}]",
                w = self.width
            );
            let per_image = tokens_to_grid(&support.reshape([-1, tokens, self.width]), grid);
            let per_scale = scales
                .iter()
                .map(|&scale| {
                    let averaged = grid_to_tokens(&window_average(&per_image, scale)).reshape([1, -1, self.width]);
                    self.keys_and_values(&averaged)
                })
                .collect();
            entries.push(per_scale);
        }
        Ok(SupportDictionary { grid, scales: scales.to_vec(), entries })
    }

    /// The anomaly maps `[B, S, S]` of query tokens against a built dictionary.
    /// `query_layers[i]`: CLIP patch tokens `[B, grid*grid, C]` of the dictionary's i-th layer
    /// (gV is applied here). For each layer and scale: window-average the query grid, look up,
    /// `1 - (cos + 1) / 2` on the grid, bilinear upsampling (corners aligned) to `image_size`;
    /// the result is the mean of all layer x scale maps. Runs without gradients.
    pub fn anomaly_map_with(
        &self,
        dictionary: &SupportDictionary,
        query_layers: &[Tensor],
        image_size: i64,
        lookup: Lookup,
    ) -> Result<Tensor> {
        let (grid, tokens) = (dictionary.grid, dictionary.grid * dictionary.grid);
        ensure!(
            query_layers.len() == dictionary.layers(),
            "{} query layers for a dictionary of {} layers",
            query_layers.len(),
            dictionary.layers()
        );
        for (i, q) in query_layers.iter().enumerate() {
            let s = q.size();
            ensure!(
                s.len() == 3 && s[1] == tokens && s[2] == self.width,
                "query layer {i} has shape {s:?}, expected [B, {tokens}, {}]",
                self.width
            );
        }
        let _no_grad = tch::no_grad_guard();
        let mut maps = Vec::with_capacity(query_layers.len() * dictionary.scales.len());
        for (query, per_scale) in query_layers.iter().zip(&dictionary.entries) {
            let query_grid = tokens_to_grid(&self.value_generator(query), grid);
            for (&scale, (keys, values)) in dictionary.scales.iter().zip(per_scale) {
                let averaged = window_average(&query_grid, scale);
                let retrieved = self.retrieve(&grid_to_tokens(&averaged), keys, values, lookup);
                let cos = Tensor::cosine_similarity(&averaged, &tokens_to_grid(&retrieved, grid), 1, 1e-8);
                // Written as the reference does, `1 - (cos + 1) * 0.5`, to keep its rounding.
                let distance = ((cos + 1.0) * 0.5).neg() + 1.0;
                let upsampled = distance
                    .unsqueeze(1)
                    .upsample_bilinear2d([image_size, image_size], true, None, None)
                    .squeeze_dim(1);
                maps.push(upsampled);
            }
        }
        Ok(Tensor::stack(&maps, 0).mean_dim([0i64].as_slice(), false, Kind::Float))
    }

    /// The test-time anomaly map `[B, S, S]` of SPEC section 3 in one call:
    /// [`DictAs::build_dictionary`] from `support_layers`, then [`DictAs::anomaly_map_with`]
    /// for `query_layers`. When many query images share one support set, build the dictionary
    /// once instead.
    ///
    /// Panics on inconsistent shapes; [`DictAs::f_anomaly_map`] reports them as errors.
    pub fn anomaly_map(
        &self,
        query_layers: &[Tensor],
        support_layers: &[Tensor],
        grid: i64,
        scales: &[i64],
        image_size: i64,
        lookup: Lookup,
    ) -> Tensor {
        self.f_anomaly_map(query_layers, support_layers, grid, scales, image_size, lookup)
            .unwrap_or_else(|e| panic!("anomaly_map: {e:#}"))
    }

    /// Fallible form of [`DictAs::anomaly_map`].
    pub fn f_anomaly_map(
        &self,
        query_layers: &[Tensor],
        support_layers: &[Tensor],
        grid: i64,
        scales: &[i64],
        image_size: i64,
        lookup: Lookup,
    ) -> Result<Tensor> {
        let dictionary = self.build_dictionary(support_layers, grid, scales)?;
        self.anomaly_map_with(&dictionary, query_layers, image_size, lookup)
    }
}

fn check_scales(scales: &[i64]) -> Result<()> {
    ensure!(!scales.is_empty(), "no scales given");
    if let Some(bad) = scales.iter().find(|&&s| s < 1) {
        bail!("scale {bad} is not a positive window size");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::tests::random_module;
    use super::*;
    use tch::Device;

    #[test]
    fn anomaly_map_has_image_shape_and_range() {
        let (_vs, module) = random_module(32);
        let query = [Tensor::randn([2, 16, 32], (Kind::Float, Device::Cpu))];
        let support = [Tensor::randn([1, 3 * 16, 32], (Kind::Float, Device::Cpu))];
        let map = module.anomaly_map(&query, &support, 4, &[1, 3], 20, Lookup::Sparsemax);
        assert_eq!(map.size(), vec![2, 20, 20]);
        assert!(map.min().double_value(&[]) >= 0.0 && map.max().double_value(&[]) <= 1.0);
        let err = module
            .f_anomaly_map(&query, &support, 5, &[1], 20, Lookup::Sparsemax)
            .unwrap_err()
            .to_string();
        assert!(err.contains("[1, 48, 32]") && err.contains("[1, k*25, 32]"), "{err}");
        let wrong_query = [Tensor::randn([2, 9, 32], (Kind::Float, Device::Cpu))];
        let err = module
            .f_anomaly_map(&wrong_query, &support, 4, &[1], 20, Lookup::Sparsemax)
            .unwrap_err()
            .to_string();
        assert!(err.contains("[2, 9, 32]") && err.contains("[B, 16, 32]"), "{err}");
    }

    /// One layer, one scale, written out step by step with each support image averaged alone.
    #[test]
    fn single_scale_map_follows_the_definition() {
        let (_vs, module) = random_module(32);
        let (grid, k, scale, size) = (4i64, 2i64, 3i64, 9i64);
        let query = Tensor::randn([1, grid * grid, 32], (Kind::Float, Device::Cpu));
        let support = Tensor::randn([k, grid * grid, 32], (Kind::Float, Device::Cpu));
        let got = module.anomaly_map(&[query.shallow_clone()], &[support.shallow_clone()], grid, &[scale], size, Lookup::Softmax);

        let _no_grad = tch::no_grad_guard();
        let q = window_average(&tokens_to_grid(&module.value_generator(&query), grid), scale);
        let per_image: Vec<Tensor> = (0..k)
            .map(|i| grid_to_tokens(&window_average(&tokens_to_grid(&support.narrow(0, i, 1), grid), scale)))
            .collect();
        let dictionary = Tensor::cat(&per_image, 1);
        let retrieved = module.lookup(&grid_to_tokens(&q), &dictionary, Lookup::Softmax);
        let cos = Tensor::cosine_similarity(&q, &tokens_to_grid(&retrieved, grid), 1, 1e-8);
        let expected = ((cos.neg() + 1.0) / 2.0).unsqueeze(1).upsample_bilinear2d([size, size], true, None, None).squeeze_dim(1);
        let err = (got - expected).abs().max().double_value(&[]);
        assert!(err < 1e-6, "max error {err}");
    }
}
