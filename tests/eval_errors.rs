//! Bad input to `dictas eval` ends with a clear message, a non-zero exit and no output.

mod common;
use common::*;
use std::path::Path;

/// Runs eval on the fixture with some arguments replaced; returns stderr of the failure and
/// checks that the output folder was not created.
fn eval_fails(replace: &[(&str, &str)], out: &Path) -> String {
    let fx = fixture();
    let data = fx.join("data");
    let clip = fx.join("clip-jit.pt");
    let checkpoint = fx.join("dictas.pth");
    let supports = fx.join("support/fix_2-shot.txt");
    let mut args: Vec<(String, String)> = vec![
        ("--data".into(), s(&data).into()),
        ("--dataset".into(), "mvtec".into()),
        ("--clip".into(), s(&clip).into()),
        ("--checkpoint".into(), s(&checkpoint).into()),
        ("--k-shot".into(), "2".into()),
        ("--supports".into(), s(&supports).into()),
        ("--image-size".into(), "224".into()),
        ("--device".into(), "cpu".into()),
        ("--out".into(), s(out).into()),
    ];
    for (flag, value) in replace {
        args.iter_mut().find(|(f, _)| f == flag).expect("known flag").1 = value.to_string();
    }
    let mut argv = vec!["eval".to_string()];
    for (f, v) in args {
        argv.push(f);
        argv.push(v);
    }
    let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
    let err = fails(&dictas(&argv));
    assert!(!out.exists(), "no output may be left behind at {}", out.display());
    let leftovers: Vec<_> = std::fs::read_dir(out.parent().unwrap()).unwrap().flatten().collect();
    assert!(leftovers.iter().all(|e| !e.file_name().to_string_lossy().contains(".tmp-")), "staging left behind");
    err
}

#[test]
fn wrong_checkpoint_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let fx = fixture();
    // A CLIP file where the DictAS weights belong: keys do not match.
    let err = eval_fails(&[("--checkpoint", s(&fx.join("clip-state.pt")))], &dir.path().join("o"));
    assert!(err.contains("clip-state.pt") && err.contains("DictAS"), "{err}");
    // Not a checkpoint at all.
    let junk = dir.path().join("junk.pth");
    std::fs::write(&junk, b"not a checkpoint").unwrap();
    let err = eval_fails(&[("--checkpoint", s(&junk))], &dir.path().join("o"));
    assert!(err.contains("junk.pth"), "{err}");
}

#[test]
fn image_size_not_a_multiple_of_the_patch() {
    let dir = tempfile::tempdir().unwrap();
    let err = eval_fails(&[("--image-size", "230")], &dir.path().join("o"));
    assert!(err.contains("230") && err.contains("16"), "{err}");
}

#[test]
fn missing_support_image_is_listed() {
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("fix_2-shot.txt");
    std::fs::write(
        &list,
        "mvtec/bottle/train/good/mvtec_000002.bmp\nmvtec/bottle/train/good/nope.bmp\n\
         mvtec/wood/train/good/mvtec_000016.bmp\nmvtec/wood/train/good/mvtec_000013.bmp\n",
    )
    .unwrap();
    let err = eval_fails(&[("--supports", s(&list))], &dir.path().join("o"));
    assert!(err.contains("nope.bmp") && err.contains("support image"), "{err}");
}

#[test]
fn unknown_dataset_rules() {
    let dir = tempfile::tempdir().unwrap();
    let err = eval_fails(&[("--dataset", "cifar10")], &dir.path().join("o"));
    assert!(err.contains("cifar10") && err.contains("mvtec, visa"), "{err}");
}

#[test]
fn support_list_with_wrong_k() {
    let dir = tempfile::tempdir().unwrap();
    let err = eval_fails(&[("--k-shot", "4")], &dir.path().join("o"));
    assert!(err.contains("expected k = 4"), "{err}");
}
