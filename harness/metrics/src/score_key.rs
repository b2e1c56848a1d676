//! Scores as order-preserving unsigned integers, so that sorting and tie detection are exact
//! and a radix sort can be used.
//!
//! `-0.0` and `+0.0` map to the same key, as numpy treats them as one threshold.

use crate::error::MetricsError;
use crate::radix_sort::RadixKey;

/// A floating-point score type the ranking metrics accept (`f32` for pixels, `f64` for images).
pub trait Score: Copy + PartialOrd + Send + Sync + std::fmt::Debug + 'static {
    /// Unsigned integer with the same ordering as the (finite) scores.
    type Key: RadixKey;

    /// Order-preserving key; only meaningful for finite scores.
    fn order_key(self) -> Self::Key;
    /// Inverse of `order_key` (returns `+0.0` for the zero key).
    fn from_order_key(key: Self::Key) -> Self;
    fn is_finite_score(self) -> bool;
    fn widen(self) -> f64;
}

/// IEEE-754 order as unsigned integers: negative values have all bits flipped (so larger
/// magnitudes sort lower), non-negative values get the sign bit set (so they sort above).
macro_rules! impl_score {
    ($float:ty, $key:ty) => {
        impl Score for $float {
            type Key = $key;

            fn order_key(self) -> $key {
                const SIGN: $key = 1 << (<$key>::BITS - 1);
                let bits = (self + 0.0).to_bits(); // `+ 0.0` turns -0.0 into +0.0
                if bits & SIGN != 0 {
                    !bits
                } else {
                    bits | SIGN
                }
            }

            fn from_order_key(key: $key) -> $float {
                const SIGN: $key = 1 << (<$key>::BITS - 1);
                <$float>::from_bits(if key & SIGN != 0 { key & !SIGN } else { !key })
            }

            fn is_finite_score(self) -> bool {
                self.is_finite()
            }

            fn widen(self) -> f64 {
                f64::from(self)
            }
        }
    };
}

impl_score!(f32, u32);
impl_score!(f64, u64);

/// Rejects NaN and infinite scores, as scikit-learn does.
pub(crate) fn check_finite<S: Score>(what: &str, scores: &[S]) -> Result<(), MetricsError> {
    match scores.iter().position(|s| !s.is_finite_score()) {
        None => Ok(()),
        Some(index) => Err(MetricsError::NonFinite {
            what: what.to_string(),
            index,
            value: scores[index].widen(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_follow_float_order_and_merge_signed_zeros() {
        let values = [-3.5f32, -1e-30, -0.0, 0.0, 1e-30, 0.25, 7.0, f32::MAX];
        let keys: Vec<u32> = values.iter().map(|v| v.order_key()).collect();
        assert_eq!(keys[2], keys[3]);
        for pair in keys.windows(2).filter(|w| w[0] != w[1]) {
            assert!(pair[0] < pair[1]);
        }
        for v in values {
            assert_eq!(f32::from_order_key(v.order_key()), v + 0.0);
        }
        let wide = [-2.0f64, -0.0, 0.0, 0.5, 1e300];
        let wide_keys: Vec<u64> = wide.iter().map(|v| v.order_key()).collect();
        assert_eq!(wide_keys[1], wide_keys[2]);
        assert!(
            wide_keys[0] < wide_keys[1]
                && wide_keys[2] < wide_keys[3]
                && wide_keys[3] < wide_keys[4]
        );
        assert_eq!(f64::from_order_key(0.5f64.order_key()), 0.5);
    }

    #[test]
    fn non_finite_scores_are_named() {
        let err = check_finite("pixel scores", &[0.1f32, f32::NAN]).unwrap_err();
        assert!(err
            .to_string()
            .contains("pixel scores: the value at index 1"));
    }
}
