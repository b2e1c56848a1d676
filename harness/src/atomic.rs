//! Writing outputs so that a reader never sees half of them.
//!
//! Every file goes to a temporary sibling first and is renamed into place; a folder of outputs
//! is built under a temporary sibling name and renamed as a whole.

use anyhow::{Context, Result};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Temporary sibling of `path` that a rename can move into place (same folder, so same
/// file system).
pub fn temp_sibling(path: &Path) -> PathBuf {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    path.with_file_name(format!(".{name}.tmp-{}", std::process::id()))
}

/// Writes `bytes` to `path` through a temporary file and a rename.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent).with_context(|| format!("creating folder {}", parent.display()))?;
    }
    let tmp = temp_sibling(path);
    let result = (|| -> Result<()> {
        let mut file = fs::File::create(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
        file.write_all(bytes).with_context(|| format!("writing {}", tmp.display()))?;
        file.sync_all().ok();
        fs::rename(&tmp, path).with_context(|| format!("renaming {} to {}", tmp.display(), path.display()))
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Serializes `value` as pretty JSON and writes it atomically.
pub fn write_json<T: serde::Serialize>(path: &Path, value: &T) -> Result<()> {
    let mut text = serde_json::to_string_pretty(value).context("serializing JSON")?;
    text.push('\n');
    write_file(path, text.as_bytes())
}

/// A folder being built under a temporary name next to its destination. Dropping it without
/// `commit` removes the partial folder.
pub struct StagedDir {
    staging: PathBuf,
    destination: PathBuf,
    committed: bool,
}

impl StagedDir {
    pub fn new(destination: &Path) -> Result<Self> {
        let staging = temp_sibling(destination);
        if staging.exists() {
            fs::remove_dir_all(&staging).with_context(|| format!("removing stale {}", staging.display()))?;
        }
        fs::create_dir_all(&staging).with_context(|| format!("creating {}", staging.display()))?;
        Ok(Self { staging, destination: destination.to_path_buf(), committed: false })
    }

    /// Where to write while building.
    pub fn path(&self) -> &Path {
        &self.staging
    }

    /// Moves the finished folder into place, replacing an older one only now.
    pub fn commit(mut self) -> Result<PathBuf> {
        if self.destination.exists() {
            let old = self.destination.with_file_name(format!(
                ".{}.old-{}",
                self.destination.file_name().unwrap_or_default().to_string_lossy(),
                std::process::id()
            ));
            fs::rename(&self.destination, &old)
                .with_context(|| format!("moving aside {}", self.destination.display()))?;
            fs::rename(&self.staging, &self.destination)
                .with_context(|| format!("renaming {} to {}", self.staging.display(), self.destination.display()))?;
            fs::remove_dir_all(&old).with_context(|| format!("removing {}", old.display()))?;
        } else {
            fs::rename(&self.staging, &self.destination)
                .with_context(|| format!("renaming {} to {}", self.staging.display(), self.destination.display()))?;
        }
        self.committed = true;
        Ok(self.destination.clone())
    }
}

impl Drop for StagedDir {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.staging);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staged_dir_appears_only_on_commit() {
        let root = tempfile::tempdir().unwrap();
        let dest = root.path().join("out");
        {
            let staged = StagedDir::new(&dest).unwrap();
            write_file(&staged.path().join("a.txt"), b"x").unwrap();
            assert!(!dest.exists());
        }
        assert!(!dest.exists(), "dropped staging must leave nothing");
        assert_eq!(fs::read_dir(root.path()).unwrap().count(), 0);
        let staged = StagedDir::new(&dest).unwrap();
        write_file(&staged.path().join("a.txt"), b"y").unwrap();
        staged.commit().unwrap();
        assert_eq!(fs::read(dest.join("a.txt")).unwrap(), b"y");
    }

    #[test]
    fn write_file_replaces_whole() {
        let root = tempfile::tempdir().unwrap();
        let path = root.path().join("f.json");
        write_json(&path, &serde_json::json!({"a": 1})).unwrap();
        write_json(&path, &serde_json::json!({"a": 2})).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
        assert_eq!(v["a"], 2);
        assert_eq!(fs::read_dir(root.path()).unwrap().count(), 1);
    }
}
