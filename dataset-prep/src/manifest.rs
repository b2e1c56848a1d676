//! sha256 manifest of a standardized tree: one `<hex>  <relative path>` line per file
//! (the `sha256sum` format), paths with `/` separators, sorted by path.

use dictas_atomic as atomic;
use anyhow::{bail, Context, Result};
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use walkdir::WalkDir;

/// Relative path -> hex sha256.
pub type Manifest = BTreeMap<String, String>;

/// Hashes `ROOT/meta_<d>.json` and every file under `ROOT/<d>/` for each dataset `d`.
/// Call inside the worker pool that should do the hashing.
pub fn compute(root: &Path, datasets: &[String]) -> Result<Manifest> {
    let mut files = Vec::new();
    for dataset in datasets {
        files.push(format!("meta_{dataset}.json"));
        let dir = root.join(dataset);
        for entry in WalkDir::new(&dir).sort_by_file_name() {
            let entry = entry.with_context(|| format!("walking {}", dir.display()))?;
            if entry.file_type().is_file() {
                let relative = entry.path().strip_prefix(root).expect("walk stays under root");
                let relative = relative
                    .to_str()
                    .with_context(|| format!("non-UTF-8 path {}", entry.path().display()))?;
                files.push(relative.replace('\\', "/"));
            }
        }
    }
    files
        .into_par_iter()
        .map(|relative| {
            let path = root.join(&relative);
            let bytes = fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
            Ok((relative, hex::encode(Sha256::digest(&bytes))))
        })
        .collect()
}

pub fn to_text(manifest: &Manifest) -> String {
    manifest
        .iter()
        .map(|(path, hash)| format!("{hash}  {path}\n"))
        .collect()
}

/// Writes the manifest atomically.
pub fn write(path: &Path, manifest: &Manifest) -> Result<()> {
    atomic::write_file(path, to_text(manifest).as_bytes())
}

pub fn read(path: &Path) -> Result<Manifest> {
    let text = fs::read_to_string(path).with_context(|| format!("reading manifest {}", path.display()))?;
    let mut manifest = Manifest::new();
    for (number, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let Some((hash, relative)) = line.split_once("  ") else {
            bail!(
                "{}:{}: expected '<sha256>  <path>', got '{line}'",
                path.display(),
                number + 1
            );
        };
        if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            bail!("{}:{}: '{hash}' is not a sha256 hex digest", path.display(), number + 1);
        }
        manifest.insert(relative.to_string(), hash.to_ascii_lowercase());
    }
    Ok(manifest)
}

/// How the tree differs from an expected manifest.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ManifestDiff {
    /// In the expected manifest, absent from the tree.
    pub missing: Vec<String>,
    /// In the tree, absent from the expected manifest.
    pub extra: Vec<String>,
    /// In both, with different content.
    pub changed: Vec<String>,
}

impl ManifestDiff {
    pub fn is_empty(&self) -> bool {
        self.missing.is_empty() && self.extra.is_empty() && self.changed.is_empty()
    }
}

pub fn compare(expected: &Manifest, actual: &Manifest) -> ManifestDiff {
    let mut diff = ManifestDiff::default();
    for (path, hash) in expected {
        match actual.get(path) {
            None => diff.missing.push(path.clone()),
            Some(other) if other != hash => diff.changed.push(path.clone()),
            Some(_) => {}
        }
    }
    diff.extra = actual
        .keys()
        .filter(|path| !expected.contains_key(*path))
        .cloned()
        .collect();
    diff
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_compares() {
        let root = tempfile::tempdir().unwrap();
        fs::create_dir_all(root.path().join("d/x")).unwrap();
        fs::write(root.path().join("meta_d.json"), b"{}").unwrap();
        fs::write(root.path().join("d/x/b"), b"abc").unwrap();
        fs::write(root.path().join("d/a"), b"").unwrap();
        let manifest = compute(root.path(), &["d".to_string()]).unwrap();
        let text = to_text(&manifest);
        // Digests from `sha256sum` of "abc", "" and "{}".
        assert_eq!(
            text,
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  d/a\n\
             ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  d/x/b\n\
             44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a  meta_d.json\n"
        );
        let path = root.path().join("m.txt");
        write(&path, &manifest).unwrap();
        assert_eq!(read(&path).unwrap(), manifest);

        let mut changed = manifest.clone();
        changed.remove("d/a");
        changed.insert("d/new".into(), "0".repeat(64));
        changed.insert("d/x/b".into(), "1".repeat(64));
        let diff = compare(&manifest, &changed);
        assert_eq!(diff.missing, ["d/a"]);
        assert_eq!(diff.extra, ["d/new"]);
        assert_eq!(diff.changed, ["d/x/b"]);
    }
}
