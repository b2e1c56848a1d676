//! Problems found in a source tree, collected so that one run reports all of them.

use std::fmt;
use std::path::{Path, PathBuf};

/// One problem: the path it concerns and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub path: PathBuf,
    pub message: String,
}

impl Problem {
    pub fn new(path: impl AsRef<Path>, message: impl Into<String>) -> Problem {
        Problem {
            path: path.as_ref().to_path_buf(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.message)
    }
}

/// The error `prep` returns when the source has problems: every one of them, with paths.
#[derive(Debug, thiserror::Error)]
pub struct SourceProblems {
    /// What was being checked (e.g. "mvtec source /data/mvtec").
    pub context: String,
    pub problems: Vec<Problem>,
}

impl fmt::Display for SourceProblems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} problem(s) in {}; nothing was written:",
            self.problems.len(),
            self.context
        )?;
        for problem in &self.problems {
            writeln!(f, "  {problem}")?;
        }
        Ok(())
    }
}

/// Collects problems while a plan or a conversion runs.
#[derive(Debug, Default)]
pub struct Problems(Vec<Problem>);

impl Problems {
    pub fn push(&mut self, path: impl AsRef<Path>, message: impl Into<String>) {
        self.0.push(Problem::new(path, message));
    }

    pub fn extend(&mut self, problems: impl IntoIterator<Item = Problem>) {
        self.0.extend(problems);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(())` when nothing was collected, else the whole list as one error.
    pub fn into_result(self, context: impl Into<String>) -> Result<(), SourceProblems> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(SourceProblems {
                context: context.into(),
                problems: self.0,
            })
        }
    }
}
