//! `prep dtd`: checks a DTD texture folder (`images/<category>/*.jpg`).

mod common;

use common::*;
use dictas_prep::cli::{run_prep, PrepArgs};
use dictas_prep::dtd::check_dtd;
use image::ImageFormat;

#[test]
fn counts_readable_images_and_lists_unreadable_ones() {
    let work = scratch();
    let root = work.path().join("dtd");
    let jpeg = encode(rgb(8, 8), ImageFormat::Jpeg);
    write(&root.join("images/banded/banded_0001.jpg"), &jpeg);
    write(&root.join("images/banded/banded_0002.jpg"), b"broken");
    write(&root.join("images/dotted/dotted_0001.jpg"), &jpeg);
    write(&root.join("images/dotted/dotted_0002.jpg"), &jpeg);
    write(&root.join("images/dotted/readme.txt"), b"ignored");

    let report = check_dtd(&root).unwrap();
    assert_eq!(report.readable, [("banded".to_string(), 1), ("dotted".to_string(), 2)]);
    assert_eq!(report.unreadable.len(), 1);
    assert_eq!(report.unreadable[0].path, root.join("images/banded/banded_0002.jpg"));
    // The images folder itself is accepted too (the training code's --anomaly_source_path).
    assert_eq!(check_dtd(&root.join("images")).unwrap().total_readable(), 3);

    let args = PrepArgs {
        dataset: "dtd".into(),
        src: root.clone(),
        out: None,
        jobs: Some(1),
        classes: None,
    };
    let error = run_prep(&args).unwrap_err();
    assert!(
        error.to_string().contains("1 DTD image(s) cannot be decoded"),
        "{error}"
    );
    std::fs::remove_file(root.join("images/banded/banded_0002.jpg")).unwrap();
    run_prep(&args).unwrap();
}

#[test]
fn an_empty_or_missing_folder_is_an_error() {
    let work = scratch();
    let error = check_dtd(&work.path().join("missing")).unwrap_err();
    assert!(format!("{error:#}").contains("missing folder"), "{error:#}");
    std::fs::create_dir_all(work.path().join("empty/images/banded")).unwrap();
    let error = check_dtd(&work.path().join("empty")).unwrap_err();
    assert!(error.to_string().contains("no texture images"), "{error}");
}
