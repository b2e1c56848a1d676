//! Fake run folders: random but deterministic metrics for 2 datasets x 2 k-shots x 3 seeds.

#![allow(dead_code)] // each test file uses a different part of this module

use std::fs;
use std::path::{Path, PathBuf};

use image::{GrayImage, Luma, Rgb, RgbImage};
use ndarray::Array2;

pub const METRICS: [&str; 9] = [
    "auroc_px",
    "aupro_px",
    "aupro_px_mvtec",
    "ap_px",
    "f1_px",
    "iou_px",
    "auroc_sp",
    "ap_sp",
    "f1_sp",
];
pub const DATASETS: [(&str, &[&str]); 2] = [
    ("mvtec", &["bottle", "cable", "capsule"]),
    ("visa", &["candle", "capsules"]),
];
pub const K_SHOTS: [u32; 2] = [1, 4];
pub const SEEDS: [i64; 3] = [0, 1, 2];

/// Dataset means forced for mvtec, 4-shot, auroc_px (seeds 0, 1, 2), so that tables can be
/// checked against numbers worked out by hand: mean 0.93, sample std sqrt(13e-4) = 0.0361,
/// printed as `93.0 ± 3.6`.
pub const FIXED_MVTEC_K4_AUROC: [f64; 3] = [0.90, 0.92, 0.97];

/// The numbers written into one fake cell.
#[derive(Debug, Clone)]
pub struct FakeCell {
    pub cell_id: String,
    pub dataset: String,
    pub k_shot: u32,
    pub seed: i64,
    pub classes: Vec<String>,
    /// `values[class][metric]`, fractions.
    pub values: Vec<Vec<f64>>,
    /// The `mean` row, per metric.
    pub mean: Vec<f64>,
}

impl FakeCell {
    pub fn mean_of(&self, metric: &str) -> f64 {
        self.mean[METRICS.iter().position(|m| *m == metric).unwrap()]
    }
}

/// splitmix64: a tiny deterministic generator, so the fake numbers never change.
struct Rng(u64);

impl Rng {
    fn next_f64(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }
}

pub fn fake_cells() -> Vec<FakeCell> {
    let mut cells = Vec::new();
    for (d, (dataset, classes)) in DATASETS.iter().enumerate() {
        for k in K_SHOTS {
            for (s, seed) in SEEDS.iter().enumerate() {
                let mut rng = Rng(1000 * d as u64 + 100 * k as u64 + *seed as u64);
                let values: Vec<Vec<f64>> = classes
                    .iter()
                    .map(|_| METRICS.iter().map(|_| 0.5 + 0.5 * rng.next_f64()).collect())
                    .collect();
                let mut mean: Vec<f64> = (0..METRICS.len())
                    .map(|m| values.iter().map(|row| row[m]).sum::<f64>() / classes.len() as f64)
                    .collect();
                if *dataset == "mvtec" && k == 4 {
                    mean[0] = FIXED_MVTEC_K4_AUROC[s];
                }
                cells.push(FakeCell {
                    cell_id: format!("dictas_{dataset}_k{k}_s{seed}"),
                    dataset: dataset.to_string(),
                    k_shot: k,
                    seed: *seed,
                    classes: classes.iter().map(|c| c.to_string()).collect(),
                    values,
                    mean,
                });
            }
        }
    }
    cells
}

/// Writes `run/cells/<cell_id>/{cell.json,metrics.csv,images.csv}` for every fake cell, plus an
/// incomplete cell (no metrics.csv). Returns the run folder.
pub fn write_fake_run(root: &Path, cells: &[FakeCell]) -> PathBuf {
    let run = root.join("run");
    for cell in cells {
        let dir = run.join("cells").join(&cell.cell_id);
        fs::create_dir_all(&dir).unwrap();
        write_cell_json(
            &dir,
            &cell.cell_id,
            &cell.dataset,
            cell.k_shot,
            Some(cell.seed),
        );
        let mut csv = format!("class,{}\n", METRICS.join(","));
        for (class, row) in cell.classes.iter().zip(&cell.values) {
            csv.push_str(&format!("{class},{}\n", join(row)));
        }
        csv.push_str(&format!("mean,{}\n", join(&cell.mean)));
        fs::write(dir.join("metrics.csv"), csv).unwrap();
        let mut images = String::from("img_path,cls_name,anomaly,text_score,image_score\n");
        for (i, class) in cell.classes.iter().enumerate() {
            images.push_str(&format!(
                "{0}/{class}/test/good/{i}.bmp,{class},0,0.1,0.2\n",
                cell.dataset
            ));
        }
        fs::write(dir.join("images.csv"), images).unwrap();
    }
    let incomplete = run.join("cells").join("dictas_mvtec_k8_s0");
    fs::create_dir_all(&incomplete).unwrap();
    write_cell_json(&incomplete, "dictas_mvtec_k8_s0", "mvtec", 8, Some(0));
    run
}

fn write_cell_json(dir: &Path, cell_id: &str, dataset: &str, k_shot: u32, seed: Option<i64>) {
    let json = serde_json::json!({
        "cell_id": cell_id,
        "dataset": dataset,
        "method": "dictas",
        "method_settings": {},
        "backbone": "ViT-L-14-336",
        "image_size": 336,
        "k_shot": k_shot,
        "seed": seed,
        "support_mode": "random",
        "config_hash": format!("hash-{cell_id}"),
    });
    fs::write(
        dir.join("cell.json"),
        serde_json::to_string_pretty(&json).unwrap(),
    )
    .unwrap();
}

/// Full-precision (round-trip) formatting, so the report reads back exactly these numbers.
fn join(values: &[f64]) -> String {
    values
        .iter()
        .map(|v| v.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

/// Gives the cell `cell_id` saved maps for 2 anomalous and 2 normal `bottle` images, with the
/// test images and masks under a data root named in its `manifest.json`. Returns the data root.
pub fn add_maps(run: &Path, cell_id: &str) -> PathBuf {
    let dir = run.join("cells").join(cell_id);
    let data_root = run.parent().unwrap().join("data");
    fs::write(
        dir.join("manifest.json"),
        serde_json::json!({"data_root": data_root.to_str().unwrap()}).to_string(),
    )
    .unwrap();
    let mut images = String::from("img_path,cls_name,anomaly,text_score,image_score\n");
    let entries = [
        ("anomaly", 1, 0.9),
        ("anomaly", 1, 0.7),
        ("good", 0, 0.6),
        ("good", 0, 0.1),
    ];
    for (i, (specie, anomaly, score)) in entries.iter().enumerate() {
        let img_path = format!("mvtec/bottle/test/{specie}/mvtec_{i:06}.bmp");
        images.push_str(&format!("{img_path},bottle,{anomaly},0.5,{score}\n"));

        // A 64x64 image with a colour gradient and, for anomalies, a bright square at
        // rows/cols 16..32 that the mask and the map both mark.
        let image = RgbImage::from_fn(64, 64, |x, y| {
            let defect = *anomaly == 1 && (16..32).contains(&x) && (16..32).contains(&y);
            if defect {
                Rgb([250, 250, 250])
            } else {
                Rgb([(x * 4) as u8, (y * 4) as u8, 90])
            }
        });
        let image_path = data_root.join(&img_path);
        fs::create_dir_all(image_path.parent().unwrap()).unwrap();
        image.save(&image_path).unwrap();
        if *anomaly == 1 {
            let mask = GrayImage::from_fn(64, 64, |x, y| {
                Luma([if (16..32).contains(&x) && (16..32).contains(&y) {
                    255
                } else {
                    0
                }])
            });
            let mask_path = data_root.join(
                img_path
                    .replace("/test/", "/ground_truth/")
                    .replace(".bmp", ".png"),
            );
            fs::create_dir_all(mask_path.parent().unwrap()).unwrap();
            mask.save(&mask_path).unwrap();
        }
        let strength = *score as f32;
        let map = Array2::from_shape_fn((32, 32), |(r, c)| {
            let inside = (8..16).contains(&r) && (8..16).contains(&c);
            if inside && *anomaly == 1 {
                strength
            } else {
                0.05 * strength * (r + c) as f32 / 62.0
            }
        });
        let map_path = dir.join("maps").join(img_path.replace(".bmp", ".npy"));
        fs::create_dir_all(map_path.parent().unwrap()).unwrap();
        ndarray_npy::write_npy(&map_path, &map).unwrap();
    }
    fs::write(dir.join("images.csv"), images).unwrap();
    data_root
}
