//! The memory-bank nearest-neighbour baseline on synthetic tokens.

mod common;

use common::{argmax_2d, dictionary, max_value, plant, query_of, random_tokens};
use dictas_baselines::knn_maps;
use tch::{Device, Kind, Tensor};

const GRID: i64 = 4;
/// With align_corners, grid point i lands exactly on pixel 10 i.
const IMAGE_SIZE: i64 = 31;

#[test]
fn a_query_identical_to_a_support_image_scores_zero() {
    tch::manual_seed(1);
    let layers = [random_tokens(2, GRID, 16), random_tokens(2, GRID, 24)];
    let support: Vec<Tensor> = layers.iter().map(dictionary).collect();
    let query: Vec<Tensor> = layers.iter().map(|t| query_of(t, 1)).collect();
    let maps = knn_maps(&query, &support, GRID, IMAGE_SIZE).unwrap();
    assert_eq!(maps.size(), [1, IMAGE_SIZE, IMAGE_SIZE]);
    assert_eq!(maps.kind(), Kind::Float);
    assert!(max_value(&maps.abs()) < 1e-6, "max {}", max_value(&maps));
}

#[test]
fn a_planted_token_is_the_maximum_at_its_location() {
    tch::manual_seed(2);
    let layers = [random_tokens(2, GRID, 16), random_tokens(2, GRID, 24)];
    let support: Vec<Tensor> = layers.iter().map(dictionary).collect();
    let patch = 2 * GRID + 1; // row 2, column 1
    let query: Vec<Tensor> = layers.iter().map(|t| plant(&query_of(t, 0), patch)).collect();
    let maps = knn_maps(&query, &support, GRID, IMAGE_SIZE).unwrap();
    assert_eq!(argmax_2d(&maps.get(0)), (20, 10));
    // A fresh random direction is far from all 32 support tokens; untouched patches are exact copies.
    assert!(maps.double_value(&[0, 20, 10]) > 0.2, "{}", maps.double_value(&[0, 20, 10]));
    assert!(maps.double_value(&[0, 0, 0]) < 1e-6);
}

#[test]
fn values_by_hand_with_batches_and_layers() {
    // Layer 1 (width 2): query (1, 0) against (0, 1) and (1, 1): best cosine 1/sqrt(2), score
    // (1 - 1/sqrt(2)) / 2; query (0, 3) matches (0, 1) exactly: 0.
    // Layer 2 (width 3): queries (0, 0, 1) and (1, 0, 0) against the single token (0, 0, -1):
    // cosines -1 and 0, scores 1 and 1/2. Maps are the layer means (grid 1 -> 1 x 1 image).
    let q1 = Tensor::from_slice(&[1.0f32, 0.0, 0.0, 3.0]).view([2, 1, 2]);
    let s1 = Tensor::from_slice(&[0.0f32, 1.0, 1.0, 1.0]).view([1, 2, 2]);
    let q2 = Tensor::from_slice(&[0.0f64, 0.0, 1.0, 1.0, 0.0, 0.0]).view([2, 1, 3]);
    let s2 = Tensor::from_slice(&[0.0f32, 0.0, -1.0]).view([1, 1, 3]);
    let maps = knn_maps(&[q1, q2], &[s1, s2], 1, 1).unwrap();
    assert_eq!(maps.size(), [2, 1, 1]);
    assert_eq!(maps.kind(), Kind::Float);
    let first = ((1.0 - 0.5f64.sqrt()) / 2.0 + 1.0) / 2.0;
    let second = (0.0 + 0.5) / 2.0;
    assert!((maps.double_value(&[0, 0, 0]) - first).abs() < 1e-6, "{maps:?}");
    assert!((maps.double_value(&[1, 0, 0]) - second).abs() < 1e-6, "{maps:?}");
}

#[test]
fn maps_stay_on_the_query_device() {
    let query = Tensor::ones([1, 4, 3], (Kind::Float, Device::Cpu));
    let support = Tensor::ones([1, 4, 3], (Kind::Float, Device::Cpu));
    let maps = knn_maps(&[query], &[support], 2, 8).unwrap();
    assert_eq!(maps.device(), Device::Cpu);
    assert_eq!(maps.size(), [1, 8, 8]);
}
