//! All-or-nothing outputs, shared by every stage that writes files.
//!
//! A file is written to a hidden temporary sibling (`.<name>.tmp-<pid>`) and renamed into
//! place; a folder is built under such a sibling and renamed as a whole. The sibling lives in
//! the same folder, hence on the same file system, so the rename is atomic: a reader sees the
//! old output or the new one, never half of either, and a failed or killed run leaves at most
//! a hidden temporary that the next run replaces. The naming is part of the contract: the
//! sweep runner recognizes staging folders of dead processes by it.

use anyhow::{Context, Result};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Hidden sibling of `path` tagged with `tag` and this process's id.
fn hidden_sibling(path: &Path, tag: &str) -> Result<PathBuf> {
    let name = path
        .file_name()
        .with_context(|| format!("output path {} has no file name", path.display()))?
        .to_string_lossy();
    Ok(path.with_file_name(format!(".{name}.{tag}-{}", std::process::id())))
}

/// Temporary sibling of `path` (`.<name>.tmp-<pid>`) that a rename can move into place.
fn temp_sibling(path: &Path) -> Result<PathBuf> {
    hidden_sibling(path, "tmp")
}

/// Creates `path` through `write`, which is given the temporary sibling to create (for
/// writers that only take a path, such as tensor serializers), then renames it into place.
/// Missing parent folders are created; on error the temporary file is removed and `path` is
/// untouched.
pub fn write_with(path: &Path, write: impl FnOnce(&Path) -> Result<()>) -> Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent).with_context(|| format!("creating folder {}", parent.display()))?;
    }
    let temp = temp_sibling(path)?;
    let result = write(&temp)
        .with_context(|| format!("writing {}", temp.display()))
        .and_then(|()| {
            fs::rename(&temp, path).with_context(|| format!("renaming {} to {}", temp.display(), path.display()))
        });
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}

/// Writes `bytes` to `path` through a temporary sibling and a rename, creating missing parent
/// folders. On error the temporary file is removed and `path` is untouched.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent).with_context(|| format!("creating folder {}", parent.display()))?;
    }
    StagedFile::new(path, bytes)?.commit()
}

/// Serializes `value` as pretty JSON (with a final newline) and writes it atomically.
pub fn write_json<T: serde::Serialize>(path: &Path, value: &T) -> Result<()> {
    let mut text = serde_json::to_string_pretty(value)
        .with_context(|| format!("serializing JSON for {}", path.display()))?;
    text.push('\n');
    write_file(path, text.as_bytes())
}

/// Removes the temporaries (`.<name>.tmp-<pid>`, `.<name>.old-<pid>`, files or folders) that
/// processes no longer running left directly in `folder`, e.g. a run killed mid-write. Those
/// of live processes are kept: they may still be writing. Best effort; errors are ignored.
pub fn remove_abandoned(folder: &Path) {
    let Ok(entries) = fs::read_dir(folder) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some((_, pid)) = name.rsplit_once(".tmp-").or_else(|| name.rsplit_once(".old-")) else { continue };
        let alive = pid.parse::<u32>().is_ok_and(|p| Path::new(&format!("/proc/{p}")).exists());
        if name.starts_with('.') && !alive {
            let path = entry.path();
            let _ = if path.is_dir() { fs::remove_dir_all(&path) } else { fs::remove_file(&path) };
        }
    }
}

/// A file written under its temporary name, moved into place by [`StagedFile::commit`].
/// Lets a caller stage several outputs and commit them only once all were written; dropping
/// it uncommitted removes the temporary file.
#[derive(Debug)]
pub struct StagedFile {
    temp: PathBuf,
    target: PathBuf,
    committed: bool,
}

impl StagedFile {
    pub fn new(target: &Path, bytes: &[u8]) -> Result<StagedFile> {
        let staged = StagedFile { temp: temp_sibling(target)?, target: target.to_path_buf(), committed: false };
        let mut file = fs::File::create(&staged.temp).with_context(|| format!("creating {}", staged.temp.display()))?;
        file.write_all(bytes).with_context(|| format!("writing {}", staged.temp.display()))?;
        // Best effort: the data should be on disk before the rename makes it visible.
        file.sync_all().ok();
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

/// A folder being built under its temporary name next to its destination. Dropping it
/// without [`StagedDir::commit`] removes it, so an error or a panic leaves nothing behind.
#[derive(Debug)]
pub struct StagedDir {
    temp: PathBuf,
    target: PathBuf,
    committed: bool,
}

impl StagedDir {
    /// Creates the temporary folder, replacing a stale one left by this same process id.
    pub fn new(target: &Path) -> Result<StagedDir> {
        let temp = temp_sibling(target)?;
        if temp.exists() {
            fs::remove_dir_all(&temp).with_context(|| format!("removing stale {}", temp.display()))?;
        }
        fs::create_dir_all(&temp).with_context(|| format!("creating {}", temp.display()))?;
        Ok(StagedDir { temp, target: target.to_path_buf(), committed: false })
    }

    /// Where to write while building.
    pub fn path(&self) -> &Path {
        &self.temp
    }

    /// Moves the finished folder to its destination. An existing destination is replaced only
    /// now, once the new folder is complete, and is put back if the final rename fails.
    pub fn commit(mut self) -> Result<PathBuf> {
        let old = hidden_sibling(&self.target, "old")?;
        let had_old = self.target.exists();
        if had_old {
            fs::rename(&self.target, &old)
                .with_context(|| format!("moving the previous {} aside", self.target.display()))?;
        }
        if let Err(error) = fs::rename(&self.temp, &self.target) {
            if had_old {
                let _ = fs::rename(&old, &self.target);
            }
            return Err(error)
                .with_context(|| format!("renaming {} to {}", self.temp.display(), self.target.display()));
        }
        self.committed = true;
        if had_old {
            fs::remove_dir_all(&old).with_context(|| format!("removing the previous {}", old.display()))?;
        }
        Ok(self.target.clone())
    }
}

impl Drop for StagedDir {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.temp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> =
            fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        names
    }

    #[test]
    fn dropped_staging_leaves_nothing_and_commit_replaces_the_old_folder() {
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("data");
        {
            let staged = StagedDir::new(&target).unwrap();
            write_file(&staged.path().join("a"), b"1").unwrap();
            assert!(!target.exists(), "the destination must not appear before commit");
        }
        assert!(names(root.path()).is_empty(), "a dropped staging folder must be removed");

        fs::create_dir(&target).unwrap();
        fs::write(target.join("old-file"), b"0").unwrap();
        let staged = StagedDir::new(&target).unwrap();
        write_file(&staged.path().join("a"), b"1").unwrap();
        assert_eq!(staged.commit().unwrap(), target);
        assert_eq!(fs::read(target.join("a")).unwrap(), b"1");
        assert!(!target.join("old-file").exists());
        assert_eq!(names(root.path()), ["data"]);
    }

    #[test]
    fn write_file_replaces_whole_creates_parents_and_leaves_no_temporary() {
        let root = tempfile::tempdir().unwrap();
        let path = root.path().join("sub/f.json");
        write_json(&path, &serde_json::json!({"a": 1})).unwrap();
        write_json(&path, &serde_json::json!({"a": 2})).unwrap();
        let value: serde_json::Value = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
        assert_eq!(value["a"], 2);
        assert_eq!(names(&root.path().join("sub")), ["f.json"]);
    }

    #[test]
    fn uncommitted_staged_file_is_removed_and_target_untouched() {
        let root = tempfile::tempdir().unwrap();
        let path = root.path().join("meta.json");
        fs::write(&path, b"old").unwrap();
        drop(StagedFile::new(&path, b"new").unwrap());
        assert_eq!(fs::read(&path).unwrap(), b"old");
        assert_eq!(names(root.path()), ["meta.json"]);
    }

    #[test]
    fn a_failing_writer_leaves_neither_target_nor_temporary() {
        let root = tempfile::tempdir().unwrap();
        let path = root.path().join("sub/cache.pt");
        let error = write_with(&path, |temp| {
            fs::write(temp, b"half")?;
            anyhow::bail!("encoder failed")
        })
        .unwrap_err();
        assert!(format!("{error:#}").contains("encoder failed"), "{error:#}");
        assert!(names(&root.path().join("sub")).is_empty());
        write_with(&path, |temp| Ok(fs::write(temp, b"whole")?)).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"whole");
    }

    #[test]
    fn abandoned_temporaries_of_dead_processes_are_removed() {
        let root = tempfile::tempdir().unwrap();
        // Process ids above the kernel's pid_max (at most 2^22) never run.
        fs::create_dir(root.path().join(".state.tmp-99999999")).unwrap();
        fs::write(root.path().join(".weights.safetensors.tmp-99999999"), b"half").unwrap();
        fs::create_dir(root.path().join(".state.old-99999999")).unwrap();
        let own = StagedDir::new(&root.path().join("cell")).unwrap();
        fs::write(root.path().join("kept.tmp-1"), b"not hidden").unwrap();
        remove_abandoned(root.path());
        let own_name = own.path().file_name().unwrap().to_string_lossy().into_owned();
        assert_eq!(names(root.path()), [own_name, "kept.tmp-1".to_string()]);
    }

    #[test]
    fn write_file_into_a_file_path_fails_and_names_it() {
        let root = tempfile::tempdir().unwrap();
        let blocker = root.path().join("blocker");
        fs::write(&blocker, b"x").unwrap();
        let error = write_file(&blocker.join("out.csv"), b"y").unwrap_err();
        assert!(format!("{error:#}").contains("blocker"), "{error:#}");
    }
}
