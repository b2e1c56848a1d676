//! Parity with the reference implementation on the tiny random-weight fixture: every raw
//! anomaly map and text score must match what the reference computed, for both CLIP formats.

mod common;

use std::path::Path;

use dictas_model::preprocess::load_image;
use dictas_model::prompts::{class_text_features, text_anomaly_scores};
use dictas_model::dictas::SupportDictionary;
use dictas_model::{Activation, ClipModel, DictAs, Lookup};
use ndarray::{Array3, Axis};
use serde::Deserialize;
use tch::{Device, Tensor};

const TOLERANCE: f64 = 1e-4;
const IMAGE_SIZE: i64 = 224;

#[derive(Deserialize)]
struct Reference {
    img_path: String,
    cls_name: String,
    text_score: f64,
    layers: Vec<i64>,
    scales: Vec<i64>,
}

#[derive(Deserialize)]
struct Meta {
    test: serde_json::Map<String, serde_json::Value>,
}

struct ClassContext {
    name: String,
    support_layers: Vec<Tensor>,
    dictionary: SupportDictionary,
    text: Tensor,
}

/// How the maps are computed: the one-call API, or one dictionary per class reused by every
/// query image. Both must match the reference.
#[derive(Clone, Copy, PartialEq)]
enum MapPath {
    OneCall,
    PrebuiltDictionary,
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> T {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Support images of a class: the list's lines that mention the class name, in file order
/// (the reference's selection rule).
fn support_batch(fixture: &Path, class: &str) -> Tensor {
    let list = std::fs::read_to_string(fixture.join("support/fix_2-shot.txt")).unwrap();
    let images: Vec<Tensor> = list
        .lines()
        .filter(|l| l.contains(class))
        .map(|l| load_image(&fixture.join("data").join(l.trim_end()), IMAGE_SIZE as u32).unwrap())
        .collect();
    assert_eq!(images.len(), 2, "k = 2 support images for {class}");
    Tensor::stack(&images, 0)
}

fn class_context(fixture: &Path, clip: &ClipModel, dictas: &DictAs, class: &str, reference: &Reference) -> ClassContext {
    let (_, tokens) = clip.encode_image(&support_batch(fixture, class), &reference.layers);
    let width = clip.config().vision_width;
    let support_layers: Vec<Tensor> = tokens.iter().map(|t| t.reshape([1, -1, width])).collect();
    ClassContext {
        name: class.to_string(),
        dictionary: dictas.build_dictionary(&support_layers, clip.grid(), &reference.scales).unwrap(),
        support_layers,
        text: class_text_features(clip, class).unwrap(),
    }
}

fn check_checkpoint(clip_file: &str, path: MapPath) {
    let fixture = common::parity_fixture();
    let clip = ClipModel::load(&fixture.join(clip_file), IMAGE_SIZE, Activation::Gelu, Device::Cpu).unwrap();
    let (_vs, dictas) = DictAs::load(&fixture.join("dictas.pth"), Device::Cpu).unwrap();
    let references: Vec<Reference> = read_json(&fixture.join("ref/images.json"));
    let ref_maps: Array3<f32> = ndarray_npy::read_npy(fixture.join("ref/anomaly_maps.npy")).unwrap();
    let meta: Meta = read_json(&fixture.join("data/meta_mvtec.json"));
    assert_eq!(ref_maps.len_of(Axis(0)), references.len());

    let (mut worst_map, mut worst_score, mut checked) = (0f64, 0f64, 0usize);
    let mut context: Option<ClassContext> = None;
    for (class, entries) in &meta.test {
        for entry in entries.as_array().unwrap() {
            let img_path = entry["img_path"].as_str().unwrap();
            let index = references.iter().position(|r| r.img_path == img_path).unwrap();
            let reference = &references[index];
            assert_eq!(&reference.cls_name, class);
            if context.as_ref().map(|c| &c.name) != Some(class) {
                context = Some(class_context(&fixture, &clip, &dictas, class, reference));
            }
            let ctx = context.as_ref().unwrap();

            let image = load_image(&fixture.join("data").join(img_path), IMAGE_SIZE as u32).unwrap();
            let (global, query_layers) = clip.encode_image(&image.unsqueeze(0), &reference.layers);
            let map = match path {
                MapPath::OneCall => dictas.anomaly_map(
                    &query_layers,
                    &ctx.support_layers,
                    clip.grid(),
                    &reference.scales,
                    IMAGE_SIZE,
                    Lookup::Sparsemax,
                ),
                MapPath::PrebuiltDictionary => {
                    dictas.anomaly_map_with(&ctx.dictionary, &query_layers, IMAGE_SIZE, Lookup::Sparsemax).unwrap()
                }
            };
            let expected = ref_maps.index_axis(Axis(0), index).to_owned();
            let expected = Tensor::from_slice(expected.as_slice().unwrap()).view([1, IMAGE_SIZE, IMAGE_SIZE]);
            let map_error = (map - expected).abs().max().double_value(&[]);
            let score = text_anomaly_scores(&global, &ctx.text).double_value(&[0]);
            let score_error = (score - reference.text_score).abs();
            worst_map = worst_map.max(map_error);
            worst_score = worst_score.max(score_error);
            checked += 1;
            assert!(map_error < TOLERANCE, "{clip_file} {img_path}: map max-abs error {map_error:e}");
            assert!(score_error < TOLERANCE, "{clip_file} {img_path}: text score error {score_error:e}");
        }
    }
    assert_eq!(checked, references.len(), "every reference image was checked");
    let label = match path {
        MapPath::OneCall => "one-call anomaly_map",
        MapPath::PrebuiltDictionary => "prebuilt dictionary",
    };
    println!("{clip_file} ({label}): {checked} images, map max-abs error {worst_map:e}, text score max error {worst_score:e}");
}

#[test]
fn parity_with_torchscript_clip() {
    check_checkpoint("clip-jit.pt", MapPath::OneCall);
}

#[test]
fn parity_with_torch_save_clip() {
    check_checkpoint("clip-state.pt", MapPath::PrebuiltDictionary);
}
