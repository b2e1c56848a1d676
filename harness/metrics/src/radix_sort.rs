//! LSD radix sort for unsigned integer keys: O(n) passes over memory instead of O(n log n)
//! comparisons, which matters for the 10^7-10^8 pixel scores of a class.

/// Unsigned integer keys sortable byte by byte.
pub trait RadixKey: Copy + Ord + Default + Send + Sync + std::fmt::Debug + 'static {
    const BYTES: usize;
    fn byte(self, index: usize) -> usize;
}

impl RadixKey for u32 {
    const BYTES: usize = 4;
    fn byte(self, index: usize) -> usize {
        ((self >> (8 * index)) & 0xff) as usize
    }
}

impl RadixKey for u64 {
    const BYTES: usize = 8;
    fn byte(self, index: usize) -> usize {
        ((self >> (8 * index)) & 0xff) as usize
    }
}

/// Below this length the standard library sort is faster than setting up the passes.
const SMALL_INPUT: usize = 256;

/// Sorts ascending. All byte histograms come from one read pass; passes whose byte is equal in
/// every key (e.g. the sign and exponent bytes of scores in [0, 1)) are skipped.
pub fn radix_sort<K: RadixKey>(keys: &mut Vec<K>) {
    if keys.len() <= SMALL_INPUT {
        keys.sort_unstable();
        return;
    }
    let mut histograms = vec![[0usize; 256]; K::BYTES];
    for &key in keys.iter() {
        for (index, histogram) in histograms.iter_mut().enumerate() {
            histogram[key.byte(index)] += 1;
        }
    }
    let mut buffer = vec![K::default(); keys.len()];
    for (index, histogram) in histograms.iter().enumerate() {
        if histogram.contains(&keys.len()) {
            continue;
        }
        let mut next = [0usize; 256];
        let mut total = 0;
        for (slot, &count) in next.iter_mut().zip(histogram.iter()) {
            *slot = total;
            total += count;
        }
        for &key in keys.iter() {
            let bucket = key.byte(index);
            buffer[next[bucket]] = key;
            next[bucket] += 1;
        }
        std::mem::swap(keys, &mut buffer);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lcg(state: &mut u64) -> u64 {
        *state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        *state
    }

    #[test]
    fn matches_the_standard_sort() {
        let mut state = 7u64;
        let mut narrow: Vec<u32> = (0..5000)
            .map(|_| (lcg(&mut state) >> 40) as u32 % 3000)
            .collect();
        let mut wide: Vec<u64> = (0..3000).map(|_| lcg(&mut state)).collect();
        let mut narrow_expected = narrow.clone();
        let mut wide_expected = wide.clone();
        narrow_expected.sort();
        wide_expected.sort();
        radix_sort(&mut narrow);
        radix_sort(&mut wide);
        assert_eq!(narrow, narrow_expected);
        assert_eq!(wide, wide_expected);
    }
}
