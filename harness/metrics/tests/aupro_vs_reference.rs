//! AUPRO against the reference's own `cal_pro_score` (models/metric_and_visualization.py, run
//! with numpy 1.26, scikit-image 0.23.1, scikit-learn 1.4.2) and against the official MVTec AD
//! evaluation code (`compute_pro` + `trapezoid(x, y, x_max=0.3) / 0.3`, which keeps FPRs in
//! float32; hence the looser tolerance there).
//! Inputs come from `rect_masks` / `bumped_maps` in tests/common (Python twins documented there).

mod common;

use common::{assert_close, bumped_maps, rect_masks, Lcg};
use dictas_metrics::{aupro_mvtec, aupro_reference, label_regions, MapShape, MetricsError};

const MVTEC_TOLERANCE: f64 = 1e-6;

#[test]
fn several_regions_over_three_images() {
    // python: masks = rect_masks(3, 20, 24, [(0, 3, 8, 4, 10), (0, 8, 9, 10, 11),
    //                                      (0, 12, 15, 15, 20), (1, 5, 11, 5, 12)])
    //   maps = bumped_maps(Lcg(7), masks)
    //   [measure.label(m).max() for m in masks] -> [2, 1, 0]  (pixel (8, 10) touches (7, 9) diagonally)
    //   cal_pro_score(masks, maps) -> 0.5293648892539023
    //   official MVTec AU-PRO -> 0.5305306868958292
    let shape = MapShape {
        images: 3,
        height: 20,
        width: 24,
    };
    let masks = rect_masks(
        3,
        20,
        24,
        &[
            (0, 3, 8, 4, 10),
            (0, 8, 9, 10, 11),
            (0, 12, 15, 15, 20),
            (1, 5, 11, 5, 12),
        ],
    );
    let maps = bumped_maps(&mut Lcg::new(7), &masks);
    let per_image = 20 * 24;
    let regions: Vec<usize> = masks
        .chunks(per_image)
        .map(|m| label_regions(m, 20, 24).unwrap().region_count())
        .collect();
    assert_eq!(regions, vec![2, 1, 0]);
    assert_close(
        aupro_reference(&maps, &masks, shape).unwrap(),
        0.5293648892539023,
        1e-12,
        "reference AUPRO",
    );
    assert_close(
        aupro_mvtec(&maps, &masks, shape).unwrap(),
        0.5305306868958292,
        MVTEC_TOLERANCE,
        "MVTec AU-PRO",
    );
}

#[test]
fn single_connected_region() {
    // python: masks = rect_masks(2, 10, 10, [(0, 2, 6, 3, 8)]); maps = bumped_maps(Lcg(11), masks)
    //   cal_pro_score(masks, maps) -> 0.38349056603773585; official -> 0.38518518271545565
    let shape = MapShape {
        images: 2,
        height: 10,
        width: 10,
    };
    let masks = rect_masks(2, 10, 10, &[(0, 2, 6, 3, 8)]);
    let maps = bumped_maps(&mut Lcg::new(11), &masks);
    assert_close(
        aupro_reference(&maps, &masks, shape).unwrap(),
        0.38349056603773585,
        1e-12,
        "reference AUPRO",
    );
    assert_close(
        aupro_mvtec(&maps, &masks, shape).unwrap(),
        0.38518518271545565,
        MVTEC_TOLERANCE,
        "MVTec AU-PRO",
    );
}

/// One 6x6 image, a 2x2 region scored 0.1..0.4, every normal pixel at the maximum 1.0: every
/// threshold lies below 1.0, so every FPR is 1.
#[test]
fn every_threshold_above_the_fpr_limit_gives_zero() {
    // python: cal_pro_score(masks, maps) raises "ValueError: zero-size array to reduction
    //   operation minimum which has no identity"; official MVTec AU-PRO -> 0.0
    let shape = MapShape {
        images: 1,
        height: 6,
        width: 6,
    };
    let masks = rect_masks(1, 6, 6, &[(0, 0, 2, 0, 2)]);
    let mut maps = vec![1.0f32; 36];
    for (pixel, value) in [(0, 0.1), (1, 0.2), (6, 0.3), (7, 0.4)] {
        maps[pixel] = value;
    }
    assert_eq!(aupro_reference(&maps, &masks, shape).unwrap(), 0.0);
    assert_eq!(aupro_mvtec(&maps, &masks, shape).unwrap(), 0.0);
}

/// Scores 0 (region), 0.993 and 1.0 (normal): the 200 thresholds are i * 0.005, and only the
/// last one (0.995) has FPR 4/16 < 0.3.
#[test]
fn a_single_kept_threshold_gives_zero() {
    // python: len(np.arange(lo, hi, (hi - lo) / 200)) -> 200, ending 0.99, 0.995
    //   cal_pro_score raises "ValueError: At least 2 points are needed to compute area under
    //   curve"; official MVTec AU-PRO -> 0.0
    let shape = MapShape {
        images: 1,
        height: 4,
        width: 5,
    };
    let masks = rect_masks(1, 4, 5, &[(0, 0, 1, 0, 4)]);
    let mut maps = vec![0.993f32; 20];
    maps[..4].fill(0.0);
    maps[16..20].fill(1.0);
    assert_eq!(aupro_reference(&maps, &masks, shape).unwrap(), 0.0);
    assert_eq!(aupro_mvtec(&maps, &masks, shape).unwrap(), 0.0);
}

/// As above with the middle normal scores at 0.5: many thresholds are kept, all at FPR 0.25,
/// so the rescaling divides by zero.
#[test]
fn equal_kept_fprs_give_zero() {
    // python: cal_pro_score(masks, maps) -> nan
    let shape = MapShape {
        images: 1,
        height: 4,
        width: 5,
    };
    let masks = rect_masks(1, 4, 5, &[(0, 0, 1, 0, 4)]);
    let mut maps = vec![0.5f32; 20];
    maps[..4].fill(0.0);
    maps[16..20].fill(1.0);
    assert_eq!(aupro_reference(&maps, &masks, shape).unwrap(), 0.0);
}

#[test]
fn perfect_separation_and_degenerate_inputs() {
    // region scored above every normal pixel: PRO is 1 wherever FPR < 0.3
    let shape = MapShape {
        images: 1,
        height: 3,
        width: 3,
    };
    let masks = rect_masks(1, 3, 3, &[(0, 0, 1, 0, 1)]);
    let maps: Vec<f32> = (0..9)
        .map(|i| if i == 0 { 2.0 } else { i as f32 / 10.0 })
        .collect();
    assert_eq!(aupro_mvtec(&maps, &masks, shape).unwrap(), 1.0);
    assert_close(
        aupro_reference(&maps, &masks, shape).unwrap(),
        1.0,
        1e-12,
        "reference AUPRO",
    );
    // no region at all, constant maps: 0 (the reference yields NaN or raises)
    assert_eq!(aupro_reference(&maps, &[false; 9], shape).unwrap(), 0.0);
    assert_eq!(aupro_mvtec(&maps, &[false; 9], shape).unwrap(), 0.0);
    assert_eq!(aupro_reference(&[0.5; 9], &masks, shape).unwrap(), 0.0);
    // wrong sizes are errors
    assert!(matches!(
        aupro_reference(&maps[..8], &masks, shape),
        Err(MetricsError::LengthMismatch { .. })
    ));
}
