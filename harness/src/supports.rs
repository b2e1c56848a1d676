//! Choosing the k normal support images of each class.
//!
//! Either a list in the published format (one standardized relative path per line, grouped
//! by class through the path's second component) or a deterministic random draw.
//!
//! Random draw, documented so that any tool can reproduce it: candidates are the class's
//! `train` entries of the meta file in file order. The generator is SplitMix64 seeded with the
//! first 8 bytes (little-endian) of sha256("{dataset}/{class}/{k}/{seed}"); a partial
//! Fisher-Yates shuffle picks k: for i in 0..k, j = i + (next_u64() % (n - i)), swap(i, j); the
//! first k candidates are the supports, in that order.

use anyhow::{bail, Context, Result};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::Path;

/// Support paths per class (standardized relative paths).
pub type SupportSets = BTreeMap<String, Vec<String>>;

/// Reads a published-format list and groups it by class (`<dataset>/<class>/...`).
pub fn read_support_file(path: &Path) -> Result<SupportSets> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading support list {}", path.display()))?;
    let mut sets = SupportSets::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let class = line.split('/').nth(1).filter(|c| !c.is_empty()).with_context(|| {
            format!(
                "{}:{}: expected a path like <dataset>/<class>/train/good/<file>, got '{line}'",
                path.display(),
                number + 1
            )
        })?;
        sets.entry(class.to_string()).or_default().push(line.to_string());
    }
    Ok(sets)
}

/// Writes `sets` in the published format (classes in the given order).
pub fn format_support_file(classes: &[String], sets: &SupportSets) -> String {
    let mut text = String::new();
    for class in classes {
        for path in sets.get(class).into_iter().flatten() {
            text.push_str(path);
            text.push('\n');
        }
    }
    text
}

struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// Deterministic draw of `k` distinct candidates (see the module doc for the algorithm).
pub fn random_supports(dataset: &str, class: &str, k: usize, seed: u64, candidates: &[String]) -> Result<Vec<String>> {
    if k > candidates.len() {
        bail!(
            "class '{class}' of {dataset} has {} normal training images, fewer than k = {k}",
            candidates.len()
        );
    }
    let digest = Sha256::digest(format!("{dataset}/{class}/{k}/{seed}").as_bytes());
    let mut rng = SplitMix64(u64::from_le_bytes(digest[..8].try_into().expect("8 bytes")));
    let mut pool: Vec<&String> = candidates.iter().collect();
    let n = pool.len() as u64;
    for i in 0..k {
        let j = i + (rng.next_u64() % (n - i as u64)) as usize;
        pool.swap(i, j);
    }
    Ok(pool[..k].iter().map(|s| s.to_string()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("d/c/train/good/{i:03}.bmp")).collect()
    }

    #[test]
    fn random_draw_is_deterministic_distinct_and_seed_dependent() {
        let c = names(50);
        let a = random_supports("d", "c", 4, 1, &c).unwrap();
        assert_eq!(a, random_supports("d", "c", 4, 1, &c).unwrap());
        let mut sorted = a.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), 4);
        assert_ne!(a, random_supports("d", "c", 4, 2, &c).unwrap());
        assert!(random_supports("d", "c", 51, 1, &c).unwrap_err().to_string().contains("fewer than k = 51"));
    }

    #[test]
    fn random_draw_covers_all_candidates_over_seeds() {
        let c = names(5);
        let mut seen = std::collections::HashSet::new();
        for seed in 0..100 {
            seen.extend(random_supports("d", "c", 1, seed, &c).unwrap());
        }
        assert_eq!(seen.len(), 5);
    }

    #[test]
    fn support_file_round_trip_and_errors() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fix_2-shot.txt");
        std::fs::write(&path, "mvtec/bottle/train/good/a.bmp\n\nmvtec/wood/train/good/b.bmp\nmvtec/bottle/train/good/c.bmp\n").unwrap();
        let sets = read_support_file(&path).unwrap();
        assert_eq!(sets["bottle"], vec!["mvtec/bottle/train/good/a.bmp", "mvtec/bottle/train/good/c.bmp"]);
        let text = format_support_file(&["bottle".into(), "wood".into()], &sets);
        std::fs::write(&path, &text).unwrap();
        assert_eq!(read_support_file(&path).unwrap(), sets);
        std::fs::write(&path, "noslash\n").unwrap();
        let err = read_support_file(&path).unwrap_err().to_string();
        assert!(err.contains("fix_2-shot.txt:1"), "{err}");
        let missing = read_support_file(&dir.path().join("nope.txt")).unwrap_err();
        assert!(format!("{missing:#}").contains("nope.txt"));
    }
}
