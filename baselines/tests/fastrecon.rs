//! FastRecon on synthetic tokens, with values derived by hand from the documented formula
//! `Q_hat = T S^T (S S^T + lambda' I)^-1 S`, `T = (Q + delta mu) / (1 + delta)`,
//! `lambda' = lambda / (1 + delta)`, anomaly `1 - cos(q, q_hat)`.

mod common;

use common::{argmax_2d, dictionary, max_value, plant, query_of, random_tokens};
use dictas_baselines::{fastrecon_maps, FastReconSettings};
use tch::{Kind, Tensor};

const GRID: i64 = 4;
/// With align_corners, grid point i lands exactly on pixel 10 i.
const IMAGE_SIZE: i64 = 31;

fn settings(lambda: f64, distribution_weight: f64) -> FastReconSettings {
    FastReconSettings { lambda, distribution_weight }
}

/// Widths 64 (M = 32 support tokens < C: dual solve) and 24 (C <= M: primal solve).
fn two_layers(images: i64) -> [Tensor; 2] {
    [random_tokens(images, GRID, 64), random_tokens(images, GRID, 24)]
}

#[test]
fn the_defaults_are_documented() {
    assert_eq!(FastReconSettings::default(), settings(0.1, 2.0));
}

#[test]
fn a_query_identical_to_a_support_image_is_reconstructed() {
    tch::manual_seed(3);
    let layers = two_layers(2);
    let support: Vec<Tensor> = layers.iter().map(dictionary).collect();
    let query: Vec<Tensor> = layers.iter().map(|t| query_of(t, 0)).collect();
    // A tiny ridge and no pull towards the mean: the query lies in the span of the support.
    let maps = fastrecon_maps(&query, &support, GRID, IMAGE_SIZE, &settings(1e-5, 0.0)).unwrap();
    assert_eq!(maps.size(), [1, IMAGE_SIZE, IMAGE_SIZE]);
    assert!(max_value(&maps.abs()) < 1e-3, "max {}", max_value(&maps));
}

#[test]
fn with_the_defaults_and_one_support_image_an_identical_query_scores_near_zero() {
    // k = 1, so the position mean is the query itself and T = Q. The ridge shrinks the query
    // along each eigendirection of S S^T by s / (s + lambda'), lambda' = 0.1 / 3; for 16 random
    // unit tokens in 64 dimensions the eigenvalues s lie near [0.25, 2.25] (Marchenko-Pastur),
    // so the factors lie in about [0.88, 0.99] and by the Kantorovich inequality the cosine
    // stays above 0.998. (The largest value for this seed is about 3e-4.)
    tch::manual_seed(4);
    let layers = [random_tokens(1, GRID, 64)];
    let support: Vec<Tensor> = layers.iter().map(dictionary).collect();
    let query: Vec<Tensor> = layers.iter().map(|t| query_of(t, 0)).collect();
    let maps = fastrecon_maps(&query, &support, GRID, IMAGE_SIZE, &FastReconSettings::default()).unwrap();
    assert!(max_value(&maps) < 0.002, "max {}", max_value(&maps));
}

#[test]
fn a_planted_token_is_the_maximum_at_its_location() {
    tch::manual_seed(5);
    let layers = two_layers(2);
    let support: Vec<Tensor> = layers.iter().map(dictionary).collect();
    let patch = GRID + 3; // row 1, column 3
    let query: Vec<Tensor> = layers.iter().map(|t| plant(&query_of(t, 1), patch)).collect();
    for s in [settings(1e-5, 0.0), FastReconSettings::default()] {
        let maps = fastrecon_maps(&query, &support, GRID, IMAGE_SIZE, &s).unwrap();
        assert_eq!(argmax_2d(&maps.get(0)), (10, 30), "{s:?}");
    }
}

/// One query token `[1, 1, C]` and a support dictionary of the given rows `[1, M, C]`.
fn single(query: &[f32], support: &[f32], width: i64) -> (Tensor, Tensor) {
    let q = Tensor::from_slice(query).view([1, 1, width]);
    let s = Tensor::from_slice(support).view([1, -1, width]);
    (q, s)
}

fn score(query: Tensor, support: Tensor, s: &FastReconSettings) -> f64 {
    let map = fastrecon_maps(&[query], &[support], 1, 1, s).unwrap();
    assert_eq!(map.kind(), Kind::Float);
    map.double_value(&[0, 0, 0])
}

#[test]
fn ridge_value_by_hand_in_primal_and_dual_form() {
    // Support rows e1, e1, e2; query (1, 1, 1); lambda 1, no distribution term. Primal form:
    // S^T S = diag(2, 1, 0), P = (S^T S + I)^-1 S^T S = diag(2/3, 1/2, 0), q_hat ~ (2/3, 1/2, 0),
    // cos = (7/6) / (sqrt(3) * 5/6) = 7 / (5 sqrt(3)).
    let expected = 1.0 - 7.0 / (5.0 * 3f64.sqrt());
    let (q, s) = single(&[1.0, 1.0, 1.0], &[1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0, 0.0], 3);
    let primal = score(q, s, &settings(1.0, 0.0));
    assert!((primal - expected).abs() < 1e-6, "{primal} vs {expected}");
    // The same with a fourth, empty channel: M = 3 < C = 4 takes the dual (M x M) solve.
    let (q, s) = single(&[1.0, 1.0, 1.0, 0.0], &[1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0], 4);
    let dual = score(q, s, &settings(1.0, 0.0));
    assert!((dual - expected).abs() < 1e-6, "{dual} vs {expected}");
}

#[test]
fn distribution_term_by_hand() {
    // Two one-patch support images e1 and e2, so mu = (1/2, 1/2); query e1; delta 1, lambda 1:
    // T = (e1 + mu) / 2 = (3/4, 1/4), S^T S = I so P = I / 1.5 keeps directions, and
    // cos(e1, T) = 0.75 / sqrt(0.625).
    let expected = 1.0 - 0.75 / 0.625f64.sqrt();
    let (q, s) = single(&[1.0, 0.0], &[1.0, 0.0, 0.0, 1.0], 2);
    let got = score(q, s, &settings(1.0, 1.0));
    assert!((got - expected).abs() < 1e-6, "{got} vs {expected}");
}

#[test]
fn invalid_settings_are_errors() {
    let (q, s) = single(&[1.0, 0.0], &[1.0, 0.0, 0.0, 1.0], 2);
    for (bad, needle) in [
        (settings(0.0, 0.0), "lambda"),
        (settings(-1.0, 0.0), "lambda"),
        (settings(f64::NAN, 0.0), "lambda"),
        (settings(0.1, -1.0), "distribution_weight"),
        (settings(0.1, f64::INFINITY), "distribution_weight"),
    ] {
        let err = fastrecon_maps(&[q.shallow_clone()], &[s.shallow_clone()], 1, 1, &bad).unwrap_err();
        assert!(format!("{err:#}").contains(needle), "{bad:?}: {err:#}");
    }
}

#[test]
fn the_position_mean_needs_whole_support_images() {
    // Grid 2 (N = 4) but 6 support tokens: not a whole number of images.
    let query = Tensor::ones([1, 4, 3], (Kind::Float, tch::Device::Cpu));
    let support = Tensor::ones([1, 6, 3], (Kind::Float, tch::Device::Cpu));
    let err =
        fastrecon_maps(&[query.shallow_clone()], &[support.shallow_clone()], 2, 2, &settings(0.1, 2.0)).unwrap_err();
    assert!(format!("{err:#}").contains("whole number"), "{err:#}");
    assert!(fastrecon_maps(&[query], &[support], 2, 2, &settings(0.1, 0.0)).is_ok());
}
