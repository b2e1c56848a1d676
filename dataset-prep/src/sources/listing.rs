//! Directory listings in the order the reference saw them: names sorted by code point,
//! hidden entries skipped (Python's glob skips them too).

use crate::problems::Problems;
use std::fs;
use std::path::Path;

/// Sorted names of the visible sub-folders of `dir`; `None` (and a problem) if `dir` is
/// not a readable folder.
pub fn sorted_subfolders(dir: &Path, problems: &mut Problems) -> Option<Vec<String>> {
    let names = visible_names(dir, problems)?;
    Some(names.into_iter().filter(|name| dir.join(name).is_dir()).collect())
}

/// Sorted names of the visible files in `dir` whose name ends with `.<extension>`
/// (case-sensitive, as a glob `*.<extension>` on Linux). A missing folder is a problem.
pub fn sorted_files_with_extension(dir: &Path, extension: &str, problems: &mut Problems) -> Vec<String> {
    let suffix = format!(".{extension}");
    let Some(names) = visible_names(dir, problems) else {
        return Vec::new();
    };
    names
        .into_iter()
        .filter(|name| name.ends_with(&suffix) && dir.join(name).is_file())
        .collect()
}

fn visible_names(dir: &Path, problems: &mut Problems) -> Option<Vec<String>> {
    if !dir.is_dir() {
        problems.push(dir, "missing folder");
        return None;
    }
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) => {
            problems.push(dir, format!("cannot list folder: {error}"));
            return None;
        }
    };
    let mut names = Vec::new();
    for entry in entries {
        let entry = match entry {
            Ok(entry) => entry,
            Err(error) => {
                problems.push(dir, format!("cannot list folder: {error}"));
                return None;
            }
        };
        match entry.file_name().into_string() {
            Ok(name) if name.starts_with('.') => {}
            Ok(name) => names.push(name),
            Err(raw) => problems.push(dir.join(&raw), "file name is not valid UTF-8"),
        }
    }
    names.sort();
    Some(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_sorted_visible_entries_by_extension() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["b.png", "a_x.png", "a.png", ".hidden.png", "c.PNG", "d.bmp"] {
            fs::write(dir.path().join(name), b"").unwrap();
        }
        fs::create_dir(dir.path().join("e.png")).unwrap();
        fs::create_dir(dir.path().join("sub")).unwrap();
        let mut problems = Problems::default();
        // '.' (0x2e) sorts before '_' (0x5f), as in Python.
        assert_eq!(
            sorted_files_with_extension(dir.path(), "png", &mut problems),
            ["a.png", "a_x.png", "b.png"]
        );
        assert_eq!(sorted_subfolders(dir.path(), &mut problems).unwrap(), ["e.png", "sub"]);
        assert!(problems.is_empty());
        assert!(sorted_subfolders(&dir.path().join("missing"), &mut problems).is_none());
        assert!(problems
            .into_result("x")
            .unwrap_err()
            .to_string()
            .contains("missing: missing folder"));
    }
}
