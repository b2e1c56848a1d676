//! Names of the scoring methods a job can use.

use crate::eval::args::LookupArg;

/// Methods the sweep knows.
pub const KNOWN_METHODS: &[&str] = &["dictas"];

/// Label of a method in cell ids and tables: the name, plus the lookup when it is not the
/// published sparsemax (so the lookup ablation gets distinct rows).
pub fn default_label(name: &str, lookup: LookupArg) -> String {
    match lookup {
        LookupArg::Sparsemax => name.to_string(),
        LookupArg::Softmax => format!("{name}-softmax"),
        LookupArg::Max => format!("{name}-max"),
    }
}
