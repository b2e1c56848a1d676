//! Dataset standardization for DictAS (SPEC section 1).
//!
//! `prep` turns a public anomaly-detection dataset, as downloaded, into the unified layout
//! `ROOT/<dataset>/<class>/{train,test}/...` with 24-bit BMP images and binary PNG masks,
//! plus `ROOT/meta_<dataset>.json`, reproducing the reference's file names (one `id`
//! counter per dataset) and the published meta files, so the published support lists
//! resolve. `verify` checks such a root and writes/compares sha256 manifests; `synth`
//! writes a small synthetic benchmark in the raw MVTec layout.
//!
//! Flow of `prep`: [`sources`] turns the raw tree into a [`plan::Plan`] (ids assigned in
//! order, every source problem collected), [`convert`] executes it in parallel into a
//! hidden staging folder, [`meta`] is built from the written tree, then both are moved
//! into place (`dictas_atomic`).

pub mod cli;
pub mod convert;
pub mod dataset;
pub mod decode;
pub mod dtd;
pub mod encode;
mod jpeg;
pub mod manifest;
pub mod meta;
pub mod parallel;
pub mod plan;
pub mod prepare;
pub mod problems;
mod progress;
mod pyjson;
pub mod sources;
pub mod supports;
pub mod synth;
pub mod verify;

pub use dataset::Dataset;
pub use prepare::{prepare, PrepOptions, PrepSummary};
pub use problems::{Problem, SourceProblems};
