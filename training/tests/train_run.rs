//! A short CPU training run on generated data with the fixture's tiny CLIP at 64 x 64: Lq goes
//! down, and a run stopped after a few steps and resumed ends at exactly the weights of an
//! uninterrupted run.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use dictas_train::config::TrainConfig;
use dictas_train::trainer::{Outcome, Trainer};
use image::{GrayImage, Luma, Rgb, RgbImage};
use serde_json::json;
use tch::Tensor;

fn clip() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures/parity-mvtec/clip-jit.pt")
}

/// A dataset `toy` with classes `stripes` and `dots`: 4 training images each, and one normal
/// and one anomalous test image each (the anomaly a bright square with its mask).
fn make_data(root: &Path) {
    let mut meta_train = serde_json::Map::new();
    let mut meta_test = serde_json::Map::new();
    for (c, class) in ["stripes", "dots"].iter().enumerate() {
        let pattern = |x: u32, y: u32, shift: u32| -> Rgb<u8> {
            let v = if c == 0 { ((x + shift) / 4 % 2) * 150 + 50 } else { (((x + shift) % 8 < 3 && y % 8 < 3) as u32) * 160 + 40 };
            Rgb([v as u8, (v / 2 + y) as u8, (255 - v) as u8])
        };
        let dir = root.join("toy").join(class);
        for sub in ["train/good", "test/good", "test/anomaly", "ground_truth/anomaly"] {
            std::fs::create_dir_all(dir.join(sub)).unwrap();
        }
        let mut train = Vec::new();
        for i in 0..4 {
            let rel = format!("toy/{class}/train/good/toy_{c}{i}.bmp");
            RgbImage::from_fn(40, 40, |x, y| pattern(x, y, i)).save(root.join(&rel)).unwrap();
            train.push(json!({"img_path": rel, "mask_path": "", "cls_name": class, "specie_name": "good", "dataset_name": "toy", "anomaly": 0}));
        }
        let good = format!("toy/{class}/test/good/toy_good_{c}.bmp");
        RgbImage::from_fn(40, 40, |x, y| pattern(x, y, 7)).save(root.join(&good)).unwrap();
        let bad = format!("toy/{class}/test/anomaly/toy_bad_{c}.bmp");
        let mask = format!("toy/{class}/ground_truth/anomaly/toy_bad_{c}.png");
        let inside = |x: u32, y: u32| (12..26).contains(&x) && (10..24).contains(&y);
        RgbImage::from_fn(40, 40, |x, y| if inside(x, y) { Rgb([250, 250, 20]) } else { pattern(x, y, 3) }).save(root.join(&bad)).unwrap();
        GrayImage::from_fn(40, 40, |x, y| Luma([if inside(x, y) { 255 } else { 0 }])).save(root.join(&mask)).unwrap();
        let test = vec![
            json!({"img_path": bad, "mask_path": mask, "cls_name": class, "specie_name": "anomaly", "dataset_name": "toy", "anomaly": 1}),
            json!({"img_path": good, "mask_path": "", "cls_name": class, "specie_name": "good", "dataset_name": "toy", "anomaly": 0}),
        ];
        meta_train.insert(class.to_string(), json!(train));
        meta_test.insert(class.to_string(), json!(test));
    }
    let meta = json!({"train": meta_train, "test": meta_test});
    std::fs::write(root.join("meta_toy.json"), serde_json::to_string_pretty(&meta).unwrap()).unwrap();
    for (k, category) in ["banded", "dotted"].iter().enumerate() {
        let dir = root.join("dtd").join(category);
        std::fs::create_dir_all(&dir).unwrap();
        RgbImage::from_fn(24, 24, |x, y| Rgb([((x * 9 + k as u32 * 50) % 256) as u8, (y * 10) as u8, 90]))
            .save(dir.join(format!("{category}_0001.jpg")))
            .unwrap();
    }
}

fn config(root: &Path, out: &Path) -> TrainConfig {
    TrainConfig {
        data: Some(root.to_path_buf()),
        dataset: Some("toy".into()),
        dtd: Some(root.join("dtd")),
        clip: Some(clip()),
        out: Some(out.to_path_buf()),
        image_size: 64,
        batch_size: 3,
        epochs: 3,
        lr: 1e-3,
        base_size: 64,
        canvas: 32,
        val_dataset: Some("toy".into()),
        val_classes: vec!["stripes".into(), "dots".into()],
        keep_epoch_weights: false,
        ..TrainConfig::default()
    }
    .resolve()
    .unwrap()
}

fn weights(out: &Path) -> BTreeMap<String, Tensor> {
    Tensor::read_safetensors(out.join("state/weights.safetensors")).unwrap().into_iter().collect()
}

fn epoch_query_losses(out: &Path) -> Vec<f64> {
    let mut reader = csv::Reader::from_path(out.join("epochs.csv")).unwrap();
    let headers = reader.headers().unwrap().clone();
    let column = headers.iter().position(|h| h == "loss_query").unwrap();
    reader.records().map(|r| r.unwrap()[column].parse().unwrap()).collect()
}

#[test]
fn training_lowers_lq_and_resumes_exactly() {
    let dir = tempfile::tempdir().unwrap();
    make_data(dir.path());

    let straight = dir.path().join("straight");
    let outcome = Trainer::new(config(dir.path(), &straight)).unwrap().run_until_done(false).unwrap();
    assert_eq!(outcome, Outcome::Finished);
    let losses = epoch_query_losses(&straight);
    assert_eq!(losses.len(), 3);
    assert!(losses[2] < losses[0], "Lq per epoch did not go down: {losses:?}");
    assert!(straight.join("best.safetensors").exists() && straight.join("curves.png").exists());
    dictas_model::DictAs::load(&straight.join("best.safetensors"), tch::Device::Cpu).unwrap();

    // Stop mid-epoch 2 (3 batches per epoch: after 4 steps), then resume to the end.
    let interrupted = dir.path().join("interrupted");
    let mut cfg = config(dir.path(), &interrupted);
    cfg.max_steps = Some(4);
    assert_eq!(Trainer::new(cfg).unwrap().run_until_done(false).unwrap(), Outcome::Stopped);
    let cfg = config(dir.path(), &interrupted);
    assert_eq!(Trainer::new(cfg).unwrap().run_until_done(true).unwrap(), Outcome::Finished);

    let (a, b) = (weights(&straight), weights(&interrupted));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (name, t) in &a {
        assert!(t.equal(&b[name]), "{name} differs after resuming");
    }
    assert_eq!(epoch_query_losses(&interrupted), losses);
}
