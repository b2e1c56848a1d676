//! Nearest-neighbour cosine distance to a bank of reference vectors, by chunked matmul.

use tch::Tensor;

/// Upper bound on the elements of one `[B, N, chunk]` similarity block (128 MiB of f32), so a
/// large bank (many support images at a high resolution) never needs a `[B, N, M]` buffer.
const SIMILARITY_BLOCK_ELEMENTS: i64 = 1 << 25;

/// For unit vectors `query [B, N, C]` and `bank [M, C]`: `(1 - max_m cos(query_n, bank_m)) / 2`
/// per query vector, `[B, N]`.
pub(crate) fn nearest_cosine_distance(query: &Tensor, bank: &Tensor) -> Tensor {
    nearest_cosine_distance_in_blocks(query, bank, SIMILARITY_BLOCK_ELEMENTS)
}

fn nearest_cosine_distance_in_blocks(query: &Tensor, bank: &Tensor, block_elements: i64) -> Tensor {
    let rows = query.size()[0] * query.size()[1];
    let bank_size = bank.size()[0];
    let chunk = (block_elements / rows.max(1)).clamp(1, bank_size.max(1));
    let mut best: Option<Tensor> = None;
    let mut start = 0;
    while start < bank_size {
        let length = chunk.min(bank_size - start);
        let similarity = query.matmul(&bank.narrow(0, start, length).tr()).amax([-1i64].as_slice(), false);
        best = Some(match best {
            Some(b) => b.maximum(&similarity),
            None => similarity,
        });
        start += length;
    }
    let best = best.expect("the bank has at least one vector");
    (1.0 - best) / 2.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use tch::{Device, Kind};

    #[test]
    fn blocks_do_not_change_the_result() {
        tch::manual_seed(7);
        let unit = |t: Tensor| &t / t.norm_scalaropt_dim(2, [-1], true);
        let query = unit(Tensor::randn([2, 5, 8], (Kind::Float, Device::Cpu)));
        let bank = unit(Tensor::randn([23, 8], (Kind::Float, Device::Cpu)));
        let whole = nearest_cosine_distance_in_blocks(&query, &bank, i64::MAX);
        // 10 rows and 30 elements per block: chunks of 3 bank vectors, the last one partial.
        let blocked = nearest_cosine_distance_in_blocks(&query, &bank, 30);
        assert_eq!(whole.size(), [2, 5]);
        // Blocks change only the BLAS summation order.
        assert!(whole.allclose(&blocked, 0.0, 1e-6, false));
    }

    #[test]
    fn distance_is_half_one_minus_the_best_cosine() {
        // Query (1, 0); bank (0, 1) and (1, 1)/sqrt(2): best cosine 1/sqrt(2), by hand.
        let query = Tensor::from_slice(&[1.0f32, 0.0]).view([1, 1, 2]);
        let h = std::f32::consts::FRAC_1_SQRT_2;
        let bank = Tensor::from_slice(&[0.0f32, 1.0, h, h]).view([2, 2]);
        let d = nearest_cosine_distance(&query, &bank).double_value(&[0, 0]);
        assert!((d - (1.0 - 0.5f64.sqrt()) / 2.0).abs() < 1e-6, "{d}");
    }
}
