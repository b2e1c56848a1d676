//! Synthetic token sets and the shared parity fixture.
#![allow(dead_code)]

use std::path::PathBuf;

use tch::{Device, Kind, Tensor};

/// Random tokens of `images` images on a `grid x grid` patch grid, `[images, grid*grid, width]`.
pub fn random_tokens(images: i64, grid: i64, width: i64) -> Tensor {
    Tensor::randn([images, grid * grid, width], (Kind::Float, Device::Cpu))
}

/// The support dictionary of a layer: all images' tokens, image-major, `[1, images*N, C]`.
pub fn dictionary(images: &Tensor) -> Tensor {
    let width = images.size()[2];
    images.reshape([1, -1, width])
}

/// Image `index` of `images` as a one-image query `[1, N, C]`.
pub fn query_of(images: &Tensor, index: i64) -> Tensor {
    images.narrow(0, index, 1).copy()
}

/// `query` with the token at `patch` replaced by a fresh random vector, which no support image
/// holds (with probability 1).
pub fn plant(query: &Tensor, patch: i64) -> Tensor {
    let planted = query.copy();
    let width = query.size()[2];
    planted.narrow(1, patch, 1).copy_(&Tensor::randn([1, 1, width], (Kind::Float, Device::Cpu)));
    planted
}

/// Row and column of the largest value of a `[H, W]` map.
pub fn argmax_2d(map: &Tensor) -> (i64, i64) {
    let width = map.size()[1];
    let flat = map.flatten(0, -1).argmax(0, false).int64_value(&[]);
    (flat / width, flat % width)
}

pub fn max_value(map: &Tensor) -> f64 {
    map.max().double_value(&[])
}

/// The `parity-mvtec` fixture: `$DICTAS_PARITY_FIXTURE`, else `shared/fixtures/parity-mvtec`
/// inside or next to the repository.
pub fn parity_fixture() -> PathBuf {
    if let Ok(dir) = std::env::var("DICTAS_PARITY_FIXTURE") {
        return PathBuf::from(dir);
    }
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let candidates = [repo.join("shared/fixtures/parity-mvtec"), repo.join("../shared/fixtures/parity-mvtec")];
    candidates
        .iter()
        .find(|p| p.join("README.md").exists())
        .cloned()
        .unwrap_or_else(|| panic!("parity fixture not found in {candidates:?}; set DICTAS_PARITY_FIXTURE"))
}
