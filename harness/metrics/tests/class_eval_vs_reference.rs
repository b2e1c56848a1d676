//! Whole-class evaluation against the body of the reference's `calcuate_metric_pixel` run in
//! Python (numpy 1.26, scipy 1.13, scikit-learn 1.4.2, scikit-image 0.23.1): Gaussian
//! smoothing with `axes=(1, 2)`, fused image scores, every pixel and image metric. The official
//! MVTec AU-PRO comes from the official evaluation code. Inputs: tests/common generators.

mod common;

use common::{assert_close, bumped_maps, rect_masks, Lcg};
use dictas_metrics::{
    evaluate_class, evaluate_classes, mean, ClassInput, MetricValues, MetricsError,
};

fn class_input(
    class: &str,
    (images, height, width): (usize, usize, usize),
    rects: &[(usize, usize, usize, usize, usize)],
    seeds: (u64, u64),
    labels: &[bool],
    sigma: f64,
    alpha: f64,
) -> ClassInput {
    let masks = rect_masks(images, height, width, rects);
    let maps = bumped_maps(&mut Lcg::new(seeds.0), &masks);
    let mut text = Lcg::new(seeds.1);
    let pixels = height * width;
    ClassInput {
        class: class.to_string(),
        height,
        width,
        maps: maps.chunks(pixels).map(<[f32]>::to_vec).collect(),
        masks: masks.chunks(pixels).map(<[bool]>::to_vec).collect(),
        labels: labels.to_vec(),
        text_scores: (0..images).map(|_| f64::from(text.unit())).collect(),
        sigma,
        alpha,
    }
}

/// Three anomalous images (four regions) and two normal ones.
fn mixed_class() -> ClassInput {
    // python: masks = rect_masks(5, 16, 20, [(0, 2, 7, 3, 9), (0, 10, 13, 12, 18), (1, 4, 12, 6, 14), (2, 0, 3, 0, 5)])
    //   maps = bumped_maps(Lcg(5), masks); t = Lcg(6); text = np.array([float(t.unit()) for _ in range(5)])
    //   labels [1, 1, 1, 0, 0], sigma 2.0, alpha 0.5
    class_input(
        "mixed",
        (5, 16, 20),
        &[
            (0, 2, 7, 3, 9),
            (0, 10, 13, 12, 18),
            (1, 4, 12, 6, 14),
            (2, 0, 3, 0, 5),
        ],
        (5, 6),
        &[true, true, true, false, false],
        2.0,
        0.5,
    )
}

/// Anomalous images only, so the reference reports the image metrics as 0.
fn all_anomalous_class() -> ClassInput {
    // python: masks = rect_masks(3, 12, 10, [(0, 1, 4, 1, 4), (1, 6, 11, 2, 9), (2, 0, 12, 8, 10)])
    //   maps = bumped_maps(Lcg(8), masks); t = Lcg(9); labels [1, 1, 1], sigma 1.0, alpha 0.2
    class_input(
        "all_anomalous",
        (3, 12, 10),
        &[(0, 1, 4, 1, 4), (1, 6, 11, 2, 9), (2, 0, 12, 8, 10)],
        (8, 9),
        &[true, true, true],
        1.0,
        0.2,
    )
}

fn assert_values(actual: &MetricValues, expected: &MetricValues) {
    let pairs = [
        ("auroc_px", actual.auroc_px, expected.auroc_px, 1e-12),
        ("aupro_px", actual.aupro_px, expected.aupro_px, 1e-12),
        (
            "aupro_px_mvtec",
            actual.aupro_px_mvtec,
            expected.aupro_px_mvtec,
            1e-6,
        ),
        ("ap_px", actual.ap_px, expected.ap_px, 1e-12),
        ("f1_px", actual.f1_px, expected.f1_px, 1e-12),
        (
            "f1_px_threshold",
            actual.f1_px_threshold,
            expected.f1_px_threshold,
            0.0,
        ),
        ("iou_px", actual.iou_px, expected.iou_px, 1e-12),
        ("auroc_sp", actual.auroc_sp, expected.auroc_sp, 1e-12),
        ("ap_sp", actual.ap_sp, expected.ap_sp, 1e-12),
        ("f1_sp", actual.f1_sp, expected.f1_sp, 1e-12),
    ];
    for (name, a, e, tolerance) in pairs {
        assert_close(a, e, tolerance, name);
    }
}

#[test]
fn mixed_class_matches_the_reference() {
    // python: reference_class_metrics(maps, masks, labels, text, 2.0, 0.5) (see module doc)
    let expected = MetricValues {
        auroc_px: 0.9898594651228677,
        aupro_px: 0.9689692089719031,
        aupro_px_mvtec: 0.969733953305876,
        ap_px: 0.9120359087514515,
        f1_px: 0.8217054213577909,
        f1_px_threshold: 0.37943366169929504,
        iou_px: 0.6907894736842105,
        auroc_sp: 0.8333333333333333,
        ap_sp: 0.9166666666666665,
        f1_sp: 0.8571423673472187,
    };
    // python: the fused pr_sp of the reference
    let expected_scores = [
        0.3155779242515564,
        0.779405628138538,
        0.9346989854023924,
        0.11344186840673752,
        0.4937209022503543,
    ];
    let metrics = evaluate_class(&mixed_class()).unwrap();
    assert_eq!(metrics.class, "mixed");
    assert!(metrics.image_metrics_defined);
    assert_values(&metrics.values, &expected);
    for (index, (&a, &e)) in metrics
        .image_scores
        .iter()
        .zip(&expected_scores)
        .enumerate()
    {
        assert_close(a, e, 1e-15, &format!("image score {index}"));
    }
}

#[test]
fn class_without_normal_images_reports_zero_image_metrics() {
    // python: reference_class_metrics(maps, masks, [1, 1, 1], text, 1.0, 0.2)
    //   -> All_anomaly, so auroc_sp = ap_sp = f1_sp = 0; fused scores [0.0, 0.7116489350869959, 0.9999897512548755]
    let expected = MetricValues {
        auroc_px: 0.891317485898469,
        aupro_px: 0.7718124919344431,
        aupro_px_mvtec: 0.7806035749062341,
        ap_px: 0.7401852308561897,
        f1_px: 0.7152317831288102,
        f1_px_threshold: 0.36081841588020325,
        iou_px: 0.5463917525773195,
        auroc_sp: 0.0,
        ap_sp: 0.0,
        f1_sp: 0.0,
    };
    let metrics = evaluate_class(&all_anomalous_class()).unwrap();
    assert!(!metrics.image_metrics_defined);
    assert_values(&metrics.values, &expected);
    assert_close(
        metrics.image_scores[1],
        0.7116489350869959,
        1e-15,
        "image score 1",
    );
    assert_close(
        metrics.image_scores[2],
        0.9999897512548755,
        1e-15,
        "image score 2",
    );
}

#[test]
fn several_classes_keep_their_order_and_average_like_numpy() {
    let classes = evaluate_classes(&[mixed_class(), all_anomalous_class()]).unwrap();
    assert_eq!(
        classes.iter().map(|c| c.class.as_str()).collect::<Vec<_>>(),
        vec!["mixed", "all_anomalous"]
    );
    let average = mean(&classes).unwrap();
    assert_eq!(
        average.auroc_px,
        (classes[0].values.auroc_px + classes[1].values.auroc_px) / 2.0
    );
    assert_eq!(average.auroc_sp, classes[0].values.auroc_sp / 2.0);
    assert!(mean(&[]).is_none());

    // python: v = [1.0 / (i + 3) for i in range(9)]; np.mean(v) -> 0.16887526054192717
    //   (a left-to-right sum gives 0.1688752605419272)
    let columns: Vec<MetricValues> = (0..9)
        .map(|i| MetricValues {
            ap_px: 1.0 / (i as f64 + 3.0),
            ..MetricValues::default()
        })
        .collect();
    assert_eq!(
        MetricValues::mean(&columns).unwrap().ap_px,
        0.16887526054192717
    );
}

#[test]
fn inconsistent_input_names_the_class() {
    let mut input = mixed_class();
    input.text_scores.pop();
    let err = evaluate_class(&input).unwrap_err();
    assert!(matches!(&err, MetricsError::InClass { class, .. } if class == "mixed"));
    assert!(
        err.to_string()
            .contains("text scores (one per map): 4 values where 5 were expected"),
        "{err}"
    );

    let mut input = mixed_class();
    input.maps[2].push(0.0);
    assert!(evaluate_class(&input)
        .unwrap_err()
        .to_string()
        .contains("anomaly map 2"));

    let mut input = mixed_class();
    input.labels = vec![false; 5];
    input.masks.iter_mut().for_each(|m| m.fill(false));
    assert!(
        evaluate_class(&input).is_err(),
        "a class without anomalies is undefined, as in the reference"
    );
}
