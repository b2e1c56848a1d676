//! All-or-nothing outputs: folders are built in a hidden sibling and renamed into place;
//! files are written to a hidden sibling name and renamed.

use anyhow::{Context, Result};
use std::fs;
use std::path::{Path, PathBuf};

/// A folder being built next to its final place. Dropping it without [`Staging::commit`]
/// removes it, so an error or a panic leaves nothing behind.
#[derive(Debug)]
pub struct Staging {
    temp: PathBuf,
    target: PathBuf,
    committed: bool,
}

fn hidden_sibling(target: &Path, tag: &str) -> Result<PathBuf> {
    let name = target
        .file_name()
        .with_context(|| format!("{} has no file name", target.display()))?
        .to_string_lossy();
    Ok(target.with_file_name(format!(".{name}.{tag}-{}", std::process::id())))
}

impl Staging {
    /// Creates `.<name>.tmp-<pid>` next to `target` (replacing a stale one of this process).
    pub fn new(target: &Path) -> Result<Staging> {
        let temp = hidden_sibling(target, "tmp")?;
        if temp.exists() {
            fs::remove_dir_all(&temp).with_context(|| format!("removing stale {}", temp.display()))?;
        }
        fs::create_dir_all(&temp).with_context(|| format!("creating {}", temp.display()))?;
        Ok(Staging {
            temp,
            target: target.to_path_buf(),
            committed: false,
        })
    }

    pub fn path(&self) -> &Path {
        &self.temp
    }

    /// Moves the built folder to its target. An existing target is replaced only now,
    /// after the new one is complete.
    pub fn commit(mut self) -> Result<()> {
        let old = hidden_sibling(&self.target, "old")?;
        let had_old = self.target.exists();
        if had_old {
            fs::rename(&self.target, &old)
                .with_context(|| format!("moving the previous {} aside", self.target.display()))?;
        }
        if let Err(error) = fs::rename(&self.temp, &self.target) {
            if had_old {
                // Put the previous version back so the target is never left missing.
                let _ = fs::rename(&old, &self.target);
            }
            return Err(error)
                .with_context(|| format!("renaming {} to {}", self.temp.display(), self.target.display()));
        }
        self.committed = true;
        if had_old {
            fs::remove_dir_all(&old).with_context(|| format!("removing the previous {}", old.display()))?;
        }
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.temp);
        }
    }
}

/// A file written under a hidden temporary name, renamed into place by
/// [`StagedFile::commit`]; dropping it uncommitted removes the temporary file.
#[derive(Debug)]
pub struct StagedFile {
    temp: PathBuf,
    target: PathBuf,
    committed: bool,
}

impl StagedFile {
    pub fn new(target: &Path, bytes: &[u8]) -> Result<StagedFile> {
        let temp = hidden_sibling(target, "tmp")?;
        let staged = StagedFile {
            temp,
            target: target.to_path_buf(),
            committed: false,
        };
        fs::write(&staged.temp, bytes).with_context(|| format!("writing {}", staged.temp.display()))?;
        Ok(staged)
    }

    pub fn commit(mut self) -> Result<()> {
        fs::rename(&self.temp, &self.target)
            .with_context(|| format!("renaming {} to {}", self.temp.display(), self.target.display()))?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for StagedFile {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_file(&self.temp);
        }
    }
}

/// Writes `bytes` to `path` through a hidden temporary sibling and a rename.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    StagedFile::new(path, bytes)?.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uncommitted_staging_leaves_nothing_and_commit_replaces() {
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("data");
        {
            let staging = Staging::new(&target).unwrap();
            fs::write(staging.path().join("a"), b"1").unwrap();
        }
        assert_eq!(fs::read_dir(root.path()).unwrap().count(), 0);

        fs::create_dir(&target).unwrap();
        fs::write(target.join("old-file"), b"0").unwrap();
        let staging = Staging::new(&target).unwrap();
        fs::write(staging.path().join("a"), b"1").unwrap();
        staging.commit().unwrap();
        assert_eq!(fs::read(target.join("a")).unwrap(), b"1");
        assert!(!target.join("old-file").exists());
        assert_eq!(fs::read_dir(root.path()).unwrap().count(), 1);

        write_file(&root.path().join("f.json"), b"x").unwrap();
        assert_eq!(fs::read(root.path().join("f.json")).unwrap(), b"x");
        assert_eq!(fs::read_dir(root.path()).unwrap().count(), 2);
    }
}
