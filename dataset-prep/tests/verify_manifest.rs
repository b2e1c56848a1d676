//! `verify`: entry checks, counts, support lists, and sha256 manifests (re-running `prep`
//! gives a byte-identical tree).

mod common;

use common::*;
use dictas_prep::cli::{run_verify, VerifyArgs};
use dictas_prep::manifest;
use dictas_prep::verify::{format_report, verify_dataset, ClassCounts, SupportCheck};
use dictas_prep::Dataset;
use image::{GrayImage, ImageFormat};
use std::fs;
use std::path::{Path, PathBuf};

/// Two MVTec classes: wood (2 train, 1 good, 2 anomalies), grid (1 train, 1 good, 1 anomaly).
fn raw_tree(src: &Path) {
    let png = encode(rgb(6, 5), ImageFormat::Png);
    let mask_png = encode(mask(6, 5), ImageFormat::Png);
    for (class, train, defects) in [("wood", 2, &["hole", "scratch"][..]), ("grid", 1, &["bent"][..])] {
        let c = src.join(class);
        for i in 0..train {
            write(&c.join(format!("train/good/{i:03}.png")), &png);
        }
        write(&c.join("test/good/000.png"), &png);
        for defect in defects {
            write(&c.join(format!("test/{defect}/000.png")), &png);
            write(&c.join(format!("ground_truth/{defect}/000_mask.png")), &mask_png);
        }
    }
}

fn verify_args(data: &Path) -> VerifyArgs {
    VerifyArgs {
        data: data.to_path_buf(),
        dataset: None,
        manifest: None,
        check_manifest: None,
        experiments: PathBuf::from("/nonexistent"),
        require_supports: false,
        jobs: Some(2),
    }
}

#[test]
fn prep_twice_gives_identical_manifests_and_check_manifest_finds_changes() {
    let work = scratch();
    let src = work.path().join("raw");
    raw_tree(&src);
    let (first, second) = (work.path().join("first"), work.path().join("second"));
    prep_classes(Dataset::Mvtec, &src, &first, &["wood", "grid"]).unwrap();
    prep_classes(Dataset::Mvtec, &src, &second, &["wood", "grid"]).unwrap();
    let (m1, m2) = (work.path().join("m1.sha256"), work.path().join("m2.sha256"));
    run_verify(&VerifyArgs {
        manifest: Some(m1.clone()),
        ..verify_args(&first)
    })
    .unwrap();
    run_verify(&VerifyArgs {
        manifest: Some(m2.clone()),
        ..verify_args(&second)
    })
    .unwrap();
    let text = fs::read_to_string(&m1).unwrap();
    assert_eq!(text, fs::read_to_string(&m2).unwrap());
    // 3 train + 2 good + 3 anomalies + 3 masks + the meta file.
    assert_eq!(text.lines().count(), 12);
    assert!(text.lines().any(|l| l.ends_with("  meta_mvtec.json")));

    // Re-running into the same root replaces it with identical bytes.
    prep_classes(Dataset::Mvtec, &src, &first, &["wood", "grid"]).unwrap();
    run_verify(&VerifyArgs {
        check_manifest: Some(m1.clone()),
        ..verify_args(&first)
    })
    .unwrap();

    fs::write(first.join("mvtec/wood/train/good/extra.bmp"), b"x").unwrap();
    // ids: wood train 0-1, good 2, hole 3, scratch 4; grid train 5, bent 6, good 7.
    fs::remove_file(first.join("mvtec/grid/test/good/mvtec_good_000007.bmp")).unwrap();
    let meta = first.join("meta_mvtec.json");
    fs::write(&meta, fs::read_to_string(&meta).unwrap().replace("    ", "  ")).unwrap();
    let actual = manifest::compute(&first, &["mvtec".to_string()]).unwrap();
    let diff = manifest::compare(&manifest::read(&m1).unwrap(), &actual);
    assert_eq!(diff.extra, ["mvtec/wood/train/good/extra.bmp"]);
    assert_eq!(diff.missing, ["mvtec/grid/test/good/mvtec_good_000007.bmp"]);
    assert_eq!(diff.changed, ["meta_mvtec.json"]);
    let error = run_verify(&VerifyArgs {
        check_manifest: Some(m1),
        dataset: Some("mvtec".into()),
        ..verify_args(&first)
    })
    .unwrap_err();
    assert!(
        format!("{error:#}").contains("1 missing, 1 extra, 1 changed"),
        "{error:#}"
    );
}

#[test]
fn verify_counts_classes_and_reports_broken_entries() {
    let work = scratch();
    let src = work.path().join("raw");
    raw_tree(&src);
    let out = work.path().join("out");
    prep_classes(Dataset::Mvtec, &src, &out, &["wood", "grid"]).unwrap();
    let report = verify_dataset(&out, "mvtec", None).unwrap();
    assert!(report.problems.is_empty(), "{:#?}", report.problems);
    let count = |class: &str, train, test_good, test_anomaly| ClassCounts {
        class: class.into(),
        train,
        test_good,
        test_anomaly,
    };
    assert_eq!(report.counts, [count("wood", 2, 1, 2), count("grid", 1, 1, 1)]);
    let table = format_report(&report);
    assert!(table.contains("total"), "{table}");

    // Break things: a non-binary mask, a mask of the wrong size, a missing image, an RGBA image.
    let wood = out.join("mvtec/wood");
    let masks = entries(&wood.join("ground_truth/anomaly"));
    let grey = GrayImage::from_pixel(6, 5, image::Luma([7]));
    fs::write(
        wood.join("ground_truth/anomaly").join(&masks[0]),
        encode(grey, ImageFormat::Png),
    )
    .unwrap();
    fs::write(
        wood.join("ground_truth/anomaly").join(&masks[1]),
        encode(mask(2, 2), ImageFormat::Png),
    )
    .unwrap();
    let train = entries(&wood.join("train/good"));
    fs::remove_file(wood.join("train/good").join(&train[0])).unwrap();
    let rgba = image::DynamicImage::ImageRgb8(rgb(6, 5)).to_rgba8();
    fs::write(wood.join("train/good").join(&train[1]), encode(rgba, ImageFormat::Bmp)).unwrap();

    let report = verify_dataset(&out, "mvtec", None).unwrap();
    let messages: Vec<String> = report.problems.iter().map(|p| p.to_string()).collect();
    assert_eq!(messages.len(), 4, "{messages:#?}");
    assert!(
        messages
            .iter()
            .any(|m| m.contains(&masks[0]) && m.contains("not binary: 30 pixel(s)")),
        "{messages:#?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains(&masks[1]) && m.contains("mask is 2x2, its image 6x5")),
        "{messages:#?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains(&train[0]) && m.contains("cannot open")),
        "{messages:#?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains(&train[1]) && m.contains("expected 8-bit 3-channel")),
        "{messages:#?}"
    );
    let error = run_verify(&verify_args(&out)).unwrap_err();
    assert!(format!("{error:#}").contains("4 problem(s) in mvtec"), "{error:#}");
}

#[test]
fn verify_reports_published_support_lists() {
    let work = scratch();
    let src = work.path().join("raw");
    raw_tree(&src);
    let out = work.path().join("out");
    prep_classes(Dataset::Mvtec, &src, &out, &["wood", "grid"]).unwrap();
    let experiments = work.path().join("experiments");
    let present = "mvtec/wood/train/good/mvtec_000000.bmp";
    write(
        &experiments.join("supports/mvtec/fix_1-shot.txt"),
        format!("{present}\n\n").as_bytes(),
    );
    write(
        &experiments.join("supports/mvtec/fix_2-shot.txt"),
        format!("{present}\nmvtec/grid/train/good/nope.bmp\n").as_bytes(),
    );
    let report = verify_dataset(&out, "mvtec", Some(&experiments)).unwrap();
    assert_eq!(report.supports[0], SupportCheck::Complete { k: 1, count: 1 });
    assert_eq!(
        report.supports[1],
        SupportCheck::Missing {
            k: 2,
            count: 2,
            missing: vec!["mvtec/grid/train/good/nope.bmp".into()]
        }
    );
    assert_eq!(report.supports[2..], [4, 8, 16].map(|k| SupportCheck::NoList { k }));

    let args = VerifyArgs {
        experiments: experiments.clone(),
        ..verify_args(&out)
    };
    run_verify(&args).unwrap(); // reported only
    let error = run_verify(&VerifyArgs {
        require_supports: true,
        ..args
    })
    .unwrap_err();
    assert!(
        format!("{error:#}").contains("1 published support image(s) missing"),
        "{error:#}"
    );
}
