//! Malformed token inputs are reported as errors by both token-based baselines.

use dictas_baselines::{fastrecon_maps, knn_maps, FastReconSettings};
use tch::{Device, Kind, Tensor};

fn tokens(shape: &[i64]) -> Tensor {
    Tensor::ones(shape, (Kind::Float, Device::Cpu))
}

/// Runs both baselines and checks that each fails with a message containing `needle`.
fn assert_both_fail(query: &[Tensor], support: &[Tensor], grid: i64, image_size: i64, needle: &str) {
    let knn = knn_maps(query, support, grid, image_size).map(drop);
    let recon = fastrecon_maps(query, support, grid, image_size, &FastReconSettings::default()).map(drop);
    for (name, result) in [("knn", knn), ("fastrecon", recon)] {
        let err = result.expect_err(name);
        let message = format!("{err:#}");
        assert!(message.contains(needle), "{name}: expected '{needle}' in: {message}");
    }
}

#[test]
fn layer_counts_must_match() {
    let q = [tokens(&[1, 4, 8]), tokens(&[1, 4, 8])];
    let s = [tokens(&[1, 8, 8])];
    assert_both_fail(&q, &s, 2, 8, "2 layers but support tokens have 1");
    assert_both_fail(&[], &[], 2, 8, "no layers");
}

#[test]
fn widths_must_match_within_a_layer() {
    let q = [tokens(&[1, 4, 8]), tokens(&[1, 4, 16])];
    let s = [tokens(&[1, 8, 8]), tokens(&[1, 8, 12])];
    assert_both_fail(&q, &s, 2, 8, "layer 1: support tokens have width 12 but query tokens have width 16");
}

#[test]
fn token_counts_must_fit_the_grid() {
    assert_both_fail(&[tokens(&[1, 5, 8])], &[tokens(&[1, 8, 8])], 2, 8, "expected [1, 4, C]");
    assert_both_fail(&[tokens(&[1, 4, 8])], &[tokens(&[1, 8, 8])], 0, 8, "grid is 0");
    assert_both_fail(&[tokens(&[1, 4, 8])], &[tokens(&[1, 8, 8])], 2, 0, "image size is 0");
}

#[test]
fn shapes_and_kinds_are_checked() {
    assert_both_fail(&[tokens(&[4, 8])], &[tokens(&[1, 8, 8])], 2, 8, "layer 0: query tokens have shape [4, 8]");
    assert_both_fail(&[tokens(&[1, 4, 8])], &[tokens(&[2, 8, 8])], 2, 8, "expected [1, M, 8]");
    assert_both_fail(&[tokens(&[1, 4, 8])], &[tokens(&[1, 0, 8])], 2, 8, "expected [1, M, 8]");
    let q = [tokens(&[2, 4, 8]), tokens(&[1, 4, 8])];
    let s = [tokens(&[1, 8, 8]), tokens(&[1, 8, 8])];
    assert_both_fail(&q, &s, 2, 8, "layer 1: query tokens have shape [1, 4, 8], expected [2, 4, C]");
    let ints = Tensor::ones([1, 4, 8], (Kind::Int64, Device::Cpu));
    assert_both_fail(&[ints], &[tokens(&[1, 8, 8])], 2, 8, "expected floating point");
}
