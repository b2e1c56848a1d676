//! The synthetic benchmark: official MVTec layout, deterministic, and accepted by
//! `prep mvtec --classes`.

mod common;

use common::*;
use dictas_prep::synth::{generate_mvtec_like, SynthSpec};
use dictas_prep::verify::{verify_dataset, ClassCounts};
use dictas_prep::Dataset;
use std::fs;

fn spec(seed: u64) -> SynthSpec {
    SynthSpec {
        classes: SynthSpec::default_classes(2).unwrap(),
        size: 48,
        train: 3,
        test_good: 2,
        test_defect: 1,
        seed,
    }
}

#[test]
fn writes_the_official_mvtec_layout() {
    let work = scratch();
    let raw = work.path().join("raw");
    generate_mvtec_like(&raw, &spec(3)).unwrap();
    assert_eq!(entries(&raw), ["grid", "wood"]);
    assert_eq!(
        list_tree(&raw.join("wood")),
        [
            "ground_truth/blob/000_mask.png",
            "ground_truth/color_spot/000_mask.png",
            "ground_truth/scratch/000_mask.png",
            "test/blob/000.png",
            "test/color_spot/000.png",
            "test/good/000.png",
            "test/good/001.png",
            "test/scratch/000.png",
            "train/good/000.png",
            "train/good/001.png",
            "train/good/002.png",
        ]
    );
    let image = image::open(raw.join("wood/test/blob/000.png")).unwrap();
    assert_eq!((image.width(), image.height()), (48, 48));
    let mask = image::open(raw.join("wood/ground_truth/blob/000_mask.png"))
        .unwrap()
        .into_luma8();
    assert!(mask.iter().all(|&v| v == 0 || v == 255));
    assert!(mask.contains(&255), "a planted defect covers some pixels");
}

#[test]
fn is_deterministic_in_the_seed() {
    let work = scratch();
    let (a, b, c) = (work.path().join("a"), work.path().join("b"), work.path().join("c"));
    generate_mvtec_like(&a, &spec(7)).unwrap();
    generate_mvtec_like(&b, &spec(7)).unwrap();
    generate_mvtec_like(&c, &spec(8)).unwrap();
    let files = list_tree(&a);
    assert_eq!(files, list_tree(&b));
    let read = |root: &std::path::Path, f: &String| fs::read(root.join(f)).unwrap();
    assert!(files.iter().all(|f| read(&a, f) == read(&b, f)));
    assert!(files.iter().any(|f| read(&a, f) != read(&c, f)));
    // Images of one class differ from each other (per-image jitter).
    assert_ne!(
        read(&a, &"wood/train/good/000.png".into()),
        read(&a, &"wood/train/good/001.png".into())
    );
}

#[test]
fn passes_through_prep_mvtec_with_its_classes() {
    let work = scratch();
    let raw = work.path().join("raw");
    let spec = spec(1);
    generate_mvtec_like(&raw, &spec).unwrap();
    let out = work.path().join("out");
    let classes: Vec<&str> = spec.classes.iter().map(String::as_str).collect();
    let summary = prep_classes(Dataset::Mvtec, &raw, &out, &classes).unwrap();
    assert_eq!(summary.images, 2 * (3 + 2 + 3));
    let report = verify_dataset(&out, "mvtec", None).unwrap();
    assert!(report.problems.is_empty(), "{:#?}", report.problems);
    let counts = |class: &str| ClassCounts {
        class: class.into(),
        train: 3,
        test_good: 2,
        test_anomaly: 3,
    };
    assert_eq!(report.counts, [counts("wood"), counts("grid")]);

    // Without --classes, prep expects all 15 MVTec classes.
    let error = prep(Dataset::Mvtec, &raw, &work.path().join("other")).unwrap_err();
    assert!(
        format!("{error:#}").contains("bottle: missing class folder"),
        "{error:#}"
    );
}

#[test]
fn rejects_unusable_specs() {
    let work = scratch();
    let tiny = SynthSpec { size: 8, ..spec(0) };
    assert!(generate_mvtec_like(&work.path().join("x"), &tiny)
        .unwrap_err()
        .to_string()
        .contains("at least 32"));
    assert!(SynthSpec::default_classes(6).is_err());
    assert!(!work.path().join("x").exists());
}
