//! Problems in a source tree: all of them are reported, with paths, as one error, and
//! nothing is left behind (a previous output stays untouched).

mod common;

use common::*;
use dictas_prep::cli::{run_prep, PrepArgs};
use dictas_prep::{Dataset, SourceProblems};
use image::{ImageFormat, Rgb, RgbImage};
use std::fs;
use std::path::Path;

/// The problems of a failed `prep`, as (path, message) pairs.
fn problems(error: anyhow::Error) -> Vec<(String, String)> {
    let problems = error
        .downcast::<SourceProblems>()
        .unwrap_or_else(|e| panic!("not a source problem: {e:#}"));
    problems
        .problems
        .into_iter()
        .map(|p| (p.path.to_string_lossy().into_owned(), p.message))
        .collect()
}

fn assert_has(problems: &[(String, String)], path: &Path, message_part: &str) {
    let path = path.to_string_lossy();
    assert!(
        problems.iter().any(|(p, m)| *p == path && m.contains(message_part)),
        "no problem '{message_part}' for {path} in {problems:#?}"
    );
}

/// A valid one-class MVTec tree (1 train, 1 good, 1 `crack` with mask) for `class`.
fn valid_class(src: &Path, class: &str) {
    let png = encode(rgb(4, 4), ImageFormat::Png);
    let c = src.join(class);
    write(&c.join("train/good/000.png"), &png);
    write(&c.join("test/good/000.png"), &png);
    write(&c.join("test/crack/000.png"), &png);
    write(
        &c.join("ground_truth/crack/000_mask.png"),
        &encode(mask(4, 4), ImageFormat::Png),
    );
}

#[test]
fn source_layout_problems_are_all_reported_before_any_write() {
    let work = scratch();
    let src = work.path().join("raw");
    valid_class(&src, "cable");
    fs::remove_file(src.join("cable/ground_truth/crack/000_mask.png")).unwrap();
    valid_class(&src, "screw");
    fs::create_dir_all(src.join("screw/train/defective")).unwrap();
    let out = work.path().join("out");
    let error = prep_classes(Dataset::Mvtec, &src, &out, &["bottle", "cable", "screw"]).unwrap_err();
    let message = format!("{error:#}");
    let found = problems(error);
    assert_eq!(found.len(), 3, "{found:#?}");
    assert_has(&found, &src.join("bottle"), "missing class folder");
    assert_has(
        &found,
        &src.join("cable/test/crack/000.png"),
        "anomaly image has no mask",
    );
    assert_has(&found, &src.join("cable/test/crack/000.png"), "000_mask.png");
    assert_has(&found, &src.join("screw/train"), "expected exactly one folder 'good'");
    assert!(message.contains("3 problem(s)"), "{message}");
    assert!(!out.exists(), "nothing may be written");
}

#[test]
fn decode_problems_are_all_collected_and_nothing_is_left_behind() {
    let work = scratch();
    let src = work.path().join("raw");
    valid_class(&src, "wood");
    let noisy = RgbImage::from_fn(32, 32, |x, y| {
        Rgb([(x * 7 + y * 13) as u8, (x * y) as u8, (x ^ y) as u8])
    });
    let png = encode(noisy.clone(), ImageFormat::Png);
    write(&src.join("wood/train/good/001.png"), &png[..png.len() / 2]);
    write(&src.join("wood/train/good/002.png"), b"this is not an image");
    let jpeg = encode(noisy, ImageFormat::Jpeg);
    write(&src.join("wood/train/good/003.png"), &jpeg[..jpeg.len() * 2 / 3]); // content decides the format
    write(
        &src.join("wood/ground_truth/crack/000_mask.png"),
        &encode(mask(3, 4), ImageFormat::Png),
    );

    // A previous good output must survive the failed run untouched.
    let out = work.path().join("out");
    let good_src = work.path().join("good");
    valid_class(&good_src, "wood");
    prep_classes(Dataset::Mvtec, &good_src, &out, &["wood"]).unwrap();
    let before = list_tree(&out);
    let meta_before = fs::read(out.join("meta_mvtec.json")).unwrap();

    let found = problems(prep_classes(Dataset::Mvtec, &src, &out, &["wood"]).unwrap_err());
    assert_eq!(found.len(), 4, "{found:#?}");
    assert_has(&found, &src.join("wood/train/good/001.png"), "cannot decode");
    assert_has(
        &found,
        &src.join("wood/train/good/003.png"),
        "JPEG data ends before its end-of-image marker",
    );
    assert_has(&found, &src.join("wood/train/good/002.png"), "not a readable image");
    assert_has(
        &found,
        &src.join("wood/ground_truth/crack/000_mask.png"),
        "mask is 3x4 but its image",
    );
    assert_eq!(list_tree(&out), before);
    assert_eq!(
        entries(&out),
        ["meta_mvtec.json", "mvtec"],
        "no temporary folder or file may remain"
    );
    assert_eq!(fs::read(out.join("meta_mvtec.json")).unwrap(), meta_before);

    // Into a fresh root: the root itself is not left behind either.
    let fresh = work.path().join("fresh");
    prep_classes(Dataset::Mvtec, &src, &fresh, &["wood"]).unwrap_err();
    assert!(!fresh.exists());
}

#[test]
fn visa_csv_without_expected_columns() {
    let work = scratch();
    let src = work.path().join("visa");
    write(
        &src.join("split_csv/1cls.csv"),
        b"object,split,label,image\ncandle,train,normal,a.JPG\n",
    );
    let out = work.path().join("out");
    let found = problems(prep_classes(Dataset::Visa, &src, &out, &["candle"]).unwrap_err());
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_has(&found, &src.join("split_csv/1cls.csv"), "CSV lacks column(s) mask");
    assert!(!out.exists());

    let missing_csv = work.path().join("no-csv");
    fs::create_dir_all(&missing_csv).unwrap();
    let found = problems(prep(Dataset::Visa, &missing_csv, &out).unwrap_err());
    assert_has(&found, &missing_csv.join("split_csv/1cls.csv"), "cannot read split CSV");
}

#[test]
fn visa_rows_pointing_at_missing_or_inconsistent_files() {
    let work = scratch();
    let src = work.path().join("visa");
    let jpeg = encode(rgb(4, 4), ImageFormat::Jpeg);
    write(&src.join("candle/Normal/a.JPG"), &jpeg);
    write(&src.join("candle/Anomaly/b.JPG"), &jpeg);
    let csv = "object,split,label,image,mask\n\
               candle,train,normal,candle/Normal/a.JPG,\n\
               candle,train,anomaly,candle/Anomaly/b.JPG,candle/Masks/b.png\n\
               candle,test,normal,candle/Normal/gone.JPG,\n\
               candle,test,anomaly,candle/Anomaly/b.JPG,\n\
               candle,test,weird,candle/Normal/a.JPG,\n";
    write(&src.join("split_csv/1cls.csv"), csv.as_bytes());
    let found = problems(prep_classes(Dataset::Visa, &src, &work.path().join("out"), &["candle", "pcb1"]).unwrap_err());
    let csv_path = src.join("split_csv/1cls.csv");
    assert_has(
        &found,
        &src.join("candle/Anomaly/b.JPG"),
        "training row is labelled 'anomaly' (line 3",
    );
    assert_has(
        &found,
        &src.join("candle/Normal/gone.JPG"),
        "image listed in the CSV not found (line 4",
    );
    assert_has(
        &found,
        &src.join("candle/Anomaly/b.JPG"),
        "anomaly row has no mask (line 5",
    );
    assert_has(&found, &csv_path, "label 'weird'");
    assert_has(&found, &csv_path, "no rows for class 'pcb1'");
    assert_eq!(found.len(), 5, "{found:#?}");
}

#[test]
fn unknown_dataset_and_missing_source_are_clear_errors() {
    let work = scratch();
    let args = PrepArgs {
        dataset: "MVTec-AD".into(),
        src: work.path().to_path_buf(),
        out: Some(work.path().join("out")),
        jobs: None,
        classes: None,
    };
    let message = format!("{:#}", run_prep(&args).unwrap_err());
    assert!(message.contains("unknown dataset 'MVTec-AD'"), "{message}");
    assert!(
        message.contains("mvtec, visa, MPDD, BTAD, mvtec3D, RESC, BrasTS, VOC, Ade"),
        "{message}"
    );

    let missing = work.path().join("nowhere");
    let found = problems(prep(Dataset::Brats, &missing, &work.path().join("out")).unwrap_err());
    assert_eq!(
        found,
        [(
            missing.to_string_lossy().into_owned(),
            "source folder not found".to_string()
        )]
    );
    assert!(!work.path().join("out").exists());
}

#[test]
fn bad_class_lists_are_rejected() {
    let work = scratch();
    let out = work.path().join("out");
    let error = prep_classes(Dataset::Mvtec, work.path(), &out, &["wood", "wood"]).unwrap_err();
    assert!(error.to_string().contains("listed twice"), "{error}");
    let found = problems(prep_classes(Dataset::Btad, work.path(), &out, &["metal3"]).unwrap_err());
    assert_has(&found, work.path(), "BTAD has no class 'metal3'");
}
