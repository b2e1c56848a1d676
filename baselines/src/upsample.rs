//! From patch-grid maps to image-sized maps.

use tch::Tensor;

/// Upsamples each `[B, g, g]` map bilinearly (align_corners on, as the DictAS maps are) to
/// `[B, image_size, image_size]` and averages them.
pub(crate) fn mean_of_upsampled(grid_maps: &[Tensor], image_size: i64) -> Tensor {
    let upsampled: Vec<Tensor> = grid_maps
        .iter()
        .map(|m| m.unsqueeze(1).upsample_bilinear2d([image_size, image_size], true, None, None).squeeze_dim(1))
        .collect();
    Tensor::stack(&upsampled, 0).mean_dim([0i64].as_slice(), false, tch::Kind::Float)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corners_are_kept_and_layers_averaged() {
        // Grid 2 -> side 3 with align_corners: corners copy the grid values, the centre is the
        // mean of all four, edge midpoints the mean of two (bilinear by hand).
        let a = Tensor::from_slice(&[0.0f32, 2.0, 4.0, 6.0]).view([1, 2, 2]);
        let b = Tensor::from_slice(&[2.0f32, 2.0, 2.0, 2.0]).view([1, 2, 2]);
        let m = mean_of_upsampled(&[a, b], 3);
        assert_eq!(m.size(), [1, 3, 3]);
        let got = Vec::<f32>::try_from(m.flatten(0, -1)).unwrap();
        let expect = [1.0f32, 1.5, 2.0, 2.0, 2.5, 3.0, 3.0, 3.5, 4.0];
        for (g, e) in got.iter().zip(expect) {
            assert!((g - e).abs() < 1e-6, "{got:?}");
        }
    }
}
