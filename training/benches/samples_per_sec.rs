//! Training throughput on CPU: samples per second of full training steps (synthesis at the
//! recipe's sizes, CLIP encoding, loss, backward, Adam) with the tiny fixture CLIP at 112 x 112.
//! Run: `cargo bench -p dictas-train --bench samples_per_sec`.

use std::path::{Path, PathBuf};
use std::time::Instant;

use dictas_train::config::TrainConfig;
use dictas_train::trainer::{Outcome, Trainer};
use image::{Rgb, RgbImage};
use serde_json::json;

const IMAGES: usize = 12;
const STEPS: u64 = 4;
const BATCH: usize = 6;

fn make_data(root: &Path) {
    let dir = root.join("bench/widget/train/good");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::create_dir_all(root.join("bench/widget/test/anomaly")).unwrap();
    std::fs::create_dir_all(root.join("bench/widget/ground_truth/anomaly")).unwrap();
    let mut train = Vec::new();
    for i in 0..IMAGES {
        let rel = format!("bench/widget/train/good/bench_{i:06}.bmp");
        RgbImage::from_fn(256, 256, |x, y| Rgb([((x + i as u32) % 256) as u8, (y % 256) as u8, ((x ^ y) % 256) as u8]))
            .save(root.join(&rel))
            .unwrap();
        train.push(json!({"img_path": rel, "mask_path": "", "cls_name": "widget", "specie_name": "good", "dataset_name": "bench", "anomaly": 0}));
    }
    let bad = "bench/widget/test/anomaly/bench_bad.bmp";
    let mask = "bench/widget/ground_truth/anomaly/bench_bad.png";
    RgbImage::from_pixel(256, 256, Rgb([80, 80, 80])).save(root.join(bad)).unwrap();
    image::GrayImage::from_fn(256, 256, |x, _| image::Luma([if x < 64 { 255 } else { 0 }])).save(root.join(mask)).unwrap();
    let test = json!([{"img_path": bad, "mask_path": mask, "cls_name": "widget", "specie_name": "anomaly", "dataset_name": "bench", "anomaly": 1}]);
    let meta = json!({"train": {"widget": train}, "test": {"widget": test}});
    std::fs::write(root.join("meta_bench.json"), meta.to_string()).unwrap();
    let dtd = root.join("dtd/banded");
    std::fs::create_dir_all(&dtd).unwrap();
    RgbImage::from_fn(300, 300, |x, y| Rgb([(x % 256) as u8, 30, (y % 256) as u8])).save(dtd.join("banded_0001.jpg")).unwrap();
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    make_data(dir.path());
    let clip = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures/parity-mvtec/clip-jit.pt");
    let cfg = TrainConfig {
        data: Some(dir.path().to_path_buf()),
        dataset: Some("bench".into()),
        dtd: Some(dir.path().join("dtd")),
        clip: Some(clip),
        out: Some(dir.path().join("out")),
        image_size: 112,
        batch_size: BATCH,
        epochs: 1,
        val_dataset: Some("bench".into()),
        val_classes: vec!["widget".into()],
        max_steps: Some(STEPS),
        keep_epoch_weights: false,
        ..TrainConfig::default()
    }
    .resolve()
    .unwrap();
    let mut trainer = Trainer::new(cfg).unwrap();
    let started = Instant::now();
    let outcome = trainer.run_until_done(false).unwrap();
    let seconds = started.elapsed().as_secs_f64();
    let samples = (STEPS as usize * BATCH).min(IMAGES.div_ceil(BATCH) * BATCH).min(IMAGES);
    println!(
        "{samples} samples ({outcome:?}) in {seconds:.2} s: {:.2} samples/s (tiny CLIP 128 wide x 24 layers, 112 px, synthesis at 1024/512)",
        samples as f64 / seconds
    );
    assert!(matches!(outcome, Outcome::Stopped | Outcome::Finished));
}
