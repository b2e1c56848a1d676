//! Floating-point summation: numpy's pairwise order (to reproduce numpy sums bit for bit where
//! that matters, e.g. the Gaussian kernel normalisation and means over classes) and a
//! compensated running sum (for long streams such as the AP terms of 10^7 thresholds).

/// numpy's `add.reduce` over a contiguous float64 array: 8 interleaved partial sums for blocks
/// up to 128 values, recursive halving above that.
pub fn pairwise_sum(values: &[f64]) -> f64 {
    const BLOCK: usize = 128;
    let n = values.len();
    if n < 8 {
        values.iter().fold(0.0, |acc, &v| acc + v)
    } else if n <= BLOCK {
        let mut partial = [0.0f64; 8];
        partial.copy_from_slice(&values[..8]);
        let whole = n - n % 8;
        for chunk in values[8..whole].chunks_exact(8) {
            for (p, &v) in partial.iter_mut().zip(chunk) {
                *p += v;
            }
        }
        let mut sum = ((partial[0] + partial[1]) + (partial[2] + partial[3]))
            + ((partial[4] + partial[5]) + (partial[6] + partial[7]));
        for &v in &values[whole..] {
            sum += v;
        }
        sum
    } else {
        let mut half = n / 2;
        half -= half % 8;
        pairwise_sum(&values[..half]) + pairwise_sum(&values[half..])
    }
}

/// Neumaier's compensated sum: the error does not grow with the number of terms.
#[derive(Debug, Default, Clone, Copy)]
pub struct CompensatedSum {
    sum: f64,
    compensation: f64,
}

impl CompensatedSum {
    pub fn add(&mut self, value: f64) {
        let total = self.sum + value;
        if self.sum.abs() >= value.abs() {
            self.compensation += (self.sum - total) + value;
        } else {
            self.compensation += (value - total) + self.sum;
        }
        self.sum = total;
    }

    pub fn value(&self) -> f64 {
        self.sum + self.compensation
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairwise_sum_reproduces_numpy() {
        // python: x = 1.0 / np.arange(1, 301); [repr(x[:n].sum()) for n in (5, 20, 300)]
        // (a plain left-to-right loop gives 6.282663880299502 for n = 300)
        let x: Vec<f64> = (1..=300).map(|i| 1.0 / i as f64).collect();
        assert_eq!(pairwise_sum(&x[..5]), 2.283333333333333);
        assert_eq!(pairwise_sum(&x[..20]), 3.597739657143682);
        assert_eq!(pairwise_sum(&x[..300]), 6.282663880299504);
    }

    #[test]
    fn compensated_sum_keeps_small_terms() {
        let mut sum = CompensatedSum::default();
        sum.add(1e16);
        for _ in 0..10 {
            sum.add(1.0);
        }
        sum.add(-1e16);
        assert_eq!(sum.value(), 10.0);
    }
}
