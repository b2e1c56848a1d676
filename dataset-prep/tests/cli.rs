//! The commands end to end through the `dictas-prep` development binary.

mod common;

use common::*;
use std::process::Command;

fn dictas_prep(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_dictas-prep"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn synth_prep_verify_round_trip() {
    let work = scratch();
    let (raw, data, manifest) = (
        work.path().join("raw"),
        work.path().join("data"),
        work.path().join("m.sha256"),
    );
    let path = |p: &std::path::Path| p.to_str().unwrap().to_string();
    let synth = dictas_prep(&[
        "synth",
        "--out",
        &path(&raw),
        "--classes",
        "2",
        "--size",
        "32",
        "--train",
        "2",
        "--test-good",
        "1",
        "--test-defect",
        "1",
    ]);
    assert!(synth.status.success(), "{}", String::from_utf8_lossy(&synth.stderr));
    assert!(String::from_utf8_lossy(&synth.stdout).contains("--classes wood,grid"));

    let prep = dictas_prep(&[
        "prep",
        "mvtec",
        "--src",
        &path(&raw),
        "--out",
        &path(&data),
        "--classes",
        "wood,grid",
        "--jobs",
        "2",
    ]);
    assert!(prep.status.success(), "{}", String::from_utf8_lossy(&prep.stderr));

    let verify = dictas_prep(&["verify", "--data", &path(&data), "--manifest", &path(&manifest)]);
    let stdout = String::from_utf8_lossy(&verify.stdout);
    assert!(
        verify.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&verify.stderr)
    );
    assert!(stdout.contains("verification passed"), "{stdout}");
    let check = dictas_prep(&["verify", "--data", &path(&data), "--check-manifest", &path(&manifest)]);
    assert!(check.status.success());

    std::fs::write(data.join("mvtec/wood/train/good/mvtec_000000.bmp"), b"changed").unwrap();
    let check = dictas_prep(&["verify", "--data", &path(&data), "--check-manifest", &path(&manifest)]);
    assert!(!check.status.success());
    let stdout = String::from_utf8_lossy(&check.stdout);
    assert!(
        stdout.contains("manifest changed: mvtec/wood/train/good/mvtec_000000.bmp"),
        "{stdout}"
    );
}

#[test]
fn unknown_dataset_exits_non_zero_with_the_valid_names() {
    let work = scratch();
    let output = dictas_prep(&[
        "prep",
        "mvtec2",
        "--src",
        work.path().to_str().unwrap(),
        "--out",
        "unused",
    ]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("unknown dataset 'mvtec2'; valid names: mvtec, visa, MPDD"),
        "{stderr}"
    );
}
