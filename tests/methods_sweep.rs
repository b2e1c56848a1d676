//! Every method (DictAS with each lookup, knn, fastrecon, WinCLIP) runs through one sweep over
//! the parity fixture and appears in one comparison table and plot.

mod common;
use common::*;

#[test]
fn all_methods_in_one_sweep_and_one_comparison() {
    let fx = fixture();
    let dir = tempfile::tempdir().unwrap();
    let supports = dir.path().join("supports/mvtec");
    std::fs::create_dir_all(&supports).unwrap();
    std::fs::copy(fx.join("support/fix_2-shot.txt"), supports.join("fix_2-shot.txt")).unwrap();
    let spec = format!(
        r#"name: methods
data_root: {data}
output: {out}
datasets: [mvtec]
methods:
  - {{name: dictas, checkpoint: {ck}}}
  - {{name: dictas, checkpoint: {ck}, lookup: softmax}}
  - {{name: dictas, checkpoint: {ck}, lookup: max}}
  - {{name: knn}}
  - {{name: fastrecon}}
  - {{name: winclip, settings: {{window_scales: [3], window_stride: 3}}}}
backbones:
  - {{name: tiny, weights: {clip}, image_size: 224}}
k_shots: [2]
supports: published
supports_dir: {sup}
device: cpu
"#,
        data = s(&fx.join("data")),
        out = s(&dir.path().join("out")),
        ck = s(&fx.join("dictas.pth")),
        clip = s(&fx.join("clip-jit.pt")),
        sup = s(&dir.path().join("supports")),
    );
    let spec_path = dir.path().join("methods.yaml");
    std::fs::write(&spec_path, spec).unwrap();
    ok(&dictas(&["sweep", s(&spec_path)]));
    let report = dir.path().join("out/report");
    let comparison = std::fs::read_to_string(report.join("comparison.md")).unwrap();
    for label in ["DictAS |", "softmax", "max lookup", "knn", "fastrecon", "WinCLIP+"] {
        assert!(comparison.contains(label), "{label} missing from the comparison:\n{comparison}");
    }
    // The published figures are shown beside ours and marked as published.
    assert!(comparison.contains("published only"), "{comparison}");
    assert!(report.join("plots/methods_k2.png").is_file());
    // The sparsemax cell is the parity configuration: its table equals a plain eval.
    let cells = dir.path().join("out/cells");
    let metrics = read_csv(&cells.join("mvtec__dictas__tiny-224__k2__published/metrics.csv"));
    let mean = metrics.iter().find(|r| r["class"] == "mean").unwrap();
    let reference = read_csv(&fx.join("ref/results_mvtec.csv"));
    let reference_mean = reference.iter().find(|r| r["objects"] == "mean").unwrap();
    let ours: f64 = mean["auroc_px"].parse::<f64>().unwrap() * 100.0;
    let theirs: f64 = reference_mean["auroc_px"].parse().unwrap();
    assert!((ours - theirs).abs() <= 0.015, "{ours} vs {theirs}");
}
