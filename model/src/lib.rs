//! CLIP ViT backbone and the DictAS dictionary-lookup module, in tch (libtorch).
//!
//! The arithmetic follows the published DictAS reference implementation step by step so that
//! its trained weights give the same anomaly maps (see `tests/parity.rs`).

pub mod checkpoint;
pub mod clip;
pub mod device;
pub mod dictas;
pub mod preprocess;
pub mod prompts;
pub mod tokenizer;

pub use clip::{Activation, ClipConfig, ClipModel};
pub use device::parse_device;
pub use dictas::{DictAs, Lookup};

#[cfg(test)]
mod smoke {
    #[test]
    fn libtorch_links_and_runs() {
        let t = tch::Tensor::from_slice(&[1.0f32, 2.0, 3.0]);
        assert_eq!(t.sum(tch::Kind::Float).double_value(&[]), 6.0);
    }
}
