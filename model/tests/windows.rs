//! The token-subset forward behind WinCLIP's window embeddings.

mod common;

use dictas_model::{Activation, ClipModel};
use tch::{Device, Kind, Tensor};

fn model() -> ClipModel {
    let fx = common::parity_fixture();
    ClipModel::load(&fx.join("clip-jit.pt"), 64, Activation::Gelu, Device::Cpu).unwrap()
}

#[test]
fn a_window_of_every_patch_in_order_is_the_full_image_embedding() {
    let clip = model();
    tch::manual_seed(3);
    let images = Tensor::randn([2, 3, 64, 64], (Kind::Float, Device::Cpu));
    let patches = clip.grid() * clip.grid();
    let all = Tensor::arange(patches, (Kind::Int64, Device::Cpu)).view([1, patches]);
    let windows = clip.f_encode_image_windows(&images, &all, 4).unwrap();
    let (global, _) = clip.f_encode_image(&images, &[]).unwrap();
    let diff = (windows.squeeze_dim(1) - global).abs().max().double_value(&[]);
    assert!(diff < 1e-5, "subset forward over all patches differs by {diff}");
}

#[test]
fn windows_see_only_their_patches_and_chunking_changes_nothing() {
    let clip = model();
    tch::manual_seed(4);
    let images = Tensor::randn([1, 3, 64, 64], (Kind::Float, Device::Cpu));
    // 2x2 windows at the top-left and bottom-right of the 4x4 grid.
    let windows = Tensor::from_slice(&[0i64, 1, 4, 5, 10, 11, 14, 15]).view([2, 4]);
    let a = clip.f_encode_image_windows(&images, &windows, 1).unwrap();
    let b = clip.f_encode_image_windows(&images, &windows, 8).unwrap();
    assert_eq!(a.size(), vec![1, 2, 64]);
    assert!((&a - &b).abs().max().double_value(&[]) < 1e-6);
    // Changing pixels outside the first window leaves its embedding unchanged.
    let changed = images.copy();
    let _ = changed.narrow(2, 32, 32).fill_(5.0);
    let c = clip.f_encode_image_windows(&changed, &windows, 8).unwrap();
    assert!((a.get(0).get(0) - c.get(0).get(0)).abs().max().double_value(&[]) < 1e-6);
    assert!((a.get(0).get(1) - c.get(0).get(1)).abs().max().double_value(&[]) > 1e-3);
    // Out-of-range patch indices are an error naming the grid.
    let bad = Tensor::from_slice(&[0i64, 16]).view([1, 2]);
    let err = clip.f_encode_image_windows(&images, &bad, 8).unwrap_err().to_string();
    assert!(err.contains("0..16"), "{err}");
}
