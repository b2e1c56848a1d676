//! Self-supervised DictAS training as the published recipe (SPEC section 5): synthesized
//! query/support pairs, the Lq + lambda1 Lcqc + lambda2 Ltac loss, Adam with a plateau
//! schedule, epoch-end validation that keeps the best checkpoint and freezes the value
//! generator at the first epoch without improvement, exactly resumable checkpoints, and
//! export to the reference's `.pth` layout.

pub mod adam;
pub mod losses;
pub mod meta;
pub mod scheduler;
pub mod params;
pub mod rng;
pub mod synth;
pub mod data;
pub mod cli;
pub mod config;
pub mod validate;
pub mod logs;
pub mod plot;
pub mod checkpoint;
pub mod trainer;

pub use cli::TrainArgs;
pub use trainer::run_train;
pub mod export;
pub mod pickle_writer;

pub use export::{run_export, ExportArgs};
