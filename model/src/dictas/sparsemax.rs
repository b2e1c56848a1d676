//! Sparsemax (Martins & Astudillo, 2016): the Euclidean projection of a score vector onto the
//! probability simplex, so most dictionary entries get exactly zero weight.

use tch::Tensor;

/// Sparsemax over the last axis, with the same sequence of tensor operations as the
/// reference's `Sparse_Lookup` (shift by the max, sort descending, cumulative sums, support
/// size k, threshold tau). Differentiable through autograd, which is also how the reference
/// trains it (its hand-written `backward` is never called by autograd).
pub fn sparsemax(scores: &Tensor) -> Tensor {
    let kind = scores.kind();
    let n = *scores.size().last().expect("sparsemax of a scalar");
    let shifted = scores - scores.max_dim(-1, true).0;
    let (sorted, _) = shifted.sort(-1, true);
    let rank = Tensor::arange_start(1, n + 1, (kind, scores.device()));
    let bound = &rank * &sorted + 1.0;
    let cumulative = sorted.cumsum(-1, kind);
    let in_support = bound.gt_tensor(&cumulative).to_kind(kind);
    let support_size = (&in_support * &rank).amax([-1i64].as_slice(), true);
    let support_sum = (&in_support * &sorted).sum_dim_intlist([-1i64].as_slice(), true, kind);
    let tau = (support_sum - 1.0) / support_size;
    let projected = shifted - tau;
    projected.maximum(&projected.zeros_like())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tch::Kind;

    fn values(t: &Tensor) -> Vec<f32> {
        Vec::<f32>::try_from(t.flatten(0, -1)).unwrap()
    }

    #[test]
    fn projects_onto_the_simplex() {
        // By hand: sorted z = (1, 0.5, -1). k = 2 since 1 + 2*0.5 > 1.5 but 1 + 3*(-1) < 0.5;
        // tau = (1 + 0.5 - 1) / 2 = 0.25, so p = (0.75, 0.25, 0).
        let p = values(&sparsemax(&Tensor::from_slice(&[1.0f32, 0.5, -1.0])));
        assert_eq!(p, [0.75, 0.25, 0.0]);
        // Order does not matter, and a dominant entry takes all the mass.
        let p = values(&sparsemax(&Tensor::from_slice(&[-1.0f32, 3.0, 0.5])));
        assert_eq!(p, [0.0, 1.0, 0.0]);
    }

    #[test]
    fn rows_sum_to_one_and_are_nonnegative() {
        tch::manual_seed(7);
        let scores = Tensor::randn([3, 5, 40], (Kind::Float, tch::Device::Cpu)) * 2.0;
        let p = sparsemax(&scores);
        let sums = p.sum_dim_intlist([-1i64].as_slice(), false, Kind::Float);
        assert!((sums - 1.0).abs().max().double_value(&[]) < 1e-5);
        assert!(p.min().double_value(&[]) >= 0.0);
        // Sparse: with spread-out scores most weights are exactly zero.
        let zeros = p.eq(0.0).sum(Kind::Int64).int64_value(&[]);
        assert!(zeros > 3 * 5 * 20, "{zeros} zeros");
    }
}
