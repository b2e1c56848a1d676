//! OpenAI CLIP ViT as the DictAS reference runs it.

mod config;
mod model;
mod transformer;
mod weights;

pub use config::ClipConfig;
pub use model::ClipModel;
pub use transformer::Activation;
