//! The `dictas` harness: evaluation, sweeps and their bookkeeping. The command-line entry
//! point is `main.rs`; dataset preparation lives in `dictas-prep`, the networks in
//! `dictas-model`, the metrics in `dictas-metrics`.

pub mod eval;
pub mod feature_cache;
pub mod infer;
pub mod job;
pub mod manifest;
pub mod methods;
pub mod overlay;
pub mod pipeline;
pub mod progress;
pub mod rules;
pub mod runner;
pub mod supports;
pub mod sweep;
pub mod report;
pub mod tiny_weights;
pub mod demo;
pub mod bench;
