//! The one error type of the crate: every variant says which input was wrong and how.

use thiserror::Error;

#[derive(Debug, Error, PartialEq)]
pub enum MetricsError {
    #[error("{what}: {found} values where {expected} were expected")]
    LengthMismatch {
        what: String,
        expected: usize,
        found: usize,
    },

    #[error("{what}: no values given")]
    Empty { what: String },

    #[error("{what}: the value at index {index} is {value}, but every score must be finite")]
    NonFinite {
        what: String,
        index: usize,
        value: f64,
    },

    #[error("{metric} is undefined: the labels hold no {missing} sample")]
    SingleClass {
        metric: &'static str,
        missing: &'static str,
    },

    #[error("{what}: {reason}")]
    InvalidParameter { what: String, reason: String },

    #[error("class {class}: {source}")]
    InClass {
        class: String,
        #[source]
        source: Box<MetricsError>,
    },
}

impl MetricsError {
    /// Wraps an error with the name of the class whose evaluation produced it.
    pub fn in_class(self, class: &str) -> Self {
        MetricsError::InClass {
            class: class.to_string(),
            source: Box::new(self),
        }
    }
}

/// Checks that two parallel inputs have the same length.
pub(crate) fn check_same_length(
    what: &str,
    expected: usize,
    found: usize,
) -> Result<(), MetricsError> {
    if expected == found {
        Ok(())
    } else {
        Err(MetricsError::LengthMismatch {
            what: what.to_string(),
            expected,
            found,
        })
    }
}

/// Fails when a metric needs samples of a class that has none.
pub(crate) fn require_samples(
    metric: &'static str,
    missing: &'static str,
    count: u64,
) -> Result<(), MetricsError> {
    if count > 0 {
        Ok(())
    } else {
        Err(MetricsError::SingleClass { metric, missing })
    }
}
