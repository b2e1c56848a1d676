//! Parity with the reference implementation on the shared fixture
//! `shared/fixtures/parity-mvtec`: its raw anomaly maps, text scores and masks go through
//! `evaluate_class`, and every column of the reference's `results_mvtec.csv` must agree.
//!
//! CSV columns -> fields: auroc_px, aupro_px (the reference variant), ap_px, f1_px -> same
//! names; iou -> iou_px; auroc_sp, ap_sp, f1_sp -> same names; aupro_sp is always 0 in the
//! reference (it never computes it); threshold -> f1_px_threshold, rounded to 3 decimals and
//! not in percent. The other columns are percent rounded to 2 decimals.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use dictas_metrics::{alpha_for, evaluate_class, mean, ClassInput, MetricValues};
use ndarray::Array3;
use serde_json::Value;

/// Half a unit of the CSV's last digit plus the agreed 0.01 percentage points.
const PERCENT_TOLERANCE: f64 = 0.005 + 0.01;
/// Half a unit of the threshold column's third decimal, plus float noise.
const THRESHOLD_TOLERANCE: f64 = 0.0005 + 1e-9;

fn fixture_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/parity-mvtec");
    assert!(
        dir.join("ref/results_mvtec.csv").is_file(),
        "parity fixture missing: expected {} (the shared fixtures folder next to the workspace)",
        dir.display()
    );
    dir
}

fn read_json(path: &Path) -> Value {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("parsing {}: {e}", path.display()))
}

/// Ground truth as the reference builds it: `mask > 0`; at 224 -> 224 the resize is the identity.
fn read_mask(path: &Path, height: usize, width: usize) -> Vec<bool> {
    let image = image::open(path)
        .unwrap_or_else(|e| panic!("reading mask {}: {e}", path.display()))
        .to_luma8();
    assert_eq!(
        (image.height() as usize, image.width() as usize),
        (height, width),
        "mask size of {}",
        path.display()
    );
    image.as_raw().iter().map(|&v| v > 0).collect()
}

/// Class inputs in the order classes first appear in `ref/images.json`.
fn fixture_classes(dir: &Path) -> Vec<ClassInput> {
    let maps: Array3<f32> = ndarray_npy::read_npy(dir.join("ref/anomaly_maps.npy"))
        .expect("reading ref/anomaly_maps.npy");
    let (count, height, width) = maps.dim();
    let images = read_json(&dir.join("ref/images.json"));
    let images = images
        .as_array()
        .expect("ref/images.json: a list of images");
    assert_eq!(
        images.len(),
        count,
        "ref/images.json entries vs anomaly_maps.npy maps"
    );
    let meta = read_json(&dir.join("data/meta_mvtec.json"));
    let mask_paths: HashMap<&str, &str> = meta["test"]
        .as_object()
        .expect("data/meta_mvtec.json: test")
        .values()
        .flat_map(|entries| entries.as_array().expect("test entries").iter())
        .map(|e| {
            (
                e["img_path"].as_str().unwrap(),
                e["mask_path"].as_str().unwrap(),
            )
        })
        .collect();

    let mut classes: Vec<ClassInput> = Vec::new();
    for (index, entry) in images.iter().enumerate() {
        let class = entry["cls_name"].as_str().expect("cls_name");
        if classes.last().filter(|c| c.class == class).is_none() {
            classes.push(ClassInput {
                class: class.to_string(),
                height,
                width,
                maps: Vec::new(),
                masks: Vec::new(),
                labels: Vec::new(),
                text_scores: Vec::new(),
                sigma: entry["sigma"].as_f64().expect("sigma"),
                alpha: alpha_for("mvtec", class),
            });
        }
        let input = classes.last_mut().unwrap();
        let mask_path = mask_paths[entry["img_path"].as_str().expect("img_path")];
        input.maps.push(
            maps.index_axis(ndarray::Axis(0), index)
                .iter()
                .copied()
                .collect(),
        );
        input.masks.push(if mask_path.is_empty() {
            vec![false; height * width]
        } else {
            read_mask(&dir.join("data").join(mask_path), height, width)
        });
        input.labels.push(entry["anomaly"].as_i64() == Some(1));
        input
            .text_scores
            .push(entry["text_score"].as_f64().expect("text_score"));
    }
    classes
}

/// `results_mvtec.csv` rows by their first column.
fn reference_rows(dir: &Path) -> HashMap<String, HashMap<String, f64>> {
    let text = std::fs::read_to_string(dir.join("ref/results_mvtec.csv"))
        .expect("reading ref/results_mvtec.csv");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("CSV header").split(',').collect();
    lines
        .map(|line| {
            let cells: Vec<&str> = line.split(',').collect();
            let values = header[1..]
                .iter()
                .zip(&cells[1..])
                .map(|(h, c)| (h.to_string(), c.parse().unwrap()))
                .collect();
            (cells[0].to_string(), values)
        })
        .collect()
}

fn compare_row(name: &str, ours: &MetricValues, row: &HashMap<String, f64>) {
    let percent_columns = [
        ("auroc_px", ours.auroc_px),
        ("aupro_px", ours.aupro_px),
        ("ap_px", ours.ap_px),
        ("f1_px", ours.f1_px),
        ("iou", ours.iou_px),
        ("auroc_sp", ours.auroc_sp),
        ("ap_sp", ours.ap_sp),
        ("f1_sp", ours.f1_sp),
    ];
    for (column, value) in percent_columns {
        let reference = row[column];
        assert!(
            (value * 100.0 - reference).abs() <= PERCENT_TOLERANCE,
            "{name} {column}: ours {:.4} %, reference {reference} %",
            value * 100.0
        );
    }
    assert_eq!(
        row["aupro_sp"], 0.0,
        "{name}: the reference never computes aupro_sp"
    );
    assert!(
        (ours.f1_px_threshold - row["threshold"]).abs() <= THRESHOLD_TOLERANCE,
        "{name} threshold: ours {}, reference {}",
        ours.f1_px_threshold,
        row["threshold"]
    );
}

#[test]
fn every_reference_metric_is_reproduced() {
    let dir = fixture_dir();
    let rows = reference_rows(&dir);
    let classes: Vec<_> = fixture_classes(&dir)
        .iter()
        .map(|c| evaluate_class(c).unwrap())
        .collect();
    assert_eq!(
        classes.len() + 1,
        rows.len(),
        "one CSV row per class plus the mean"
    );
    for class in &classes {
        compare_row(&class.class, &class.values, &rows[&class.class]);
    }
    compare_row("mean", &mean(&classes).unwrap(), &rows["mean"]);
}

#[test]
fn unrounded_values_match_the_reference_code() {
    // python: the reference's metric code (sklearn/scipy/skimage calls and cal_pro_score,
    // cal_iou imported from models/metric_and_visualization.py) on the same fixture inputs:
    //   bottle: auroc_px 0.38113531630445807, aupro_px 0.22277894699914824, ap_px 0.04445115213922176,
    //     f1_px 0.1204783212230643, iou 0.0640209957054239, auroc_sp 0.25, ap_sp 0.6178571428571429,
    //     f1_sp 0.7272722644631044, threshold 0.4308539927005768,
    //     fused scores [0.17505741298102495, 0.3464990348163801, 0.4915406405925751, 0.9108494550072239,
    //                   0.5185719382087741, 0.5694666869126661, 0.8504050926452644]
    //   wood: auroc_px 0.5551002713658686, aupro_px 0.2683064081867399, ap_px 0.13959933804243024,
    //     f1_px 0.20372726129004318, iou 0.11333333333333333, auroc_sp 0.75, ap_sp 0.8928571428571428,
    //     f1_sp 0.8571423673472187, threshold 0.39682796597480774
    let expected = [
        (
            "bottle",
            [
                0.38113531630445807,
                0.22277894699914824,
                0.04445115213922176,
                0.1204783212230643,
                0.0640209957054239,
                0.25,
                0.6178571428571429,
                0.7272722644631044,
                0.4308539927005768,
            ],
        ),
        (
            "wood",
            [
                0.5551002713658686,
                0.2683064081867399,
                0.13959933804243024,
                0.20372726129004318,
                0.11333333333333333,
                0.75,
                0.8928571428571428,
                0.8571423673472187,
                0.39682796597480774,
            ],
        ),
    ];
    let bottle_scores = [
        0.17505741298102495,
        0.3464990348163801,
        0.4915406405925751,
        0.9108494550072239,
        0.5185719382087741,
        0.5694666869126661,
        0.8504050926452644,
    ];
    let classes = fixture_classes(&fixture_dir());
    for (input, (name, values)) in classes.iter().zip(expected) {
        assert_eq!(input.class, name);
        let v = evaluate_class(input).unwrap().values;
        let ours = [
            v.auroc_px,
            v.aupro_px,
            v.ap_px,
            v.f1_px,
            v.iou_px,
            v.auroc_sp,
            v.ap_sp,
            v.f1_sp,
            v.f1_px_threshold,
        ];
        for (column, (a, e)) in ours.iter().zip(values).enumerate() {
            assert!(
                (a - e).abs() <= 1e-12,
                "{name} value {column}: ours {a}, reference {e}"
            );
        }
    }
    let bottle = evaluate_class(&classes[0]).unwrap();
    for (a, e) in bottle.image_scores.iter().zip(bottle_scores) {
        assert!(
            (a - e).abs() <= 1e-15,
            "bottle image score: ours {a}, reference {e}"
        );
    }
}
