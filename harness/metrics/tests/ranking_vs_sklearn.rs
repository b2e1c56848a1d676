//! Ranking metrics against scikit-learn 1.4.2 (numpy 1.26), including tied scores.

mod common;

use common::{assert_close, Lcg};
use dictas_metrics::{average_precision, f1_max, iou_at_threshold, roc_auc, MetricsError};

const TIE_SCORES: [f32; 12] = [0.1, 0.4, 0.35, 0.8, 0.4, 0.4, 0.1, 0.9, 0.35, 0.2, 0.8, 0.4];
const TIE_LABELS: [u8; 12] = [0, 1, 0, 1, 0, 1, 1, 1, 0, 0, 0, 1];

fn tie_labels() -> Vec<bool> {
    TIE_LABELS.iter().map(|&l| l == 1).collect()
}

#[test]
fn tied_scores_match_sklearn() {
    // python: s = np.array(TIE_SCORES, np.float32); y = np.array(TIE_LABELS)
    //   roc_auc_score(y, s) -> 0.7083333333333334
    //   average_precision_score(y, s) -> 0.7182539682539683
    //   p, r, t = precision_recall_curve(y, s); f = 2 * p * r / (p + r + eps)
    //   eps 1e-8: f.max() -> 0.7692307642603551, t[np.argmax(f)] -> 0.4000000059604645
    //   eps 1e-6: f.max() -> 0.7692302721896703, same threshold
    //   cal_iou(y, s > t) (the reference's function) -> 0.2857142857142857
    let labels = tie_labels();
    assert_close(
        roc_auc(&TIE_SCORES, &labels).unwrap(),
        0.7083333333333334,
        1e-15,
        "AUROC",
    );
    assert_close(
        average_precision(&TIE_SCORES, &labels).unwrap(),
        0.7182539682539683,
        1e-15,
        "AP",
    );
    let best = f1_max(&TIE_SCORES, &labels, 1e-8).unwrap();
    assert_close(best.f1, 0.7692307642603551, 1e-15, "F1 eps 1e-8");
    assert_eq!(best.threshold, 0.4f32);
    let best_image_eps = f1_max(&TIE_SCORES, &labels, 1e-6).unwrap();
    assert_close(best_image_eps.f1, 0.7692302721896703, 1e-15, "F1 eps 1e-6");
    assert_eq!(best_image_eps.threshold, 0.4f32);
    assert_close(
        iou_at_threshold(&TIE_SCORES, &labels, best.threshold).unwrap(),
        0.2857142857142857,
        1e-15,
        "IoU",
    );
}

/// 4000 scores in 50 tied levels; the positive rate rises with the level.
fn lcg_case() -> (Vec<u64>, Vec<f32>, Vec<bool>) {
    // python: l = Lcg(2024); b = np.array([(l.next() >> 40) % 50 for _ in range(4000)])
    //   s = b.astype(np.float32) / np.float32(50)
    //   y = np.array([((l.next() >> 40) % 100) < 20 + bb for bb in b]).astype(int)
    let mut lcg = Lcg::new(2024);
    let buckets: Vec<u64> = (0..4000).map(|_| (lcg.next() >> 40) % 50).collect();
    let scores = buckets.iter().map(|&b| b as f32 / 50.0).collect();
    let labels = buckets
        .iter()
        .map(|&b| (lcg.next() >> 40) % 100 < 20 + b)
        .collect();
    (buckets, scores, labels)
}

#[test]
fn many_ties_match_sklearn() {
    // python (continuing lcg_case): y.sum() -> 1770
    //   roc_auc_score(y, s) -> 0.6705463504851664; average_precision_score(y, s) -> 0.5864475846841939
    //   eps 1e-8: f1 -> 0.637306791841323 at t -> 0.25999999046325684; cal_iou(y, s > t) -> 0.4660377358490566
    let (_, scores, labels) = lcg_case();
    assert_eq!(labels.iter().filter(|&&l| l).count(), 1770);
    assert_close(
        roc_auc(&scores, &labels).unwrap(),
        0.6705463504851664,
        1e-14,
        "AUROC",
    );
    assert_close(
        average_precision(&scores, &labels).unwrap(),
        0.5864475846841939,
        1e-14,
        "AP",
    );
    let best = f1_max(&scores, &labels, 1e-8).unwrap();
    assert_close(best.f1, 0.637306791841323, 1e-14, "F1");
    assert_eq!(best.threshold, 0.26f32);
    assert_close(
        iou_at_threshold(&scores, &labels, best.threshold).unwrap(),
        0.4660377358490566,
        1e-15,
        "IoU",
    );
}

#[test]
fn double_precision_scores_match_sklearn() {
    // python (continuing lcg_case): s64 = b[:60].astype(np.float64) / 50.0; y64 = y[:60]
    //   roc_auc_score -> 0.7200956937799043; average_precision_score -> 0.6017449397166171
    //   eps 1e-6: f1 -> 0.6530607296963349 at t -> 0.52
    let (buckets, _, labels) = lcg_case();
    let scores: Vec<f64> = buckets[..60].iter().map(|&b| b as f64 / 50.0).collect();
    let labels = &labels[..60];
    assert_close(
        roc_auc(&scores, labels).unwrap(),
        0.7200956937799043,
        1e-15,
        "AUROC",
    );
    assert_close(
        average_precision(&scores, labels).unwrap(),
        0.6017449397166171,
        1e-15,
        "AP",
    );
    let best = f1_max(&scores, labels, 1e-6).unwrap();
    assert_close(best.f1, 0.6530607296963349, 1e-15, "F1");
    assert_eq!(best.threshold, 0.52);
}

#[test]
fn hand_checked_small_cases() {
    // perfect ranking: AUROC 1, AP 1; reversed: AUROC 0
    let scores = [0.9f32, 0.8, 0.3, 0.1];
    let labels = [true, true, false, false];
    assert_eq!(roc_auc(&scores, &labels).unwrap(), 1.0);
    assert_eq!(average_precision(&scores, &labels).unwrap(), 1.0);
    assert_eq!(roc_auc(&scores, &[false, false, true, true]).unwrap(), 0.0);
    // all scores tied: one threshold, the ROC is the diagonal, AP is the positive rate
    let tied = [0.5f32; 4];
    assert_eq!(roc_auc(&tied, &[true, false, false, false]).unwrap(), 0.5);
    assert_eq!(
        average_precision(&tied, &[true, false, false, false]).unwrap(),
        0.25
    );
    // F1 ties between thresholds: 0.9 (P=1, R=1/2) and 0.1 (P=1/2, R=1) both give 2/3;
    // the reference's argmax over ascending thresholds picks the lower one
    // (python: p, r, t = precision_recall_curve([1, 0, 0, 1], s); t[np.argmax(2*p*r/(p+r))] -> 0.1)
    let best = f1_max(&[0.9f32, 0.5, 0.4, 0.1], &[true, false, false, true], 0.0).unwrap();
    assert_eq!(best.f1, 2.0 / 3.0);
    assert_eq!(best.threshold, 0.1);
    // IoU with an empty prediction and no positives is 0 rather than 0/0
    assert_eq!(
        iou_at_threshold(&[0.1f32, 0.2], &[false, false], 0.5).unwrap(),
        0.0
    );
}

#[test]
fn undefined_cases_are_errors() {
    assert!(matches!(
        roc_auc(&[0.1f32, 0.2], &[true, true]),
        Err(MetricsError::SingleClass {
            missing: "negative",
            ..
        })
    ));
    assert!(matches!(
        average_precision(&[0.1f32, 0.2], &[false, false]),
        Err(MetricsError::SingleClass {
            missing: "positive",
            ..
        })
    ));
    assert!(matches!(
        roc_auc(&[f32::NAN, 0.2], &[true, false]),
        Err(MetricsError::NonFinite { index: 0, .. })
    ));
    assert!(matches!(
        f1_max(&[0.1f32, 0.2], &[true, false], -1.0),
        Err(MetricsError::InvalidParameter { .. })
    ));
}
