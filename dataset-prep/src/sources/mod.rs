//! Source layouts: each module turns one dataset's raw tree into a [`Plan`].

mod brats;
mod btad;
mod folders;
mod listing;
mod mpdd;
mod mvtec;
mod mvtec3d;
mod resc;
pub mod visa;
mod voc_ade;

use crate::dataset::Dataset;
use crate::plan::Plan;
use crate::problems::Problems;
use std::path::Path;

pub use listing::{sorted_files_with_extension, sorted_subfolders};

/// Plans the conversion of `classes` (standardized names, in conversion order) of `dataset`
/// found under `src`. Problems are collected, not returned early, so one run lists them all.
pub fn plan(dataset: Dataset, src: &Path, classes: &[String], problems: &mut Problems) -> Plan {
    let layout = match dataset {
        Dataset::Visa => return visa::plan(src, classes, problems),
        Dataset::Mvtec => mvtec::layout(),
        Dataset::Mpdd => mpdd::layout(),
        Dataset::Btad => btad::layout(),
        Dataset::Mvtec3d => mvtec3d::layout(),
        Dataset::Resc => resc::layout(),
        Dataset::Brats => brats::layout(),
        Dataset::Voc | Dataset::Ade => voc_ade::layout(),
    };
    folders::plan(&layout, dataset, src, classes, problems)
}
